"""``/health``, ``/metrics`` and the landing page."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from service.settings import Settings
from service.store import AnyStore, SnapshotStore


def store_summary(store: AnyStore) -> dict[str, Any]:
    """Current snapshot id and triple count (read from its metadata, so it is cheap)."""
    current = store.current_id()
    if isinstance(store, SnapshotStore) and current is not None:
        info = store.info(current)
        return {"snapshot": current, "triples": info.triples, "created": info.created}
    graph = store.open_current()
    return {"snapshot": current, "triples": graph.triple_count(), "created": None}


async def health(request: Request) -> Response:
    """Liveness and readiness: 200 with the snapshot in use, 503 if the store cannot be read."""
    store: AnyStore = request.state.store
    try:
        summary = await asyncio.to_thread(store_summary, store)
    except OSError as exc:
        return JSONResponse({"status": "unavailable", "error": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", **summary})


async def metrics(request: Request) -> Response:
    """Prometheus metrics."""
    return PlainTextResponse(request.state.metrics.render(), media_type="text/plain; version=0.0.4")


async def index(request: Request) -> Response:
    """A map of the service for people who open it in a browser or with curl."""
    return JSONResponse(
        {
            "service": "supplygraph",
            "endpoints": {
                "/graphql": "GraphQL API (GraphiQL in a browser)",
                "/sparql": "SPARQL 1.1 Protocol endpoint",
                "/queries": "named queries",
                "/health": "health and current snapshot",
                "/metrics": "Prometheus metrics",
            },
        }
    )


def routes(settings: Settings) -> list[BaseRoute]:
    """Routes of this module."""
    return [
        Route("/", index, methods=["GET"]),
        Route("/health", health, methods=["GET", "HEAD"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
