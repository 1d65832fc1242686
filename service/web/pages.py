"""What ``GET /sparql`` without a query returns: a service description or the query page.

Machines get a SPARQL 1.1 Service Description in any RDF format the store can
write (Turtle by default); browsers get a self-contained HTML page (no CDN)
with an editor, the vocabulary prefixes pre-filled and results as a table.
"""

from __future__ import annotations

import functools
import html
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ontology.vocab import PREFIXES
from service.errors import NotAcceptable
from service.store import MemoryStore, media_type
from service.web.negotiate import GRAPH_TYPES, pick
from service.web.state import state_of

_SD = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{endpoint}#service> a sd:Service ;
    dcterms:title "supplygraph SPARQL endpoint" ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query{update} ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML, formats:SPARQL_Results_CSV,
        formats:SPARQL_Results_TSV, formats:Turtle, formats:N-Triples, formats:N-Quads, formats:RDF_XML,
        formats:JSON-LD ;
    sd:defaultDataset [
        a sd:Dataset ;
        dcterms:description "The default graph is the union of all named graphs unless the request names a dataset." ;
        sd:defaultGraph [ a sd:Graph ]
    ] .
"""


@functools.lru_cache(maxsize=32)
def _description(endpoint: str, fmt: str, writable: bool) -> bytes:
    store = MemoryStore()
    text = _SD.format(endpoint=endpoint, update=", sd:SPARQL11Update" if writable else "")
    with store.write("service description") as writer:
        writer.load(text.encode(), "turtle")
    return store.graph().serialize("CONSTRUCT WHERE { ?s ?p ?o }", graph_format=fmt).body


def endpoint_url(request: Request) -> str:
    """The absolute URL of the endpoint (without query string or trailing slash)."""
    return str(request.url.replace(query="", fragment="")).rstrip("/")


async def service_description(request: Request) -> Response:
    """The service description in the negotiated RDF format."""
    settings = state_of(request).settings
    fmt = pick(request.headers.get("accept"), GRAPH_TYPES)
    if fmt is None:
        raise NotAcceptable("the service description is available as " + ", ".join(sorted(GRAPH_TYPES)))
    body = _description(endpoint_url(request), fmt, bool(settings.write_token))
    media = media_type(fmt)
    if media.startswith("text/"):
        media += "; charset=utf-8"
    return Response(body, media_type=media, headers={"Vary": "Accept"})


@functools.lru_cache(maxsize=1)
def _template() -> str:
    return (resources.files("service") / "static" / "sparql.html").read_text(encoding="utf-8")


def default_query() -> str:
    """The query the page starts with: every vocabulary prefix and a small exploration query."""
    prologue = "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items())
    return (
        prologue
        + "\n\nSELECT ?class (COUNT(?s) AS ?n)\nWHERE { ?s a ?class }\nGROUP BY ?class\nORDER BY DESC(?n)\nLIMIT 25\n"
    )


def query_page(request: Request) -> Response:
    """The HTML query page; ``?query=`` pre-fills (and runs) a query."""
    settings = state_of(request).settings
    text = request.query_params.get("query") or default_query()
    page = (
        _template()
        .replace("__ENDPOINT__", html.escape(endpoint_url(request)))
        .replace("__TIMEOUT__", f"{settings.query_timeout:g}")
        .replace("__QUERY__", html.escape(text))
    )
    return HTMLResponse(page, headers={"Vary": "Accept"})
