"""Read answers carry an ETag of their snapshot; a client that has the answer gets 304 until a write lands."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app

TOKEN = "a-long-enough-token-0123"
QUERY = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
JSON = {"accept": "application/sparql-results+json"}


@pytest.fixture
def client(store: MemoryStore) -> Iterator[TestClient]:
    settings = Settings(store=":memory:", log_level="warning", write_token=TOKEN, cache_max_age=60)
    with TestClient(create_app(settings, store)) as test_client:
        yield test_client


def test_an_unchanged_snapshot_answers_304(client: TestClient) -> None:
    first = client.get("/sparql", params=QUERY, headers=JSON)
    tag = first.headers["etag"]
    assert first.status_code == 200 and first.headers["x-supplygraph-snapshot"] in tag
    assert first.headers["cache-control"] == "public, max-age=60, must-revalidate"
    again = client.get("/sparql", params=QUERY, headers={**JSON, "if-none-match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = client.get("/sparql", params=QUERY, headers={"accept": "text/csv", "if-none-match": tag})
    assert other.status_code == 200  # another representation, another tag


def test_a_write_changes_every_tag(client: TestClient) -> None:
    tag = client.get("/sparql", params=QUERY, headers=JSON).headers["etag"]
    update = "INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> <http://e/b> } }"
    assert client.post("/sparql", data={"update": update}, headers={"authorization": f"Bearer {TOKEN}"}).is_success
    after = client.get("/sparql", params=QUERY, headers={**JSON, "if-none-match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag


@pytest.mark.parametrize(
    "path",
    ["/queries/controls_in_force?date=2025-06-01&format=json", "/graphql?query=%7B__typename%7D", "/store?default"],
)
def test_named_queries_graphql_and_graph_store_reads_are_tagged(client: TestClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200 and "etag" in first.headers
    assert client.get(path, headers={"if-none-match": first.headers["etag"]}).status_code == 304


def test_writes_are_never_tagged(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{ __typename }"})
    assert "etag" not in response.headers
