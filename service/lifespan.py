"""The application lifespan: opens the store and yields the shared state."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TypedDict

from starlette.applications import Starlette

from service.backend import open_configured
from service.metrics import Metrics
from service.settings import Settings
from service.store import AnyStore

log = logging.getLogger("supplygraph")


class State(TypedDict):
    """What every handler finds in ``request.state``."""

    settings: Settings
    store: AnyStore
    metrics: Metrics


def make_lifespan(settings: Settings, store: AnyStore | None = None):  # type: ignore[no-untyped-def]
    """A lifespan that opens ``store`` (or the configured one) and yields :class:`State`."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        opened = store if store is not None else open_configured(settings)
        current = opened.current_id()
        log.info("store opened", extra={"store": settings.store, "snapshot": current})
        state: State = {"settings": settings, "store": opened, "metrics": Metrics()}
        for hook in getattr(app, "startup_hooks", []):
            await hook(state)
        try:
            yield state
        finally:
            for hook in getattr(app, "shutdown_hooks", []):
                await hook(state)
            log.info("shutdown complete")

    return lifespan
