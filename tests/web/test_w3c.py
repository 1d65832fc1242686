"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests, over real HTTP.

The manifests are read from ``../shared/w3c`` beside the repository.  Every
request sequence runs against a uvicorn server on 127.0.0.1 serving a
snapshot store (so queries go through the worker processes); the store is
emptied before each test and the test's data loaded through the Graph Store
Protocol.  Request paths starting with ``/sparql/`` map to ``/sparql/`` and
``/gsp`` to ``/store``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from service.store import SnapshotStore
from tests.support import w3c_manifest as manifest
from tests.support.live import serve

TOKEN = "w3c-test-token-0123456789"
AUTH = {"authorization": f"Bearer {TOKEN}"}
PROTOCOL = manifest.SHARED / "sparql11-protocol" / "manifest.ttl"
GSP = manifest.SHARED / "sparql11-graph-store-protocol" / "manifest.ttl"
MISSING = "W3C manifests not found in ../shared/w3c beside the repository"

# Tests we knowingly fail, with the reason (also listed in docs/sparql.md).
KNOWN_FAILURES: dict[str, str] = {}

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
}


def _cases(path: Path, prefix: str) -> list[object]:
    if not path.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id=f"{prefix}-missing")]
    return [pytest.param(case, id=f"{prefix}/{case.name}") for case in manifest.read(path)]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = SnapshotStore(tmp_path_factory.mktemp("w3c"), keep=2)
    with serve(store, write_token=TOKEN, sparql_workers=1, query_timeout=20.0) as url:
        yield url


def _reset(client: httpx.Client, data: list[tuple[Path, str]]) -> None:
    response = client.post("/sparql", content="DROP ALL", headers={**AUTH, "content-type": "application/sparql-update"})
    assert response.status_code == 200, response.text
    for path, graph in data:
        response = client.put(
            "/store",
            params={"graph": graph},
            content=path.read_bytes(),
            headers={**AUTH, "content-type": "application/n-triples"},
        )
        assert response.status_code in (201, 204), response.text


def _media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _boolean(response: httpx.Response) -> bool:
    media = _media(response)
    if media.endswith("json"):
        return bool(json.loads(response.text)["boolean"])
    root = ET.fromstring(response.content)
    node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None, response.text
    return node.text == "true"


def _check_format(response: httpx.Response, expected: str) -> None:
    media = _media(response)
    if expected == "boolean":
        _boolean(response)
    elif expected == "tabular":
        assert media in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        ), media
        if media.endswith("json"):
            assert "bindings" in json.loads(response.text)["results"]
    elif expected == "RDF":
        assert media in RDF_TYPES, media
        Graph().parse(data=response.content, format=RDF_TYPES[media])
    else:
        raise AssertionError(f"unknown expected format {expected}")


def _run(base: str, case: manifest.Case, prefix_from: str, prefix_to: str) -> None:
    variables: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        _reset(client, case.data)
        for number, step in enumerate(case.steps, 1):
            path = step.path
            body = step.body
            for name, value in variables.items():
                path = path.replace(name, value)
                body = body.replace(name.encode(), value.encode()) if body is not None else None
            assert path.startswith(prefix_from)
            url = base + prefix_to + path[len(prefix_from) :]
            response = client.request(step.method, url, content=body, headers={**step.headers, **AUTH})
            where = f"step {number} ({step.method} {path[:80]})"
            assert response.status_code in step.status, f"{where}: {response.status_code} {response.text[:300]}"
            if step.expected_format:
                _check_format(response, step.expected_format)
            if step.expected_boolean is not None:
                assert _boolean(response) is step.expected_boolean, f"{where}: {response.text}"
            if step.expected_type:
                assert _media(response) == step.expected_type.split(";")[0].strip(), where
            if step.expected_body is not None:
                expected = Graph().parse(data=step.expected_body, format="turtle")
                actual = Graph().parse(data=response.content, format=RDF_TYPES[_media(response)])
                assert isomorphic(expected, actual), f"{where}: got\n{response.text}"
            if step.location_var:
                variables[step.location_var] = response.headers["location"]


@pytest.mark.parametrize("case", _cases(PROTOCOL, "protocol"))
def test_protocol(base: str, case: manifest.Case) -> None:
    if case.name in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[case.name])
    _run(base, case, "/sparql/", "/sparql/")


@pytest.mark.parametrize("case", _cases(GSP, "gsp"))
def test_graph_store(base: str, case: manifest.Case) -> None:
    if case.name in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[case.name])
    _run(base, case, "/gsp", "/store")


@pytest.mark.skipif(not (manifest.SHARED / "sparql11-service-description").is_dir(), reason=MISSING)
def test_service_description(base: str) -> None:
    """returns-rdf, has-endpoint-triple and conforms-to-schema from the service-description manifest."""
    sd = "http://www.w3.org/ns/sparql-service-description#"
    for accept, fmt in (("text/turtle", "turtle"), ("application/rdf+xml", "xml")):
        response = httpx.get(base + "/sparql", headers={"accept": accept})
        assert response.status_code == 200
        assert _media(response) == accept
        graph = Graph().parse(data=response.content, format=fmt)
        services = list(graph.subjects(URIRef(sd + "endpoint"), URIRef(base + "/sparql")))
        assert len(services) == 1
        service = services[0]
        assert (service, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(sd + "Service")) in graph
        languages = set(graph.objects(service, URIRef(sd + "supportedLanguage")))
        assert URIRef(sd + "SPARQL11Query") in languages and URIRef(sd + "SPARQL11Update") in languages
