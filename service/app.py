"""``create_app(settings)``: wires routes, middleware, error handlers and the lifespan.

Run with ``uvicorn --factory service.app:app_from_env`` or ``supplygraph serve``.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.types import Scope

from service.errors import SupplyGraphError, error_body
from service.lifespan import make_lifespan
from service.logs import RequestLogMiddleware, configure
from service.metrics import Metrics
from service.settings import Settings
from service.store import AnyStore

log = logging.getLogger("supplygraph")

# Each feature module exposes routes(settings) and, optionally, async
# startup(state) / shutdown(state) hooks.
FEATURES: tuple[str, ...] = ("service.health", "service.sparql", "service.gsp", "service.named", "service.graphql_app")


async def _supplygraph_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SupplyGraphError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse(error_body(str(exc.detail), exc.status_code), status_code=exc.status_code, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Never leak internals: log the traceback, answer with the standard body.
    log.exception("unhandled error", extra={"path": request.url.path})
    return JSONResponse(error_body("internal server error", 500), status_code=500)


def _metrics_of(app: Starlette) -> Any:
    def getter(scope: Scope) -> Metrics | None:
        state = scope.get("state") or {}
        return state.get("metrics")

    return getter


def create_app(settings: Settings | None = None, store: AnyStore | None = None) -> Starlette:
    """Build the ASGI application.  ``store`` overrides the configured one (tests)."""
    settings = settings or Settings.from_env()
    configure(settings.log_level, settings.log_format)
    routes: list[BaseRoute] = []
    startup, shutdown = [], []
    for name in FEATURES:
        module = importlib.import_module(name)
        routes.extend(module.routes(settings))
        if hasattr(module, "startup"):
            startup.append(module.startup)
        if hasattr(module, "shutdown"):
            shutdown.append(module.shutdown)
    middleware = []
    if settings.cors_origin_list:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origin_list,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["X-Supplygraph-Truncated", "X-Supplygraph-Snapshot"],
                max_age=600,
            )
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            SupplyGraphError: _supplygraph_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        lifespan=make_lifespan(settings, store),
    )
    app.startup_hooks = startup  # type: ignore[attr-defined]
    app.shutdown_hooks = shutdown  # type: ignore[attr-defined]
    app.add_middleware(RequestLogMiddleware, metrics_getter=_metrics_of(app))
    return app


def app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory``: settings from ``SUPPLYGRAPH_*`` variables."""
    return create_app(Settings.from_env())
