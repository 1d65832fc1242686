"""Writes behind a bearer token: the token check, the write lock and SPARQL Update datasets.

The service is read-only unless ``settings.write_token`` is set.  Every
accepted write runs in a thread under one asyncio lock and produces a new
snapshot through ``store.write(note)``, so readers never see half a write.

pyoxigraph's ``update`` takes no dataset, so the protocol's
``using-graph-uri`` / ``using-named-graph-uri`` parameters are applied by
adding ``USING`` / ``USING NAMED`` clauses in front of the ``WHERE`` of each
DELETE/INSERT operation.  The IRIs are validated first, and an operation
that already has ``USING`` or ``WITH`` is a 400, as the protocol requires.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable, Sequence
from typing import TypeVar

from starlette.requests import Request

from service.errors import BadRequest, Forbidden, Unauthorized
from service.settings import Settings
from service.store import AnyStore, Writer, check_iri
from service.web.lexer import lex

T = TypeVar("T")
_LOCKS: dict[int, asyncio.Lock] = {}


def require_token(request: Request, settings: Settings) -> None:
    """Allow the write only with ``Authorization: Bearer <write_token>``: 401 without, 403 when wrong."""
    if not settings.write_token:
        raise Forbidden("this endpoint is read-only: no write token is configured (SUPPLYGRAPH_WRITE_TOKEN)")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("writes need Authorization: Bearer <token>")
    if not hmac.compare_digest(token.strip().encode(), settings.write_token.encode()):
        raise Forbidden("the bearer token is not valid for writes")


async def write(store: AnyStore, note: str, change: Callable[[Writer], T]) -> tuple[T, str | None]:
    """Apply ``change`` in a new snapshot, one write at a time; return its result and the new snapshot id."""
    lock = _LOCKS.setdefault(id(store), asyncio.Lock())
    async with lock:

        def apply() -> tuple[T, str | None]:
            with store.write(note) as writer:
                result = change(writer)
            return result, store.current_id()

        return await asyncio.to_thread(apply)


def with_using(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """``update`` with USING / USING NAMED clauses added to every operation that has a WHERE.

    >>> with_using("INSERT { ?s a <http://e/T> } WHERE { ?s ?p ?o }", ["http://e/g"], [])
    'INSERT { ?s a <http://e/T> } USING <http://e/g> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return update
    clause = " ".join([f"USING <{check_iri(g, 'using-graph-uri')}>" for g in using])
    named = " ".join([f"USING NAMED <{check_iri(g, 'using-named-graph-uri')}>" for g in using_named])
    clause = (clause + " " + named).strip() + " "
    inserts: list[int] = []
    depth = 0
    previous = ""
    for token in lex(update).tokens:
        upper = token.upper
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif depth == 0 and upper in ("USING", "WITH"):
            raise BadRequest(f"the update has {upper} and the request has using-graph-uri/using-named-graph-uri")
        elif depth == 0 and upper == "WHERE" and previous != "DELETE":
            inserts.append(token.offset)
        if depth == 0:
            previous = upper
    for offset in reversed(inserts):
        update = update[:offset] + clause + update[offset:]
    return update
