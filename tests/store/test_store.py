"""The snapshot store: atomic writes, read-only readers, garbage collection, bindings."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import QueryError, RdfSyntaxError
from service.store import IRI, Lit, MemoryStore, SnapshotStore, rdf_format_for

G = "http://example.org/g"


def _load(store: SnapshotStore | MemoryStore, data: bytes, note: str = "") -> None:
    with store.write(note) as writer:
        writer.load(data, "turtle", G)


def test_write_publishes_a_new_snapshot(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    assert store.current_id() is None
    _load(store, b"<http://e/a> <http://e/p> 1 .", "first")
    first = store.current_id()
    _load(store, b"<http://e/a> <http://e/p> 2 .", "second")
    second = store.current_id()
    assert first and second and first != second
    infos = store.snapshots()
    assert [i.id for i in infos] == [first, second]
    assert infos[1].parent == first and infos[1].note == "second"
    assert infos[1].graphs == {G: 1}
    # replace=True: reloading the graph leaves no leftovers
    rows = store.open_current().select("SELECT ?o WHERE { ?s ?p ?o }").rows
    assert rows == [{"o": Lit("2", "http://www.w3.org/2001/XMLSchema#integer")}]


def test_failed_write_leaves_current_snapshot_untouched(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    _load(store, b"<http://e/a> <http://e/p> 1 .")
    before = store.current_id()
    with pytest.raises(RdfSyntaxError, match=r"<input>:2:\d+"):
        _load(store, b'<http://e/b> <http://e/p> 2 .\n<http://e/c> <http://e/p> "open .')
    assert store.current_id() == before
    assert [p.name for p in (tmp_path / "snapshots").iterdir()] == [before]
    assert store.open_current().triple_count() == 1
    _load(store, b"<http://e/a> <http://e/p> 3 .")  # the writer is usable afterwards
    assert store.open_current().triple_count() == 1


def test_readers_follow_the_pointer(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    _load(store, b"<http://e/a> <http://e/p> 1 .")
    reader = SnapshotStore(tmp_path)  # a second process would do the same
    old = reader.open_current()
    _load(store, b"<http://e/a> <http://e/p> 1 , 2 .")
    new = reader.open_current()
    assert new.snapshot_id != old.snapshot_id
    assert (old.triple_count(), new.triple_count()) == (1, 2)


def test_gc_keeps_the_newest(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, keep=2)
    for i in range(4):
        _load(store, f"<http://e/a> <http://e/p> {i} .".encode())
    assert len(store.snapshots()) == 2
    assert store.snapshots()[-1].id == store.current_id()


def test_unpublished_directory_is_removed_by_next_writer(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    _load(store, b"<http://e/a> <http://e/p> 1 .")
    orphan = tmp_path / "snapshots" / "20000101T000000000000-999999"
    (orphan / "db").mkdir(parents=True)
    _load(store, b"<http://e/a> <http://e/p> 2 .")
    assert not orphan.exists()


def test_memory_store_is_atomic_too() -> None:
    store = MemoryStore()
    _load(store, b"<http://e/a> <http://e/p> 1 .")
    with pytest.raises(RdfSyntaxError):
        _load(store, b"<http://e/a> <http://e/p> 2 .\n<http://e/b> <bad iri> 3 .")
    assert store.open_current().triple_count() == 1


def test_bindings_are_substituted_not_pasted() -> None:
    store = MemoryStore()
    _load(store, b'<http://e/a> <http://e/p> "x" . <http://e/b> <http://e/p> "y" .')
    graph = store.open_current()
    query = "SELECT ?s ?o WHERE { ?s <http://e/p> ?o }"
    assert graph.select(query, {"s": IRI("http://e/b")}).rows == [
        {"s": IRI("http://e/b"), "o": Lit("y", "http://www.w3.org/2001/XMLSchema#string")}
    ]
    # A hostile "IRI" cannot escape into the query text.
    with pytest.raises(QueryError, match="invalid binding"):
        graph.select(query, {"s": IRI("http://e/a> } ; DROP ALL ; <x")})
    assert graph.select(query, {"o": "x' } #"}).rows == []


def test_select_row_cap_is_flagged() -> None:
    store = MemoryStore()
    _load(store, b"<http://e/a> <http://e/p> 1, 2, 3 .")
    result = store.open_current().select("SELECT ?o WHERE { ?s ?p ?o }", max_rows=2)
    assert len(result.rows) == 2 and result.truncated
    out = store.open_current().serialize("SELECT ?o WHERE { ?s ?p ?o }", result_format="csv", max_rows=2)
    assert out.truncated and out.body.decode().splitlines()[0] == "o" and len(out.body.splitlines()) == 3


CAPPED_CASES = [
    (  # every term kind, with commas and quotes to escape
        b'<http://e/a> <http://e/p> "x, \\"y\\"", 2, <http://e/b> . <http://e/a> <http://e/q> "t"@en .',
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o",
        4,
        12,
    ),
    (  # an unbound variable between bound ones keeps its place
        b'<http://e/a> <http://e/p> "x" . <http://e/a> <http://e/q> <http://e/b> . <http://e/b> <http://e/r> 1 .',
        "SELECT ?s ?x ?o WHERE { ?s ?p ?o OPTIONAL { ?o <http://e/r> ?x } } ORDER BY ?p",
        3,
        7,
    ),
]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize(("data", "query", "rows", "bindings"), CAPPED_CASES)
def test_capped_serialization_matches_native(fmt: str, data: bytes, query: str, rows: int, bindings: int) -> None:
    store = MemoryStore()
    _load(store, data)
    graph = store.open_current()
    native = graph.serialize(query, result_format=fmt)
    capped = graph.serialize(query, result_format=fmt, max_rows=100)
    assert not capped.truncated and capped.rows == rows
    if fmt == "json":
        import json

        assert json.loads(capped.body) == json.loads(native.body)
    elif fmt in ("csv", "tsv"):
        assert capped.body.decode().splitlines() == native.body.decode().splitlines()
    else:
        assert capped.body.count(b"<binding") == native.body.count(b"<binding") == bindings


def test_rdf_format_for() -> None:
    assert rdf_format_for("a.ttl") == "turtle"
    assert rdf_format_for("a.nq.gz") == "nquads"
    assert rdf_format_for("a.data", "trig") == "trig"
    with pytest.raises(ValueError, match="pass --format"):
        rdf_format_for("a.csv")


def test_snapshot_sizes_count_only_what_a_write_changed(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    g2 = G + "2"
    writes = [
        lambda w: w.load(b"<http://e/a> <http://e/p> 1 , 2 , 3 .", "turtle", G),
        lambda w: w.load(b'<http://e/b> <http://e/p> "1" .\n<http://e/c> <http://e/p> "1" .\n', "ntriples", g2),
        lambda w: w.load(b"<http://e/d> <http://e/p> 1 .", "turtle"),  # the default graph
        lambda w: w.update(f"DELETE DATA {{ GRAPH <{G}> {{ <http://e/a> <http://e/p> 1 }} }}"),
        lambda w: w.update("INSERT DATA { GRAPH ?g { <http://e/x> <http://e/p> 1 } }".replace("?g", f"<{g2}>")),
        lambda w: w.drop_graph(G),
        lambda w: w.clear_default_graph(),
        lambda w: w.update("INSERT { GRAPH ?g { <http://e/y> <http://e/p> 2 } } WHERE { GRAPH ?g { ?s ?p ?o } }"),
    ]
    for change in writes:
        with store.write() as writer:
            change(writer)
        info = store.info(store.current_id() or "")
        graph = store.open_current()
        assert (info.triples, info.graphs) == (graph.triple_count(), graph.graph_sizes())
    assert store.info(store.current_id() or "").graphs == {g2: 4}


def test_snapshot_sizes_after_several_changes_to_one_graph(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    with store.write() as writer:
        writer.load(b"<http://e/a> <http://e/p> 1 , 2 , 3 .", "turtle", G)  # counted by the load
        writer.update(f"DELETE DATA {{ GRAPH <{G}> {{ <http://e/a> <http://e/p> 1 }} }}")
        writer.add_triples([("http://e/b", "http://e/p", IRI("http://e/c"))], G)
        writer.load(b"<http://e/d> <http://e/p> 1 .", "turtle")
        writer.clear_default_graph()
    info = store.info(store.current_id() or "")
    assert (info.triples, info.graphs) == (3, {G: 3})


def test_capped_json_escapes_every_string_as_json_does() -> None:
    import json

    store = MemoryStore()
    tricky = '\\"quoted\\" \\\\ back\\tslash \\n new line \\u0001 ctrl é ü 中文 😀 </script>'  # Turtle escapes
    data = (
        f'<http://e/a> <http://e/p> "{tricky}" , "{tricky}"@en-GB , "{tricky}"^^<http://e/type\\u00e9> , _:b1 , '
        "<http://e/é?x=1&y=%22> ."
    )
    _load(store, data.encode())
    graph = store.open_current()
    query = "SELECT ?s ?p ?o ?missing WHERE { ?s ?p ?o } ORDER BY ?o"
    native = json.loads(graph.serialize(query, result_format="json").body)
    body = graph.serialize(query, result_format="json", max_rows=100).body
    capped = json.loads(body)
    for row in capped["results"]["bindings"] + native["results"]["bindings"]:
        if row["o"]["type"] == "bnode":
            row["o"]["value"] = "b"  # blank node labels are the writer's own
    assert capped == native
    assert len(capped["results"]["bindings"]) == 5
    assert body.isascii()  # non-ASCII is escaped, as json.dumps does by default
