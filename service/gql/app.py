"""The GraphQL endpoint (GET and POST; GraphiQL for browsers when enabled), one snapshot per request."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from service.analysis.warmup import warm
from service.errors import ClientGone, error_body
from service.gql.context import Context
from service.gql.dataloaders import Loaders
from service.gql.lifetime import while_connected
from service.gql.prepared import AVAILABLE as PREPARED
from service.gql.prepared import PreparedDocuments
from service.gql.prepared import Request as PreparedRequest
from service.gql.schema import make_schema
from service.query_catalogue import load_catalog
from service.settings import Settings
from service.store import AnyStore

StoreOf = Callable[[Request], AnyStore]
"""How the view finds the store of a request (the web layer's state)."""


class SupplyGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view, with a per-request context bound to one snapshot."""

    def __init__(self, settings: Settings, store_of: StoreOf, **kwargs: Any) -> None:
        schema = make_schema(settings)
        super().__init__(schema, **kwargs)
        self.settings = settings
        self.store_of = store_of
        # Documents sent before skip the view's per-request pipeline (see service/gql/prepared.py).
        self.prepared = PreparedDocuments(schema, settings) if PREPARED else None
        # The GraphQL layer's own batch queries live apart from the public catalogue.
        self.catalog = load_catalog(Path(str(resources.files("queries"))) / "graphql")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer within ``graphql_timeout`` seconds, or 504; stop the work as soon as the client leaves.

        Resolver work already handed to a thread finishes there; nothing new starts.
        """
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        async def run(watched: Receive) -> None:
            found, watched = await self._plain_request(scope, watched)
            if found is not None and await self._answer_prepared(scope, found, tracked):
                return
            await super(SupplyGraphQL, self).__call__(scope, watched, tracked)

        try:
            async with asyncio.timeout(self.settings.graphql_timeout):
                # A disconnect seen once the answer is on its way is the client's normal goodbye.
                if await while_connected(scope, receive, run) and not started:
                    raise ClientGone("the client went away; its GraphQL request was stopped")
        except TimeoutError:
            if started:
                raise
            body = json.dumps(error_body(f"GraphQL deadline of {self.settings.graphql_timeout:g} s passed", 504))
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 504, "headers": headers})
            await send({"type": "http.response.body", "body": body.encode()})

    async def _plain_request(self, scope: Scope, receive: Receive) -> tuple[PreparedRequest | None, Receive]:
        """The request, when the prepared path may answer it, and a ``receive`` that still gives the view the body."""
        if self.prepared is None:
            return None, receive
        if scope.get("method") == "GET":
            return self.prepared.request_of_url(scope.get("query_string", b"")), receive
        if not _json_post(scope):
            return None, receive
        body, receive = await _read_body(receive)
        return (self.prepared.request(body) if body is not None else None), receive

    async def _answer_prepared(self, scope: Scope, request: PreparedRequest, send: Send) -> bool:
        """Answer a query document seen before (:mod:`service.gql.prepared`); False to leave it to the view."""
        assert self.prepared is not None
        document = self.prepared.document(request["query"], request.get("operationName"))
        if document is None:
            return False
        context = await self.get_context(Request(scope), None)
        answer = await self.prepared.execute(document, request, context)
        if answer is None:
            return False
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})
        return True

    def decode_json(self, data: str | bytes) -> object:
        """A JSON object (or a batch list), or a 400: invalid UTF-8 and bare values are client mistakes."""
        try:
            found = json.loads(data)
        except UnicodeDecodeError as exc:
            raise HTTPException(400, f"request body is not UTF-8 at byte {exc.start}") from None
        if not isinstance(found, (dict, list)):
            raise HTTPException(400, "request body must be a JSON object with a query")
        return found

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL from the service's own vendored files (``service/static/``), so it works offline."""
        return HTMLResponse(_graphiql_page())

    async def get_context(self, request: Request, response: Response | Any) -> Context:  # type: ignore[override]
        store = self.store_of(request)
        graph = store.open_current()
        warm(store, graph)
        return Context(self.settings, store, graph, Loaders(graph, self.catalog))


def _json_post(scope: Scope) -> bool:
    if scope.get("method") != "POST":
        return False
    types = [v for k, v in scope.get("headers", ()) if k == b"content-type"]
    return len(types) == 1 and types[0].split(b";")[0].strip().lower() == b"application/json"


async def _read_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """The request body (None if the client left first), and a ``receive`` that replays it to the view."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            body = None  # a disconnect: the view sees it too
            break
        if not message.get("more_body", False):
            body = b"".join(m.get("body", b"") for m in messages)
            break

    async def again() -> Message:
        return messages.pop(0) if messages else await receive()

    return body, again


@functools.lru_cache(maxsize=1)
def _graphiql_page() -> str:
    return (resources.files("service") / "static" / "graphiql.html").read_text(encoding="utf-8")


def graphql_view(settings: Settings, store_of: StoreOf) -> SupplyGraphQL:
    """The ``/graphql`` endpoint (GraphiQL for browsers when enabled)."""
    return SupplyGraphQL(settings, store_of, graphql_ide="graphiql" if settings.graphiql else None)
