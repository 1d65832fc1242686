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
exactly (a comment in an odd place, a long literal, a blank node) simply goes
to the pool: a false "no" costs a pipe hop, a false "yes" could block the
event loop, so every doubt is a "no".
"""

from __future__ import annotations

import re

_PN_CHARS = r"A-Za-z0-9_\-\u00B7\u00C0-\uFFFF"
_PN_PREFIX = rf"(?:[A-Za-z\u00C0-\uFFFF](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?"
_PN_LOCAL = rf"(?:[{_PN_CHARS}:](?:[{_PN_CHARS}.:]*[{_PN_CHARS}:])?)?"
_IRIREF = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_STRING = r"\"(?:[^\"\\\n\r]|\\[tbnrf\\\"'])*\"|'(?:[^'\\\n\r]|\\[tbnrf\\\"'])*'"
_PNAME = rf"{_PN_PREFIX}:{_PN_LOCAL}"

# One token per match, tried in this order; whitespace and comments are dropped.
_TOKEN = re.compile(
    rf"""
      (?P<space>\s+|\#[^\n\r]*)
    | (?P<iri>{_IRIREF})
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    | (?P<literal>(?:{_STRING})(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:{_IRIREF}|{_PNAME}))?)
    | (?P<number>[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
    | (?P<pname>{_PNAME})
    | (?P<word>[A-Za-z]+)
    | (?P<punct>[{{}}.*])
    """,
    re.VERBOSE,
)
_MAX_LENGTH = 4096  # a lookup is short; a long text is not worth tokenising twice


def _tokens(text: str) -> list[tuple[str, str]] | None:
    """``(kind, text)`` pairs, or None when some part of ``text`` is not in the recognised subset."""
    out: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        kind = match.lastgroup or ""
        if kind != "space":
            value = match.group()
            out.append(("keyword", value.upper()) if kind == "word" else (kind, value))
        position = match.end()
    return out


def _term(token: tuple[str, str], position: str) -> bool:
    """Whether ``token`` may stand in ``position`` (subject, predicate, object) of the pattern."""
    kind = token[0]
    if kind in ("iri", "var", "pname"):
        return True
    if position == "predicate":
        return token == ("keyword", "A")
    if position == "object":
        return kind in ("literal", "number") or token in (("keyword", "TRUE"), ("keyword", "FALSE"))
    return False


def is_bounded(text: str) -> bool:
    """Whether ``text`` is a single-triple-pattern SELECT or ASK (see the module docstring)."""
    if len(text) > _MAX_LENGTH:
        return False
    tokens = _tokens(text)
    if tokens is None:
        return False
    i = 0
    # Prologue: PREFIX p: <iri> and BASE <iri>, any number.
    while i < len(tokens) and tokens[i][0] == "keyword" and tokens[i][1] in ("PREFIX", "BASE"):
        if tokens[i][1] == "PREFIX":
            if tokens[i + 1 : i + 2] and tokens[i + 1][0] == "pname" and tokens[i + 1][1].endswith(":"):
                i += 2
            else:
                return False
        else:
            i += 1
        if tokens[i : i + 1] and tokens[i][0] == "iri":
            i += 1
        else:
            return False
    rest = tokens[i:]
    if not rest or rest[0][0] != "keyword":
        return False
    form = rest[0][1]
    j = 1
    if form == "SELECT":
        if rest[j : j + 1] == [("punct", "*")]:
            j += 1
        else:
            start = j
            while j < len(rest) and rest[j][0] == "var":
                j += 1
            if j == start:
                return False
    elif form != "ASK":
        return False
    if rest[j : j + 1] == [("keyword", "WHERE")]:
        j += 1
    body = rest[j : j + 5]
    if len(body) < 5 or body[0] != ("punct", "{"):
        return False
    if not (_term(body[1], "subject") and _term(body[2], "predicate") and _term(body[3], "object")):
        return False
    j += 4
    if rest[j : j + 1] == [("punct", ".")]:
        j += 1
    if rest[j : j + 1] != [("punct", "}")]:
        return False
    j += 1
    tail = rest[j:]
    return not tail or (len(tail) == 2 and tail[0] == ("keyword", "LIMIT") and tail[1][1].isdigit())
