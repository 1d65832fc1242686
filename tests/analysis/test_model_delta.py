"""A model derived from the parent's after a write equals a full build of the new snapshot, array for array.

The writer derives the new snapshot's analytics model from its parent's
(:mod:`service.analysis.model_delta`).  Each test writes, derives the model
from the parent's stored one (itself derived, down a chain of writes), and
compares it with a model built in full from the same frames: every array,
the string table, the facts, and the answers of every analysis.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.base import RdfLoader, run
from loaders.sample import ONTOLOGY_FILES, SAMPLE_FILES
from ontology import vocab as v
from service.analysis import context, model_delta, model_file, network_delta, prepare_model, read_facts
from service.analysis.context import Analysis, analysis_for
from service.analysis.model_delta import derived_model
from service.analysis.model_file import MODEL, read_model
from service.analysis.network import Network
from service.analysis.network_build import build_network
from service.analysis.network_delta import differences
from service.backend import artifact_builders
from service.index import index_for
from service.store import MemoryStore, SnapshotStore
from tests.analysis.test_model_file import _same
from tests.index.test_delta import GRAPHS, _edit, _iri_nodes
from tests.support.networks import random_network

ID = v.ID


def _directory(store: SnapshotStore) -> Path:
    found = store.artifacts_dir(store.current_id() or "")
    assert found is not None
    return found


def _full(store: SnapshotStore) -> Network:
    return build_network(read_facts(index_for(store, store.open_current()).frames()))


def _equal(derived: Network, full: Network) -> None:
    """Every stored part of the two networks is identical."""
    assert differences(derived, full) == []


def _derive(store: SnapshotStore) -> Network:
    """The current snapshot's model derived from its parent's, checked against a full build, then stored."""
    directory = _directory(store)
    found = derived_model(store, store.open_current(), directory)
    assert found is not None, "the model was not derived"
    full = _full(store)
    _equal(found.network, full)
    assert found.write(directory)
    stored = read_model(directory)
    assert stored is not None
    _equal(stored, full)  # and read back from its files
    return stored


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**9), shared=st.booleans())
def test_derived_models_equal_full_builds(tmp_path_factory: pytest.TempPathFactory, seed: int, shared: bool) -> None:
    rng = random.Random(seed)
    lines = random_network(seed).splitlines()
    lines = _iri_nodes(lines) if shared else lines
    store = SnapshotStore(tmp_path_factory.mktemp("store") / "store", builders=artifact_builders())
    held: dict[str, list[str]] = {}
    with store.write() as writer:
        held[GRAPHS[0]] = lines[: len(lines) // 2]
        writer.load("\n".join(held[GRAPHS[0]]).encode(), "ntriples", GRAPHS[0])
    assert prepare_model(store)
    for _ in range(6):
        _edit(cast(MemoryStore, store), rng, lines, held)
        _derive(store)


KALGOORLIE_NDPR = f"<{ID}facility/lynas-kalgoorlie> <{v.PRODUCES}> <{ID}material/ndpr-oxide>"
SAMPLE_EDITS = [
    # a firm as supplier: its facilities producing the item split its share
    f"INSERT DATA {{ GRAPH <{v.GRAPH}extra> {{ <{ID}supply/from-firm> <{v.SUPPLIER}> <{ID}firm/lynas> ."
    f" <{ID}supply/from-firm> <{v.BUYER}> <{ID}facility/cnre-baotou-metal> ."
    f" <{ID}supply/from-firm> <{v.SUPPLIED_ITEM}> <{ID}material/ndpr-oxide> }} }}",
    # a facility taken over by that firm
    f"DELETE {{ GRAPH ?g {{ <{ID}facility/cnre-baotou-separation> <{v.OPERATED_BY}> ?f }} }}"
    f" INSERT {{ GRAPH ?g {{ <{ID}facility/cnre-baotou-separation> <{v.OPERATED_BY}> <{ID}firm/lynas> }} }}"
    f" WHERE {{ GRAPH ?g {{ <{ID}facility/cnre-baotou-separation> <{v.OPERATED_BY}> ?f }} }}",
    # produces added, then removed
    f"INSERT DATA {{ GRAPH <{v.GRAPH}extra> {{ {KALGOORLIE_NDPR} }} }}",
    f"DELETE WHERE {{ GRAPH ?g {{ {KALGOORLIE_NDPR} }} }}",
    # a BOM line's share changed
    f"DELETE {{ GRAPH ?g {{ <{ID}bom/ndfeb-magnet--ndfeb-alloy> <{v.SHARE}> ?s }} }}"
    f" INSERT {{ GRAPH ?g {{ <{ID}bom/ndfeb-magnet--ndfeb-alloy> <{v.SHARE}> 0.5 }} }}"
    f" WHERE {{ GRAPH ?g {{ <{ID}bom/ndfeb-magnet--ndfeb-alloy> <{v.SHARE}> ?s }} }}",
    # a BOM line added with a blank node, to a new product
    f"INSERT DATA {{ GRAPH <{v.GRAPH}extra> {{ <{ID}product/new-thing> <{v.HAS_INPUT}> _:l ."
    f" _:l <{v.INPUT}> <{ID}product/ndfeb-magnet> . _:l <{v.SHARE}> 0.25 ."
    f' <{ID}product/new-thing> <{v.RDFS_LABEL}> "New thing" }} }}',
    # a supply relationship added, then removed
    f"INSERT DATA {{ GRAPH <{v.GRAPH}extra> {{ <{ID}supply/new> <{v.SUPPLIER}> <{ID}facility/lynas-kalgoorlie> ."
    f" <{ID}supply/new> <{v.BUYER}> <{ID}facility/cnre-baotou-separation> ."
    f" <{ID}supply/new> <{v.SUPPLIED_ITEM}> <{ID}material/rare-earth-concentrate> ."
    f" <{ID}supply/new> <{v.SHARE}> 0.05 }} }}",
    f"DELETE WHERE {{ GRAPH ?g {{ <{ID}supply/bayan-obo-to-cnre> ?p ?o }} }}",
    # a facility relocated, a firm's headquarters moved
    f"DELETE {{ GRAPH ?g {{ <{ID}facility/lynas-kalgoorlie> <{v.LOCATED_IN}> ?c }} }}"
    f" INSERT {{ GRAPH ?g {{ <{ID}facility/lynas-kalgoorlie> <{v.LOCATED_IN}> <{ID}country/MYS> }} }}"
    f" WHERE {{ GRAPH ?g {{ <{ID}facility/lynas-kalgoorlie> <{v.LOCATED_IN}> ?c }} }}",
    f"DELETE {{ GRAPH ?g {{ ?f <{v.HEADQUARTERED_IN}> ?c }} }}"
    f" INSERT {{ GRAPH ?g {{ ?f <{v.HEADQUARTERED_IN}> <{ID}country/USA> }} }}"
    f" WHERE {{ GRAPH ?g {{ ?f <{v.HEADQUARTERED_IN}> ?c }} FILTER(?c = <{ID}country/CHN>) }}",
    # a statistic changed, a label changed
    f"DELETE {{ GRAPH ?g {{ ?s <{v.QUANTITY}> ?q }} }} INSERT {{ GRAPH ?g {{ ?s <{v.QUANTITY}> 1.0 }} }}"
    f" WHERE {{ GRAPH ?g {{ ?s <{v.QUANTITY}> ?q ; <{v.STAT_COUNTRY}> <{ID}country/CHN> }} }}",
    f"DELETE {{ GRAPH ?g {{ <{ID}facility/lynas-kalgoorlie> <{v.RDFS_LABEL}> ?l }} }}"
    f' INSERT {{ GRAPH ?g {{ <{ID}facility/lynas-kalgoorlie> <{v.RDFS_LABEL}> "Kalgoorlie" }} }}'
    f" WHERE {{ GRAPH ?g {{ <{ID}facility/lynas-kalgoorlie> <{v.RDFS_LABEL}> ?l }} }}",
    # a producer's capacity changed: the split of its item among producers changes
    f"DELETE {{ GRAPH ?g {{ <{ID}facility/mountain-pass> <{v.CAPACITY}> ?c }} }}"
    f" INSERT {{ GRAPH ?g {{ <{ID}facility/mountain-pass> <{v.CAPACITY}> 100 }} }}"
    f" WHERE {{ GRAPH ?g {{ <{ID}facility/mountain-pass> <{v.CAPACITY}> ?c }} }}",
    # a firm becomes a facility (located somewhere): who buys from it now buys from a site
    f"INSERT DATA {{ GRAPH <{v.GRAPH}extra> {{ <{ID}firm/lynas> <{v.LOCATED_IN}> <{ID}country/AUS> }} }}",
    # what a firm buys changes what each of its facilities draws on
    f"INSERT DATA {{ GRAPH <{v.GRAPH}extra> {{ <{ID}supply/mp-to-gm> <{v.SHARE}> 0.3 }} }}",
    f"INSERT DATA {{ GRAPH <{v.GRAPH}extra> {{ <{ID}supply/panasonic-to-tesla> <{v.SHARE}> 0.4 }} }}",
    # a firm's facilities and an operator deleted
    f"DELETE WHERE {{ GRAPH ?g {{ ?f <{v.OPERATED_BY}> ?firm }} }}",
]


@pytest.fixture
def sample(tmp_path: Path) -> SnapshotStore:
    loaded = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    run(loaded, "ontology", RdfLoader(list(ONTOLOGY_FILES)))
    run(loaded, "sample", RdfLoader(list(SAMPLE_FILES)))
    assert prepare_model(loaded)
    return loaded


@pytest.mark.parametrize("searches", [network_delta.SEARCHES, 0])  # strings searched one by one, or decoded whole
def test_every_answer_is_the_same_after_each_kind_of_write(
    sample: SnapshotStore, monkeypatch: pytest.MonkeyPatch, searches: int
) -> None:
    monkeypatch.setattr(network_delta, "SEARCHES", searches)
    for update in SAMPLE_EDITS:
        with sample.write() as writer:
            writer.update(update)
        derived = _derive(sample)
        graph = sample.open_current()
        full = _full(sample)
        _same(Analysis(derived.facts, graph, derived), Analysis(full.facts, graph, full))


def test_the_writer_derives_the_model_and_a_new_dataset_counts(sample: SnapshotStore) -> None:
    lines = [
        f"<{ID}facility/new-plant> <{v.PRODUCES}> <{ID}material/ndpr-oxide> .",
        f"<{ID}facility/new-plant> <{v.LOCATED_IN}> <{ID}country/AUS> .",
    ]
    with sample.write() as writer:
        writer.load("\n".join(lines).encode(), "ntriples", v.GRAPH + "new")
    assert prepare_model(sample)
    stored: Any = read_model(_directory(sample))
    _equal(stored, _full(sample))
    # Facts fields are the parent's files, linked, with the entries the write changed beside them.
    parent = sample.artifacts_dir(sample.info(sample.current_id() or "").parent or "")
    assert parent is not None
    facts, before = _directory(sample) / MODEL / "facts", parent / MODEL / "facts"
    assert (facts / "stats.pickle").samefile(before / "stats.pickle")
    assert (facts / "produces.pickle").samefile(before / "produces.pickle")
    assert not (facts / "stats.overlay.pickle").exists()
    assert (facts / "produces.overlay.pickle").is_file()


def test_a_large_overlay_is_stored_whole(sample: SnapshotStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_file, "too_large", lambda overlay, value: True)
    for update in SAMPLE_EDITS[:3]:
        with sample.write() as writer:
            writer.update(update)
        _derive(sample)
        facts = _directory(sample) / MODEL / "facts"
        assert not list(facts.glob("*.overlay.pickle"))


def test_a_server_after_its_own_write_derives_the_model_too(
    sample: SnapshotStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sample.write() as writer:
        writer.update(SAMPLE_EDITS[0])

    def built_in_full(*_: object) -> None:
        raise AssertionError("the model was built in full")

    monkeypatch.setattr(context, "read_facts", built_in_full)
    served = analysis_for(SnapshotStore(sample.location, builders=artifact_builders()))
    monkeypatch.undo()
    assert differences(served.network, _full(sample)) == []
    stored = read_model(_directory(sample))
    assert stored is not None and differences(stored, served.network) == []


@pytest.mark.parametrize("why", ["no parent model", "large change"])
def test_otherwise_the_model_is_built_in_full(sample: SnapshotStore, monkeypatch: pytest.MonkeyPatch, why: str) -> None:
    parent = _directory(sample)
    with sample.write() as writer:
        writer.update(SAMPLE_EDITS[0])
    if why == "no parent model":
        shutil.rmtree(parent / MODEL)
    else:
        monkeypatch.setattr(model_delta, "LARGEST_CHANGE", 0)
    assert derived_model(sample, sample.open_current(), _directory(sample)) is None
    assert prepare_model(sample)
    stored = read_model(_directory(sample))
    assert stored is not None
    _equal(stored, _full(sample))


def test_a_write_no_frame_keeps_links_the_parents_model_whole(sample: SnapshotStore) -> None:
    parent = _directory(sample) / MODEL
    with sample.write() as writer:
        writer.update(f'INSERT DATA {{ GRAPH <{v.GRAPH}notes> {{ <{ID}firm/mp> <http://example.org/note> "n" }} }}')
    found = derived_model(sample, sample.open_current(), _directory(sample))
    assert found is not None and found.unchanged
    _derive(sample)  # equal to a full build, in memory and read back
    model = _directory(sample) / MODEL
    files = sorted(p.relative_to(model) for p in model.rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(parent) for p in parent.rglob("*") if p.is_file())
    assert all((model / name).samefile(parent / name) for name in files)
