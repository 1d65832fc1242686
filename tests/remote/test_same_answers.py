"""The sample graph on an external engine answers exactly as it does embedded: index, GraphQL, named queries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from loaders.base import RdfLoader, load_dataset
from loaders.sample import ONTOLOGY_FILES, SAMPLE_FILES
from service.backend import artifact_builders
from service.settings import Settings
from service.store import AnyStore, RemoteStore, SnapshotStore
from service.web.app import create_app

QUESTIONS = (
    '{ dependents(country: "CN", materialClass: "rare-earths", first: 100) { totalCount'
    " edges { node { id label } path { steps { entity { id } } } } } }",
    '{ dependents(country: "CN", material: "neodymium", first: 100) { totalCount edges { node { id } } } }',
    '{ search(text: "rare", first: 50) { label } }',
    '{ concentration(material: "rare-earths", year: 2024, stage: "mining") { top { who { id } share } } }',
    '{ exposure(product: "electric-vehicle", country: "CN") { share } }',
)
ROWS = 1000  # the row cap, below the sample's size
NAMED = (
    ("top_producers", {"material": "rare-earths", "year": "2024", "stage": "mining"}),
    ("controls_in_force", {"date": "2025-11-09"}),
    ("producers_of", {"material": "neodymium"}),
    ("facilities_in_country", {"country": "CN"}),
)


def _load_sample(store: AnyStore) -> None:
    with store.write("load sample") as writer:
        load_dataset(writer, "ontology", RdfLoader(list(ONTOLOGY_FILES)))
        load_dataset(writer, "sample", RdfLoader(list(SAMPLE_FILES)))


@pytest.fixture
def stores(remote: RemoteStore, remote_settings: Settings, tmp_path: Path) -> Iterator[dict[str, TestClient]]:
    embedded = SnapshotStore(tmp_path / "embedded", builders=artifact_builders())
    _load_sample(embedded)
    _load_sample(remote)
    apps = {
        "embedded": TestClient(
            create_app(Settings(store=str(embedded.root), log_level="warning", max_rows=ROWS), embedded)
        ),
        "remote": TestClient(create_app(remote_settings.replace(max_rows=ROWS), remote)),
    }
    with apps["embedded"], apps["remote"]:
        yield apps


def _answers(client: TestClient) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for question in QUESTIONS:
        body = client.post("/graphql", json={"query": question}).json()
        assert "errors" not in body, body
        found[question] = body["data"]
    for name, params in NAMED:
        response = client.get(f"/queries/{name}", params={**params, "format": "json"})
        assert response.status_code == 200, response.text
        found[name] = response.json()["results"]["bindings"]
    return found


def test_graphql_and_named_queries_agree_with_the_embedded_store(stores: dict[str, TestClient]) -> None:
    embedded, remote = _answers(stores["embedded"]), _answers(stores["remote"])
    assert embedded[QUESTIONS[0]]["dependents"]["totalCount"] > 0
    assert all(embedded[name] for name, _ in NAMED)
    assert remote == embedded


def test_the_index_is_byte_for_byte_the_embedded_one(remote: RemoteStore, tmp_path: Path) -> None:
    embedded = SnapshotStore(tmp_path / "embedded", builders=artifact_builders())
    _load_sample(embedded)
    _load_sample(remote)
    ours = remote.artifacts_dir(remote.current_id() or "")
    theirs = embedded.artifacts_dir(embedded.current_id() or "")
    assert ours is not None and theirs is not None
    arrays = sorted(p.name for p in (theirs / "index").iterdir() if p.suffix in (".npy", ".blob"))
    assert arrays
    for name in arrays:
        assert (ours / "index" / name).read_bytes() == (theirs / "index" / name).read_bytes(), name


def test_sparql_door_forwards_with_row_cap_formats_and_read_only(stores: dict[str, TestClient]) -> None:
    client = stores["remote"]
    capped = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
    assert capped.status_code == 200
    assert capped.headers["x-supplygraph-truncated"] == "true"
    assert capped.text.count("\n") == ROWS + 1  # the header and the capped rows
    ask = client.get(
        "/sparql", params={"query": "ASK { ?s a ?c }"}, headers={"accept": "application/sparql-results+json"}
    )
    assert ask.json()["boolean"] is True
    graph = client.get(
        "/sparql",
        params={"query": "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3"},
        headers={"accept": "application/n-triples"},
    )
    assert graph.status_code == 200 and graph.text.count(" .\n") == 3
    bad = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert bad.status_code == 400
    update = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert update.status_code in (401, 403)
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "json"}).json()["boolean"] is True
