"""The GraphQL endpoint (GET and POST; GraphiQL for browsers when enabled), one snapshot per request."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL

from service.analysis.warmup import warm
from service.gql.context import Context
from service.gql.dataloaders import Loaders
from service.gql.schema import make_schema
from service.query_catalogue import load_catalog
from service.settings import Settings
from service.store import AnyStore

StoreOf = Callable[[Request], AnyStore]
"""How the view finds the store of a request (the web layer's state)."""


class SupplyGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view, with a per-request context bound to one snapshot."""

    def __init__(self, settings: Settings, store_of: StoreOf, **kwargs: Any) -> None:
        super().__init__(make_schema(settings), **kwargs)
        self.settings = settings
        self.store_of = store_of
        # The GraphQL layer's own batch queries live apart from the public catalogue.
        self.catalog = load_catalog(Path(str(resources.files("queries"))) / "graphql")

    def decode_json(self, data: str | bytes) -> object:
        """A JSON object (or a batch list), or a 400: invalid UTF-8 and bare values are client mistakes."""
        try:
            found = json.loads(data)
        except UnicodeDecodeError as exc:
            raise HTTPException(400, f"request body is not UTF-8 at byte {exc.start}") from None
        if not isinstance(found, (dict, list)):
            raise HTTPException(400, "request body must be a JSON object with a query")
        return found

    async def get_context(self, request: Request, response: Response | Any) -> Context:  # type: ignore[override]
        store = self.store_of(request)
        graph = store.open_current()
        warm(store, graph)
        return Context(self.settings, store, graph, Loaders(graph, self.catalog))


def graphql_view(settings: Settings, store_of: StoreOf) -> SupplyGraphQL:
    """The ``/graphql`` endpoint (GraphiQL for browsers when enabled)."""
    return SupplyGraphQL(settings, store_of, graphql_ide="graphiql" if settings.graphiql else None)
