"""Structured logging: one JSON object per line (or plain text), and the request-log middleware."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.web.state import state_in_scope

_RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record and its ``extra`` fields as one JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure(level: str = "info", fmt: str = "json") -> None:
    """Send the ``supplygraph`` loggers to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("supplygraph")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


access = logging.getLogger("supplygraph.access")


def route_label(path: str) -> str:
    """A low-cardinality metrics label: the first path segment (``/queries/x`` -> ``/queries``)."""
    head = "/" + path.lstrip("/").split("/", 1)[0]
    return head if head in {"/", "/health", "/metrics", "/graphql", "/sparql", "/store", "/queries"} else "other"


class RequestLogMiddleware:
    """Logs every HTTP request as a structured line and records it in :class:`Metrics`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        size = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            seconds = time.perf_counter() - started
            state = state_in_scope(scope)
            if state is not None:
                state.metrics.observe(route_label(scope["path"]), scope["method"], status, seconds)
            if access.isEnabledFor(logging.INFO):  # else the line would not be written: do not build it
                client = scope.get("client")
                access.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "query": scope.get("query_string", b"").decode("latin-1")[:500],
                        "status": status,
                        "bytes": size,
                        "ms": round(seconds * 1000, 2),
                        "client": client[0] if client else None,
                    },
                )
