"""The sample graph on an external engine answers exactly as it does embedded: index, GraphQL, named queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.config import Environ
from starlette.testclient import TestClient

from loaders.base import RdfLoader, load_dataset
from loaders.sample import ONTOLOGY_FILES, SAMPLE_FILES
from service.backend import artifact_builders, open_configured
from service.settings import Settings
from service.store import AnyStore, RemoteStore, SnapshotStore
from service.web.app import create_app
from tests.remote.engines import Engine

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


@dataclass
class Loaded:
    """The sample in an embedded store and on the engine, each behind the real app."""

    embedded: SnapshotStore
    remote: RemoteStore
    clients: dict[str, TestClient]


@pytest.fixture(scope="module")
def loaded(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    tmp = tmp_path_factory.mktemp("same-answers")
    engine.empty()
    overrides = {"store": str(tmp / "state"), "remote_poll": 0.0, "log_level": "warning"}
    settings = Settings.from_env(overrides, env=Environ(engine.env()))
    remote = open_configured(settings)
    assert isinstance(remote, RemoteStore)
    embedded = SnapshotStore(tmp / "embedded", builders=artifact_builders())
    _load_sample(embedded)
    _load_sample(remote)
    clients = {
        "embedded": TestClient(
            create_app(Settings(store=str(embedded.root), log_level="warning", max_rows=ROWS), embedded)
        ),
        "remote": TestClient(create_app(settings.replace(max_rows=ROWS), remote)),
    }
    with clients["embedded"], clients["remote"]:
        yield Loaded(embedded, remote, clients)
    remote.close()


# Questions Virtuoso 7.2.5 answers differently (see the README, "Beyond one machine").
VIRTUOSO_DIFFERS = frozenset({"search", "top_producers", "controls_in_force", "producers_of"})


def _differs(engine: Engine, name: str) -> pytest.MarkDecorator:
    """An xfail mark for a question ``engine`` is known to answer differently; not strict, some differ only at times."""
    known = engine.name == "virtuoso" and name in VIRTUOSO_DIFFERS
    return pytest.mark.xfail(known, reason=f"a documented difference of {engine.name}", strict=False)


def _rounded(found: Any) -> Any:
    """``found`` with every float to 12 significant digits.

    The analytics sum shares in the order of their frames' rows, which differs
    between frames parsed from a loaded document and frames read from an
    engine, so the last bit of a float may differ; nothing else may.
    """
    if isinstance(found, float):
        return float(f"{found:.12g}")
    if isinstance(found, dict):
        return {k: _rounded(v) for k, v in found.items()}
    if isinstance(found, list):
        return [_rounded(v) for v in found]
    return found


@pytest.mark.parametrize("question", QUESTIONS)
def test_graphql_agrees_with_the_embedded_store(
    loaded: Loaded, engine: Engine, question: str, request: pytest.FixtureRequest
) -> None:
    request.applymarker(_differs(engine, question.split("(")[0].strip("{ ")))
    answers = {}
    for side, client in loaded.clients.items():
        body = client.post("/graphql", json={"query": question}).json()
        assert "errors" not in body, body
        answers[side] = _rounded(body["data"])
    assert answers["embedded"] and answers["remote"] == answers["embedded"]


@pytest.mark.parametrize(("name", "params"), NAMED)
def test_named_queries_agree_with_the_embedded_store(
    loaded: Loaded, engine: Engine, name: str, params: dict[str, str], request: pytest.FixtureRequest
) -> None:
    request.applymarker(_differs(engine, name))
    answers = {}
    for side, client in loaded.clients.items():
        response = client.get(f"/queries/{name}", params={**params, "format": "json"})
        assert response.status_code == 200, response.text
        answers[side] = response.json()["results"]["bindings"]
    assert answers["embedded"] and answers["remote"] == answers["embedded"]


def test_the_index_is_byte_for_byte_the_embedded_one(loaded: Loaded) -> None:
    ours = loaded.remote.artifacts_dir(loaded.remote.current_id() or "")
    theirs = loaded.embedded.artifacts_dir(loaded.embedded.current_id() or "")
    assert ours is not None and theirs is not None
    arrays = sorted(p.name for p in (theirs / "index").iterdir() if p.suffix in (".npy", ".blob"))
    assert arrays
    for name in arrays:
        assert (ours / "index" / name).read_bytes() == (theirs / "index" / name).read_bytes(), name


def test_sparql_door_forwards_with_row_cap_formats_and_read_only(loaded: Loaded) -> None:
    client = loaded.clients["remote"]
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
