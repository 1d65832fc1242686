"""A delta build gives byte for byte the index a full build gives.

A write that changes a few rows rebuilds only the rows of the nodes they
reach and merges them into the parent's index (:mod:`service.index.delta`).
Each test compares the index so built with one built from a full scan of the
same snapshot, over inserts, deletes, new and vanished IRIs, BOM lines,
relationships and statistics described across graphs, and dropped graphs.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ontology import vocab as v
from service.backend import artifact_builders
from service.index import delta
from service.store import MemoryStore
from tests.index.test_frames import _current, _scanned
from tests.support.networks import random_network

ID, NS = v.ID, v.NS
GRAPHS = [v.GRAPH + name for name in ("one", "two", "three")]


def _meta(memory: MemoryStore) -> dict[str, object]:
    index = memory.artifacts[memory.current_id() or ""] / "index"
    return dict(json.loads((index / "meta.json").read_text()))


def _iri_nodes(lines: list[str]) -> list[str]:
    """The lines with blank BOM lines and relationships named by IRIs, so graphs can share them."""
    return [re.sub(r"_:([A-Za-z0-9]+)", rf"<{ID}node/\1>", line) for line in lines]


def _same_as_full(memory: MemoryStore) -> str:
    """Assert the current index equals a full build; return how it was built."""
    assert _current(memory) == _scanned(memory.graph())
    meta = _meta(memory)
    return str(meta["built"])


def _edit(memory: MemoryStore, rng: random.Random, lines: list[str], held: dict[str, list[str]]) -> None:
    """One random write: a dataset (re)loaded, triples inserted or deleted, or a graph dropped."""
    graph = rng.choice(GRAPHS)
    action = rng.choice(["load", "insert", "insert", "delete", "delete", "drop", "odd"])
    with memory.write() as writer:
        if action == "load":
            held[graph] = rng.sample(lines, k=rng.randint(0, len(lines)))
            writer.load("\n".join(held[graph]).encode(), "ntriples", graph)
        elif action == "insert":
            chosen = rng.sample(lines, k=min(len(lines), rng.randint(1, 4)))
            held.setdefault(graph, []).extend(chosen)
            writer.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {' '.join(chosen)} }} }}")
        elif action == "delete" and (named := [line for line in held.get(graph, []) if "_:" not in line]):
            chosen = rng.sample(named, k=min(len(named), rng.randint(1, 4)))
            writer.update(f"DELETE DATA {{ GRAPH <{graph}> {{ {' '.join(chosen)} }} }}")
            held[graph] = [line for line in held[graph] if line not in chosen]
        elif action == "drop":
            writer.drop_graph(graph)
            held.pop(graph, None)
        else:  # a stage no one knows, a type beside it, a statistic's stage
            node = rng.choice([f"<{ID}item/i{rng.randint(0, 14)}>", f"<{ID}odd/o{rng.randint(0, 3)}>"])
            odd = [f'{node} <{v.STAGE_P}> "somewhere" .', f"<{ID}stat/st0> <{v.STAGE_P}> <{rng.choice(v.STAGES)}> ."]
            if rng.random() < 0.5:
                odd.append(f"{node} <{v.RDF_TYPE}> <{v.MATERIAL}> .")
            held.setdefault(graph, []).extend(odd)
            writer.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {' '.join(odd)} }} }}")


@pytest.fixture
def any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Changes of any size take the delta route, so small networks test it."""
    monkeypatch.setattr(delta, "LARGEST_SHARE", float("inf"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**9), shared=st.booleans())
def test_delta_builds_equal_full_builds(any_size: None, seed: int, shared: bool) -> None:
    rng = random.Random(seed)
    lines = random_network(seed).splitlines()
    lines = _iri_nodes(lines) if shared else lines
    memory = MemoryStore(artifact_builders())
    held: dict[str, list[str]] = {}
    with memory.write() as writer:
        held[GRAPHS[0]] = lines[: len(lines) // 2]
        writer.load("\n".join(held[GRAPHS[0]]).encode(), "ntriples", GRAPHS[0])
    assert _same_as_full(memory) == "full"
    ways = set()
    for _ in range(6):
        _edit(memory, rng, lines, held)
        ways.add(_same_as_full(memory))
    assert ways <= {"delta", "linked"}


def test_cross_graph_lines_relationships_and_statistics(any_size: None) -> None:
    memory = MemoryStore(artifact_builders())
    one, two = GRAPHS[0], GRAPHS[1]
    line, rel, stat = f"<{ID}node/line>", f"<{ID}node/rel>", f"<{ID}stat/s1>"
    magnet, ndpr, plant, mine = (f"<{ID}{k}>" for k in ("item/magnet", "item/ndpr", "facility/plant", "facility/mine"))
    base = [
        f"{magnet} <{v.RDF_TYPE}> <{v.PRODUCT}> .",
        f"{magnet} <{v.HAS_INPUT}> {line} .",
        f"{rel} <{v.BUYER}> {plant} .",
        f"{stat} <{v.STAT_MATERIAL}> {ndpr} .",
        f"{plant} <{v.PRODUCES}> {magnet} .",
    ]
    with memory.write() as writer:
        writer.load("\n".join(base).encode(), "ntriples", one)
    steps = [
        f"INSERT DATA {{ GRAPH <{two}> {{ {line} <{v.INPUT}> {ndpr} . {line} <{v.SHARE}> 0.4 . }} }}",
        f"INSERT DATA {{ GRAPH <{two}> {{ {rel} <{v.SUPPLIER}> {mine} . {rel} <{v.SUPPLIED_ITEM}> {ndpr} . }} }}",
        f"INSERT DATA {{ GRAPH <{two}> {{ {stat} <{v.STAT_COUNTRY}> <{ID}country/CN> . }} }}",
        f"INSERT DATA {{ GRAPH <{two}> {{ {stat} <{v.STAGE_P}> <{v.REFINING}> . {rel} <{v.SHARE}> 0.9 . }} }}",
        f"DELETE DATA {{ GRAPH <{two}> {{ {line} <{v.SHARE}> 0.4 . }} }}",
        f"INSERT DATA {{ GRAPH <{one}> {{ {line} <{v.SHARE}> 0.1 . }} }}",
    ]
    for step in steps:
        with memory.write() as writer:
            writer.update(step)
        assert _same_as_full(memory) == "delta"
    index = memory.artifacts[memory.current_id() or ""] / "index"
    assert b"country/CN" in (index / "nodes.blob").read_bytes()
    with memory.write() as writer:  # the lines, relationship and statistic lose their other half
        writer.drop_graph(two)
    assert _same_as_full(memory) == "delta"
    index = memory.artifacts[memory.current_id() or ""] / "index"
    assert b"country/CN" not in (index / "nodes.blob").read_bytes()


def test_a_node_kept_by_an_unknown_stage_alone(any_size: None) -> None:
    memory = MemoryStore(artifact_builders())
    odd, product = f"<{ID}odd/x>", f"<{ID}item/p>"
    with memory.write() as writer:
        writer.load(
            f'{odd} <{v.STAGE_P}> "nowhere" .\n{product} <{v.RDF_TYPE}> <{v.PRODUCT}> .\n'.encode(),
            "ntriples",
            GRAPHS[0],
        )
    for step in (
        f"INSERT DATA {{ GRAPH <{GRAPHS[1]}> {{ {odd} <{v.PRODUCES}> {product} . }} }}",
        f"DELETE DATA {{ GRAPH <{GRAPHS[1]}> {{ {odd} <{v.PRODUCES}> {product} . }} }}",
        f'DELETE DATA {{ GRAPH <{GRAPHS[0]}> {{ {odd} <{v.STAGE_P}> "nowhere" . }} }}',
    ):
        with memory.write() as writer:
            writer.update(step)
        assert _same_as_full(memory) == "delta"


def test_untouched_parts_are_linked(tmp_path: Path) -> None:
    memory = MemoryStore(artifact_builders())
    lines = random_network(11).splitlines()
    with memory.write() as writer:
        writer.load("\n".join(lines).encode(), "ntriples", GRAPHS[0])
    first = memory.artifacts[memory.current_id() or ""] / "index"
    facility, item = f"<{ID}facility/s0>", f"<{ID}item/i0>"
    with memory.write() as writer:  # both nodes exist: only the edges change
        writer.update(f"INSERT DATA {{ GRAPH <{GRAPHS[1]}> {{ {facility} <{v.PRODUCES}> {item} . }} }}")
    assert _same_as_full(memory) == "delta"
    second = memory.artifacts[memory.current_id() or ""] / "index"
    assert _meta(memory)["rewritten"] in (["dep"], [])
    for name in ("nodes.blob", "nodes_off.npy", "rel_located_in_ptr.npy", "stat_material.npy"):
        assert (second / name).stat().st_ino == (first / name).stat().st_ino


def test_a_parent_index_made_otherwise_or_damaged_means_a_full_build(tmp_path: Path) -> None:
    from service.store import SnapshotStore

    store = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    with store.write() as writer:
        writer.load("\n".join(random_network(5).splitlines()).encode(), "ntriples", GRAPHS[0])

    def index() -> Path:
        return store.snapshot_dir(store.current_id() or "") / "index"

    def insert(n: int) -> str:
        with store.write() as writer:
            triple = f"<{ID}facility/s0> <{v.PRODUCES}> <{ID}item/new{n}>"
            writer.update(f"INSERT DATA {{ GRAPH <{GRAPHS[1]}> {{ {triple} }} }}")
        files = {p.name: p.read_bytes() for p in sorted(index().iterdir()) if p.is_file() and p.name != "meta.json"}
        assert files == _scanned(store.open_current())
        return str(json.loads((index() / "meta.json").read_text())["built"])

    assert insert(1) == "delta"
    meta = json.loads((index() / "meta.json").read_text())
    (index() / "meta.json").write_text(json.dumps(meta | {"rows": 0}))  # rows made by another version
    assert insert(2) == "full"
    parent = index()
    linked = {p.name: p.stat().st_ino for p in parent.iterdir() if p.is_file()}
    (parent / "dep_src.npy").write_bytes(b"cut short")
    assert insert(3) == "full"
    assert (parent / "dep_src.npy").read_bytes() == b"cut short"  # nothing written through a link
    assert {p.name: p.stat().st_ino for p in parent.iterdir() if p.is_file()} == linked


def test_new_iris_beyond_ascii_take_their_place_in_the_node_order(any_size: None) -> None:
    memory = MemoryStore(artifact_builders())
    names = ["a", "z", "é", "Ω", "ß", "zz", "ä", "ﬁ", "𝔸", "b"]
    items = [f"<{ID}item/{n}>" for n in names]
    with memory.write() as writer:
        writer.load(f"{items[0]} <{v.RDF_TYPE}> <{v.PRODUCT}> .\n".encode(), "ntriples", GRAPHS[0])
    for n, item in enumerate(items[1:], 1):
        with memory.write() as writer:
            writer.update(f"INSERT DATA {{ GRAPH <{GRAPHS[n % 2]}> {{ {item} <{v.PRODUCES}> {items[n - 1]} . }} }}")
        assert _same_as_full(memory) == "delta"
