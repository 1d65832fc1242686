"""``create_app(settings)``: the routes, middleware, error handlers and lifespan of the service.

Run with ``uvicorn --factory service.web.app:app_from_env`` or ``supplygraph serve``.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from service.errors import SupplyGraphError, error_body
from service.gql.app import graphql_view
from service.settings import Settings
from service.store import AnyStore
from service.web import graph_store, health, named_queries, sparql
from service.web.caching import CachingMiddleware
from service.web.guard import GuardMiddleware
from service.web.logs import RequestLogMiddleware, configure
from service.web.protocol import SNAPSHOT_HEADER, TRUNCATED_HEADER
from service.web.state import make_lifespan, state_of

log = logging.getLogger("supplygraph")

_STORE_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


def routes(settings: Settings) -> list[BaseRoute]:
    """Every route of the service, in one list."""
    graphql = graphql_view(settings, lambda request: state_of(request).store)
    return [
        Route("/", health.index, methods=["GET"]),
        Route("/health", health.health, methods=["GET", "HEAD"]),
        Route("/metrics", health.metrics, methods=["GET"]),
        Route("/sparql", sparql.sparql, methods=["GET", "POST"]),
        Route("/sparql/", sparql.sparql, methods=["GET", "POST"]),
        Route("/store", graph_store.graph_store, methods=_STORE_METHODS),
        Route("/store/{path:path}", graph_store.graph_store, methods=_STORE_METHODS),
        Route("/queries", named_queries.index, methods=["GET"]),
        Route("/queries/{name}", named_queries.run, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        # The pages' own scripts and styles, and the vendored libraries (service/static/vendor/).
        Mount("/static", StaticFiles(packages=[("service", "static")]), name="static"),
    ]


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


def create_app(settings: Settings | None = None, store: AnyStore | None = None) -> Starlette:
    """Build the ASGI application.  ``store`` overrides the configured one (tests)."""
    settings = settings or Settings.from_env()
    configure(settings.log_level, settings.log_format)
    middleware = [
        Middleware(RequestLogMiddleware),
        Middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes),
        Middleware(CachingMiddleware, max_age=settings.cache_max_age),
    ]
    if settings.cors_origin_list:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origin_list,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=[TRUNCATED_HEADER, SNAPSHOT_HEADER],
                max_age=600,
            )
        )
    return Starlette(
        routes=routes(settings),
        middleware=middleware,
        exception_handlers={
            SupplyGraphError: _supplygraph_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        lifespan=make_lifespan(settings, store),
    )


def app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory``: settings from ``SUPPLYGRAPH_*`` variables."""
    return create_app(Settings.from_env())
