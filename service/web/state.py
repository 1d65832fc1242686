"""The application's shared state: opened once by the lifespan, read by every handler through :func:`state_of`."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.types import Scope

from service.analysis.warmup import warm
from service.backend import open_configured
from service.query_catalogue import NamedQuery, load_catalog
from service.settings import Settings
from service.store import AnyStore, RemoteStore
from service.web.metrics import Metrics
from service.web.pool import QueryPool, open_pool

log = logging.getLogger("supplygraph")

KEY = "supplygraph"
"""The one key the lifespan puts in Starlette's state."""


@dataclass(slots=True)
class State:
    """Every resource a handler may use, opened at startup and closed at shutdown."""

    settings: Settings
    store: AnyStore
    metrics: Metrics
    catalogue: dict[str, NamedQuery]  # the public named queries, checked at startup
    sparql_pool: QueryPool  # worker processes (or threads in memory) for researchers' SPARQL


def state_of(connection: HTTPConnection) -> State:
    """The application state of a request."""
    return _checked(getattr(connection.state, KEY, None))


def state_in_scope(scope: Scope) -> State | None:
    """The application state of an ASGI scope, None before startup (for middleware)."""
    found = (scope.get("state") or {}).get(KEY)
    return found if isinstance(found, State) else None


def _checked(found: Any) -> State:
    if not isinstance(found, State):
        raise RuntimeError("the application state is missing: was the lifespan run?")
    return found


def make_lifespan(
    settings: Settings, store: AnyStore | None = None
) -> Callable[[Starlette], AbstractAsyncContextManager[dict[str, State]]]:
    """A lifespan that opens ``store`` (or the configured one) and every shared resource."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, State]]:
        opened = store if store is not None else open_configured(settings)
        log.info("store opened", extra={"store": settings.store, "snapshot": opened.current_id()})
        # A malformed .rq file stops the service here, not at its first request.
        catalogue = load_catalog()
        pool = await open_pool(opened, settings.sparql_workers, settings.max_concurrent_queries)
        state = State(settings, opened, Metrics(), catalogue, pool)
        # The first analytics request on a large snapshot would otherwise wait for its network.
        warm(opened)
        try:
            yield {KEY: state}
        finally:
            await pool.close()
            if store is None and isinstance(opened, RemoteStore):
                opened.close()  # opened here, so closed here
            log.info("shutdown complete")

    return lifespan
