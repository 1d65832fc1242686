"""``/queries``: the public catalogue of named queries, and ``/queries/{name}`` to run one.

Parameters come from the query string, are validated against the types
declared in the ``.rq`` header and bound as substitutions (never pasted into
the text).  ``format=`` and ``timeout=`` work as on ``/sparql``; results are
negotiated the same way and run through the same pool with its deadline.
Browsers get the catalogue and each query's form as pages
(:mod:`service.web.query_forms`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from service.errors import BadRequest
from service.identifiers import param_resolver
from service.index import index_for
from service.query_catalogue import NamedQuery, Resolver, get
from service.web.negotiate import prefers_html
from service.web.protocol import Operation, timeout_of
from service.web.query_forms import FORM_FLAG, catalogue_page, form_page
from service.web.sparql import run_query
from service.web.state import state_of

RESERVED = ("format", "timeout", FORM_FLAG)


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
        return JSONResponse({"ok": True, "queries": queries}, headers={"Vary": "Accept"})
    return HTMLResponse(catalogue_page(queries), headers={"Vary": "Accept"})


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
    params = request.query_params
    if prefers_html(request.headers.get("accept")) and (not params or FORM_FLAG in params):
        values = {k: v for k, v in params.items() if k not in RESERVED}
        return HTMLResponse(form_page(query, values), headers={"Vary": "Accept"})
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
