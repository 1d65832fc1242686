"""A read view of an external SPARQL engine with the :class:`Snapshot` interface.

Queries go to the engine over the SPARQL 1.1 Protocol; its answers are
parsed by pyoxigraph into the same result objects the embedded store
returns, so row caps, result formats and serialization are the embedded
store's own code (see :class:`Snapshot`).

The default graph.  Embedded queries that name no dataset see the union of
all named graphs.  Engines disagree on what their default graph is
(Oxigraph's is a graph of its own unless started with
``--union-default-graph``; Virtuoso's is already the union), so the view
does not rely on it: such a query is sent with one ``default-graph-uri``
and one ``named-graph-uri`` per named graph of the version it reads, which
every conforming engine honours.  Staging graphs of loads in progress are never among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from service.errors import QueryError, StoreError
from service.store.bind import bind_values, query_form
from service.store.endpoint import Endpoint
from service.store.formats import RDF_FORMATS
from service.store.snapshot import OutgoingRow, Snapshot
from service.store.terms import Bindings, iri_list

# Asked by form: an engine offered both kinds may answer a CONSTRUCT as a table (Virtuoso does).
ACCEPT_RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9"
STAGING = "urn:supplygraph:staging:"
"""Prefix of the graphs a load writes before it moves them into place."""

_RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_JSON = ox.QueryResultsFormat.JSON
_VIRTUOSO_ASK = "__ASK_RETVAL"
_GRAPHS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}


class _NoLocalStore:
    """Stands in for the local database a remote view does not have: any use of it is a bug, said loudly."""

    def __getattr__(self, name: str) -> Any:
        raise StoreError(f"a remote graph has no local database ({name})")


def parse_answer(media_type: str, body: bytes) -> Any:
    """The engine's answer as pyoxigraph results: solutions, a boolean, or a list of triples."""
    if media_type in _RESULTS:
        result = ox.parse_query_results(body, _RESULTS[media_type])
        if isinstance(result, ox.QuerySolutions) and [v.value for v in result.variables] == [_VIRTUOSO_ASK]:
            # Virtuoso 7 answers a POSTed ASK as a one-row SELECT of this variable.
            truth = any(s[_VIRTUOSO_ASK] is not None and s[_VIRTUOSO_ASK].value in ("1", "true") for s in result)
            return ox.parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false"), _JSON)
        return result
    if media_type in _GRAPHS:
        return [quad.triple for quad in ox.parse(body, _GRAPHS[media_type])]
    raise StoreError(f"the SPARQL engine answered in an unexpected format ({media_type or 'none given'})")


def _iris(graphs: Any) -> list[str]:
    """IRIs of pyoxigraph graph names; the default graph cannot be named over the protocol."""
    if isinstance(graphs, ox.DefaultGraph):
        graphs = [graphs]
    if any(isinstance(g, ox.DefaultGraph) for g in graphs):
        raise QueryError("the external engine's own default graph cannot be chosen as the dataset")
    return [g.value for g in graphs]


class RemoteGraph(Snapshot):
    """One version of the data on an external engine, read through ``endpoint``.

    ``graphs`` are the named graphs of this version: the default graph of a
    query that names no dataset is their union.
    """

    def __init__(
        self, endpoint: Endpoint, version: str | None, graphs: Sequence[str], timeout: float | None = None
    ) -> None:
        super().__init__(_NoLocalStore(), version, None)  # type: ignore[arg-type]  # queries never reach it
        self.endpoint = endpoint
        self.graphs = [g for g in graphs if not g.startswith(STAGING)]
        self.timeout = timeout

    def outgoing(self, subjects: Sequence[str], max_rows: int | None = None) -> tuple[list[OutgoingRow], bool]:
        """As :meth:`Snapshot.outgoing`, asked of the engine as one SELECT listing the (validated) IRIs."""
        listed = iri_list(subjects)
        found = self.select(f"SELECT ?id ?p ?o WHERE {{ VALUES ?id {{ {listed} }} ?id ?p ?o }}", None, max_rows)
        return [(row["id"].value, row["p"].value, row["o"]) for row in found.rows], found.truncated

    def _query(self, query: str, bindings: Bindings | None, base_iri: str | None = None, **dataset: Any) -> Any:
        self.query_count += 1
        text = bind_values(query, bindings)
        if base_iri is not None:
            # The protocol has no base parameter: relative IRIs resolve against the endpoint URL.
            text = f"BASE {ox.NamedNode(base_iri)}\n{text}"
        default: list[str] | None
        named: list[str] | None = None
        if "default_graph" in dataset or "named_graphs" in dataset:
            default = _iris(dataset.get("default_graph", []))
            named = _iris(dataset["named_graphs"]) if "named_graphs" in dataset else None
        elif dataset.get("use_default_graph_as_union") is False:
            default = None  # the query's FROM clauses, or the engine's default graph
        else:
            # Oxigraph leaves no named graph visible when only default-graph-uri is
            # given, so the named graphs are listed too, as the embedded store has them.
            default = self.graphs or [STAGING + "none"]  # no graph at all: an empty default graph
            named = self.graphs or [STAGING + "none"]
        accept = ACCEPT_GRAPH if query_form(text) in ("CONSTRUCT", "DESCRIBE") else ACCEPT_RESULTS
        media, body = self.endpoint.query(text, accept, default_graph=default, named_graphs=named, timeout=self.timeout)
        try:
            return parse_answer(media, body)
        except SyntaxError as exc:
            raise StoreError(f"the SPARQL engine's answer cannot be read: {exc}") from None

    def triple_count(self) -> int:
        """Number of triples in this version's named graphs."""
        return sum(self.graph_sizes().values())

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph."""
        result = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        sizes = {row["g"].value: int(row["n"].value) for row in result.rows if "g" in row}
        return {g: n for g, n in sorted(sizes.items()) if not g.startswith(STAGING)}

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs of this version."""
        return sorted(self.graphs)

    def dump(self, fmt: str = "nquads", graph: str | None = None) -> bytes:
        """One graph (or every graph of this version) serialized, read with CONSTRUCT."""
        rdf = RDF_FORMATS[fmt]
        found: list[Any] = []  # triples, or quads for a dataset format
        for g in [graph] if graph is not None else self.graphs:
            triples = self._query("CONSTRUCT WHERE { ?s ?p ?o }", None, default_graph=[ox.NamedNode(g)])
            if rdf.supports_datasets:
                found.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for t in triples)
            else:
                found.extend(triples)
        return ox.serialize(found, format=rdf) or b""
