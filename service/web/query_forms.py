"""The browser side of ``/queries``: the catalogue page and a form for each named query.

A browser asking for ``/queries/NAME`` without parameters (or with the
``form`` flag) gets a form with one typed input per declared parameter:
numbers, dates, a stage list, and text inputs that take the codes the
query's entity types accept.  The page's script (``static/named-query.js``)
runs the query through the same URL with ``format=json`` and shows a table,
with CSV and JSON download links; API clients keep getting results.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from ontology.vocab import STAGES
from service.query_catalogue import NamedQuery, Param

FORM_FLAG = "form"
"""The query-string flag that asks for the form (pre-filled with the other parameters) instead of results."""

# What each entity type accepts, beside an IRI (service.identifiers resolves them).
_ACCEPTS = {
    "country": "an ISO code (CN, CHN, 156), a name or an IRI",
    "material": "a short id (rare-earths, gallium) or an IRI",
    "item": "a short id (electric-vehicle, ndfeb-magnet) or an IRI",
    "product": "a short id (electric-vehicle) or an IRI",
    "firm": "a short id (lynas) or an IRI",
    "facility": "a short id (mountain-pass) or an IRI",
    "control": "a short id (cn-2023-23-gallium-germanium) or an IRI",
    "IRI": "an absolute IRI",
}
_INPUT_TYPES = {"integer": 'type="number" step="1"', "decimal": 'type="number" step="any"', "date": 'type="date"'}


def shell(title: str, body: str, scripts: Iterable[str] = ()) -> str:
    """A page with the explorer's header and style; ``scripts`` are module paths under ``/static/``."""
    tags = "".join(f'<script type="module" src="/static/{html.escape(s)}"></script>' for s in scripts)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · supplygraph</title>"
        '<link rel="icon" href="/static/favicon.svg"><link rel="stylesheet" href="/static/explorer/explorer.css">'
        '</head><body><header><a class="brand" href="/">supplygraph</a><nav class="site" aria-label="Site">'
        '<a href="/">Explorer</a><a href="/graphql">GraphiQL</a>'
        '<a href="/queries" aria-current="page">Named queries</a><a href="/sparql">SPARQL</a></nav></header>'
        f'<main id="main">{body}</main>{tags}</body></html>'
    )


def catalogue_page(queries: list[dict[str, Any]]) -> str:
    """The list of named queries, each linking to its form."""
    rows = []
    for q in queries:
        params = ", ".join(
            f"<code>{html.escape(p['name'])}</code> {html.escape(p['type'])}" + ("" if p["required"] else " (optional)")
            for p in q["params"]
        )
        rows.append(
            f'<tr><td><a href="/queries/{html.escape(q["name"])}">{html.escape(q["title"])}</a>'
            f"<br><code>{html.escape(q['name'])}</code></td><td>{html.escape(q['description'])}</td><td>{params}</td></tr>"
        )
    body = (
        "<h1>Named queries</h1><p>Open a query for its form. Programs call "
        "<code>/queries/NAME?param=value</code> and add <code>format=</code> (json, xml, csv, tsv) "
        "or send an Accept header.</p><div class=card><table class=catalogue><thead><tr><th scope=col>Query</th>"
        "<th scope=col>What it returns</th><th scope=col>Parameters</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )
    return shell("Named queries", body)


def _input(param: Param, value: str | None) -> str:
    name = html.escape(param.name)
    current = value if value is not None else (param.default or "")
    common = f'id="p-{name}" name="{name}" aria-describedby="h-{name}"' + (" required" if param.required else "")
    if param.type == "stage":
        chosen = current.lower().replace("-", "").replace("_", "")
        options = "".join(
            f"<option{' selected' if s.rsplit('#', 1)[1].lower() == chosen else ''}>{s.rsplit('#', 1)[1]}</option>"
            for s in STAGES
        )
        return f"<select {common}>{'' if param.required else '<option></option>'}{options}</select>"
    if param.type == "boolean":
        options = "".join(f"<option{' selected' if current == v else ''}>{v}</option>" for v in ("true", "false"))
        return f"<select {common}>{options}</select>"
    kind = _INPUT_TYPES.get(param.type, 'type="text" autocomplete="off"')
    placeholder = f' placeholder="{html.escape(_ACCEPTS[param.type])}"' if param.type in _ACCEPTS else ""
    return f'<input {kind} {common} value="{html.escape(current)}"{placeholder}>'


def form_page(query: NamedQuery, values: Mapping[str, str]) -> str:
    """The form of ``query``, pre-filled from ``values``; its script shows the results when it has them."""
    fields = []
    for p in query.params:
        accepts = _ACCEPTS.get(p.type)
        note = f" Accepts {accepts}." if accepts and "IRI" not in p.help else ""
        default = f" Default: <code>{html.escape(p.default)}</code>." if p.default is not None else ""
        fields.append(
            f'<div class="field"><label for="p-{html.escape(p.name)}"><span>{html.escape(p.name)}</span> '
            f'<small class="muted">({html.escape(p.type)}{"" if p.required else ", optional"})</small></label>'
            f"{_input(p, values.get(p.name))}"
            f'<small id="h-{html.escape(p.name)}" class="muted">{html.escape(p.help)}{note}{default}</small></div>'
        )
    name = html.escape(query.name)
    body = (
        f'<p class="type">Named query <code>{name}</code></p><h1>{html.escape(query.title)}</h1>'
        f"<p>{html.escape(query.description)}</p>"
        f'<form class="question card" id="query-form" method="get" action="/queries/{name}">'
        f'<input type="hidden" name="{FORM_FLAG}" value="">{"".join(fields)}'
        '<button type="submit">Run</button></form>'
        '<section id="query-results" aria-live="polite"></section>'
        '<p><a href="/queries">All named queries</a></p>'
    )
    return shell(query.title, body, ["named-query.js"])
