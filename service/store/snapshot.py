"""A read-only view of one snapshot: SELECT, ASK, serialized results, sizes and dumps."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from service.errors import QueryError
from service.store.formats import RDF_FORMATS, RESULT_FORMATS
from service.store.results import CappedSolutions, SelectResult, Serialized, serialize_capped
from service.store.terms import Bindings, Row, Term, check_iri, from_ox, substitutions

OutgoingRow = tuple[str, str, Term]
"""(subject IRI, predicate IRI, object) of one triple."""


class ReadableGraph(Protocol):
    """What the read path needs from a store: a local snapshot, memory or a remote engine."""

    snapshot_id: str | None

    def select(self, query: str, bindings: Bindings | None = None, max_rows: int | None = None) -> SelectResult: ...

    def outgoing(self, subjects: Sequence[str], max_rows: int | None = None) -> tuple[list[OutgoingRow], bool]: ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool: ...

    def triple_count(self) -> int: ...


class Snapshot:
    """One snapshot opened for reading: a published on-disk snapshot, or an in-memory store.

    Queries see the union of all graphs as their default graph unless they
    name a dataset, which is what the named queries expect, since every
    dataset lives in its own graph.  ``path`` is the snapshot's directory
    (None in memory).
    """

    def __init__(self, store: ox.Store, snapshot_id: str | None = None, path: Path | None = None) -> None:
        self._store = store
        self.snapshot_id = snapshot_id
        self.path = path
        self.query_count = 0  # counted so tests can prove batching

    def _query(self, query: str, bindings: Bindings | None, base_iri: str | None = None, **dataset: Any) -> Any:
        self.query_count += 1
        if not dataset:
            dataset = {"use_default_graph_as_union": True}
        try:
            return self._store.query(query, substitutions=substitutions(bindings), base_iri=base_iri, **dataset)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc.args[0] if exc.args else exc}") from exc

    def select(self, query: str, bindings: Bindings | None = None, max_rows: int | None = None) -> SelectResult:
        """Run a SELECT with ``bindings`` substituted; read at most ``max_rows`` rows.

        >>> from service.store import MemoryStore
        >>> g = MemoryStore().open_current()
        >>> g.select("SELECT ?x WHERE { BIND(1 AS ?x) }").rows
        [{'x': Lit(value='1', datatype='http://www.w3.org/2001/XMLSchema#integer', language=None)}]
        """
        result = self._query(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        truncated = False
        for solution in result:
            if max_rows is not None and len(rows) >= max_rows:
                truncated = True
                break
            row: Row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = from_ox(term)
            rows.append(row)
        return SelectResult(names, rows, truncated)

    def outgoing(self, subjects: Sequence[str], max_rows: int | None = None) -> tuple[list[OutgoingRow], bool]:
        """The triples of each IRI in ``subjects``, in every graph, and whether ``max_rows`` cut them short.

        The rows and their order are those of ``SELECT ?id ?p ?o { VALUES ?id
        { … } ?id ?p ?o }`` over the union default graph (a triple stated in
        two graphs comes twice, as there), read straight from the subject
        index: no query text is built or parsed, which for a point lookup is
        most of the cost.
        """
        self.query_count += 1
        rows: list[OutgoingRow] = []
        for subject in subjects:
            for quad in self._store.quads_for_pattern(ox.NamedNode(check_iri(subject)), None, None, None):
                if max_rows is not None and len(rows) >= max_rows:
                    return rows, True
                rows.append((subject, quad.predicate.value, from_ox(quad.object)))
        return rows, False

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        """Run an ASK query."""
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(result)

    def serialize(
        self,
        query: str,
        *,
        result_format: str = "json",
        graph_format: str = "turtle",
        bindings: Bindings | None = None,
        max_rows: int | None = None,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        union_default: bool = True,
    ) -> Serialized:
        """Run any query form and serialize the result for the wire.

        SELECT and ASK use ``result_format`` (json, xml, csv, tsv); CONSTRUCT and
        DESCRIBE use ``graph_format``.  With neither ``default_graph`` nor
        ``named_graphs`` the default graph is the union of all graphs.  SELECT
        rows beyond ``max_rows`` are dropped and flagged in ``truncated``.
        ``base_iri`` resolves relative IRIs in the query (the endpoint URL).
        ``union_default=False`` keeps the store's own default graph (and lets
        a query's FROM clauses apply) when no dataset is given.
        """
        dataset: dict[str, Any] = {}
        if default_graph is not None or named_graphs is not None:
            dataset["default_graph"] = [
                ox.DefaultGraph() if g == "" else ox.NamedNode(g) for g in (default_graph or [])
            ] or ox.DefaultGraph()
            if named_graphs is not None:
                dataset["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        elif not union_default:
            dataset["use_default_graph_as_union"] = False
        result = self._query(query, bindings, base_iri, **dataset)
        out = io.BytesIO()
        if isinstance(result, ox.QueryBoolean):
            fmt = RESULT_FORMATS[result_format]
            result.serialize(out, fmt)
            return Serialized("ask", out.getvalue(), str(fmt.media_type))
        if isinstance(result, ox.QuerySolutions):
            fmt = RESULT_FORMATS[result_format]
            if max_rows is None:
                result.serialize(out, fmt)
                return Serialized("select", out.getvalue(), str(fmt.media_type))
            capped = CappedSolutions(result, max_rows)
            serialize_capped(capped, out, fmt)
            return Serialized("select", out.getvalue(), str(fmt.media_type), capped.truncated, capped.count)
        rdf = RDF_FORMATS[graph_format]
        ox.serialize(result, out, rdf)
        return Serialized("graph", out.getvalue(), str(rdf.media_type))

    def triple_count(self) -> int:
        """Number of quads in the store (all graphs)."""
        return len(self._store)

    def graph_sizes(self) -> dict[str, int]:
        """Number of triples in each named graph."""
        result = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(result, ox.QuerySolutions)
        return {str(row["g"].value): int(row["n"].value) for row in result}

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, fmt: str = "nquads", graph: str | None = None) -> bytes:
        """Serialize the store (or one graph) in an RDF format."""
        out = io.BytesIO()
        if graph is None:
            self._store.dump(out, RDF_FORMATS[fmt])
        else:
            self._store.dump(out, RDF_FORMATS[fmt], from_graph=ox.NamedNode(graph))
        return out.getvalue()
