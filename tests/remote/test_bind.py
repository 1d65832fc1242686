"""Values bound into queries for an external engine: validated terms in a VALUES block, never pasted text."""

from __future__ import annotations

import pytest

from service.errors import BadRequest, QueryError
from service.settings import Settings
from service.store import IRI, Lit, MemoryStore, RemoteStore
from service.store.bind import bind_values, query_form


def test_values_go_first_in_the_outermost_group() -> None:
    query = 'PREFIX e: <http://e/#> # a { brace\nSELECT ?n ("{" AS ?b) WHERE { ?org e:name ?n }'
    bound = bind_values(query, {"org": IRI("http://e/a")})
    assert bound.endswith("WHERE { VALUES (?org) { (<http://e/a>) } ?org e:name ?n }")


def test_a_construct_binds_in_its_where_clause_not_its_template() -> None:
    bound = bind_values("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": IRI("http://e/s")})
    assert bound == "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<http://e/s>) } ?s ?p ?o }"


def test_variables_and_prefixed_names_spelled_like_keywords_are_not_keywords() -> None:
    bound = bind_values("CONSTRUCT { ?where where:p ?o } WHERE { ?where ?p ?o }", {"p": IRI("http://e/p")})
    assert bound.startswith("CONSTRUCT { ?where where:p ?o } WHERE { VALUES")
    assert query_form("PREFIX ask: <http://e/#> CONSTRUCT { ?s ask:p :select } WHERE { ?s ?p ?o }") == "CONSTRUCT"


def test_hostile_literals_are_escaped_and_hostile_iris_refused() -> None:
    hostile = '" } } ; DROP ALL ; SELECT * { "'
    bound = bind_values("SELECT ?x WHERE { ?x ?p ?v }", {"v": hostile})
    assert bound.count("DROP ALL") == 1 and '\\" } } ; DROP ALL' in bound
    with pytest.raises(QueryError):
        bind_values("SELECT ?x WHERE { ?x ?p ?v }", {"v": IRI("http://e/> } DROP ALL <")})
    with pytest.raises(QueryError):
        bind_values("SELECT ?x WHERE { ?x ?p ?v }", {"v) { } DROP ALL": 1})


def test_no_group_pattern_is_a_clear_error() -> None:
    with pytest.raises(BadRequest, match="group pattern"):
        bind_values("SELECT ?x", {"x": 1})


def test_bound_queries_answer_as_the_embedded_substitution(remote: RemoteStore, remote_settings: Settings) -> None:
    data = b'<http://e/a> <http://e/name> "A" .\n<http://e/b> <http://e/name> "B" .\n'
    embedded = MemoryStore()
    for store in (embedded, remote):
        with store.write() as writer:
            writer.load(data, "ntriples", "http://e/g")
    query = "SELECT ?n ?org ?other WHERE { ?org <http://e/name> ?n FILTER(?org != ?other) }"
    for bindings in (
        {"org": IRI("http://e/a"), "other": IRI("http://e/b")},
        {"org": IRI("http://e/a"), "other": IRI("http://e/a")},
    ):
        ours = remote.open_current().select(query, bindings).rows
        theirs = embedded.open_current().select(query, bindings).rows
        assert ours == theirs
    assert remote.open_current().ask("ASK { ?s ?p ?n }", {"n": Lit("B")}) is True
