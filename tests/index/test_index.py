"""The dependency index as a snapshot artifact: built before publishing, keyed by snapshot, read with mmap."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ontology import vocab as v
from service.backend import artifact_builders
from service.index import index_for
from service.index.search import Question, ancestors, dependency_paths, dependents, users
from service.store import SnapshotStore

DATA = Path(__file__).parents[1] / "data" / "network.ttl"
ID = v.ID


def test_every_snapshot_gets_its_own_index(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    with store.write("first") as writer:
        writer.load(DATA, "turtle", "https://w3id.org/supplygraph/graph/net")
    first_id = store.current_id()
    assert first_id is not None
    files = {p.name for p in (store.snapshot_dir(first_id) / "index").iterdir()}
    assert {"meta.json", "nodes.blob", "nodes_off.npy", "dep_ptr.npy", "dep_redge.npy"} <= files
    first = index_for(store)
    assert first is index_for(store)  # cached by snapshot
    assert isinstance(first.dep.ptr, np.memmap)  # read-only mmap, not a copy
    assert first.lookup(ID + "product/wind-turbine") is not None
    with store.write("second") as writer:
        kite = f"<{ID}product/kite> a <https://w3id.org/supplygraph/ns#Product> ."
        writer.load(kite.encode(), "turtle", "https://w3id.org/supplygraph/graph/extra")
    second = index_for(store)
    assert second is not first and second.snapshot_id == store.current_id()
    assert second.lookup(ID + "product/kite") is not None and first.lookup(ID + "product/kite") is None


def test_lookup_and_order(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    with store.write() as writer:
        writer.load(DATA, "turtle", "https://w3id.org/supplygraph/graph/net")
    index = index_for(store)
    iris = index.iris(range(index.n))
    assert iris == sorted(iris)  # ids follow IRI order, so pages are stable
    assert all(index.lookup(iri) == n for n, iri in enumerate(iris))
    assert index.lookup(ID + "nothing") is None


def test_cycles_missing_producers_and_helpers(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    with store.write() as writer:
        writer.load(DATA, "turtle", "https://w3id.org/supplygraph/graph/net")
    index = index_for(store)
    node = index.lookup
    chn, rare = node(ID + "country/CHN"), node(ID + "class/rare-earths")
    assert chn is not None and rare is not None
    question = Question(chn, classes=(rare,))
    # The magnet and drone plants supply each other; the search still ends.
    page = dependents(index, question, max_depth=50, first=100)
    assert page.total == 7
    shallow = dependents(index, question, max_depth=1, first=100)
    assert {index.iri(r.node).rsplit("/", 1)[1] for r in shallow.results} == {
        "drone-motor",
        "ndfeb-magnet",
        "polishing-powder",
    }
    # Copper has no producer at all: nothing depends on Chinese copper.
    copper = node(ID + "material/copper")
    assert copper is not None
    assert dependents(index, Question(chn, materials=(copper,)), first=10).total == 0
    ev = node(ID + "product/electric-vehicle")
    assert ev is not None
    paths = dependency_paths(index, ev, question, max_paths=2)
    assert len(paths) == 2 and paths[0][0].node == ev and paths[0][-1].node == chn
    magnet = node(ID + "product/ndfeb-magnet")
    assert magnet is not None
    assert {index.iri(n).rsplit("/", 1)[1] for n in users(index, magnet)} == {
        "ev-motor",
        "wind-turbine",
        "hard-disk-drive",
        "electric-vehicle",
    }
    ndpr = node(ID + "material/ndpr-oxide")
    assert ndpr is not None
    assert [index.iri(c).rsplit("/", 1)[1] for c in ancestors(index, ndpr)] == [
        "light-rare-earths",
        "rare-earths",
        "critical-minerals",
    ]
