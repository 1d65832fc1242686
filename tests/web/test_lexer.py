"""The one SPARQL lexer: tokens where SPARQL sees them, and one lexing per ``/sparql`` request shared by every check."""

from __future__ import annotations

import doctest

import pytest
from starlette.testclient import TestClient

import service.web.lexer
import service.web.sparql
from service.errors import BadRequest
from service.settings import Settings
from service.web.app import create_app
from service.web.federation import check_nesting, check_update, service_endpoints
from service.web.lexer import lex
from service.web.negotiate import query_shape


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(service.web.lexer).failed == 0


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in lex(text).tokens]


def test_strings_iris_and_comments_are_single_tokens() -> None:
    text = 'SELECT * { ?s <http://e/#SERVICE> "SERVICE { LOAD }"@en } # FROM <http://g>\n'
    assert _kinds(text) == [
        ("word", "SELECT"),
        ("punct", "*"),
        ("punct", "{"),
        ("var", "?s"),
        ("iri", "<http://e/#SERVICE>"),
        ("literal", '"SERVICE { LOAD }"@en'),
        ("punct", "}"),
    ]


def test_long_strings_span_lines_and_keep_their_quotes() -> None:
    assert _kinds("ASK { ?s ?p '''a\n' '' } FROM'''^^<http://t> }")[-2:] == [
        ("literal", "'''a\n' '' } FROM'''^^<http://t>"),
        ("punct", "}"),
    ]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("ex:a.b e: _:b1 12 -3.5e2", ["pname", "pname", "bnode", "number", "number"]),
        ("?x $y a true", ["var", "var", "word", "word"]),
        ("?s ex:p+ ?o", ["var", "pname", "other", "var"]),
    ],
)
def test_token_kinds(text: str, kinds: list[str]) -> None:
    assert [t.kind for t in lex(text).tokens] == kinds


def test_keywords_are_read_in_upper_case_and_offsets_point_into_the_text() -> None:
    text = "  prefix ex: <http://e/> select"
    tokens = lex(text).tokens
    assert [t.upper for t in tokens] == ["PREFIX", "ex:", "<http://e/>", "SELECT"]
    assert all(text[t.offset :].startswith(t.text) for t in tokens)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { <a> ?p ?o }",
        "BASE <http://e/> PREFIX e: <#> SELECT * { e:a ?p ?o }",
        'SELECT * { ?s ?p "1"^^<int> }',
        'SELECT ?i { BIND(iri("x") AS ?i) }',
        'SELECT ?i { BIND(URI("x") AS ?i) }',
        "SELECT * { ?s ?p ?o } \\ <a>",  # not understood: assume it does
    ],
)
def test_a_base_iri_matters_to_relative_iris_and_iri_calls(text: str) -> None:
    assert lex(text).needs_base


def test_a_base_iri_does_not_matter_to_absolute_iris() -> None:
    assert not lex('SELECT * { <http://e/a> ?p <urn:x> , "a^^<b>"@en, "1"^^<http://t> } LIMIT 3').needs_base


def test_every_check_reads_tokens_not_text_inside_strings() -> None:
    quoted = lex('INSERT DATA { <http://e/a> <http://e/p> "LOAD SERVICE <http://x/> {{{{" }')
    check_update(quoted)  # LOAD inside a string is data, not the keyword
    check_nesting(quoted)
    assert service_endpoints(quoted) == []
    with pytest.raises(BadRequest):
        check_update(lex("load <http://e/data.ttl>"))
    with pytest.raises(BadRequest):
        check_nesting(lex("SELECT * {" + "{" * 101 + "}" * 101 + "}"))
    assert query_shape(lex('SELECT * { ?s ?p "FROM" }')) == ("SELECT", False)


def test_a_sparql_request_is_lexed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = service.web.sparql.lex

    def counting(text: str) -> service.web.lexer.Lexed:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(service.web.sparql, "lex", counting)
    settings = Settings(store=":memory:", log_level="warning", sparql_workers=1)
    with TestClient(create_app(settings)) as client:
        query = "SELECT ?p ?o WHERE { <http://e/a> ?p ?o }"
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/json"})
        assert response.status_code == 200
        pooled = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o . ?o ?q ?r }"})
        assert pooled.status_code == 200
    assert calls == [query, "SELECT * { ?s ?p ?o . ?o ?q ?r }"]


@pytest.mark.parametrize("inline_rows", [0, 500])
def test_relative_iris_resolve_against_the_endpoint_and_absolute_ones_do_not_need_it(inline_rows: int) -> None:
    settings = Settings(store=":memory:", log_level="warning", sparql_workers=1, sparql_inline_rows=inline_rows)
    with TestClient(create_app(settings), base_url="http://example.org") as client:
        headers = {"Accept": "text/csv"}
        relative = client.get("/sparql", params={"query": "SELECT ?x { BIND(<thing> AS ?x) }"}, headers=headers)
        assert relative.text.splitlines() == ["x", "http://example.org/thing"]
        called = client.get("/sparql", params={"query": 'SELECT ?x { BIND(IRI("t") AS ?x) }'}, headers=headers)
        assert called.text.splitlines() == ["x", "http://example.org/t"]
        absolute = client.get("/sparql", params={"query": "ASK { <http://e/a> ?p ?o }"}, headers=headers)
        assert absolute.text.strip() == "false"
