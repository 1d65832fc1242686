"""HTTP caching of read answers: a published snapshot never changes, so neither does an answer read from it.

A GET (or HEAD) on ``/sparql``, ``/queries/…``, ``/store`` or ``/graphql``
gets an ``ETag`` made of the current snapshot id and the request (path,
query string, ``Accept``), and ``Cache-Control`` from
``SUPPLYGRAPH_CACHE_MAX_AGE`` (0: ``no-cache``, so clients revalidate every
time, cheaply).  A request whose ``If-None-Match`` holds that tag gets a 304
before any query runs.  A write publishes a new snapshot, and with it new
tags.
"""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import StoreError
from service.store import AnyStore
from service.web.state import state_in_scope

CACHED_PREFIXES = ("/sparql", "/queries/", "/store", "/graphql")


def etag(snapshot: str, scope: Scope) -> str:
    """The weak entity tag of a read answer: the snapshot and the request that asked for it."""
    headers = dict(scope["headers"])
    query = scope.get("query_string", b"").decode("latin-1")
    parts = [snapshot, scope["path"], query, headers.get(b"accept", b"").decode("latin-1")]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return f'W/"{snapshot}-{digest}"'


def _still(store: AnyStore, snapshot: str) -> bool:
    """Whether ``snapshot`` is still the current one."""
    try:
        return store.current_id() == snapshot
    except StoreError:
        return False


def _matches(header: bytes, tag: str) -> bool:
    values = [v.strip() for v in header.decode("latin-1").split(",")]
    return "*" in values or tag in values


class CachingMiddleware:
    """Adds ``ETag`` and ``Cache-Control`` to read answers and answers ``If-None-Match`` with 304."""

    def __init__(self, app: ASGIApp, max_age: int) -> None:
        self.app = app
        self.cache_control = f"public, max-age={max_age}, must-revalidate".encode() if max_age > 0 else b"no-cache"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = state_in_scope(scope) if scope["type"] == "http" else None
        readable = scope["type"] == "http" and scope["method"] in ("GET", "HEAD")
        if state is None or not readable or not scope["path"].startswith(CACHED_PREFIXES):
            await self.app(scope, receive, send)
            return
        try:
            snapshot = state.store.current_id()
        except StoreError:  # a damaged store: the handler reports it properly
            snapshot = None
        if snapshot is None:
            await self.app(scope, receive, send)
            return
        tag = etag(snapshot, scope)
        asked = dict(scope["headers"]).get(b"if-none-match")
        if asked is not None and _matches(asked, tag):
            headers = [(b"etag", tag.encode()), (b"cache-control", self.cache_control), (b"vary", b"Accept")]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = list(message.get("headers", []))
                named = dict(headers).get(b"x-supplygraph-snapshot")
                # Tag only an answer read from the snapshot the tag names (a write may have landed
                # meanwhile); an answer that does not name its snapshot was read from the current one.
                if named == snapshot.encode() if named is not None else _still(state.store, snapshot):
                    headers += [(b"etag", tag.encode()), (b"cache-control", self.cache_control)]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, tagged)
