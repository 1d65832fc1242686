"""Binding values into a query sent to an external engine, as a validated VALUES block.

The embedded store substitutes bound variables inside the engine; the SPARQL
1.1 Protocol has no such parameter.  So each binding becomes a term built by
pyoxigraph (which validates IRIs, escapes literals and checks variable names)
and the terms go into one ``VALUES`` block placed first in the query's
outermost group, where it joins every pattern and filter of that group, as a
substitution would.  Nothing of the caller's values is pasted as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from service.errors import QueryError
from service.store.terms import Bindings, substitutions

# Tokens that may hold braces or the word WHERE without meaning them.
_SKIP = re.compile(
    r"""#[^\n]*|'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>""",
    re.DOTALL,
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A prefixed name (``ask:p``, ``:where``): its parts may spell keywords too.
_PNAME = re.compile(r"(?:[A-Za-z][\w.-]*)?:[\w.%-]*")


def _tokens(query: str) -> Iterator[tuple[int, str]]:
    """Keywords (upper case) and single characters with their offsets; strings, IRIs, comments and variables skipped."""
    i = 0
    while i < len(query):
        skipped = _SKIP.match(query, i)
        if skipped:
            i = skipped.end()
            continue
        if query[i] in "?$":
            # A variable: its name may spell a keyword.
            word = _WORD.match(query, i + 1)
            i = word.end() if word else i + 1
            continue
        name = _PNAME.match(query, i)
        if name:
            i = name.end()
            continue
        word = _WORD.match(query, i)
        if word:
            yield i, word.group().upper()
            i = word.end()
            continue
        yield i, query[i]
        i += 1


def _opening_brace(query: str) -> int:
    """Offset of the ``{`` opening the outermost group pattern (after ``WHERE`` in a CONSTRUCT)."""
    construct = seen_where = False
    for at, token in _tokens(query):
        construct = construct or token == "CONSTRUCT"
        seen_where = seen_where or token == "WHERE"
        if token == "{" and (not construct or seen_where):
            return at
    raise QueryError("the query has no group pattern to bind values into")


def bind_values(query: str, bindings: Bindings | None) -> str:
    """``query`` with ``bindings`` as a VALUES block at the start of its outermost group.

    >>> from service.store.terms import IRI
    >>> bind_values("SELECT ?n WHERE { ?org <http://e/name> ?n }", {"org": IRI("http://e/a")})
    'SELECT ?n WHERE { VALUES (?org) { (<http://e/a>) } ?org <http://e/name> ?n }'
    """
    terms = substitutions(bindings)
    if not terms:
        return query
    at = _opening_brace(query) + 1
    names = " ".join(str(variable) for variable in terms)
    values = " ".join(str(term) for term in terms.values())
    return f"{query[:at]} VALUES ({names}) {{ ({values}) }}{query[at:]}"


def query_form(query: str) -> str:
    """The form of a query, upper case: SELECT, ASK, CONSTRUCT or DESCRIBE ("" if none is found).

    >>> query_form("PREFIX ask: <http://e/#ASK> CONSTRUCT WHERE { ?s ask:p ?o }")
    'CONSTRUCT'
    """
    return next((token for _, token in _tokens(query) if token in _FORMS), "")


_FORMS = frozenset(("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"))
