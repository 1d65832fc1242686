"""``Snapshot.outgoing`` reads what the equivalent SELECT reads, in the same order, with no query text."""

from __future__ import annotations

import pytest

from service.errors import BadRequest
from service.store import XSD, MemoryStore

E = "http://example.org/"
SELECT = "SELECT ?id ?p ?o WHERE {{ VALUES ?id {{ {} }} ?id ?p ?o }}"


def _store() -> MemoryStore:
    store = MemoryStore()
    data = {
        "g1": f'<{E}a> <{E}label> "A"@en .\n<{E}a> <{E}link> <{E}b> .\n<{E}a> <{E}n> "2"^^<{XSD}integer> .\n',
        # The same triple in a second graph comes twice, as the union default graph has it.
        "g2": f'<{E}a> <{E}label> "A"@en .\n<{E}b> <{E}link> _:x .\n<{E}b> <{E}label> "B" .\n',
    }
    with store.write() as writer:
        for graph, text in data.items():
            writer.load(text.encode(), "ntriples", E + graph)
    return store


def _as_select(store: MemoryStore, subjects: list[str]) -> list[tuple[str, str, object]]:
    listed = " ".join(f"<{s}>" for s in subjects)
    rows = store.open_current().select(SELECT.format(listed)).rows
    return [(r["id"].value, r["p"].value, r["o"]) for r in rows]


def test_outgoing_gives_the_rows_of_the_select_in_its_order() -> None:
    store = _store()
    subjects = [E + "b", E + "a", E + "missing"]
    rows, truncated = store.open_current().outgoing(subjects)
    assert not truncated
    assert rows == _as_select(store, subjects)
    assert sum(1 for s, p, _ in rows if s == E + "a" and p == E + "label") == 2
    assert {s for s, _, _ in rows} == {E + "a", E + "b"}


def test_outgoing_stops_at_max_rows_and_says_so() -> None:
    graph = _store().open_current()
    everything, _ = graph.outgoing([E + "a", E + "b"])
    rows, truncated = graph.outgoing([E + "a", E + "b"], max_rows=3)
    assert truncated and rows == everything[:3]
    rows, truncated = graph.outgoing([E + "a", E + "b"], max_rows=len(everything))
    assert not truncated and rows == everything


def test_outgoing_refuses_what_is_not_an_iri() -> None:
    with pytest.raises(BadRequest, match="not a valid absolute IRI"):
        _store().open_current().outgoing(["a> ?p ?o } #"])
