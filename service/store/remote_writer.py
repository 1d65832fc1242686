"""The writer of a new version on an external engine: staged loads, then one update that publishes them.

A load streams its triples as N-Triples, in one chunked Graph Store
Protocol POST, into a staging graph of its own; nothing readers see changes.
Every other change (graph drops, catalog records, SPARQL Updates) is queued.
:meth:`RemoteWriter.commit` then sends one SPARQL Update request: each staged
graph is moved into its dataset's graph (``MOVE``), the queued operations
follow in order, and a version marker (checksum and timestamp) is written
into the catalog graph for each graph changed.  An engine that applies an
update request as one transaction (Oxigraph does) thus switches readers from
the old dataset to the new one at once; a failed load never reaches the
commit, and its staging graphs are dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from service.errors import RdfSyntaxError, StoreError
from service.store.endpoint import Endpoint
from service.store.formats import RDF_FORMATS
from service.store.journal import DEFAULT_GRAPH, Document
from service.store.remote_graph import STAGING, RemoteGraph, _NoLocalStore
from service.store.terms import IRI, Bindings, Term, node_of, object_of
from service.store.update_scope import graphs_changed
from service.store.writer import SPOOL, LoadResult, Progress, Writer, _open_source

ANY_GRAPH = "urn:supplygraph:any-graph"
"""The marker of a change that may have touched any graph (an update whose graphs cannot be told)."""
BATCH = 50_000  # triples per chunk of the POST body


def _marker_node(graph: str) -> ox.NamedNode:
    return ox.NamedNode("urn:supplygraph:version:" + hashlib.sha256(graph.encode()).hexdigest()[:32])


class RemoteWriter(Writer):
    """A new version being written to an external engine (see the module docstring).

    Reads (``select``, ``ask``) see the engine as it was when the write began:
    queued changes apply only at the commit.
    """

    def __init__(self, reader: RemoteGraph, catalog: str, path: Path, parent_artifacts: Path | None) -> None:
        super().__init__(_NoLocalStore(), reader.snapshot_id, path, parent_artifacts)  # type: ignore[arg-type]
        self._reader = reader
        self._endpoint: Endpoint = reader.endpoint
        self._catalog = catalog
        self._operations: list[str] = []
        self._staging: list[str] = []
        self._checksums: dict[str, str] = {}
        self._spool_ids = itertools.count()

    def _query(self, query: str, bindings: Bindings | None, base_iri: str | None = None, **dataset: Any) -> Any:
        return self._reader._query(query, bindings, base_iri, **dataset)

    def view(self) -> RemoteGraph:
        return self._reader

    def triple_count(self) -> int:
        return self._reader.triple_count()

    def graph_sizes(self) -> dict[str, int]:
        return self._reader.graph_sizes()

    def named_graphs(self) -> list[str]:
        return self._reader.named_graphs()

    def _changed(self, graph: str | None, checksum: str | None = None) -> None:
        key = graph or DEFAULT_GRAPH
        self._checksums[key] = checksum or "change:" + uuid.uuid4().hex
        self._counted.pop(key, None)

    def load(
        self,
        source: str | Path | bytes | IO[bytes],
        fmt: str,
        graph: str | None = None,
        *,
        base_iri: str | None = None,
        replace: bool = True,
        progress: Progress | None = None,
        name: str | None = None,
    ) -> LoadResult:
        """Stream RDF into a staging graph now; move it into ``graph`` at the commit (see the module)."""
        if not graph:
            raise StoreError("loads into an external engine need a named graph")
        if RDF_FORMATS[fmt].supports_datasets:
            raise StoreError("quad formats load into an external engine with its own bulk loader (load --output)")
        started = time.perf_counter()
        label = name or (str(source) if isinstance(source, (str, Path)) else "<input>")
        staging = STAGING + uuid.uuid4().hex
        # The whole load is parsed and spooled first: a bad row stops it before
        # anything is sent, and the body goes with its length (Virtuoso does
        # not read chunked request bodies).  The index reads the spool too.
        assert self.path is not None, "a remote writer spools into its version's directory"
        spool = self.path / SPOOL / f"{next(self._spool_ids)}.nt"
        spool.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with contextlib.ExitStack() as stack:
            stream: bytes | IO[bytes] = (
                stack.enter_context(_open_source(Path(source), progress)) if isinstance(source, (str, Path)) else source
            )
            copy = stack.enter_context(open(spool, "wb"))
            base = base_iri or (Path(label).resolve().as_uri() if Path(label).exists() else None)
            for chunk in _ntriples(ox.parse(stream, RDF_FORMATS[fmt], base_iri=base), label):
                digest.update(chunk)
                copy.write(chunk)
        self._staging.append(staging)
        self._endpoint.post_graph(staging, spool)
        added = self._count(staging)
        g = ox.NamedNode(graph)
        if replace:
            self._operations.append(f"DROP SILENT GRAPH {g} ;\nMOVE SILENT GRAPH <{staging}> TO GRAPH {g}")
            self.changes.cleared(graph)
        else:
            self._operations.append(f"ADD SILENT GRAPH <{staging}> TO GRAPH {g} ;\nDROP SILENT GRAPH <{staging}>")
        self.changes.added(graph, Document.of_file(spool))
        self._changed(graph, "sha256:" + digest.hexdigest() if replace else None)
        return LoadResult(graph, added, time.perf_counter() - started)

    def _count(self, staging: str) -> int:
        # A staging graph is in no version's dataset: it is named explicitly.
        query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        rows = list(self._reader._query(query, {"g": IRI(staging)}, named_graphs=[ox.NamedNode(staging)]))
        return int(rows[0]["n"].value) if rows else 0

    def drop_graph(self, graph: str) -> bool:
        existed = self._reader.ask("ASK { GRAPH ?g { ?s ?p ?o } }", {"g": IRI(graph)})
        self._operations.append(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")
        self.changes.cleared(graph)
        self._changed(graph)
        return existed

    def clear_default_graph(self) -> None:
        raise StoreError("the external engine's own default graph is not managed by this service")

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Queue a SPARQL Update (checked by the engine at the commit)."""
        self._operations.append(f"BASE {ox.NamedNode(base_iri)}\n{sparql}" if base_iri else sparql)
        changed = graphs_changed(sparql, base_iri)
        for graph in changed if changed is not None else [ANY_GRAPH]:
            self.changes.touched(graph)
            self._changed(graph)
        if changed is None:
            self.changes.anything()

    def update_remove_subject(self, graph: str, subject: str) -> int:
        count = self._reader.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": IRI(graph), "s": IRI(subject)}
        ).rows
        g, s = ox.NamedNode(graph), node_of(subject)
        self._operations.append(f"DELETE WHERE {{ GRAPH {g} {{ {s} ?p ?o }} }}")
        self.changes.touched(graph)
        self._changed(graph)
        return int(count[0]["n"].value) if count else 0

    def add_triples(self, triples: Iterable[tuple[str, str, Term]], graph: str | None = None) -> None:
        if not graph:
            raise StoreError("writes to an external engine need a named graph")
        lines = " ".join(f"{node_of(s)} {ox.NamedNode(p)} {object_of(o)} ." for s, p, o in triples)
        self._operations.append(f"INSERT DATA {{ GRAPH {ox.NamedNode(graph)} {{ {lines} }} }}")
        self.changes.touched(graph)
        self._changed(graph)

    def mark(self, graph: str, checksum: str) -> None:
        """Record that ``graph`` now holds content with ``checksum``, loaded by other means (an engine's bulk loader).

        The commit writes its version marker, so every replica reads the graph again.
        """
        self.changes.touched(graph)
        self._changed(graph, checksum)

    def sizes(self, previous: Any) -> tuple[int, dict[str, int]]:
        sizes = self._reader.graph_sizes()
        return sum(sizes.values()), sizes

    def commit(self) -> None:
        """Apply everything queued, with the version markers, in one update request."""
        if not self._operations and not self._checksums:
            return
        stamp = ox.Literal(datetime.now(UTC).isoformat(), datatype=ox.NamedNode(XSD_DATETIME))
        cat = ox.NamedNode(self._catalog)
        markers = []
        for graph, checksum in sorted(self._checksums.items()):
            m = _marker_node(graph or DEFAULT_GRAPH_MARKER)
            markers.append(f"DELETE WHERE {{ GRAPH {cat} {{ {m} ?p ?o }} }}")
            triples = (
                f"{m} <{IS_VERSION_OF}> {ox.NamedNode(graph or DEFAULT_GRAPH_MARKER)} ; "
                f"<{IDENTIFIER}> {ox.Literal(checksum)} ; <{MODIFIED}> {stamp} ."
            )
            markers.append(f"INSERT DATA {{ GRAPH {cat} {{ {triples} }} }}")
        self._endpoint.update(" ;\n".join([*self._operations, *markers]))
        self._operations.clear()
        self._staging.clear()

    def discard(self) -> None:
        """Drop the staging graphs of a write that will not be committed (best effort: the engine may be gone)."""
        for staging in self._staging:
            with contextlib.suppress(StoreError):
                self._endpoint.update(f"DROP SILENT GRAPH <{staging}>")
        self._staging.clear()
        self._operations.clear()


DCTERMS = "http://purl.org/dc/terms/"
IS_VERSION_OF = DCTERMS + "isVersionOf"
IDENTIFIER = DCTERMS + "identifier"
MODIFIED = DCTERMS + "modified"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
DEFAULT_GRAPH_MARKER = "urn:supplygraph:default-graph"


def _ntriples(quads: Iterator[ox.Quad], label: str) -> Iterator[bytes]:
    """Parsed triples as N-Triples chunks; a syntax error names ``label``, line and column."""
    try:
        while batch := [quad.triple for quad in itertools.islice(quads, BATCH)]:
            yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES) or b""
    except SyntaxError as exc:
        raise RdfSyntaxError.from_parser(label, exc) from exc
