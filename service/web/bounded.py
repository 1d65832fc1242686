"""Bounded lookups: the SPARQL queries cheap enough to answer in the server process, without a worker.

A query runs in a worker process because pyoxigraph cannot stop a query once
it has started, and only a process can be killed at its deadline.  That costs
two pipe hops and two process wake-ups per query, which is most of the time
of a point lookup (``SELECT ?p ?o WHERE { <x> ?p ?o }``), the commonest
question researchers' tools ask.

A query whose cost is bounded before it starts needs no deadline.  The
bound used here is structural and deliberately narrow: a SELECT or ASK whose
whole WHERE clause is **one triple pattern**, with no FILTER, no property
path, no OPTIONAL, UNION, GRAPH, subquery, DISTINCT, ORDER BY, GROUP BY or
OFFSET, and at most a LIMIT.  Oxigraph answers such a pattern by one prefix
scan of one of its sorted indexes and streams the solutions, so the work is
proportional to the rows read; the server reads at most ``inline_rows`` of
them (see :func:`service.web.inline.run_inline`) and hands the query to the
pool when there are more.  Anything the recogniser does not understand
exactly (a character :mod:`service.web.lexer` does not know, a long literal, a blank
node) simply goes
to the pool: a false "no" costs a pipe hop, a false "yes" could block the
event loop, so every doubt is a "no".
"""

from __future__ import annotations

from service.web.lexer import Lexed, Token

_MAX_LENGTH = 4096  # a lookup is short; a long text is not worth reading twice
_TERMS = frozenset(("iri", "var", "pname"))


def _term(token: Token, position: str) -> bool:
    """Whether ``token`` may stand in ``position`` (subject, predicate, object) of the pattern."""
    kind = token.kind
    if kind in _TERMS:
        return True
    if position == "predicate":
        return token.upper == "A" and kind == "word"
    if position == "object":
        if kind == "literal":
            return not token.text.startswith(('"""', "'''"))  # a long literal is a doubt: the pool reads it
        return kind == "number" or (kind == "word" and token.upper in ("TRUE", "FALSE"))
    return False


def _is(token: Token | None, kind: str, upper: str) -> bool:
    return token is not None and token.kind == kind and token.upper == upper


def is_bounded(lexed: Lexed) -> bool:
    """Whether the text is a single-triple-pattern SELECT or ASK (see the module docstring)."""
    if len(lexed.text) > _MAX_LENGTH or not lexed.understood:
        return False
    tokens = lexed.tokens
    end = len(tokens)

    def at(i: int) -> Token | None:
        return tokens[i] if i < end else None

    i = 0
    # Prologue: PREFIX p: <iri> and BASE <iri>, any number.
    while _is(at(i), "word", "PREFIX") or _is(at(i), "word", "BASE"):
        if tokens[i].upper == "PREFIX":
            name = at(i + 1)
            if name is None or name.kind != "pname" or not name.text.endswith(":"):
                return False
            i += 1
        i += 1
        iri = at(i)
        if iri is None or iri.kind != "iri":
            return False
        i += 1
    if _is(at(i), "word", "SELECT"):
        i += 1
        if _is(at(i), "punct", "*"):
            i += 1
        else:
            start = i
            while i < end and tokens[i].kind == "var":
                i += 1
            if i == start:
                return False
    elif _is(at(i), "word", "ASK"):
        i += 1
    else:
        return False
    if _is(at(i), "word", "WHERE"):
        i += 1
    body = tokens[i : i + 4]
    if len(body) < 4 or not _is(body[0], "punct", "{"):
        return False
    if not (_term(body[1], "subject") and _term(body[2], "predicate") and _term(body[3], "object")):
        return False
    i += 4
    if _is(at(i), "punct", "."):
        i += 1
    if not _is(at(i), "punct", "}"):
        return False
    tail = tokens[i + 1 :]
    return not tail or (len(tail) == 2 and _is(tail[0], "word", "LIMIT") and tail[1].text.isdigit())
