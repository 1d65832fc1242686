"""``/health``, ``/metrics`` and the landing page (the explorer for browsers, a JSON map otherwise)."""

from __future__ import annotations

import asyncio
import functools
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from service.analysis import warm_state
from service.errors import StoreError
from service.store import AnyStore
from service.web.negotiate import prefers_html
from service.web.state import state_of


def store_summary(store: AnyStore) -> dict[str, Any]:
    """Current snapshot id, triple count (read from its metadata, so it is cheap) and whether its analytics are
    ready (``ready``, ``warming`` or ``cold``)."""
    info = store.current_info()
    if info is None:
        return {"snapshot": None, "triples": 0, "created": None}
    current = store.current_id()
    return {
        "snapshot": current,
        "triples": info.triples,
        "created": info.created or None,
        "analytics": warm_state(current),
    }


async def health(request: Request) -> Response:
    """Liveness and readiness: 200 with the snapshot in use (``degraded`` with the reasons when some of
    its files are damaged), 503 if the store cannot be read."""
    store = state_of(request).store
    try:
        summary = await asyncio.to_thread(store_summary, store)
        damage = await asyncio.to_thread(store.damage)
    except StoreError as exc:
        return JSONResponse({"status": "unavailable", "error": exc.message}, status_code=503)
    except OSError as exc:
        return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, status_code=503)
    if damage:
        return JSONResponse({"status": "degraded", "problems": damage, **summary})
    return JSONResponse({"status": "ok", **summary})


async def metrics(request: Request) -> Response:
    """Prometheus metrics."""
    state = state_of(request)
    # The pool's gauges are read at scrape time: set only when a query ended, they would never show
    # the queries running now.
    state.metrics.set("sparql_queries_in_flight", state.sparql_pool.in_flight)
    state.metrics.set("sparql_timeouts", state.sparql_pool.timeouts)
    return PlainTextResponse(state.metrics.render(), media_type="text/plain; version=0.0.4")


@functools.lru_cache(maxsize=1)
def _explorer() -> str:
    return (resources.files("service") / "static" / "explorer.html").read_text(encoding="utf-8")


async def index(request: Request) -> Response:
    """The explorer for browsers (built on ``/graphql`` alone); a JSON map of the service for other clients."""
    if prefers_html(request.headers.get("accept")):
        return HTMLResponse(_explorer(), headers={"Vary": "Accept"})
    return JSONResponse(
        {
            "service": "supplygraph",
            "endpoints": {
                "/": "the explorer in a browser; this map otherwise",
                "/graphql": "GraphQL API (GraphiQL in a browser)",
                "/sparql": "SPARQL 1.1 Protocol endpoint",
                "/queries": "named queries",
                "/health": "health and current snapshot",
                "/metrics": "Prometheus metrics",
            },
        },
        headers={"Vary": "Accept"},
    )
