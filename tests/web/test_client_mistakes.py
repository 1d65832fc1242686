"""Client mistakes get a 4xx naming the mistake, never a 500, and change nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app

TOKEN = "a-long-enough-token-0123"


@pytest.fixture
def client(store: MemoryStore) -> Iterator[TestClient]:
    settings = Settings(store=":memory:", log_level="warning", write_token=TOKEN)
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"query": "{ firm(id: \\"\xff\xfe\\") { label } }"}', "not UTF-8"),
        (b"null", "must be a JSON object"),
        (b'"{ __typename }"', "must be a JSON object"),
    ],
)
def test_bad_graphql_bodies_are_400(client: TestClient, body: bytes, words: str) -> None:
    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and words in response.text


def test_a_lone_surrogate_escape_is_a_graphql_error_not_a_500(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": '{ firm(id: "urn:\\ud800") { label } }'})
    assert response.status_code in (200, 400) and "Invalid Unicode escape" in response.text


@pytest.mark.parametrize("target", ["<file:///etc/passwd>", "<http://127.0.0.1:9/data.ttl>"])
def test_load_over_http_is_refused_and_changes_nothing(client: TestClient, store: MemoryStore, target: str) -> None:
    before = (store.current_id(), store.open_current().triple_count())
    response = client.post(
        "/sparql",
        data={"update": f"LOAD {target} INTO GRAPH <http://e/g>"},
        headers={"authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 400 and "supplygraph load" in response.json()["error"]
    assert (store.current_id(), store.open_current().triple_count()) == before


def test_deeply_nested_sparql_is_refused_before_any_parser_sees_it(client: TestClient, store: MemoryStore) -> None:
    before = (store.current_id(), store.open_current().triple_count())
    nested = (
        "INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> <http://e/b> } }".replace(
            "{ <http://e/a>", "{" * 5000 + " <http://e/a>"
        )
        + "}" * 4999
    )
    update = client.post("/sparql", data={"update": nested}, headers={"authorization": f"Bearer {TOKEN}"})
    assert update.status_code == 400 and "nests 5001 levels" in update.json()["error"]
    query = client.get("/sparql", params={"query": "SELECT * WHERE " + "{" * 5000 + "}" * 5000})
    assert query.status_code == 400
    assert (store.current_id(), store.open_current().triple_count()) == before
    assert client.get("/health").status_code == 200


def test_rdfxml_entities_are_refused(client: TestClient, store: MemoryStore) -> None:
    before = (store.current_id(), store.open_current().triple_count())
    body = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
        b'<rdf:Description rdf:about="http://e/x"><e:p>&b;</e:p></rdf:Description></rdf:RDF>'
    )
    response = client.put(
        "/store",
        params={"graph": "http://e/g"},
        content=body,
        headers={"content-type": "application/rdf+xml", "authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 400 and "DOCTYPE" in response.json()["error"]
    assert (store.current_id(), store.open_current().triple_count()) == before
