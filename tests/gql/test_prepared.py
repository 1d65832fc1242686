"""Documents sent again run straight on graphql-core, and answer exactly as strawberry's view does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from starlette.testclient import TestClient

import service.gql.app
from ontology import vocab as v
from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app

from .test_graphql import DEPENDENTS, RARE_EARTHS

MAGNET = v.ID + "product/ndfeb-magnet"
LOOKUP = "query($id: ID!) { product(id: $id) { id label inputs { item { label } share } } }"
TWO = 'query A { country(code: "CN") { label } } query B { search(text: "magnet") { __typename label } }'

# (document, variables, operation name): answered without errors, then with the many kinds of error.
REQUESTS: list[tuple[str, dict[str, Any] | None, str | None]] = [
    (LOOKUP, {"id": MAGNET}, None),
    (DEPENDENTS, {"cls": RARE_EARTHS, "country": "CN", "first": 3}, None),
    (TWO, None, "A"),
    (TWO, None, "B"),
    ("{ __schema { queryType { name } } }", None, None),
    ('fragment F on Country { label iso3 } { country(code: "156") { ...F } }', None, None),
    (LOOKUP, {"id": "not an iri"}, None),  # nothing has that id
    ('{ search(text: "a") { label } }', None, None),  # a resolver's client error
    (LOOKUP, {}, None),  # a missing variable
    (LOOKUP, {"id": 3}, None),  # a variable of the wrong type
    (TWO, None, None),  # two operations, none named
    (TWO, None, "C"),  # a name that is not there
    ('{ country(code: "CN") { nope } }', None, None),  # fails validation
    ("{ country(code: ", None, None),  # fails to parse
    ("{ " + " ".join(f'a{i}: country(code: "CN") {{ label }}' for i in range(31)) + " }", None, None),
    ("{ " + " ".join("__typename" for _ in range(2100)) + " }", None, None),  # too many tokens
]


@pytest.fixture
def clients(settings: Settings, store: MemoryStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    """The app as served, and the same app with every request through strawberry's view."""
    with TestClient(create_app(settings, store)) as prepared:
        monkeypatch.setattr(service.gql.app, "PREPARED", False)
        with TestClient(create_app(settings, store)) as plain:
            yield prepared, plain


def _ask(client: TestClient, query: str, variables: dict[str, Any] | None, name: str | None) -> tuple[int, str, bytes]:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if name is not None:
        body["operationName"] = name
    response = client.post("/graphql", content=json.dumps(body), headers={"content-type": "application/json"})
    return response.status_code, response.headers["content-type"], response.content


def _get(client: TestClient, params: list[tuple[str, str]]) -> tuple[int, str, bytes]:
    response = client.get("/graphql", params=params, headers={"accept": "application/json"})
    return response.status_code, response.headers["content-type"], response.content


def _params(query: str, variables: dict[str, Any] | None, name: str | None) -> list[tuple[str, str]]:
    params = [("query", query)]
    if variables is not None:
        params.append(("variables", json.dumps(variables)))
    if name is not None:
        params.append(("operationName", name))
    return params


ODD_URLS = [
    [("query", LOOKUP), ("variables", "{not json")],
    [("query", LOOKUP), ("variables", "3")],
    [("query", LOOKUP), ("variables", "")],
    [("query", "{ __typename }"), ("query", "{ nope }")],
    [("query", "{ __typename }"), ("extensions", "{}")],
    [("variables", "{}")],
]


@pytest.mark.parametrize(("query", "variables", "name"), REQUESTS)
def test_every_answer_over_get_is_the_views_byte_for_byte(
    clients: tuple[TestClient, TestClient], query: str, variables: dict[str, Any] | None, name: str | None
) -> None:
    prepared, plain = clients
    params = _params(query, variables, name)
    expected = _get(plain, params)
    assert _get(prepared, params) == expected
    assert _get(prepared, params) == expected


@pytest.mark.parametrize("params", ODD_URLS)
def test_odd_urls_are_answered_as_the_view_answers_them(
    clients: tuple[TestClient, TestClient], params: list[tuple[str, str]]
) -> None:
    prepared, plain = clients
    assert _get(prepared, params) == _get(plain, params)


@pytest.mark.parametrize(("query", "variables", "name"), REQUESTS)
def test_every_answer_is_the_views_byte_for_byte(
    clients: tuple[TestClient, TestClient], query: str, variables: dict[str, Any] | None, name: str | None
) -> None:
    prepared, plain = clients
    expected = _ask(plain, query, variables, name)
    assert _ask(prepared, query, variables, name) == expected  # checked and kept
    assert _ask(prepared, query, variables, name) == expected  # from what was kept


def test_a_document_seen_before_skips_the_views_pipeline(
    clients: tuple[TestClient, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared, _ = clients
    calls: list[str | None] = []
    execute = strawberry.Schema.execute

    async def counted(self: strawberry.Schema, query: str | None, *args: Any, **kwargs: Any) -> Any:
        calls.append(query)
        return await execute(self, query, *args, **kwargs)

    monkeypatch.setattr(strawberry.Schema, "execute", counted)
    for product in ("ndfeb-magnet", "electric-vehicle", "ndfeb-magnet"):
        status, _, body = _ask(prepared, LOOKUP, {"id": v.ID + "product/" + product}, None)
        assert status == 200 and b'"errors"' not in body and b'"label"' in body
    assert calls == []
    # An answer holding an error is asked of the view again, so it reads as it always has.
    status, _, body = _ask(prepared, LOOKUP, {}, None)
    assert b'"errors"' in body and calls == [LOOKUP]
    # So is a GET of the same document, and one with a parameter this path does not read.
    _get(prepared, _params(LOOKUP, {"id": MAGNET}, None))
    assert calls == [LOOKUP]
    _get(prepared, [*_params(LOOKUP, {"id": MAGNET}, None), ("extensions", "{}")])
    assert calls == [LOOKUP, LOOKUP]


def test_a_body_in_many_chunks_is_read_whole(settings: Settings, store: MemoryStore) -> None:
    import asyncio

    app = create_app(settings, store)
    body = json.dumps({"query": LOOKUP, "variables": {"id": MAGNET}}).encode()
    chunks = [body[i : i + 7] for i in range(0, len(body), 7)]
    sent: list[dict[str, Any]] = []

    async def run() -> None:
        messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop(0)
            await asyncio.sleep(3600)
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 80),
        }
        async with app.router.lifespan_context(app) as state:
            await app({**scope, "state": dict(state or {})}, receive, send)

    asyncio.run(run())
    assert sent[0]["status"] == 200
    answer = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert answer["data"]["product"]["id"] == MAGNET
