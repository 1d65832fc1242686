"""SERVICE calls in researchers' SPARQL, and LOAD in updates: the server fetches no URL a client names.

A query with ``SERVICE <url>`` makes the query worker send an HTTP request
to that URL: without a check, anyone could make the server probe its own
network.  So SERVICE is off by default; ``SUPPLYGRAPH_SERVICE_ENDPOINTS``
lists the endpoint prefixes that may be called (``SERVICE ?var`` is never
allowed: the endpoint must be known before the query runs).

Keywords are found in the text's tokens (:mod:`service.web.lexer`), where
SPARQL would see them: not inside strings, IRIs or comments.
"""

from __future__ import annotations

from service.errors import BadRequest
from service.web.lexer import Lexed


def check_update(lexed: Lexed) -> None:
    """Refuse ``LOAD`` in a SPARQL Update sent over HTTP (400): it makes the server fetch a URL or read a file.

    Data engineers load files with ``supplygraph load``.
    """
    if any(token.kind == "word" and token.upper == "LOAD" for token in lexed.tokens):
        raise BadRequest("LOAD is not allowed over HTTP (it would make the server fetch a URL); use `supplygraph load`")


MAX_NESTING = 100
"""The deepest nesting of braces and brackets accepted in SPARQL sent over HTTP."""


def check_nesting(lexed: Lexed) -> None:
    """Refuse SPARQL nested deeper than :data:`MAX_NESTING` (400).

    An update is parsed in the server process, and a parser can run out of
    stack on thousands of nested groups; counting is cheap and cannot crash.
    """
    depth = deepest = 0
    for token in lexed.tokens:
        if token.kind != "punct":
            continue
        if token.text in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in "})]":
            depth -= 1
    if deepest > MAX_NESTING:
        raise BadRequest(f"the SPARQL text nests {deepest} levels deep; at most {MAX_NESTING} are accepted")


def service_endpoints(lexed: Lexed) -> list[str | None]:
    """The endpoints of every SERVICE in a SPARQL text (None for ``SERVICE ?variable`` or anything but an IRI)."""
    tokens = lexed.tokens
    found: list[str | None] = []
    for n, token in enumerate(tokens):
        if token.kind == "word" and token.upper == "SERVICE":
            rest = tokens[n + 1 : n + 3]
            if rest and rest[0].upper == "SILENT":
                rest = rest[1:]
            found.append(rest[0].text[1:-1] if rest and rest[0].kind == "iri" else None)
    return found


def check_services(lexed: Lexed, allowed: tuple[str, ...]) -> None:
    """Refuse a SPARQL text calling an endpoint not under one of the ``allowed`` prefixes (400)."""
    for endpoint in service_endpoints(lexed):
        if endpoint is None:
            raise BadRequest("SERVICE with a variable endpoint is not allowed")
        if not any(endpoint.startswith(prefix) for prefix in allowed):
            if not allowed:
                raise BadRequest(
                    "SERVICE (federated queries) is turned off on this server; "
                    "set SUPPLYGRAPH_SERVICE_ENDPOINTS to the endpoint prefixes to allow"
                )
            raise BadRequest("SERVICE endpoint not allowed; see SUPPLYGRAPH_SERVICE_ENDPOINTS for the prefixes allowed")
