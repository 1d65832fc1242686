"""The exception tree of supplygraph and the JSON error body every endpoint returns.

::

    SupplyGraphError              500  base class; never raised directly
    ├── BadRequest                400  malformed request parameters
    │   ├── QueryError            400  a SPARQL query or update that does not parse or run
    │   ├── RdfSyntaxError        400  an RDF file that does not parse (file:line:column)
    │   └── DataError             400  a malformed row in a tabular dataset (file:line, field)
    ├── Unauthorized              401  a write without a bearer token
    ├── Forbidden                 403  a write with the wrong token
    ├── NotFound                  404  an unknown query name, graph or entity
    ├── NotAcceptable             406  no acceptable result format
    ├── PayloadTooLarge           413  a request body above the cap
    ├── UnsupportedMediaType      415  a request body of a type we cannot read
    ├── TooManyRequests           429  the query pool is saturated
    ├── StoreError                503  the store cannot be opened or read
    └── QueryTimeout              504  a query ran past its deadline and was killed

Every error body has the same shape: ``{"ok": false, "error", "errors", "status"}``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SupplyGraphError(Exception):
    """Base class: carries an HTTP status and a message for the user."""

    status: ClassVar[int] = 500

    def __init__(self, message: str, *, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or [message]

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        return error_body(self.message, self.status, self.errors)


class BadRequest(SupplyGraphError):
    """The client sent something it must fix."""

    status = 400


class QueryError(BadRequest):
    """A SPARQL query or update failed to parse or could not be run as asked."""


class RdfSyntaxError(BadRequest):
    """An RDF document failed to parse; the message names file, line and column."""

    @classmethod
    def from_parser(cls, label: str, exc: SyntaxError) -> RdfSyntaxError:
        """Build the error from a pyoxigraph ``SyntaxError`` (whose args carry positions)."""
        text = exc.args[0] if exc.args else str(exc)
        line = getattr(exc, "lineno", None)
        column = getattr(exc, "offset", None)
        where = f"{label}:{line}:{column}" if line else label
        return cls(f"{where}: {text}")


class DataError(BadRequest):
    """A tabular input row is malformed; the message names file, line and field."""

    def __init__(self, source: str, line: int, field: str | None, problem: str, value: str | None = None) -> None:
        where = f"{source}:{line}" + (f" field {field!r}" if field else "")
        shown = f": {value!r}" if value is not None else ""
        super().__init__(f"{where}: {problem}{shown}")
        self.source = source
        self.line = line
        self.field = field
        self.problem = problem
        self.value = value


class Unauthorized(SupplyGraphError):
    status = 401


class Forbidden(SupplyGraphError):
    status = 403


class NotFound(SupplyGraphError):
    status = 404


class NotAcceptable(SupplyGraphError):
    status = 406


class PayloadTooLarge(SupplyGraphError):
    status = 413


class UnsupportedMediaType(SupplyGraphError):
    status = 415


class TooManyRequests(SupplyGraphError):
    status = 429


class StoreError(SupplyGraphError):
    status = 503


class QueryTimeout(SupplyGraphError):
    status = 504


class ClientGone(SupplyGraphError):
    """The client closed the connection before its answer was ready (logged as nginx's 499)."""

    status = 499


class DiskFull(SupplyGraphError):
    """The store's disk has no room for the new snapshot; nothing was written."""

    status = 507


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the disk is full, as the OS or the database words it."""
    import errno

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "no space left on device" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def error_body(message: str, status: int, errors: list[str] | None = None) -> dict[str, Any]:
    """The one JSON error shape: ``{"ok": false, "error", "errors", "status"}``."""
    return {"ok": False, "error": message, "errors": errors or [message], "status": status}
