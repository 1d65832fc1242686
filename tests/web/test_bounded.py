"""Bounded lookups answered in the server process: which queries qualify, and that their answers are the pool's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from service.settings import Settings
from service.store import SnapshotStore
from service.web.app import create_app
from service.web.bounded import is_bounded
from service.web.lexer import lex

G = "https://w3id.org/supplygraph/graph/test"
DATA = "\n".join(
    [f'<http://e/one> <http://e/p> "v{i}" .' for i in range(1)]
    + [f'<http://e/four> <http://e/p> "v{i}" .' for i in range(4)]
    + [f'<http://e/seven> <http://e/p> "v{i}"@en .' for i in range(7)]
    + ["<http://e/one> <http://e/q> <http://e/four> ."]
).encode()

BOUNDED = [
    "SELECT ?p ?o WHERE { <http://e/one> ?p ?o }",
    "select * { <http://e/one> ?p ?o . }",
    "PREFIX e: <http://e/>\nSELECT ?o WHERE { e:one e:p ?o } LIMIT 3",
    "BASE <http://e/> SELECT ?s WHERE { ?s <p> 'v1' }",
    "# a comment\nSELECT $s WHERE { $s a <http://e/C> }",
    'ASK { <http://e/one> <http://e/p> "v0" }',
    'SELECT ?s { ?s <http://e/p> "v0"@en }',
    "SELECT ?s { ?s <http://e/n> 42 }",
    'SELECT ?s { ?s <http://e/n> "1"^^<http://www.w3.org/2001/XMLSchema#integer> }',
    "SELECT ?s ?p ?o { ?s ?p ?o }",
]
UNBOUNDED = [
    "SELECT ?s WHERE { ?s ?p ?o . ?o ?q ?r }",  # a join
    "SELECT ?s WHERE { ?s <http://e/p>+ ?o }",  # a property path
    "SELECT ?s WHERE { ?s <http://e/p>/<http://e/q> ?o }",
    "SELECT ?s WHERE { ?s ^<http://e/p> ?o }",
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",  # reads every row to find a few
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s",
    "SELECT ?s WHERE { ?s ?p ?o } OFFSET 1000000",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(?o = 1) }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s WHERE { OPTIONAL { ?s ?p ?o } }",
    "SELECT ?s WHERE { { ?s ?p ?o } UNION { ?o ?p ?s } }",
    "SELECT ?s WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT ?s FROM <http://e/g> WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { [] ?p ?s }",
    "SELECT ?s WHERE { _:b ?p ?s }",
    'SELECT ?s WHERE { ?s ?p """long } literal""" }',
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 OFFSET 5",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "DESCRIBE <http://e/one>",
    "SELECT ?s WHERE { ?s ?p ?o ; ?q ?r }",
    "SELECT ?s WHERE { ?s ?p ?o , ?r }",
    "SELECT ?s WHERE { ?s ?p ?o } VALUES ?s { <http://e/one> }",
    "SELECT ?s WHERE { <http://e/a> a ?s",
    "PREFIX e <http://e/> SELECT ?s { ?s ?p ?o }",
    "SELECT ?s { ?s ?p ?o }" + " " * 5000,
]


@pytest.mark.parametrize("query", BOUNDED)
def test_single_pattern_lookups_are_bounded(query: str) -> None:
    assert is_bounded(lex(query))


@pytest.mark.parametrize("query", UNBOUNDED)
def test_anything_else_goes_to_the_pool(query: str) -> None:
    assert not is_bounded(lex(query))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SnapshotStore:
    store = SnapshotStore(Path(tmp_path_factory.mktemp("bounded")))
    with store.write("test") as writer:
        writer.load(DATA, "ntriples", G)
    return store


def _client(store: SnapshotStore, inline_rows: int, max_rows: int = 5) -> Iterator[TestClient]:
    settings = Settings(
        store=str(store.root), log_level="warning", sparql_workers=1, sparql_inline_rows=inline_rows, max_rows=max_rows
    )
    with TestClient(create_app(settings, store)) as client:
        yield client


@pytest.fixture(scope="module")
def inline(store: SnapshotStore) -> Iterator[TestClient]:
    yield from _client(store, inline_rows=2)


@pytest.fixture(scope="module")
def pooled(store: SnapshotStore) -> Iterator[TestClient]:
    yield from _client(store, inline_rows=0)


def _inline_count(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("supplygraph_sparql_inline_total "):
            return float(line.split()[1])
    return 0.0


@pytest.mark.parametrize(
    ("subject", "rows", "truncated", "in_process"),
    [
        ("one", 2, "false", True),  # within the inline budget of 2 rows
        ("four", 4, "false", False),  # more than the budget, within max_rows: the pool answers in full
        ("seven", 5, "true", False),  # more than max_rows: cut and flagged, as the pool does
        ("none", 0, "false", True),
    ],
)
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv", "application/sparql-results+xml"])
def test_inline_answers_are_the_pools(
    inline: TestClient, pooled: TestClient, subject: str, rows: int, truncated: str, in_process: bool, accept: str
) -> None:
    query = f"SELECT ?p ?o WHERE {{ <http://e/{subject}> ?p ?o }}"
    before = _inline_count(inline)
    ours = inline.get("/sparql", params={"query": query}, headers={"accept": accept})
    theirs = pooled.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert ours.status_code == theirs.status_code == 200
    assert ours.content == theirs.content
    for header in ("content-type", "x-supplygraph-truncated", "x-supplygraph-snapshot", "etag"):
        assert ours.headers.get(header) == theirs.headers.get(header)
    assert ours.headers["x-supplygraph-truncated"] == truncated
    if accept == "text/csv":
        assert len(ours.text.strip().splitlines()) == rows + 1
    assert _inline_count(inline) == before + (1 if in_process else 0)


def test_budget_above_max_rows_cuts_inline(store: SnapshotStore) -> None:
    for client in _client(store, inline_rows=500, max_rows=3):
        before = _inline_count(client)
        response = client.get("/sparql", params={"query": "SELECT ?o { <http://e/seven> ?p ?o }"})
        assert response.headers["x-supplygraph-truncated"] == "true"
        assert response.headers["x-supplygraph-max-rows"] == "3"
        assert len(response.json()["results"]["bindings"]) == 3
        assert _inline_count(client) == before + 1


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?o WHERE { e:one ?p ?o }",  # an undeclared prefix
        'ASK { <http://e/one> <http://e/p> "v0" }',
        "SELECT ?o WHERE { <http://e/one> <http://e/q> ?o } LIMIT 0",
    ],
)
def test_errors_and_other_forms_match_the_pool(inline: TestClient, pooled: TestClient, query: str) -> None:
    ours = inline.get("/sparql", params={"query": query})
    theirs = pooled.get("/sparql", params={"query": query})
    assert ours.status_code == theirs.status_code
    assert ours.json() == theirs.json()
