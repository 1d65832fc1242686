"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: queries through the pool, updates behind a token.

Dataset: when a request names no dataset (no ``default-graph-uri`` /
``named-graph-uri`` and no FROM in the query), the default graph is the union
of all named graphs, because every loaded dataset lives in its own graph.  A
dataset given by the request (protocol parameters, or else FROM clauses)
replaces that, as the protocol specifies.

A GET without a query answers with the service description (RDF) or, for a
browser, the query page.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Iterator
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.errors import ClientGone, TooManyRequests
from service.settings import Settings
from service.store import IRI, AnyStore, Lit, RemoteStore, Serialized
from service.web import pages as page
from service.web.bounded import is_bounded
from service.web.federation import check_nesting, check_services, check_update
from service.web.lexer import lex
from service.web.negotiate import negotiate, prefers_html, query_shape
from service.web.pool import QueryPool, raise_reply
from service.web.pool_worker import Job, answer
from service.web.protocol import SNAPSHOT_HEADER, TRUNCATED_HEADER, Operation, parse, timeout_of
from service.web.state import state_of
from service.web.writes import require_token, with_using, write

T = TypeVar("T")
log = logging.getLogger("supplygraph.sparql")


def pool_of(request: Request) -> QueryPool:
    """The query pool opened at startup."""
    return state_of(request).sparql_pool


def result_response(result: Serialized, snapshot: str | None, max_rows: int) -> Response:
    """The HTTP response for a serialized result, with the truncation and snapshot headers."""
    media = result.media_type
    if media.startswith("text/") and "charset" not in media:
        media += "; charset=utf-8"
    headers = {"Vary": "Accept"}
    if snapshot:
        headers[SNAPSHOT_HEADER] = snapshot
    if result.kind == "select":
        headers[TRUNCATED_HEADER] = "true" if result.truncated else "false"
        if result.truncated:
            headers["X-Supplygraph-Max-Rows"] = str(max_rows)
    return Response(result.body, media_type=media, headers=headers)


async def run_query(
    request: Request,
    text: str,
    *,
    timeout: float,
    fmt: str | None = None,
    bindings: dict[str, IRI | Lit] | None = None,
    default_graph: tuple[str, ...] | None = None,
    named_graphs: tuple[str, ...] | None = None,
) -> Response:
    """Negotiate a format, run ``text`` in the pool within ``timeout`` and build the response."""
    state = state_of(request)
    settings = state.settings
    lexed = lex(text)  # every check below reads these tokens
    check_nesting(lexed)
    check_services(lexed, settings.service_endpoint_list)
    form, has_from = query_shape(lexed)
    result_format, graph_format = negotiate(form, request.headers.get("accept"), fmt)
    job = Job(
        text,
        result_format,
        graph_format,
        bindings,
        settings.max_rows,
        default_graph,
        named_graphs,
        # The endpoint's URL is the base IRI; working it out is skipped when it cannot matter.
        str(request.url.replace(query="")) if lexed.needs_base else None,
        union_default=not has_from,
    )
    metrics = state.metrics
    if settings.sparql_inline_rows and is_bounded(lexed):
        answered = run_inline(state.store, job, settings.sparql_inline_rows)
        if answered is not None:
            metrics.inc("sparql_inline_total")
            return result_response(*answered, settings.max_rows)
    pool = state.sparql_pool
    client = request.client.host if request.client else ""
    with _per_client(client, settings.max_queries_per_client):
        result, snapshot = await _until_disconnected(request, pool.run(job, timeout))
    if result.truncated:
        metrics.inc("sparql_truncated_total")
    return result_response(result, snapshot, settings.max_rows)


def run_inline(store: AnyStore, job: Job, rows: int) -> tuple[Serialized, str | None] | None:
    """A bounded lookup (:mod:`service.web.bounded`) answered in this process, reading at most ``rows`` rows.

    None when the lookup has more rows than that (the pool then answers it in
    full), or when the store is an external engine, whose answers must never
    be waited for on the event loop.  Errors are those a worker would give.
    """
    if isinstance(store, RemoteStore):
        return None
    cap = min(rows, job.max_rows) if job.max_rows is not None else rows
    result, snapshot = raise_reply(answer(store, dataclasses.replace(job, max_rows=cap)))
    if result.truncated and cap != job.max_rows:
        return None
    return result, snapshot


_running: dict[str, int] = {}


@contextlib.contextmanager
def _per_client(client: str, limit: int) -> Iterator[None]:
    """Count a query against its client; 429 past ``limit``, so no one client can take the whole pool."""
    if _running.get(client, 0) >= limit:
        raise TooManyRequests(f"{limit} queries of this client are running already; retry when one is done")
    _running[client] = _running.get(client, 0) + 1
    try:
        yield
    finally:
        _running[client] -= 1
        if not _running[client]:
            del _running[client]


async def _until_disconnected(request: Request, work: Awaitable[T]) -> T:
    """``work``, cancelled as soon as the client goes away (the pool then kills its worker)."""
    task = asyncio.ensure_future(work)
    while True:
        done, _ = await asyncio.wait({task}, timeout=0.25)
        if done:
            return task.result()
        if await request.is_disconnected():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise ClientGone("the client went away; its query was stopped")


async def sparql(request: Request) -> Response:
    """``/sparql``: SPARQL 1.1 Protocol query and update operations."""
    settings = state_of(request).settings
    op = await parse(request, settings)
    if op.kind is None:
        return await _describe(request)
    if op.kind == "update":
        return await _update(request, op, settings)
    if request.method == "GET" and prefers_html(request.headers.get("accept")) and not op.format():
        return page.query_page(request)
    default_graph = op.graphs("default-graph-uri")
    named_graphs = op.graphs("named-graph-uri")
    dataset = bool(default_graph or named_graphs)
    return await run_query(
        request,
        op.text,
        timeout=timeout_of(op, settings),
        fmt=op.format(),
        default_graph=default_graph if dataset else None,
        named_graphs=named_graphs if dataset else None,
    )


async def _describe(request: Request) -> Response:
    if prefers_html(request.headers.get("accept")):
        return page.query_page(request)
    return await page.service_description(request)


async def _update(request: Request, op: Operation, settings: Settings) -> Response:
    require_token(request, settings)
    lexed = lex(op.text)
    check_nesting(lexed)
    check_services(lexed, settings.service_endpoint_list)
    check_update(lexed)
    text = with_using(op.text, op.graphs("using-graph-uri"), op.graphs("using-named-graph-uri"))
    base = str(request.url.replace(query=""))
    _, snapshot = await write(state_of(request).store, "SPARQL update", lambda w: w.update(text, base))
    log.info("update applied", extra={"snapshot": snapshot})
    return JSONResponse({"ok": True, "snapshot": snapshot})
