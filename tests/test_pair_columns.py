"""Graph.pair_columns reads the same pairs as Graph.pairs, in the same order, filtered by object kind."""

from __future__ import annotations

from service.store import IRI, BNode, Lit, MemoryStore, Term

DATA = """INSERT DATA {
  GRAPH <http://g/1> {
    <http://a> <http://p> <http://b> .
    <http://a> <http://p> 5 .
    _:x <http://p> "a,\\"b\\"\\nc" .
    <http://c> <http://p> _:y .
    <http://c> <http://p> "" .
    <http://c> <http://p> true .
    <http://c> <http://p> "7"@en .
  }
  GRAPH <http://g/2> { <http://a> <http://p> <http://b> }
}"""


def _spelled(term: Term) -> str:
    return term.value if isinstance(term, IRI | Lit) else str(term)


def test_pair_columns_match_pairs_by_object_kind() -> None:
    store = MemoryStore()
    with store.write() as writer:
        writer.update(DATA)
    graph = store.graph()
    pairs = list(graph.pairs("http://p"))
    nodes = [(s, _spelled(o)) for s, o in pairs if isinstance(o, IRI | BNode)]
    literals = [(s, o.value) for s, o in pairs if isinstance(o, Lit)]
    numbers = [(s, o.value) for s, o in pairs if isinstance(o, Lit) and not o.datatype.endswith("#boolean")]
    assert list(zip(*graph.pair_columns("http://p", "node"), strict=True)) == nodes
    assert list(zip(*graph.pair_columns("http://p", "literal"), strict=True)) == literals
    assert list(zip(*graph.pair_columns("http://p", "number"), strict=True)) == numbers
    assert nodes.count(("http://a", "http://b")) == 2  # the triple in two graphs counts twice, as in pairs()
    assert ("http://c", "") in literals and any(o == 'a,"b"\nc' for _, o in literals)
    assert graph.pair_columns("http://nothing") == ([], [])
