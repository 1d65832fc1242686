"""``/queries``: the public catalogue of named queries, and ``/queries/{name}`` to run one.

Parameters come from the query string, are validated against the types
declared in the ``.rq`` header and bound as substitutions (never pasted into
the text).  ``format=`` and ``timeout=`` work as on ``/sparql``; results are
negotiated the same way and run through the same pool with its deadline.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from service.errors import BadRequest
from service.identifiers import param_resolver
from service.index import index_for
from service.query_catalogue import NamedQuery, Resolver, get
from service.web.negotiate import prefers_html
from service.web.protocol import Operation, timeout_of
from service.web.sparql import run_query
from service.web.state import state_of

RESERVED = ("format", "timeout")


def _catalog(request: Request) -> dict[str, NamedQuery]:
    return state_of(request).catalogue


def describe(query: NamedQuery, base: str) -> dict[str, Any]:
    """The JSON description of one query."""
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "url": f"{base}/queries/{query.name}",
        "params": [
            {"name": p.name, "type": p.type, "required": p.required, "default": p.default, "help": p.help}
            for p in query.params
        ],
    }


async def index(request: Request) -> Response:
    """The catalogue as JSON, or as an HTML page for browsers."""
    base = str(request.base_url).rstrip("/")
    queries = [describe(q, base) for q in sorted(_catalog(request).values(), key=lambda q: q.name)]
    if not prefers_html(request.headers.get("accept")):
        return JSONResponse({"ok": True, "queries": queries})
    rows = []
    for q in queries:
        params = ", ".join(
            f"<code>{html.escape(p['name'])}</code> {p['type']}" + ("" if p["required"] else " (optional)")
            for p in q["params"]
        )
        rows.append(
            f'<tr><td><a href="{html.escape(q["url"])}?format=json">{html.escape(q["name"])}</a></td>'
            f"<td><b>{html.escape(q['title'])}</b><br>{html.escape(q['description'])}</td><td>{params}</td></tr>"
        )
    page = (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>supplygraph named queries</title>"
        "<style>body{font:15px/1.4 system-ui,sans-serif;max-width:70rem;margin:1.5rem auto;padding:0 1rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top}</style>"
        "</head><body><h1>Named queries</h1><p>Run one with <code>/queries/NAME?param=value</code>; "
        "add <code>format=</code> (json, xml, csv, tsv) or send an Accept header.</p>"
        "<table><tr><th>Name</th><th>What it returns</th><th>Parameters</th></tr>" + "".join(rows) + "</table>"
        "</body></html>"
    )
    return HTMLResponse(page)


async def _resolver(request: Request) -> Resolver:
    """Resolves entity parameters (codes, short ids) on the current snapshot's index."""
    store = state_of(request).store
    graph = store.open_current()
    index = await asyncio.to_thread(index_for, store, graph)
    return param_resolver(index, graph)


async def run(request: Request) -> Response:
    """Run the named query with the validated parameters from the query string."""
    settings = state_of(request).settings
    query = get(_catalog(request), request.path_params["name"])
    raw: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in RESERVED:
            continue
        if key in raw:
            raise BadRequest(f"parameter {key} was given more than once")
        raw[key] = value
    options = Operation("query", params={k: request.query_params.getlist(k) for k in RESERVED})
    return await run_query(
        request,
        query.text,
        timeout=timeout_of(options, settings),
        fmt=options.format(),
        bindings=query.bindings(raw, await _resolver(request)),
    )
