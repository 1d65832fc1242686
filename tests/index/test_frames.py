"""The index is the same whichever way its frames were obtained: parsed, reused or scanned.

A write records what it changed (:mod:`service.store.journal`); the builder then
parses loaded N-Triples, reuses the parent snapshot's frames for untouched
graphs, and scans the store for the rest.  Each test compares the index so
built with one built from a full scan of the same snapshot.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.base import run
from loaders.iris import graph as graph_iri
from loaders.registry import LoadOptions, loader_for
from ontology import vocab as v
from service.backend import artifact_builders
from service.index.build import build_index
from service.index.parse import parse_document
from service.index.spec import SPEC
from service.store import BuildInput, MemoryStore, Snapshot, SnapshotStore
from service.store.journal import Document
from tests.support.networks import random_network

G1 = v.GRAPH + "one"
G2 = v.GRAPH + "two"
ID = v.ID
NETWORK = Path(__file__).parents[2] / "examples" / "network"


def _files(artifacts: Path) -> dict[str, bytes]:
    index = artifacts / "index"
    return {p.name: p.read_bytes() for p in sorted(index.iterdir()) if p.is_file() and p.name != "meta.json"}


def _scanned(graph: Snapshot) -> dict[str, bytes]:
    """The index of ``graph`` from a full scan of the store (no journal, no parent)."""
    scratch = Path(tempfile.mkdtemp(prefix="sg-test-scan-"))
    build_index(BuildInput(graph, None, None, scratch))
    return _files(scratch)


def _current(memory: MemoryStore) -> dict[str, bytes]:
    return _files(memory.artifacts[memory.current_id() or ""])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**9), cut=st.floats(0, 1))
def test_parsed_reused_and_scanned_frames_give_the_same_index(seed: int, cut: float) -> None:
    lines = random_network(seed).splitlines()
    at = int(len(lines) * cut)
    assert parse_document(Document(data="\n".join(lines).encode()), SPEC) is not None  # the parsed way is taken
    memory = MemoryStore(artifact_builders())
    with memory.write() as writer:  # parsed
        writer.load("\n".join(lines[:at]).encode(), "ntriples", G1)
    assert _current(memory) == _scanned(memory.graph())
    with memory.write() as writer:  # G1 reused, G2 parsed
        writer.load("\n".join(lines[at:]).encode(), "ntriples", G2)
    assert _current(memory) == _scanned(memory.graph())
    with memory.write() as writer:  # any graph may change: all scanned
        writer.update(f"DELETE WHERE {{ GRAPH <{G2}> {{ ?s <{v.HAS_INPUT}> ?o }} }}")
    assert _current(memory) == _scanned(memory.graph())
    with memory.write() as writer:  # G1 emptied, G2 reused
        writer.drop_graph(G1)
    assert _current(memory) == _scanned(memory.graph())


NS = v.NS
CASES = {
    # name: (document, read without the store?)
    "plain": (f'<{ID}a> <{NS}produces> <{ID}m> .\n<{ID}a> <{v.RDFS}label> "x y . z" .\n', True),
    "dot without space": (f"<{ID}a> <{NS}produces> <{ID}m>.\n<{ID}b> <{NS}produces> <{ID}m> .\n", True),
    "blank, comment, indent": (
        f"# a b c\n\n<{ID}a> <{NS}produces> <{ID}m> .\n    <{ID}c> <{NS}produces> <{ID}m> .\n",
        True,
    ),
    "tabs": (f"<{ID}a>\t<{NS}produces>\t<{ID}m>\t.\n", True),
    "comment after": (f"<{ID}a> <{NS}produces> <{ID}m> . # x y\n", True),
    "escaped IRI": (f"<{ID}\\u0041> <{NS}produces> <{ID}m> .\n", False),
    "blank nodes and shares": (
        f'<{ID}p> <{NS}hasInput> _:b1 .\n_:b1 <{NS}input> <{ID}m> .\n_:b1 <{NS}share> "0.50"^^<{v.XSD}decimal> .\n'
        f"<{ID}p> <{v.RDF_TYPE}> <{NS}Product> .\n<{ID}p> <{v.RDF_TYPE}> <{NS}Other> .\n",
        True,
    ),
    "literal with escapes": (f'<{ID}s> <{NS}share> "0.5\\"x" .\n<{ID}s> <{NS}produces> <{ID}m> .\n', True),
    "duplicates": (f"<{ID}a> <{NS}produces> <{ID}m> .\n" * 3, True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_documents_are_read_exactly_or_not_at_all(name: str) -> None:
    text, readable = CASES[name]
    assert (parse_document(Document(data=text.encode()), SPEC) is not None) is readable
    memory = MemoryStore(artifact_builders())
    with memory.write() as writer:
        writer.load(text.encode(), "ntriples", G1)
    assert _current(memory) == _scanned(memory.graph())


def test_snapshots_reuse_frames_and_never_trust_a_changed_file(tmp_path: Path) -> None:
    network = random_network(7)
    first = tmp_path / "first.nt.gz"
    first.write_bytes(gzip.compress(network.encode()))
    assert parse_document(Document.of_file(first), SPEC) is not None  # gzipped files are read too
    store = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    with store.write() as writer:
        writer.load(first, "ntriples", G1)
    one = store.snapshot_dir(store.current_id() or "") / "index"
    saved = json.loads((one / "frames" / "manifest.json").read_text())["graphs"]
    assert saved.keys() == {G1}
    assert _files(one.parent) == _scanned(store.open_current())

    second = tmp_path / "second.nt"
    second.write_text(f"<{ID}product/kite> <{v.RDF_TYPE}> <{v.PRODUCT}> .\n")
    with store.write() as writer:
        writer.load(second, "ntriples", G2)
        second.write_text(f"<{ID}product/glider> <{v.RDF_TYPE}> <{v.PRODUCT}> .\n")  # changed after loading
    two = store.snapshot_dir(store.current_id() or "") / "index"
    files = json.loads((two / "frames" / "manifest.json").read_text())["graphs"]
    reused = [p for p in (two / "frames").iterdir() if p.name == files[G1]]
    assert reused and reused[0].stat().st_ino == (one / "frames" / saved[G1]).stat().st_ino
    assert _files(two.parent) == _scanned(store.open_current())
    assert b"kite" in (two / "nodes.blob").read_bytes() and b"glider" not in (two / "nodes.blob").read_bytes()
    meta = json.loads((two / "meta.json").read_text())
    assert {"frames", "joins", "nodes", "arrays"} <= meta["phases"].keys()
    assert meta["graphs"] == {G1: "reused", G2: "scanned"}
    assert json.loads((one / "meta.json").read_text())["graphs"] == {G1: "read"}


def test_streamed_loads_are_spooled_and_read(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    run(store, "network", loader_for([NETWORK], None, LoadOptions()))
    snapshot = store.snapshot_dir(store.current_id() or "")
    routes = json.loads((snapshot / "index" / "meta.json").read_text())["graphs"]
    assert routes[graph_iri("network")] == "read"  # from the spooled stream, not the store
    assert routes[v.CATALOG_GRAPH] == "scanned"  # provenance is edited, not loaded
    assert not (snapshot / "spool").exists()
    assert _files(snapshot) == _scanned(store.open_current())


def test_turtle_and_quads_are_scanned(tmp_path: Path) -> None:
    memory = MemoryStore(artifact_builders())
    with memory.write() as writer:
        writer.load(random_network(3).encode(), "turtle", G1)
        writer.load(f"<{ID}a> <{NS}produces> <{ID}m> <{G2}> .\n".encode(), "nquads")
    assert writer.changes is not None and writer.changes.everything
    assert _current(memory) == _scanned(memory.graph())


def test_default_graph_replaced_through_the_journal() -> None:
    memory = MemoryStore(artifact_builders())
    with memory.write() as writer:
        writer.load(f"<{ID}a> <{NS}produces> <{ID}m> .\n".encode(), "ntriples")
    with memory.write() as writer:  # a Snapshot Store PUT of the default graph
        writer.clear_default_graph()
        writer.load(f"<{ID}b> <{NS}produces> <{ID}m> .\n".encode(), "ntriples")
    assert writer.changes is not None and not writer.changes.everything
    assert _current(memory) == _scanned(memory.graph())
    assert b"/a" not in (memory.artifacts[memory.current_id() or ""] / "index" / "nodes.blob").read_bytes()


def test_index_reused_when_the_triples_it_reads_did_not_change(tmp_path: Path) -> None:
    network = tmp_path / "network.nt"
    network.write_text("\n".join(line for line in random_network(5).splitlines() if "_:" not in line) + "\n")
    store = SnapshotStore(tmp_path / "store", builders=artifact_builders())

    def index() -> Path:
        return store.snapshot_dir(store.current_id() or "") / "index"

    with store.write() as writer:
        writer.load(network, "ntriples", G1)
    first = index()
    with store.write() as writer:  # labels and a trade flow: nothing the index reads
        writer.load(
            f'<{ID}flow/1> <{v.RDF_TYPE}> <{v.TRADE_FLOW}> .\n<{ID}a> <{v.RDFS_LABEL}> "A" .\n'.encode(), "ntriples", G2
        )
    second = index()
    meta = json.loads((second / "meta.json").read_text())
    assert meta["same_as"] == first.parent.name and meta["snapshot"] == second.parent.name
    assert (second / "dep_ptr.npy").stat().st_ino == (first / "dep_ptr.npy").stat().st_ino
    assert _files(second.parent) == _scanned(store.open_current())
    with store.write() as writer:  # the same file again: same triples, same index
        writer.load(network, "ntriples", G1)
    assert "same_as" in json.loads((index() / "meta.json").read_text())
    with store.write() as writer:  # a new product: a new index
        writer.load(f"<{ID}product/kite> <{v.RDF_TYPE}> <{v.PRODUCT}> .\n".encode(), "ntriples", G2)
    assert "same_as" not in json.loads((index() / "meta.json").read_text())
    assert _files(index().parent) == _scanned(store.open_current())
