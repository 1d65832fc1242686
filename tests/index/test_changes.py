"""The frame rows a write changed are found from the snapshot's frames and its parent's alone."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ontology import vocab as v
from service.backend import artifact_builders
from service.index import SPEC, frame_changes
from service.store import SnapshotStore

ID = v.ID
BASE = [
    f"<{ID}facility/f1> <{v.PRODUCES}> <{ID}product/p1> .",
    f"<{ID}product/p1> <{v.HAS_INPUT}> _:line .",
    f"_:line <{v.INPUT}> <{ID}material/m1> .",
    f'<{ID}facility/f1> <{v.RDFS_LABEL}> "Plant one" .',
]


def _artifacts(store: SnapshotStore, snapshot: str | None) -> Path:
    found = store.artifacts_dir(snapshot or "")
    assert found is not None
    return found


def _changes(store: SnapshotStore, parent: str | None) -> pl.DataFrame:
    found = frame_changes(_artifacts(store, parent), _artifacts(store, store.current_id()), SPEC)
    assert found is not None
    return found


def test_an_update_changes_only_its_rows(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    with store.write() as writer:
        writer.load("\n".join(BASE).encode(), "ntriples", v.GRAPH + "base")
    parent = store.current_id()
    triple = f"<{ID}facility/f1> <{v.PRODUCES}> <{ID}product/p2>"
    with store.write() as writer:
        writer.update(f"INSERT DATA {{ GRAPH <{v.GRAPH}extra> {{ {triple} }} }}")
    rows = _changes(store, parent)
    assert rows.select("name", "s", "o", "graph", "added").rows() == [
        ("produces", f"<{ID}facility/f1>", f"<{ID}product/p2>", v.GRAPH + "extra", True)
    ]

    parent = store.current_id()
    label = f'<{ID}facility/f1> <{v.RDFS_LABEL}> "Plant one"'
    with store.write() as writer:
        writer.update(f"DELETE DATA {{ GRAPH <{v.GRAPH}base> {{ {label} }} }}")
    rows = _changes(store, parent)
    # The graph is scanned again after a SPARQL Update: its blank nodes are new nodes, its IRI rows the same.
    named = rows.filter(~pl.col("s").str.starts_with("_:") & ~pl.col("o").str.starts_with("_:"))
    assert named.select("name", "s", "added").rows() == [("label", f"<{ID}facility/f1>", False)]


def test_a_graph_loaded_again_with_blank_nodes_changes_their_rows(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    with store.write() as writer:
        writer.load("\n".join(BASE).encode(), "ntriples", v.GRAPH + "base")
    parent = store.current_id()
    with store.write() as writer:
        writer.load("\n".join(BASE).encode(), "ntriples", v.GRAPH + "base")
    rows = _changes(store, parent)
    # The IRI rows are the same; a blank node of another document is another node.
    assert set(rows["name"].to_list()) == {"has_input", "input"}
    assert sorted(rows["added"].to_list()) == [False, False, True, True]


def test_no_frames_no_changes(tmp_path: Path) -> None:
    assert frame_changes(tmp_path / "a", tmp_path / "b", SPEC) is None
