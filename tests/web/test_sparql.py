"""The /sparql endpoint through the real app: negotiation, errors, caps, the token and the pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app
from service.web.lexer import lex
from service.web.negotiate import negotiate, query_shape

TOKEN = "secret-token-0123456789"
G = "https://w3id.org/supplygraph/graph/test"
DATA = b"""
<http://e/a> <http://e/p> <http://e/b> .
<http://e/b> <http://e/p> <http://e/c> .
<http://e/c> <http://e/p> <http://e/d> .
"""
SELECT = "SELECT ?s ?o WHERE { ?s <http://e/p> ?o } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT { ?s <http://e/q> ?o } WHERE { ?s <http://e/p> ?o }"


@pytest.fixture
def memory() -> MemoryStore:
    store = MemoryStore()
    with store.write() as writer:
        writer.load(DATA, "ntriples", G)
    return store


@pytest.fixture
def api(memory: MemoryStore) -> Iterator[TestClient]:
    settings = Settings(store=":memory:", log_level="warning", write_token=TOKEN, max_rows=2, max_body_bytes=2000)
    with TestClient(create_app(settings, memory)) as client:
        yield client


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        ("text/html;q=0.5, text/csv", "text/csv"),
    ],
)
def test_select_negotiation(api: TestClient, accept: str, media: str) -> None:
    response = api.post("/sparql", data={"query": SELECT}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/n-quads", "application/n-quads"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("*/*", "text/turtle"),
    ],
)
def test_construct_negotiation(api: TestClient, accept: str, media: str) -> None:
    response = api.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert b"http://e/" in response.content and b"q" in response.content


@pytest.mark.parametrize(
    ("fmt", "media"), [("csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values")]
)
def test_format_parameter_overrides_accept(api: TestClient, fmt: str, media: str) -> None:
    response = api.get("/sparql", params={"query": SELECT, "format": fmt}, headers={"accept": "text/html"})
    assert response.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"method": "GET", "params": {"query": "SELECT * WHERE {"}}, 400),
        ({"method": "GET", "params": {"query": "ASK {}", "timeout": "-1"}}, 400),
        ({"method": "GET", "params": {"query": SELECT}, "headers": {"accept": "text/turtle"}}, 406),
        ({"method": "GET", "params": {"query": CONSTRUCT}, "headers": {"accept": "text/csv"}}, 406),
        ({"method": "GET", "params": {"query": SELECT, "format": "pdf"}}, 406),
        ({"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400),
        ({"method": "GET", "params": {"update": "CLEAR ALL"}}, 405),
        ({"method": "PUT", "params": {"query": "ASK {}"}}, 405),
        ({"method": "POST", "content": b"ASK {}"}, 415),
        ({"method": "POST", "content": b"ASK {}", "headers": {"content-type": "text/plain"}}, 415),
        ({"method": "POST", "content": b"x" * 3000, "headers": {"content-type": "application/sparql-query"}}, 413),
        ({"method": "POST", "content": b"ASK {\xff}", "headers": {"content-type": "application/sparql-query"}}, 400),
        ({"method": "POST", "data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400),
    ],
)
def test_bad_requests_get_the_error_body(api: TestClient, request_kwargs: dict[str, object], status: int) -> None:
    response = api.request(url="/sparql", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == status and body["errors"]


def test_syntax_error_names_the_position(api: TestClient) -> None:
    response = api.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "1:" in response.json()["error"]


def test_result_cap_is_signalled(api: TestClient) -> None:
    response = api.get("/sparql", params={"query": SELECT})
    assert response.headers["x-supplygraph-truncated"] == "true"
    assert response.headers["x-supplygraph-max-rows"] == "2"
    assert len(response.json()["results"]["bindings"]) == 2
    small = api.get("/sparql", params={"query": SELECT + " LIMIT 1"})
    assert small.headers["x-supplygraph-truncated"] == "false"


def test_default_graph_is_the_union_unless_a_dataset_is_given(api: TestClient) -> None:
    ask = "ASK { <http://e/a> <http://e/p> <http://e/b> }"
    assert api.get("/sparql", params={"query": ask}).json()["boolean"] is True
    assert api.get("/sparql", params={"query": ask, "default-graph-uri": "http://e/none"}).json()["boolean"] is False
    assert api.get("/sparql", params={"query": ask, "default-graph-uri": G}).json()["boolean"] is True
    from_query = "ASK FROM <http://e/none> { <http://e/a> <http://e/p> <http://e/b> }"
    assert api.get("/sparql", params={"query": from_query}).json()["boolean"] is False


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"authorization": "Bearer wrong"}, 403), ({"authorization": "Basic c2VjcmV0"}, 401)],
)
def test_writes_without_the_token_change_nothing(
    api: TestClient, memory: MemoryStore, headers: dict[str, str], status: int
) -> None:
    before = memory.current_id()
    update = api.post("/sparql", data={"update": "CLEAR ALL"}, headers=headers)
    assert update.status_code == status
    put = api.put("/store", params={"graph": G}, content=b"", headers={**headers, "content-type": "text/turtle"})
    assert put.status_code == status
    delete = api.delete("/store", params={"graph": G}, headers=headers)
    assert delete.status_code == status
    assert memory.current_id() == before
    assert memory.graph().triple_count() == 3


def test_read_only_without_a_configured_token(memory: MemoryStore) -> None:
    with TestClient(create_app(Settings(store=":memory:", log_level="warning"), memory)) as client:
        response = client.post("/sparql", data={"update": "CLEAR ALL"}, headers={"authorization": "Bearer x"})
        assert response.status_code == 403
        assert memory.graph().triple_count() == 3


def test_update_with_token_makes_a_new_snapshot(api: TestClient, memory: MemoryStore) -> None:
    before = memory.current_id()
    response = api.post(
        "/sparql",
        content=b"INSERT DATA { GRAPH <http://e/new> { <http://e/x> <http://e/p> <http://e/y> } }",
        headers={"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 200
    assert response.json()["snapshot"] == memory.current_id() != before
    assert api.get("/sparql", params={"query": "ASK { <http://e/x> ?p ?o }"}).json()["boolean"] is True


def test_browser_gets_the_query_page(api: TestClient) -> None:
    response = api.get("/sparql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.headers["content-type"].startswith("text/html")
    assert "PREFIX sg: &lt;https://w3id.org/supplygraph/ns#&gt;" in response.text
    assert "http://" not in response.text.split("<script>")[0].split("<title>")[0]  # no external assets
    assert "cdn" not in response.text.lower()


def test_service_description_for_machines(api: TestClient) -> None:
    response = api.get("/sparql", headers={"accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert b"sparql-service-description#endpoint" in response.content


def test_query_shape_and_negotiation_helpers() -> None:
    assert query_shape(lex("# hi\nPREFIX a: <http://x#> SELECT ?from WHERE {}")) == ("SELECT", False)
    assert query_shape(lex("DESCRIBE <http://x> FROM <http://g>")) == ("DESCRIBE", True)
    assert query_shape(lex("CLEAR ALL")) == (None, False)
    assert negotiate("ASK", "application/sparql-results+xml", None) == ("xml", "turtle")
    assert negotiate(None, "text/turtle", None) == ("json", "turtle")
