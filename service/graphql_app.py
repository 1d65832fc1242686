"""Mounts the GraphQL API at ``/graphql`` (GET and POST; GraphiQL for browsers when enabled)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from strawberry.asgi import GraphQL

from service.catalog import load_catalog
from service.gql.context import Context
from service.gql.dataloaders import Loaders
from service.gql.schema import make_schema
from service.settings import Settings
from service.warmup import warm


class SupplyGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view, with a per-request context bound to one snapshot."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(make_schema(settings), **kwargs)
        self.settings = settings
        # The GraphQL layer's own batch queries live apart from the public catalogue.
        self.catalog = load_catalog(Path(str(resources.files("queries"))) / "graphql")

    async def get_context(self, request: Request, response: Response | Any) -> Context:  # type: ignore[override]
        store = request.state.store
        graph = store.open_current()
        warm(graph)
        return Context(self.settings, store, graph, Loaders(graph, self.catalog))


async def startup(state: Any) -> None:
    """Start building the current snapshot's analytics context in the background."""
    warm(state["store"].open_current())


def routes(settings: Settings) -> list[BaseRoute]:
    """The ``/graphql`` route."""
    view = SupplyGraphQL(settings, graphql_ide="graphiql" if settings.graphiql else None)
    return [Route("/graphql", view, methods=["GET", "POST"])]
