"""The one module that talks to pyoxigraph: graphs, snapshots, atomic writes.

On disk a store is a directory of immutable snapshots and a pointer::

    var/store/
      CURRENT                  # id of the current snapshot, switched with os.replace
      LOCK                     # flock() held by the one writer
      snapshots/<id>/db/       # an Oxigraph (RocksDB) database, never written once published
      snapshots/<id>/index/    # artifacts built from it (the dependency index)
      snapshots/<id>/meta.json # id, parent, created, note, triple count, datasets

A write (:meth:`SnapshotStore.write`) takes the lock, checkpoints the current
snapshot into a new directory with ``Store.backup`` (hard links, so cheap),
applies the changes with the fast non-transactional ``bulk_load``, builds the
artifacts, writes ``meta.json`` and only then switches ``CURRENT``.  Anything
that goes wrong before the switch, including ``kill -9``, leaves the previous
snapshot current and intact; the half-built directory is removed by the next
writer.  Readers open snapshots read-only, which is safe because nothing
writes a published snapshot.

:class:`MemoryStore` offers the same interface without a directory, for tests
and small jobs.  Both implement :class:`ReadableGraph`, which is also what a
remote SPARQL store would implement.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import gzip
import io
import itertools
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal, Protocol, TypeAlias

import polars as pl
import pyoxigraph as ox

from service.changes import DEFAULT_GRAPH, Changes, Document
from service.errors import QueryError, RdfSyntaxError, StoreError
from service.update_scope import graphs_changed

# -- Terms ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IRI:
    """An IRI, as bound into queries or returned in results."""

    value: str

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class BNode:
    """A blank node returned in results."""

    value: str

    def __str__(self) -> str:
        return "_:" + self.value


_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = frozenset(
    _XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "unsignedInt",
        "unsignedLong",
        "gYear",
    )
)
_FLOATS = frozenset(_XSD + t for t in ("decimal", "double", "float"))


@dataclass(frozen=True, slots=True)
class Lit:
    """A literal: lexical value, datatype IRI and language tag."""

    value: str
    datatype: str | None = None
    language: str | None = None

    def to_python(self) -> str | int | float | bool:
        """The literal as a Python value (numbers, booleans; otherwise the text)."""
        dt = self.datatype
        try:
            if dt in _INTEGERS:
                return int(self.value)
            if dt in _FLOATS:
                return float(self.value)
        except ValueError:
            return self.value
        if dt == _XSD + "boolean":
            return self.value in ("true", "1")
        return self.value


Term: TypeAlias = IRI | Lit | BNode
Row: TypeAlias = dict[str, Term]
Bindings: TypeAlias = Mapping[str, "IRI | Lit | str | int | float | bool"]
PairObjects: TypeAlias = Literal["node", "literal", "number"]  # see Graph.pair_columns


def _to_ox(value: IRI | Lit | str | int | float | bool) -> ox.NamedNode | ox.Literal:
    if isinstance(value, IRI):
        return ox.NamedNode(value.value)
    if isinstance(value, Lit):
        if value.language:
            return ox.Literal(value.value, language=value.language)
        if value.datatype:
            return ox.Literal(value.value, datatype=ox.NamedNode(value.datatype))
        return ox.Literal(value.value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(_XSD + "double"))
    return ox.Literal(value)


def _from_ox(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.Literal):
        return Lit(term.value, term.datatype.value, term.language)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return Lit(str(term))


def _substitutions(bindings: Bindings | None) -> dict[ox.Variable, Any] | None:
    if not bindings:
        return None
    try:
        return {ox.Variable(name): _to_ox(value) for name, value in bindings.items()}
    except ValueError as exc:  # an invalid IRI or variable name
        raise QueryError(f"invalid binding: {exc}") from exc


# -- Formats --------------------------------------------------------------

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}
_EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".n3": "n3",
}
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def rdf_format_for(path: str | Path, explicit: str | None = None) -> str:
    """The RDF format name for ``path``: ``explicit`` if given, else from its extension.

    A trailing ``.gz`` is ignored.  Raises :class:`ValueError` for an unknown format.
    """
    if explicit:
        if explicit not in RDF_FORMATS:
            raise ValueError(f"unknown RDF format {explicit!r}; one of {', '.join(RDF_FORMATS)}")
        return explicit
    name = str(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = os.path.splitext(name)[1]
    if suffix not in _EXTENSIONS:
        raise ValueError(f"{path}: cannot tell the RDF format from {suffix or 'no extension'!r}; pass --format")
    return _EXTENSIONS[suffix]


def media_type(fmt: str) -> str:
    """The media type of an RDF or result format name."""
    if fmt in RDF_FORMATS:
        return str(RDF_FORMATS[fmt].media_type)
    return str(RESULT_FORMATS[fmt].media_type)


# -- Results --------------------------------------------------------------


@dataclass(slots=True)
class SelectResult:
    """Rows of a SELECT, capped at ``max_rows``; ``truncated`` says the cap was hit."""

    variables: list[str]
    rows: list[Row]
    truncated: bool = False


@dataclass(slots=True)
class Serialized:
    """A query result already serialized for the wire."""

    kind: str  # "select", "ask", "graph"
    body: bytes
    media_type: str
    truncated: bool = False
    rows: int = 0


class _CappedSolutions:
    """Iterates at most ``cap`` solutions, then records that more existed."""

    def __init__(self, solutions: Any, cap: int | None) -> None:
        self.solutions = solutions
        self.cap = cap
        self.count = 0
        self.truncated = False

    @property
    def variables(self) -> Any:
        return self.solutions.variables

    def __iter__(self) -> Iterator[Any]:
        for solution in self.solutions:
            if self.cap is not None and self.count >= self.cap:
                self.truncated = True
                return
            self.count += 1
            yield solution


# -- Reading --------------------------------------------------------------


class ReadableGraph(Protocol):
    """What the read path needs from a store: local snapshot, memory or remote."""

    snapshot_id: str | None

    def select(self, query: str, bindings: Bindings | None = None, max_rows: int | None = None) -> SelectResult: ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool: ...

    def pairs(self, predicate: str) -> Iterator[tuple[str, Term]]: ...

    def pair_columns(self, predicate: str, objects: PairObjects = "node") -> tuple[list[str], list[str]]: ...

    def triple_count(self) -> int: ...


class Graph:
    """A readable pyoxigraph store: a read-only snapshot or an in-memory store.

    ``union_default`` makes the default graph the union of all graphs, which is
    what the named queries expect, since every dataset lives in its own graph.
    """

    def __init__(
        self,
        store: ox.Store,
        snapshot_id: str | None = None,
        path: Path | None = None,
        parent_artifacts: Path | None = None,
    ) -> None:
        self._store = store
        self.snapshot_id = snapshot_id
        self.path = path
        self.query_count = 0  # counted so tests can prove batching
        # For artifact builders: the parent snapshot's artifact directory and,
        # on a writer, the journal of what this write changed (None: unknown).
        self.parent_artifacts = parent_artifacts
        self.changes: Changes | None = None

    def _query(self, query: str, bindings: Bindings | None, base_iri: str | None = None, **dataset: Any) -> Any:
        self.query_count += 1
        if not dataset:
            dataset = {"use_default_graph_as_union": True}
        try:
            return self._store.query(query, substitutions=_substitutions(bindings), base_iri=base_iri, **dataset)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc.args[0] if exc.args else exc}") from exc

    def select(self, query: str, bindings: Bindings | None = None, max_rows: int | None = None) -> SelectResult:
        """Run a SELECT with ``bindings`` substituted; read at most ``max_rows`` rows.

        >>> g = MemoryStore().graph()
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
                    row[name] = _from_ox(term)
            rows.append(row)
        return SelectResult(names, rows, truncated)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        """Run an ASK query."""
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Bindings | None = None) -> list[tuple[Term, Term, Term]]:
        """Run a CONSTRUCT or DESCRIBE query and return its triples."""
        result = self._query(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return [(_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)) for t in result]

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
            capped = _CappedSolutions(result, max_rows)
            _serialize_solutions(capped, out, fmt)
            return Serialized("select", out.getvalue(), str(fmt.media_type), capped.truncated, capped.count)
        rdf = RDF_FORMATS[graph_format]
        ox.serialize(result, out, rdf)
        return Serialized("graph", out.getvalue(), str(rdf.media_type))

    def pairs(self, predicate: str) -> Iterator[tuple[str, Term]]:
        """All (subject IRI, object) pairs of ``predicate`` across every graph.

        The dependency index is built from these scans, which read the store's
        own indexes directly and are much faster than an equivalent query.
        Blank-node subjects are returned as ``_:id``.
        """
        for quad in self._store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            subject = quad.subject
            key = subject.value if isinstance(subject, ox.NamedNode) else "_:" + str(getattr(subject, "value", subject))
            yield key, _from_ox(quad.object)

    def pair_columns(self, predicate: str, objects: PairObjects = "node") -> tuple[list[str], list[str]]:
        """Subjects and objects of ``predicate`` as two lists of strings, in :meth:`pairs` order.

        Keeps only some objects: ``"node"`` IRIs and blank nodes (blank nodes
        spelled ``_:id``, as subjects are), ``"literal"`` the lexical form of
        literals, ``"number"`` that of non-boolean literals (the candidates of
        a number).  The rows are serialized as CSV inside pyoxigraph and parsed
        by polars, both outside the GIL, so no Python object is made per triple
        but the final strings: several times faster than :meth:`pairs`, and
        calls can run in parallel threads.
        """
        keep = {
            "node": "!isLiteral(?o)",
            "literal": "isLiteral(?o)",
            "number": f"isLiteral(?o) && datatype(?o) != <{_XSD}boolean>",
        }[objects]
        body = self.serialize(f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o FILTER({keep}) }}", result_format="csv").body
        if body.count(b"\n") <= 1:
            return [], []
        frame = pl.read_csv(body, has_header=True, infer_schema=False).fill_null("")
        return frame.get_column("s").to_list(), frame.get_column("o").to_list()

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


def _serialize_solutions(capped: _CappedSolutions, out: IO[bytes], fmt: ox.QueryResultsFormat) -> None:
    # QuerySolutions.serialize writes every solution; to stop at the cap
    # without buffering the rest, capped results are written here instead.
    variables = list(capped.variables)
    writer = _ResultsWriter(out, fmt, variables)
    for solution in capped:
        writer.write(solution)
    writer.finish()


class _ResultsWriter:
    """Streams SPARQL results (JSON, XML, CSV, TSV) for a capped iterator."""

    def __init__(self, out: IO[bytes], fmt: ox.QueryResultsFormat, variables: list[ox.Variable]) -> None:
        self.out = out
        self.fmt = fmt
        self.names = [v.value for v in variables]
        self.first = True
        if fmt == ox.QueryResultsFormat.JSON:
            head = json.dumps({"vars": self.names})
            out.write(('{"head":' + head + ',"results":{"bindings":[').encode())
        elif fmt == ox.QueryResultsFormat.XML:
            out.write(b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
            for name in self.names:
                out.write(f'<variable name="{name}"/>'.encode())
            out.write(b"</head><results>")
        elif fmt == ox.QueryResultsFormat.CSV:
            out.write((",".join(self.names) + "\r\n").encode())
        else:
            out.write(("\t".join("?" + n for n in self.names) + "\n").encode())

    def write(self, solution: Any) -> None:
        terms = [solution[name] for name in self.names]
        if self.fmt == ox.QueryResultsFormat.JSON:
            binding = {n: _json_term(t) for n, t in zip(self.names, terms, strict=True) if t is not None}
            self.out.write((("" if self.first else ",") + json.dumps(binding)).encode())
        elif self.fmt == ox.QueryResultsFormat.XML:
            self.out.write(b"<result>")
            for name, term in zip(self.names, terms, strict=True):
                if term is not None:
                    self.out.write(f'<binding name="{name}">{_xml_term(term)}</binding>'.encode())
            self.out.write(b"</result>")
        elif self.fmt == ox.QueryResultsFormat.CSV:
            self.out.write((",".join(_csv_term(t) for t in terms) + "\r\n").encode())
        else:
            self.out.write(("\t".join(_tsv_term(t) for t in terms) + "\n").encode())
        self.first = False

    def finish(self) -> None:
        if self.fmt == ox.QueryResultsFormat.JSON:
            self.out.write(b"]}}")
        elif self.fmt == ox.QueryResultsFormat.XML:
            self.out.write(b"</results></sparql>")


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'<literal xml:lang="{term.language}">{_xml_escape(term.value)}</literal>'
        if term.datatype.value != _XSD + "string":
            return f'<literal datatype="{_xml_escape(term.datatype.value)}">{_xml_escape(term.value)}</literal>'
        return f"<literal>{_xml_escape(term.value)}</literal>"
    return f"<literal>{_xml_escape(str(term))}</literal>"


_BARE = {
    _XSD + "integer": re.compile(r"^[+-]?\d+$"),
    _XSD + "decimal": re.compile(r"^[+-]?\d*\.\d+$"),
    _XSD + "double": re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$"),
    _XSD + "boolean": re.compile(r"^(true|false)$"),
}


def _tsv_term(term: Any) -> str:
    # Like the native writer: Turtle short forms for numbers and booleans.
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and not term.language:
        pattern = _BARE.get(term.datatype.value)
        if pattern is not None and pattern.match(term.value):
            return str(term.value)
    return str(term)


def _csv_term(term: Any) -> str:
    if term is None:
        return ""
    text = "_:" + term.value if isinstance(term, ox.BlankNode) else term.value
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return str(text)


# -- Writing --------------------------------------------------------------


_Progress: TypeAlias = Callable[[int, int], None]


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and reports bytes read, for progress bars."""

    def __init__(self, raw: IO[bytes], total: int, progress: _Progress) -> None:
        self.raw = raw
        self.total = total
        self.progress = progress
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.done += n
        self.progress(self.done, self.total)
        return n


@dataclass(slots=True)
class LoadResult:
    """What one load into a graph did."""

    graph: str | None
    triples: int
    seconds: float


class Writer(Graph):
    """A graph open for writing inside :meth:`SnapshotStore.write` or :meth:`MemoryStore.write`.

    Every change is journaled in :attr:`changes` (see :mod:`service.changes`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._journal = Changes()
        self._spools = itertools.count()
        # Graph sizes this writer has just counted (a load counts its graph), so
        # the snapshot's figures need not count them again.  Any other change
        # to a graph forgets its entry.
        self._counted: dict[str, int] = {}
        self.changes = self._journal

    def load(
        self,
        source: str | Path | bytes | IO[bytes],
        fmt: str,
        graph: str | None = None,
        *,
        base_iri: str | None = None,
        replace: bool = True,
        progress: _Progress | None = None,
        name: str | None = None,
    ) -> LoadResult:
        """Bulk-load RDF into ``graph`` (the default graph if None).

        ``replace`` drops the graph first, so reloading a dataset leaves no
        leftovers.  Paths ending in ``.gz`` are decompressed on the fly.  A
        syntax error raises :class:`RdfSyntaxError` naming file, line and
        column; the caller's snapshot is then discarded, so nothing is kept.
        """
        started = time.perf_counter()
        target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        if replace and graph:
            self._store.remove_graph(target) if self._store.contains_named_graph(target) else None
            self._journal.cleared(graph)
        label = name or (str(source) if isinstance(source, (str, Path)) else "<input>")
        spooled: Path | None = None
        with contextlib.ExitStack() as stack:
            stream: bytes | IO[bytes]
            if isinstance(source, (str, Path)):
                stream = stack.enter_context(_open_source(Path(source), progress))
            elif fmt == "ntriples" and not isinstance(source, bytes) and self.path is not None:
                # A stream cannot be read twice: keep a copy for the index
                # builder, which reads N-Triples faster than it scans the store.
                spooled = self.path / SPOOL / f"{next(self._spools)}.nt"
                spooled.parent.mkdir(exist_ok=True)
                stream = _Tee(source, stack.enter_context(open(spooled, "wb")))  # type: ignore[assignment]
            else:
                stream = source
            # Quad formats keep their own named graphs; their default-graph
            # triples go to ``graph``.  Count what the whole load added then.
            is_dataset = RDF_FORMATS[fmt].supports_datasets
            count = self._count_all if is_dataset else (lambda: self._count_graph(graph))
            before = 0 if (replace and graph and not is_dataset) else count()
            try:
                self._store.bulk_load(
                    stream,
                    RDF_FORMATS[fmt],
                    base_iri=base_iri or (Path(label).resolve().as_uri() if Path(label).exists() else None),
                    to_graph=target,
                )
            except SyntaxError as exc:
                raise RdfSyntaxError.from_parser(label, exc) from exc
            except (EOFError, gzip.BadGzipFile, OSError) as exc:
                raise RdfSyntaxError(f"{label}: cannot read: {exc}") from exc
        if is_dataset:
            self._journal.anything()
        else:
            document = Document.of_file(spooled) if spooled is not None else _document(source)
            self._journal.added(graph, document if fmt == "ntriples" else None)
        after = count()
        if not is_dataset:
            self._counted[graph or DEFAULT_GRAPH] = after
        return LoadResult(graph, after - before, time.perf_counter() - started)

    def _count_all(self) -> int:
        return sum(self.graph_sizes().values()) + self._count_graph(None)

    def _count_graph(self, graph: str | None) -> int:
        if graph is None:
            result = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            assert isinstance(result, ox.QuerySolutions)
            return int(next(iter(result))["n"].value)
        result = self._store.query(
            # Substituted variables must be projected, hence the GROUP BY.
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            substitutions={ox.Variable("g"): ox.NamedNode(graph)},
        )
        assert isinstance(result, ox.QuerySolutions)
        rows = list(result)
        return int(rows[0]["n"].value) if rows else 0

    def sizes(self, previous: SnapshotInfo | None) -> tuple[int, dict[str, int]]:
        """The total number of quads and each named graph's size, counting only what this write changed.

        Counting a 10M-triple store takes seconds; the parent snapshot's
        figures plus a count of each journaled graph give the same numbers.
        """
        if previous is None or self._journal.everything:
            sizes = self.graph_sizes()
            return sum(sizes.values()) + self._count_graph(None), sizes
        graphs = dict(previous.graphs)
        default = previous.triples - sum(graphs.values())
        for graph in self._journal.graphs:
            count = self._counted[graph] if graph in self._counted else self._count_graph(graph or None)
            if graph == DEFAULT_GRAPH:
                default = count
            elif count:
                graphs[graph] = count
            else:
                graphs.pop(graph, None)
        return default + sum(graphs.values()), dict(sorted(graphs.items()))

    def close(self) -> None:
        """Release the database: the caller's ``with ... as w`` name must not keep it open."""
        self._store = _CLOSED

    def drop_graph(self, graph: str) -> bool:
        """Remove a named graph; return whether it existed."""
        node = ox.NamedNode(graph)
        if not self._store.contains_named_graph(node):
            return False
        self._store.remove_graph(node)
        self._journal.cleared(graph)
        self._counted.pop(graph, None)
        return True

    def clear_default_graph(self) -> None:
        """Remove every triple of the default graph (named graphs stay)."""
        self._store.clear_graph(ox.DefaultGraph())
        self._journal.cleared(None)
        self._counted.pop(DEFAULT_GRAPH, None)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL Update (transactional per call); ``base_iri`` resolves relative IRIs."""
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL Update syntax error: {exc.args[0] if exc.args else exc}") from exc
        changed = graphs_changed(sparql, base_iri)
        if changed is None:
            self._journal.anything()
            self._counted.clear()
        for graph in changed or ():
            self._journal.touched(graph)
            self._counted.pop(graph or DEFAULT_GRAPH, None)

    def update_remove_subject(self, graph: str, subject: str) -> int:
        """Remove every triple of ``subject`` in ``graph``; return how many were removed."""
        quads = list(self._store.quads_for_pattern(ox.NamedNode(subject), None, None, ox.NamedNode(graph)))
        for quad in quads:
            self._store.remove(quad)
        self._journal.touched(graph)
        self._counted.pop(graph, None)
        return len(quads)

    def add_triples(self, triples: Iterable[tuple[str, str, Term]], graph: str | None = None) -> None:
        """Add (subject IRI, predicate IRI, object) triples to ``graph``."""
        g = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        self._store.extend(ox.Quad(_node(s), ox.NamedNode(p), _obj(o), g) for s, p, o in triples)
        self._journal.added(graph, None)
        self._counted.pop(graph or DEFAULT_GRAPH, None)


def _document(source: str | Path | bytes | IO[bytes]) -> Document | None:
    """The loaded N-Triples as a :class:`Document` artifact builders can reread, if it can be reread."""
    if isinstance(source, (str, Path)):
        return Document.of_file(Path(source))
    if isinstance(source, bytes):
        return Document(data=source)
    return None  # a stream is gone once loaded


SPOOL = "spool"  # in a snapshot being written: copies of streamed N-Triples, removed before publishing


class _Tee:
    """A byte stream that copies what is read from it to ``out``."""

    def __init__(self, source: IO[bytes], out: IO[bytes]) -> None:
        self._source = source
        self._out = out

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self._out.write(data)
        return data

    def readable(self) -> bool:
        return True


@contextlib.contextmanager
def _open_source(path: Path, progress: _Progress | None) -> Iterator[IO[bytes]]:
    """Open a file for parsing: counted for progress, gunzipped if ``.gz``."""
    with open(path, "rb") as handle:
        raw: IO[bytes] = handle
        if progress is not None:
            raw = io.BufferedReader(_CountingReader(handle, path.stat().st_size, progress), 1 << 20)
        if path.name.endswith(".gz"):
            with gzip.open(raw, "rb") as unzipped:
                yield unzipped  # type: ignore[misc]  # GzipFile is a binary IO
        else:
            yield raw


def _node(value: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(value[2:]) if value.startswith("_:") else ox.NamedNode(value)


def _obj(term: Term) -> Any:
    if isinstance(term, BNode):
        return ox.BlankNode(term.value)
    return _to_ox(term)


class _Closed:
    def __getattr__(self, name: str) -> Any:
        raise StoreError("this writer is closed: its snapshot was published or discarded")


_CLOSED: Any = _Closed()

ArtifactBuilder: TypeAlias = Callable[[Graph, Path], None]
"""Builds a derived artifact (e.g. the dependency index) into a snapshot directory."""


@dataclass(slots=True)
class SnapshotInfo:
    """The metadata of one published snapshot."""

    id: str
    parent: str | None
    created: str
    note: str
    triples: int
    graphs: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def seq(self) -> int:
        return int(self.id.rsplit("-", 1)[1])


class SnapshotStore:
    """A directory of immutable snapshots with an atomically switched pointer.

    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> store = SnapshotStore(root)
    >>> with store.write("example") as w:
    ...     _ = w.load(b"<http://e/a> <http://e/p> 1 .", "turtle", "http://e/g")
    >>> store.open_current().triple_count()
    1
    """

    def __init__(self, root: str | Path, keep: int = 3, builders: Sequence[ArtifactBuilder] = ()) -> None:
        self.root = Path(root)
        self.keep = max(1, keep)
        self.builders = list(builders)
        self._cached: Graph | None = None
        self._cached_lock = threading.Lock()

    @property
    def snapshots_dir(self) -> Path:
        return self.root / "snapshots"

    def current_id(self) -> str | None:
        """Id of the current snapshot, or None for an empty store."""
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def snapshot_dir(self, snapshot_id: str) -> Path:
        return self.snapshots_dir / snapshot_id

    def info(self, snapshot_id: str) -> SnapshotInfo:
        """Metadata of a published snapshot."""
        data = json.loads((self.snapshot_dir(snapshot_id) / "meta.json").read_text())
        return SnapshotInfo(**data)

    def snapshots(self) -> list[SnapshotInfo]:
        """Published snapshots, oldest first."""
        found = []
        if self.snapshots_dir.is_dir():
            for child in self.snapshots_dir.iterdir():
                if (child / "meta.json").is_file():
                    found.append(self.info(child.name))
        return sorted(found, key=lambda s: s.seq)

    def open_current(self) -> Graph:
        """The current snapshot, opened read-only and reused until the pointer moves.

        An empty store yields an empty in-memory graph, so a service can start
        before the first load and pick the data up when it lands.
        """
        current = self.current_id()
        with self._cached_lock:
            if self._cached is not None and self._cached.snapshot_id == current:
                return self._cached
            if current is None:
                graph = Graph(ox.Store(), None, None)
            else:
                path = self.snapshot_dir(current)
                try:
                    graph = Graph(ox.Store.read_only(str(path / "db")), current, path)
                except OSError as exc:
                    raise StoreError(f"cannot open snapshot {current}: {exc}") from exc
            self._cached = graph
            return graph

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "LOCK", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                # Another writer is running: wait for it rather than fail.
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def write(self, note: str = "") -> Iterator[Writer]:
        """Open a new snapshot for writing; publish it when the block exits cleanly.

        If the block raises, the new snapshot is deleted and the current one is
        untouched.  Artifacts (the dependency index) are built before publishing,
        so a published snapshot always has them.
        """
        with self._lock():
            self._remove_unpublished()
            parent = self.current_id()
            started = time.perf_counter()
            new_id = self._next_id()
            new_dir = self.snapshot_dir(new_id)
            new_dir.mkdir(parents=True)
            writer: Writer | None = None
            try:
                if parent is not None:
                    source = ox.Store.read_only(str(self.snapshot_dir(parent) / "db"))
                    source.backup(str(new_dir / "db"))
                    del source
                parent_dir = self.snapshot_dir(parent) if parent is not None else None
                writer = Writer(ox.Store(str(new_dir / "db")), new_id, new_dir, parent_dir)
                yield writer
                writer._store.flush()
                for build in self.builders:
                    build(writer, new_dir)
                shutil.rmtree(new_dir / SPOOL, ignore_errors=True)
                triples, graphs = writer.sizes(self.info(parent) if parent is not None else None)
                info = SnapshotInfo(
                    id=new_id,
                    parent=parent,
                    created=datetime.now(UTC).isoformat(timespec="seconds"),
                    note=note,
                    triples=triples,
                    graphs=graphs,
                    seconds=round(time.perf_counter() - started, 3),
                )
                writer.close()  # the database must be closed before it is published
                _write_atomic(new_dir / "meta.json", json.dumps(dataclasses.asdict(info), indent=2))
                _write_atomic(self.root / "CURRENT", new_id)
            except BaseException:
                if writer is not None:
                    writer.close()
                shutil.rmtree(new_dir, ignore_errors=True)
                raise
            self.gc()

    def _next_id(self) -> str:
        seqs = [
            int(p.name.rsplit("-", 1)[1]) for p in self.snapshots_dir.glob("*-*") if p.name.rsplit("-", 1)[1].isdigit()
        ]
        # Microseconds keep ids unique even when a failed write's number is reused.
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        return f"{stamp}-{max(seqs, default=0) + 1:06d}"

    def _remove_unpublished(self) -> None:
        # Left behind by a writer that crashed (or was killed) before publishing.
        if not self.snapshots_dir.is_dir():
            return
        current = self.current_id()
        for child in self.snapshots_dir.iterdir():
            if child.name != current and not (child / "meta.json").is_file():
                shutil.rmtree(child, ignore_errors=True)

    def gc(self) -> list[str]:
        """Delete all but the newest ``keep`` snapshots (never the current one)."""
        current = self.current_id()
        published = self.snapshots()
        removed = []
        for info in published[: max(0, len(published) - self.keep)]:
            if info.id != current:
                shutil.rmtree(self.snapshot_dir(info.id), ignore_errors=True)
                removed.append(info.id)
        return removed


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class MemoryStore:
    """An in-memory store with the :class:`SnapshotStore` interface, for tests and small jobs.

    Writes go to a staging copy that replaces the live store only when the
    block succeeds, so a failed load leaves the data as it was.
    """

    def __init__(self, builders: Sequence[ArtifactBuilder] = ()) -> None:
        self._graph = Graph(ox.Store(), "memory-0", None)
        self.builders = list(builders)
        self._seq = 0
        self.artifacts: dict[str, Path] = {}

    def current_id(self) -> str | None:
        return self._graph.snapshot_id

    def open_current(self) -> Graph:
        return self._graph

    def graph(self) -> Graph:
        """The live graph (same as :meth:`open_current`)."""
        return self._graph

    def snapshots(self) -> list[SnapshotInfo]:
        return []

    @contextlib.contextmanager
    def write(self, note: str = "") -> Iterator[Writer]:
        staging = ox.Store()
        staging.extend(self._graph._store)
        self._seq += 1
        writer = Writer(staging, f"memory-{self._seq}", None, self.artifacts.get(self._graph.snapshot_id or ""))
        yield writer
        if self.builders:
            import tempfile

            directory = Path(tempfile.mkdtemp(prefix="supplygraph-mem-"))
            for build in self.builders:
                build(writer, directory)
            self.artifacts[writer.snapshot_id or ""] = directory
        self._graph = Graph(staging, writer.snapshot_id, None)


AnyStore: TypeAlias = SnapshotStore | MemoryStore


def open_store(location: str | Path, keep: int = 3, builders: Sequence[ArtifactBuilder] = ()) -> AnyStore:
    """Open ``location``: a snapshot directory, or ``:memory:`` for an in-memory store."""
    if str(location) == ":memory:":
        return MemoryStore(builders)
    return SnapshotStore(location, keep, builders)
