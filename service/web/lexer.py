"""One SPARQL lexer for every check the web door makes on a query or update text.

A ``/sparql`` request asks several questions of its text before anything
runs: which form it is and whether it has FROM (content negotiation), how
deep it nests, which SERVICE endpoints it calls, whether an update LOADs,
where an update's WHERE clauses start, and whether it is a bounded lookup.
Each question needs the text split where SPARQL would split it (never inside
a string, an IRI or a comment), so the text is split once, here, and every
check reads the same :class:`Lexed`.

The lexer is deliberately lenient: any character it does not recognise
becomes an ``other`` token of its own, so every text lexes, and checks that
must be exact (:mod:`service.web.bounded`) treat ``other`` as "not
understood".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

_PN_CHARS = r"A-Za-z0-9_\-\u00B7\u00C0-\uFFFF"
_PN_PREFIX = rf"(?:[A-Za-z\u00C0-\uFFFF](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?"
_PN_LOCAL = rf"(?:[{_PN_CHARS}:](?:[{_PN_CHARS}.:]*[{_PN_CHARS}:])?)?"
_IRIREF = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_PNAME = rf"{_PN_PREFIX}:{_PN_LOCAL}"
_STRING = (
    r"'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
)

# One token per match, tried in this order.  A string keeps its language tag or datatype.
_TOKEN = re.compile(
    rf"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<literal>(?:{_STRING})(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:{_IRIREF}|{_PNAME}))?)
    | (?P<iri>{_IRIREF})
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    | (?P<bnode>_:[{_PN_CHARS}.]*)
    | (?P<number>[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
    | (?P<pname>{_PNAME})
    | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
    | (?P<punct>[{{}}()\[\].,;*])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ABSOLUTE = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]*:")


class Token(NamedTuple):
    """One token: its kind (``iri``, ``var``, ``literal``, ``number``, ``pname``, ``word``, ...), text and offset.

    ``upper`` is the text in upper case for a ``word`` (SPARQL keywords are
    case-insensitive), else the text itself.
    """

    kind: str
    text: str
    offset: int
    upper: str


@dataclass(frozen=True, slots=True)
class Lexed:
    """A SPARQL text and its tokens, without whitespace and comments."""

    text: str
    tokens: tuple[Token, ...]

    @property
    def understood(self) -> bool:
        """Whether every character belongs to a recognised token (no ``other``)."""
        return all(t.kind != "other" for t in self.tokens)

    @property
    def needs_base(self) -> bool:
        """Whether a base IRI can change what the text means.

        It can through a relative IRI (a datatype's included) and through
        ``IRI()`` / ``URI()``, which resolve their string against it; in a
        text not fully understood, it may.  Otherwise a query means the same
        whatever the base, which then need not be worked out.
        """
        for token in self.tokens:
            kind = token.kind
            if kind == "iri":
                if not _ABSOLUTE.match(token.text):
                    return True
            elif kind == "literal" and token.text.endswith(">"):  # a datatype IRI (an IRI holds no "^")
                if not _ABSOLUTE.match(token.text, token.text.rfind("^^<") + 2):
                    return True
            elif (kind == "word" and token.upper in ("IRI", "URI")) or kind == "other":
                return True
        return False


def lex(text: str) -> Lexed:
    """Split ``text`` into tokens, dropping whitespace and comments.

    >>> [(t.kind, t.upper) for t in lex("select ?s { ?s a <http://e/C> } # done").tokens]
    [('word', 'SELECT'), ('var', '?s'), ('punct', '{'), ('var', '?s'), ('word', 'A'), ('iri', '<http://e/C>'), \
('punct', '}')]
    """
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "space" or kind == "comment":
            continue
        value = match.group()
        tokens.append(Token(kind, value, match.start(), value.upper() if kind == "word" else value))
    return Lexed(text, tuple(tokens))
