"""Real SPARQL clients against a live server: SPARQLWrapper (JSON, XML, CSV) and rdflib's SPARQLStore."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

from service.store import MemoryStore
from tests.support.live import serve

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CHINA = "https://w3id.org/supplygraph/id/country/CHN"
QUERY = f"SELECT ?label WHERE {{ <{CHINA}> <{LABEL}> ?label }}"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    store = MemoryStore()
    with store.write() as writer:
        writer.load(f'<{CHINA}> <{LABEL}> "China" .'.encode(), "ntriples", "https://w3id.org/supplygraph/graph/t")
    with serve(store) as url:
        yield url + "/sparql"


def _wrapper(endpoint: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(QUERY)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_json(endpoint: str) -> None:
    result = _wrapper(endpoint, JSON).query().convert()
    assert result["results"]["bindings"][0]["label"]["value"] == "China"


def test_sparqlwrapper_xml(endpoint: str) -> None:
    document = _wrapper(endpoint, XML).query().convert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == ["China"]


def test_sparqlwrapper_csv(endpoint: str) -> None:
    data = _wrapper(endpoint, CSV).query().convert()
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows == [["label"], ["China"]]


def test_sparqlwrapper_post(endpoint: str) -> None:
    client = _wrapper(endpoint, JSON)
    client.setMethod("POST")
    assert client.query().convert()["results"]["bindings"][0]["label"]["value"] == "China"


def test_rdflib_sparqlstore_through_graph_api(endpoint: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    labels = [str(o) for o in graph.objects(URIRef(CHINA), URIRef(LABEL))]
    assert labels == ["China"]
    rows = list(graph.query(QUERY))
    assert [str(row[0]) for row in rows] == ["China"]


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # SPARQLWrapper's JSON-LD
def test_sparqlwrapper_tsv_jsonld_and_rdfxml(endpoint: str) -> None:
    """SPARQLWrapper sends ``format`` twice for these; one value given twice is one value."""
    from SPARQLWrapper import JSONLD, RDFXML, TSV

    tsv = _wrapper(endpoint, TSV).query().convert()
    assert b"China" in tsv if isinstance(tsv, bytes) else "China" in tsv
    construct = f"CONSTRUCT {{ <{CHINA}> <{LABEL}> ?l }} WHERE {{ <{CHINA}> <{LABEL}> ?l }}"
    for fmt in (JSONLD, RDFXML):
        client = SPARQLWrapper(endpoint)
        client.setQuery(construct)
        client.setReturnFormat(fmt)
        graph = client.query().convert()
        assert isinstance(graph, Graph) and len(graph) == 1, fmt
