"""Reads the W3C SPARQL 1.1 Protocol and Graph Store Protocol manifests into plain test cases.

Each case is a sequence of HTTP requests with the expected status (classes
such as 2xx or exact codes), result format, ASK boolean, content type and body
graph.  ``ut:graphData`` entries name data files to load into named graphs
before the requests run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

SHARED = Path(__file__).resolve().parents[3] / "shared" / "w3c"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

_STATUS = {"OK": (200,), "Created": (201,), "NoContent": (204,), "NotFound": (404,)}


def statuses(node: Node) -> tuple[int, ...]:
    """The HTTP codes an ``hts:`` term allows."""
    name = str(node).rsplit("#", 1)[1]
    if name in _STATUS:
        return _STATUS[name]
    if name.startswith("StatusCode") and name.endswith("xx"):
        first = int(name[len("StatusCode")])
        return tuple(range(first * 100, first * 100 + 100))
    raise ValueError(f"unknown status term {name}")


@dataclass
class Step:
    """One request and what its response must look like."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    status: set[int] = field(default_factory=set)
    expected_format: str | None = None
    expected_boolean: bool | None = None
    expected_type: str | None = None
    expected_body: str | None = None
    location_var: str | None = None


@dataclass
class Case:
    """A manifest entry: its name, data to preload ((file, graph IRI) pairs) and steps."""

    name: str
    title: str
    data: list[tuple[Path, str]]
    steps: list[Step]


def _headers(graph: Graph, node: Node | None) -> dict[str, str]:
    if node is None:
        return {}
    out = {}
    for header in Collection(graph, node):
        out[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
    return out


def _step(graph: Graph, request: Node) -> Step:
    body_node = graph.value(request, HT.body)
    body = None
    if body_node is not None:
        body = str(graph.value(body_node, CNT.chars)).encode("utf-8")
    response = graph.value(request, HT.resp)
    step = Step(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=_headers(graph, graph.value(request, HT.headers)),
        body=body,
    )
    for status in graph.objects(response, MF.expectedStatus):
        step.status.update(statuses(status))
    fmt = graph.value(response, MF.expectedFormat)
    step.expected_format = str(fmt) if fmt is not None else None
    boolean = graph.value(response, MF.expectedBoolean)
    step.expected_boolean = bool(boolean.toPython()) if isinstance(boolean, Literal) else None
    response_headers = _headers(graph, graph.value(response, HT.headers))
    step.expected_type = response_headers.get("content-type")
    response_body = graph.value(response, HT.body)
    if response_body is not None:
        step.expected_body = str(graph.value(response_body, CNT.chars))
    location = graph.value(response, MF.expectedLocation)
    step.location_var = str(location) if location is not None else None
    return step


def read(manifest: Path) -> list[Case]:
    """The cases of ``manifest`` in its ``mf:entries`` order (following ``mf:include``)."""
    graph = Graph()
    graph.parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    root = URIRef(manifest.resolve().as_uri())
    cases: list[Case] = []
    includes = graph.value(root, MF.include)
    if includes is not None:
        for included in Collection(graph, includes):
            cases.extend(read(Path(str(included).removeprefix("file://"))))
    entries = graph.value(root, MF.entries)
    if entries is None:
        return cases
    for entry in Collection(graph, entries):
        data = []
        for item in graph.objects(entry, UT.graphData):
            path = Path(str(graph.value(item, UT.graph)).removeprefix("file://"))
            data.append((path, str(graph.value(item, RDFS.label))))
        action = graph.value(entry, MF.action)
        requests = Collection(graph, graph.value(action, HT.requests))
        name = str(entry).rsplit("#", 1)[1]
        title = str(graph.value(entry, MF.name))
        assert (entry, RDF.type, None) in graph
        cases.append(Case(name, title, data, [_step(graph, r) for r in requests]))
    return cases
