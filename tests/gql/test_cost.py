"""GraphQL documents that would fan out beyond the cost limit are refused before they run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from service.gql.cost import DEFAULT_FAN_OUT
from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app
from tests.support.graphql import nested_alliances


@pytest.fixture
def client(store: MemoryStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=":memory:", log_level="warning"), store)) as test_client:
        yield test_client


def test_nested_lists_are_refused_with_their_cost(client: TestClient) -> None:
    body = client.post("/graphql", json={"query": nested_alliances(4)}).json()
    assert body["data"] is None
    message = body["errors"][0]["message"]
    assert "costs about" in message and "limit 10,000" in message
    assert int(message.split("costs about ")[1].split(" ")[0].replace(",", "")) >= DEFAULT_FAN_OUT**4


def test_ordinary_documents_pass(client: TestClient) -> None:
    assert "errors" not in client.post("/graphql", json={"query": nested_alliances(1)}).json()
    query = (
        '{ search(text: "rare", first: 50) { label } dependents(country: "CN", materialClass: "rare-earths",'
        " first: 100) { totalCount edges { node { label } path { steps { entity { label } } } } } }"
    )
    assert "errors" not in client.post("/graphql", json={"query": query}).json()


def test_a_small_first_makes_a_nested_document_affordable(client: TestClient) -> None:
    query = '{ country(code: "US") { facilities(first: 2) { label } firms(first: 2) { label } } }'
    assert "errors" not in client.post("/graphql", json={"query": query}).json()


def test_graphql_has_a_deadline(store: MemoryStore) -> None:
    settings = Settings(store=":memory:", log_level="warning", graphql_timeout=0.000001)
    with TestClient(create_app(settings, store)) as client:
        response = client.post("/graphql", json={"query": '{ search(text: "rare") { label } }'})
    assert response.status_code == 504 and "deadline" in response.json()["error"]


@pytest.mark.parametrize(
    "query",
    [
        '{ concentration(material: "rare-earths", top: -1) { hhi } }',
        '{ exposure(product: "javascript:alert(1)", country: "CN") { share } }',
        '{ exposure(product: "electric-vehicle", country: "CN", paths: 1000) { share } }',
    ],
)
def test_analytics_arguments_are_validated(client: TestClient, query: str) -> None:
    body = client.post("/graphql", json={"query": query}).json()
    assert body["data"] is None or all(v is None for v in body["data"].values())
    assert body["errors"] and "Unexpected" not in body["errors"][0]["message"]


def test_a_variable_page_size_counts_as_the_largest_page(store: MemoryStore) -> None:
    settings = Settings(store=":memory:", log_level="warning", max_query_cost=150)
    with TestClient(create_app(settings, store)) as small:
        literal = '{ a: search(text: "rare", first: 5) { label } b: search(text: "rare", first: 5) { label } }'
        assert "errors" not in small.post("/graphql", json={"query": literal}).json()
        variable = literal.replace("first: 5", "first: $n").replace("{ a:", "query($n: Int!) { a:", 1)
        body = small.post("/graphql", json={"query": variable, "variables": {"n": 5}}).json()
    # Each search counts as a page of 100 (the largest), whatever $n is: 2 x (1 + 100) > 150.
    assert "costs about 202 (limit 150)" in body["errors"][0]["message"]


def test_one_document_text_is_parsed_and_validated_once(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import service.gql.prepared as prepared

    checked: list[str] = []
    parse = prepared.parse

    def counted(text: str, **options: Any) -> Any:
        checked.append(text)
        return parse(text, **options)

    monkeypatch.setattr(prepared, "parse", counted)
    document = "query($id: ID!) { facility(id: $id) { label } }"
    first = client.post("/graphql", json={"query": document, "variables": {"id": "no-such-facility"}}).json()
    second = client.post("/graphql", json={"query": document, "variables": {"id": "other"}}).json()
    assert checked == [document]
    assert first == second == {"data": {"facility": None}}
