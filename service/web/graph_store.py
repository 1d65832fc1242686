"""SPARQL 1.1 Graph Store HTTP Protocol at ``/store``.

Graphs are named indirectly (``/store?graph=<IRI>`` or ``/store?default``) or
directly (``/store/<path>`` names the graph whose IRI is that URL).  GET and
HEAD are reads: they run through the query pool with its deadline and need no
token.  PUT, POST and DELETE need the write token and each produces a new
snapshot.  POST to ``/store`` itself creates a new graph and answers 201 with
its IRI in ``Location``.  ``multipart/form-data`` POSTs add every part.

A named graph exists while it holds triples; an empty one answers 404.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
import uuid

from starlette.requests import Request
from starlette.responses import Response

from ontology.vocab import GRAPH
from service.errors import BadRequest, NotFound, UnsupportedMediaType
from service.store import IRI, Writer, check_iri
from service.web.negotiate import GRAPH_TYPES
from service.web.pool_worker import Job
from service.web.protocol import SNAPSHOT_HEADER, media_type, read_body
from service.web.sparql import pool_of, run_query
from service.web.state import state_of
from service.web.writes import require_token, write

DEFAULT = ""  # the default graph
UPLOADS = GRAPH + "upload/"
_EXISTS = "ASK { GRAPH ?g { ?s ?p ?o } }"


def _target(request: Request) -> str | None:
    """The graph a request addresses: an IRI, DEFAULT, or None for the store itself (POST creates)."""
    if "path" in request.path_params:
        return str(request.url.replace(query="", fragment=""))
    params = request.query_params
    if "graph" in params and "default" in params:
        raise BadRequest("give either ?graph=<IRI> or ?default, not both")
    if "graph" in params:
        return check_iri(params["graph"], "graph")
    if "default" in params:
        return DEFAULT
    return None


async def _exists(request: Request, graph: str) -> bool:
    if graph == DEFAULT:
        return True
    settings = state_of(request).settings
    job = Job(_EXISTS, bindings={"g": IRI(graph)})
    result, _ = await pool_of(request).run(job, settings.query_timeout)
    return b"true" in result.body


async def _read(request: Request, graph: str) -> Response:
    if not await _exists(request, graph):
        raise NotFound(f"no graph {graph}")
    settings = state_of(request).settings
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    response = await run_query(request, query, timeout=settings.query_timeout, default_graph=(graph,), named_graphs=())
    if request.method == "HEAD":
        return Response(b"", media_type=response.media_type, headers={"Content-Type": response.headers["content-type"]})
    return response


def _rdf_format(content_type: str) -> str:
    fmt = GRAPH_TYPES.get(content_type)
    if fmt is None or fmt == "nquads":
        raise UnsupportedMediaType(
            f"cannot load a {content_type or 'untyped'} body; send one of {', '.join(GRAPH_TYPES)}"
        )
    return fmt


def _parts(request_type: str, body: bytes) -> list[tuple[bytes, str]]:
    """The (payload, RDF format) pairs of a body; multipart bodies yield one per part."""
    if request_type != "multipart/form-data":
        return [(body, _rdf_format(request_type))]
    header = f"Content-Type: {request_type}; boundary={_boundary(body)}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append((payload, _rdf_format(part.get_content_type())))
    if not parts:
        raise BadRequest("the multipart body has no parts")
    return parts


def _boundary(body: bytes) -> str:
    first = body.lstrip().split(b"\r\n", 1)[0]
    if not first.startswith(b"--"):
        raise BadRequest("malformed multipart body")
    return first[2:].decode("ascii", "replace").strip()


_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


async def _write(request: Request, graph: str | None) -> Response:
    settings = state_of(request).settings
    require_token(request, settings)
    method = request.method
    created = graph is None
    target = graph if graph is not None else UPLOADS + uuid.uuid4().hex
    parts: list[tuple[bytes, str]] = []
    if method in ("PUT", "POST"):
        kind, _ = media_type(request)
        parts = _parts(kind, await read_body(request, settings.max_body_bytes))
    for payload, fmt in parts:
        if fmt == "rdfxml" and _DTD.search(payload):
            # Entities expand inside the parser, past the body cap (a 1 KB body can become 10 MB).
            raise BadRequest("RDF/XML with a DOCTYPE or entity declarations is not accepted")
    base = target or str(request.url.replace(query=""))

    def change(writer: Writer) -> bool:
        existed = target == DEFAULT or writer.ask(_EXISTS, bindings={"g": IRI(target)})
        if method == "DELETE" or method == "PUT":
            if target == DEFAULT:
                writer.clear_default_graph()
            else:
                writer.drop_graph(target)
        for payload, fmt in parts:
            writer.load(payload, fmt, target or None, base_iri=base, replace=False, name="request body")
        return bool(existed)

    if method == "DELETE" and not await _exists(request, target):
        raise NotFound(f"no graph {target}")
    existed, snapshot = await write(state_of(request).store, f"graph store {method} {target or 'default'}", change)
    headers = {SNAPSHOT_HEADER: snapshot or ""}
    if created:
        headers["Location"] = target
        return Response(status_code=201, headers=headers)
    if method == "PUT" and not existed:
        return Response(status_code=201, headers=headers)
    return Response(status_code=204, headers=headers)


async def graph_store(request: Request) -> Response:
    """Graph Store Protocol: GET/HEAD read a graph, PUT replaces, POST adds, DELETE drops."""
    graph = _target(request)
    if request.method in ("GET", "HEAD"):
        if graph is None:
            raise BadRequest("name a graph: ?graph=<IRI> or ?default")
        return await _read(request, graph)
    if graph is None and request.method != "POST":
        raise BadRequest("name a graph: ?graph=<IRI> or ?default")
    return await _write(request, graph)
