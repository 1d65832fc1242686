"""Reading a SPARQL 1.1 Protocol request: GET, POST form-encoded and POST direct.

The operation (``query`` or ``update``), its text and the dataset parameters
are gathered from the URL and the body; the protocol's error cases (two
queries, an update by GET, a body without or with the wrong media type, a
charset other than UTF-8) become 400/405/415 before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.requests import Request

from service.errors import BadRequest, PayloadTooLarge, SupplyGraphError, UnsupportedMediaType
from service.settings import Settings
from service.store import check_iri

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"

SNAPSHOT_HEADER = "X-Supplygraph-Snapshot"
"""Response header naming the snapshot an answer was read from (or a write published)."""
TRUNCATED_HEADER = "X-Supplygraph-Truncated"
"""Response header saying whether the row cap cut a SELECT result short."""


class MethodNotAllowed(SupplyGraphError):
    """405: the protocol forbids this method for this operation."""

    status = 405


@dataclass(slots=True)
class Operation:
    """A parsed protocol request.  ``kind`` is None when neither query nor update was sent."""

    kind: str | None
    text: str = ""
    params: dict[str, list[str]] = field(default_factory=dict)

    def all(self, name: str) -> list[str]:
        return self.params.get(name, [])

    def one(self, name: str) -> str | None:
        """The single value of ``name``; :class:`BadRequest` if it was given with different values.

        The same value repeated is one value: some clients (SPARQLWrapper) send ``format`` twice.
        """
        values = self.all(name)
        if len(set(values)) > 1:
            raise BadRequest(f"parameter {name} was given {len(values)} different values; give one")
        return values[0] if values else None

    def format(self) -> str | None:
        """The ``format`` parameter: the first non-empty value.

        SPARQLWrapper sends it twice, as a name and as media types
        (``format=json-ld&format=application/ld+json``), or once empty.
        """
        return next((value for value in self.all("format") if value.strip()), None)

    def graphs(self, name: str) -> tuple[str, ...]:
        """The IRIs given in the repeated parameter ``name``, validated."""
        return tuple(check_iri(value, name) for value in self.all(name))


async def read_body(request: Request, cap: int) -> bytes:
    """The request body, or :class:`PayloadTooLarge` (413) as soon as it passes ``cap`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise PayloadTooLarge(f"request body of {declared} bytes is above the limit of {cap} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise PayloadTooLarge(f"request body is above the limit of {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(request: Request) -> tuple[str, str | None]:
    """The request's media type (lower case) and charset parameter, if any."""
    header = request.headers.get("content-type", "")
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for part in parts[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _decode(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset {charset} is not supported; send UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the request body is not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc


def _params(pairs: list[tuple[str, str]], into: dict[str, list[str]]) -> dict[str, list[str]]:
    for key, value in pairs:
        into.setdefault(key, []).append(value)
    return into


async def parse(request: Request, settings: Settings) -> Operation:
    """Read the protocol operation of ``request``."""
    try:
        query = request.scope.get("query_string", b"").decode()  # as Starlette's URL reads it, without building one
        params = _params(parse_qsl(query, keep_blank_values=True, errors="strict"), {})
    except UnicodeDecodeError as exc:
        raise BadRequest("the query string is not valid UTF-8") from exc
    if request.method in ("GET", "HEAD"):
        if "update" in params:
            raise MethodNotAllowed("updates must be sent with POST")
        op = Operation("query" if "query" in params else None, params=params)
        op.text = op.one("query") or ""
        return op
    kind, charset = media_type(request)
    body = await read_body(request, settings.max_body_bytes)
    if kind == FORM:
        try:
            _params(parse_qsl(_decode(body, charset), keep_blank_values=True, errors="strict"), params)
        except UnicodeDecodeError as exc:
            raise BadRequest("the form body is not valid UTF-8") from exc
        if "query" in params and "update" in params:
            raise BadRequest("send either query= or update=, not both")
        if "query" in params:
            op = Operation("query", params=params)
            op.text = op.one("query") or ""
        elif "update" in params:
            op = Operation("update", params=params)
            op.text = op.one("update") or ""
        else:
            raise BadRequest("the form has neither query= nor update=")
        return op
    if kind in (QUERY, UPDATE):
        if "query" in params or "update" in params:
            raise BadRequest(f"a {kind} body cannot be combined with query=/update= in the URL")
        return Operation("query" if kind == QUERY else "update", _decode(body, charset), params)
    if not kind:
        raise UnsupportedMediaType(f"POST needs a Content-Type: {FORM}, {QUERY} or {UPDATE}")
    raise UnsupportedMediaType(f"cannot read a {kind} body; send {FORM}, {QUERY} or {UPDATE}")


def timeout_of(op: Operation, settings: Settings) -> float:
    """The deadline for this request: ``timeout=`` seconds capped by the server maximum."""
    raw = op.one("timeout")
    if raw is None or raw == "":
        return settings.query_timeout
    try:
        value = float(raw)
    except ValueError as exc:
        raise BadRequest(f"timeout must be a number of seconds, got {raw!r}") from exc
    if not value > 0:
        raise BadRequest(f"timeout must be positive, got {raw!r}")
    return min(value, settings.max_query_timeout)
