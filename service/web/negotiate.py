"""Content negotiation for SPARQL results: Accept headers, ``format=`` overrides, query forms.

The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) decides which family of
formats applies, so it is read from the query's tokens (:mod:`service.web.lexer`),
skipping the prologue; a query whose form cannot be found this way is
still run, with both families negotiated, and the parser reports the error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from service.errors import NotAcceptable
from service.web.lexer import Lexed

# Media type -> result format name, in the order preferred for */*.
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "text/n3": "n3",
}
RESULT_FORMAT_NAMES = frozenset(RESULT_TYPES.values())
GRAPH_FORMAT_NAMES = frozenset(GRAPH_TYPES.values())
# Short names accepted by ``format=`` besides full media types.
_ALIASES = {
    "ttl": "turtle",
    "nt": "ntriples",
    "nq": "nquads",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "json-ld": "jsonld",
}

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_shape(lexed: Lexed) -> tuple[str | None, bool]:
    """The form of a query (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE`` or None) and whether it has FROM.

    >>> from service.web.lexer import lex
    >>> query_shape(lex("PREFIX ex: <http://e/#> construct { ?s ?p ?o } FROM <http://g> WHERE { ?s ?p ?o }"))
    ('CONSTRUCT', True)
    """
    form: str | None = None
    expect_iri = False
    depth = 0
    for token in lexed.tokens:
        upper = token.upper
        if form is None:
            if upper in ("PREFIX", "BASE"):
                expect_iri = True
            elif expect_iri:
                # A prefix name ("ex:") or the IRI ends the declaration.
                expect_iri = token.kind != "iri"
            elif upper in QUERY_FORMS:
                form = upper
            else:
                return None, False
            continue
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif depth == 0 and upper == "FROM":
            return form, True
    return form, False


@dataclass(frozen=True, slots=True)
class _Range:
    type: str
    q: float
    order: int


@functools.lru_cache(maxsize=256)  # clients send a handful of distinct Accept headers, on every request
def _parse_accept(header: str) -> tuple[_Range, ...]:
    ranges = []
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append(_Range(fields[0].lower(), q, order))
    return tuple(sorted((r for r in ranges if r.q > 0), key=lambda r: (-r.q, r.order)))


def pick(accept: str | None, table: dict[str, str]) -> str | None:
    """The format in ``table`` the Accept header likes best, or None if none is acceptable."""
    if not accept or not accept.strip():
        return next(iter(table.values()))
    for item in _parse_accept(accept):
        if item.type in table:
            return table[item.type]
        if item.type == "*/*":
            return next(iter(table.values()))
        major = item.type.split("/")[0]
        if item.type.endswith("/*"):
            for media, name in table.items():
                if media.startswith(major + "/"):
                    return name
    return None


def prefers_html(accept: str | None) -> bool:
    """Whether the client is a browser asking for a page (text/html ranked above result types)."""
    if not accept:
        return False
    for item in _parse_accept(accept):
        if item.type in ("text/html", "application/xhtml+xml"):
            return True
        if item.type in RESULT_TYPES or item.type in GRAPH_TYPES:
            return False
    return False


def override(value: str) -> str:
    """A ``format=`` value (short name or media type) as a format name."""
    name = value.strip().lower()
    name = _ALIASES.get(name, name)
    if name in RESULT_FORMAT_NAMES or name in GRAPH_FORMAT_NAMES:
        return name
    media = name.split(";")[0].strip()
    if media in RESULT_TYPES:
        return RESULT_TYPES[media]
    if media in GRAPH_TYPES:
        return GRAPH_TYPES[media]
    raise NotAcceptable(
        f"unknown format {value!r}; one of {', '.join(sorted(RESULT_FORMAT_NAMES | GRAPH_FORMAT_NAMES))}"
    )


def negotiate(form: str | None, accept: str | None, fmt: str | None) -> tuple[str, str]:
    """The (result format, graph format) pair to serialize with; :class:`NotAcceptable` if none fits.

    ``fmt`` (the ``format=`` parameter) wins over Accept.  For a query whose
    form is unknown, an unacceptable family falls back to its default, since
    the query will fail to parse anyway.
    """
    result_format = graph_format = None
    if fmt:
        name = override(fmt)
        if name in RESULT_FORMAT_NAMES and name in ("json", "xml", "csv", "tsv"):
            result_format = name
        if name in GRAPH_FORMAT_NAMES:
            graph_format = name
        if name == "json":
            graph_format = "jsonld"
        elif name == "xml":
            graph_format = "rdfxml"
    else:
        result_format = pick(accept, RESULT_TYPES)
        graph_format = pick(accept, GRAPH_TYPES)
    wants_results = form in ("SELECT", "ASK")
    wants_graph = form in ("CONSTRUCT", "DESCRIBE")
    if wants_results and result_format is None:
        raise NotAcceptable(f"{form} results are available as {', '.join(sorted(set(RESULT_TYPES)))}")
    if wants_graph and graph_format is None:
        raise NotAcceptable(f"{form} results are available as {', '.join(sorted(set(GRAPH_TYPES)))}")
    return result_format or "json", graph_format or "turtle"
