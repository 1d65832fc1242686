"""SPARQL Updates name the graphs they change; the index is rebuilt for just those, and stays exact."""

from __future__ import annotations

import doctest
import tempfile
from pathlib import Path

import pytest

import service.store.update_scope
from ontology import vocab as v
from service.backend import artifact_builders
from service.index.build import build_index
from service.store import BuildInput, MemoryStore
from service.store.update_scope import graphs_changed
from tests.support.networks import random_network

G1 = v.GRAPH + "one"
G2 = v.GRAPH + "two"
ID = v.ID
P = f"<{v.PRODUCES}>"

UPDATES: dict[str, tuple[str, set[str | None] | None]] = {
    "insert data, named": (f"INSERT DATA {{ GRAPH <{G2}> {{ <{ID}a> {P} <{ID}m> }} }}", {G2}),
    "insert data, default": (f"INSERT DATA {{ <{ID}a> {P} <{ID}m> }}", {None}),
    "delete data": (f"DELETE DATA {{ GRAPH <{G1}> {{ <{ID}a> {P} <{ID}m> }} }}", {G1}),
    "delete where": (f"DELETE WHERE {{ GRAPH <{G1}> {{ ?s <{v.HAS_INPUT}> ?o }} }}", {G1}),
    "with": (f"WITH <{G2}> DELETE {{ ?s {P} ?o }} INSERT {{ ?o {P} ?s }} WHERE {{ ?s {P} ?o }}", {G2}),
    "template names graph": (
        f"INSERT {{ GRAPH <{G2}> {{ ?s {P} ?o }} }} WHERE {{ GRAPH <{G1}> {{ ?s {P} ?o }} }}",
        {G2},
    ),
    "template graph variable": (f"DELETE {{ GRAPH ?g {{ ?s {P} ?o }} }} WHERE {{ GRAPH ?g {{ ?s {P} ?o }} }}", None),
    "clear graph": (f"CLEAR GRAPH <{G1}>", {G1}),
    "clear all": ("CLEAR ALL", None),
    "drop named": ("DROP NAMED", None),
    "copy": (f"COPY <{G1}> TO <{G2}>", {G2}),
    "move": (f"MOVE <{G1}> TO DEFAULT", {G1, None}),
    "add": (f"ADD DEFAULT TO <{G1}>", {G1}),
    "create": (f"CREATE GRAPH <{v.GRAPH}three>", set()),
    "sequence": (f"CLEAR GRAPH <{G1}> ; INSERT DATA {{ GRAPH <{G2}> {{ <{ID}b> {P} <{ID}m> }} }}", {G1, G2}),
}


def test_docstring_examples() -> None:
    assert doctest.testmod(service.store.update_scope).failed == 0


@pytest.mark.parametrize("name", list(UPDATES))
def test_update_scope_and_index(name: str) -> None:
    sparql, expected = UPDATES[name]
    assert graphs_changed(sparql) == expected
    lines = random_network(11).splitlines()
    memory = MemoryStore(artifact_builders())
    with memory.write() as writer:
        writer.load("\n".join(lines[::2]).encode(), "ntriples", G1)
        writer.load("\n".join(lines[1::2]).encode(), "ntriples", G2)
        writer.load(f"<{ID}d> {P} <{ID}m> .".encode(), "ntriples")
    with memory.write() as writer:
        writer.update(sparql)
    assert writer.changes is not None and writer.changes.everything is (expected is None)
    built = memory.artifacts[memory.current_id() or ""] / "index"
    scratch = Path(tempfile.mkdtemp(prefix="sg-test-scan-"))
    build_index(BuildInput(memory.open_current(), None, None, scratch))
    for path in sorted(built.iterdir()):
        if path.is_file() and path.name != "meta.json":
            assert path.read_bytes() == (scratch / "index" / path.name).read_bytes(), path.name


def test_unreadable_or_huge_updates_may_change_anything() -> None:
    assert graphs_changed("INSERT DATA { this is not sparql }") is None
    big = "INSERT DATA { " + " ".join(f"<{ID}x{i}> {P} <{ID}m> ." for i in range(5000)) + " }"
    assert graphs_changed(big) is None
