"""The writer of a new snapshot: bulk loads, updates and the journal of what changed."""

from __future__ import annotations

import contextlib
import gzip
import io
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeAlias

import pyoxigraph as ox

from service.errors import QueryError, RdfSyntaxError, StoreError
from service.store.formats import RDF_FORMATS
from service.store.journal import DEFAULT_GRAPH, Changes, Document
from service.store.snapshot import Snapshot
from service.store.terms import Term, node_of, object_of
from service.store.update_scope import graphs_changed

if TYPE_CHECKING:
    from service.store.meta import SnapshotInfo

Progress: TypeAlias = Callable[[int, int], None]
"""Called with (bytes read, total bytes) while a file loads."""


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and reports bytes read, for progress bars."""

    def __init__(self, raw: IO[bytes], total: int, progress: Progress) -> None:
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


class Writer(Snapshot):
    """A new snapshot open for writing inside :meth:`SnapshotStore.write` or :meth:`MemoryStore.write`.

    It reads like the :class:`Snapshot` it will become.  Every change is
    journaled in :attr:`changes` (see :mod:`service.store.journal`), which the
    artifact builders receive with a read-only view (:class:`BuildInput`).
    """

    def __init__(
        self, store: ox.Store, snapshot_id: str | None, path: Path | None, parent_artifacts: Path | None
    ) -> None:
        super().__init__(store, snapshot_id, path)
        self.changes = Changes()
        # The parent snapshot's artifact directory, for builders that reuse it.
        self.parent_artifacts = parent_artifacts
        self._spools = itertools.count()
        # Graph sizes this writer has just counted (a load counts its graph), so
        # the snapshot's figures need not count them again.  Any other change
        # to a graph forgets its entry.
        self._counted: dict[str, int] = {}

    def view(self) -> Snapshot:
        """A read-only view of what this writer holds so far (the same database)."""
        return Snapshot(self._store, self.snapshot_id, self.path)

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
            self.changes.cleared(graph)
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
                # An OSError's text can name files on the server: its kind is enough.
                reason = exc.strerror or type(exc).__name__ if type(exc) is OSError else str(exc)
                raise RdfSyntaxError(f"{label}: cannot read: {reason}") from exc
        if is_dataset:
            self.changes.anything()
        else:
            document = Document.of_file(spooled) if spooled is not None else _document(source)
            self.changes.added(graph, document if fmt == "ntriples" else None)
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
        if previous is None or self.changes.everything:
            sizes = self.graph_sizes()
            return sum(sizes.values()) + self._count_graph(None), sizes
        graphs = dict(previous.graphs)
        default = previous.triples - sum(graphs.values())
        for graph in self.changes.graphs:
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
        self.changes.cleared(graph)
        self._counted.pop(graph, None)
        return True

    def clear_default_graph(self) -> None:
        """Remove every triple of the default graph (named graphs stay)."""
        self._store.clear_graph(ox.DefaultGraph())
        self.changes.cleared(None)
        self._counted.pop(DEFAULT_GRAPH, None)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL Update (transactional per call); ``base_iri`` resolves relative IRIs."""
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL Update syntax error: {exc.args[0] if exc.args else exc}") from exc
        changed = graphs_changed(sparql, base_iri)
        if changed is None:
            self.changes.anything()
            self._counted.clear()
        for graph in changed or ():
            self.changes.touched(graph)
            self._counted.pop(graph or DEFAULT_GRAPH, None)

    def update_remove_subject(self, graph: str, subject: str) -> int:
        """Remove every triple of ``subject`` in ``graph``; return how many were removed."""
        quads = list(self._store.quads_for_pattern(ox.NamedNode(subject), None, None, ox.NamedNode(graph)))
        for quad in quads:
            self._store.remove(quad)
        self.changes.touched(graph)
        self._counted.pop(graph, None)
        return len(quads)

    def add_triples(self, triples: Iterable[tuple[str, str, Term]], graph: str | None = None) -> None:
        """Add (subject IRI, predicate IRI, object) triples to ``graph``."""
        g = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        self._store.extend(ox.Quad(node_of(s), ox.NamedNode(p), object_of(o), g) for s, p, o in triples)
        self.changes.added(graph, None)
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
def _open_source(path: Path, progress: Progress | None) -> Iterator[IO[bytes]]:
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


class _Closed:
    def __getattr__(self, name: str) -> Any:
        raise StoreError("this writer is closed: its snapshot was published or discarded")


_CLOSED: Any = _Closed()
