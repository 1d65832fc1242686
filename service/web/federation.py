"""SERVICE calls in researchers' SPARQL, and LOAD in updates: the server fetches no URL a client names.

A query with ``SERVICE <url>`` makes the query worker send an HTTP request
to that URL: without a check, anyone could make the server probe its own
network.  So SERVICE is off by default; ``SUPPLYGRAPH_SERVICE_ENDPOINTS``
lists the endpoint prefixes that may be called (``SERVICE ?var`` is never
allowed: the endpoint must be known before the query runs).

The query text is tokenized just enough to find the keyword where SPARQL
would see it: not inside strings, IRIs or comments.
"""

from __future__ import annotations

import re

from service.errors import BadRequest

# Comments, strings (long forms first), IRIs, then words; everything else is skipped.
_TOKENS = re.compile(
    r"""(?P<comment>\#[^\n]*)
      |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      |(?P<iri><[^<>"{}|^`\\\s]*>)
      |(?P<word>[A-Za-z_?$][\w\-]*)""",
    re.VERBOSE | re.DOTALL,
)


def _words(text: str) -> list[str]:
    return [m.group().upper() for m in _TOKENS.finditer(text) if m.lastgroup == "word"]


def check_update(text: str) -> None:
    """Refuse ``LOAD`` in a SPARQL Update sent over HTTP (400): it makes the server fetch a URL or read a file.

    Data engineers load files with ``supplygraph load``.
    """
    if "LOAD" in _words(text):
        raise BadRequest("LOAD is not allowed over HTTP (it would make the server fetch a URL); use `supplygraph load`")


MAX_NESTING = 100
"""The deepest nesting of braces and brackets accepted in SPARQL sent over HTTP."""


def check_nesting(text: str) -> None:
    """Refuse SPARQL nested deeper than :data:`MAX_NESTING` (400).

    An update is parsed in the server process, and a parser can run out of
    stack on thousands of nested groups; counting is cheap and cannot crash.
    """
    depth = deepest = 0
    stripped = _TOKENS.sub(lambda m: " " if m.lastgroup in ("comment", "string", "iri") else m.group(), text)
    for char in stripped:
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth -= 1
    if deepest > MAX_NESTING:
        raise BadRequest(f"the SPARQL text nests {deepest} levels deep; at most {MAX_NESTING} are accepted")


def service_endpoints(text: str) -> list[str | None]:
    """The endpoints of every SERVICE in a SPARQL text (None for ``SERVICE ?variable``)."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKENS.finditer(text) if m.lastgroup in ("iri", "word")]
    found: list[str | None] = []
    for n, (kind, value) in enumerate(tokens):
        if kind == "word" and value.upper() == "SERVICE":
            rest = tokens[n + 1 : n + 3]
            if rest and rest[0][0] == "word" and rest[0][1].upper() == "SILENT":
                rest = rest[1:]
            found.append(rest[0][1][1:-1] if rest and rest[0][0] == "iri" else None)
    return found


def check_services(text: str, allowed: tuple[str, ...]) -> None:
    """Refuse a SPARQL text calling an endpoint not under one of the ``allowed`` prefixes (400)."""
    for endpoint in service_endpoints(text):
        if endpoint is None:
            raise BadRequest("SERVICE with a variable endpoint is not allowed")
        if not any(endpoint.startswith(prefix) for prefix in allowed):
            if not allowed:
                raise BadRequest(
                    "SERVICE (federated queries) is turned off on this server; "
                    "set SUPPLYGRAPH_SERVICE_ENDPOINTS to the endpoint prefixes to allow"
                )
            raise BadRequest("SERVICE endpoint not allowed; see SUPPLYGRAPH_SERVICE_ENDPOINTS for the prefixes allowed")
