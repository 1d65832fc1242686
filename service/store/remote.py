"""An external SPARQL engine behind the store interface, with the index state in a local directory.

The engine holds the data; the service keeps, in its state directory, the
artifacts the embedded store keeps with each snapshot (the dependency index
and the frames the analytics read)::

    state/
      LOCK                       # flock() held while this process builds or writes
      versions/<version>/        # artifacts of one remote version (index/, index/frames/)
      versions/<version>/markers.json   # the version markers it was built from

A *version* is named after the version markers in the engine's catalog graph
(one per graph: a checksum and a timestamp, written by every load through
:class:`RemoteWriter`) and the list of named graphs.  :meth:`RemoteStore.current_id`
reads them at most every ``poll`` seconds; when they differ from the version
built here, the artifacts of the new version are built before it becomes
current: frames are rebuilt only for the graphs whose marker changed (read
from the engine with one SELECT per predicate and graph), the others are
reused, and the index arrays are rebuilt only if an indexed frame changed.
Until then readers keep the previous version, so a replica never waits for
a build to answer.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from service.store.endpoint import Endpoint, EndpointConfig
from service.store.journal import Changes
from service.store.meta import SnapshotInfo, write_atomic
from service.store.remote_graph import STAGING, RemoteGraph
from service.store.remote_writer import ANY_GRAPH, IDENTIFIER, IS_VERSION_OF, MODIFIED, RemoteWriter
from service.store.snapshots import ArtifactBuilder, BuildInput
from service.store.terms import IRI

_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
_GRAPHS_SCANNED = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

Markers = dict[str, str]
"""Graph IRI -> "checksum timestamp", as read from the catalog graph."""


class RemoteStore:
    """The store interface over an external engine (see the module docstring)."""

    def __init__(
        self,
        config: EndpointConfig,
        state_dir: str | Path,
        catalog: str,
        builders: Sequence[ArtifactBuilder] = (),
        poll: float = 10.0,
        prefixes: Sequence[str] = (),
    ) -> None:
        self.endpoint = Endpoint(config)
        self.root = Path(state_dir)
        self.catalog = catalog
        self.builders = list(builders)
        self.poll = poll
        self.prefixes = tuple(prefixes)  # the named graphs that are the service's (none: all)
        self._graph: RemoteGraph | None = None
        self._seen: tuple[Markers, list[str]] | None = None  # the markers and graphs read last
        self._checked = -float("inf")
        self._refreshing = threading.Lock()
        self.builds = 0  # versions built by this process, so tests can tell a rebuild from none

    @property
    def location(self) -> str | None:
        """None: queries run in threads of this process, which forwards them to the engine."""
        return None

    @property
    def versions_dir(self) -> Path:
        return self.root / "versions"

    def markers(self, force: bool = False) -> tuple[Markers, list[str]]:
        """The version markers in the catalog graph and the engine's named graphs, as they are now."""
        reader = RemoteGraph(self.endpoint, None, [], self.endpoint.config.timeout)
        pattern = f"?m <{IS_VERSION_OF}> ?g ; <{IDENTIFIER}> ?c ; <{MODIFIED}> ?t"
        query = f"SELECT ?g ?c ?t WHERE {{ GRAPH ?cat {{ {pattern} }} }}"
        rows = reader._query(query, {"cat": IRI(self.catalog)}, named_graphs=[ox.NamedNode(self.catalog)])
        found = {s["g"].value: f"{s['c'].value} {s['t'].value}" for s in rows}
        # No dataset: the engine's own, where every named graph is visible.  An
        # empty GRAPH pattern is the cheap question, but Virtuoso answers it with
        # nothing (or one row with ?g unbound).  Such an engine is asked for the
        # graph of every triple instead, which costs a scan: only when the markers
        # moved, or a rebuild is forced.
        graphs = [s["g"].value for s in reader._query(_GRAPHS, None, use_default_graph_as_union=False) if s["g"]]
        if not graphs:
            if not force and self._seen is not None and self._seen[0] == found:
                return self._seen
            scanned = reader._query(_GRAPHS_SCANNED, None, use_default_graph_as_union=False)
            graphs = [s["g"].value for s in scanned if s["g"]]
        ours = [g for g in graphs if not self.prefixes or g.startswith(self.prefixes)]
        self._seen = found, sorted(g for g in ours if not g.startswith(STAGING))
        return self._seen

    @staticmethod
    def version_of(markers: Markers, graphs: list[str]) -> str | None:
        """The version id of a state of the engine: a digest of its markers and graph list (None: empty)."""
        if not markers and not graphs:
            return None
        digest = hashlib.sha256(json.dumps([sorted(markers.items()), graphs]).encode()).hexdigest()
        return "remote-" + digest[:20]

    def current_id(self) -> str | None:
        """The version readers use now; checks the engine for a newer one at most every ``poll`` seconds."""
        if time.monotonic() - self._checked >= self.poll or self._graph is None:
            self.refresh()
        return self._graph.snapshot_id if self._graph is not None else None

    def open_current(self) -> RemoteGraph:
        """A view of the current version (built on first use)."""
        self.current_id()
        assert self._graph is not None
        return self._graph

    def refresh(self, force: bool = False, changes: Changes | None = None) -> bool:
        """Check the engine's markers; build and switch to a new version if they moved.  True if it switched.

        If another thread is already refreshing, return at once: readers keep
        the version they have.  ``force`` rebuilds every graph.
        """
        if not self._refreshing.acquire(blocking=self._graph is None or force or changes is not None):
            return False
        try:
            self._checked = time.monotonic()
            markers, graphs = self.markers(force)
            version = self.version_of(markers, graphs)
            if not force and self._graph is not None and self._graph.snapshot_id == version:
                return False
            if version is not None:
                with self._lock():
                    self._build(version, markers, graphs, force, changes)
            self._graph = RemoteGraph(self.endpoint, version, graphs)
            return True
        finally:
            self._refreshing.release()

    def _built(self) -> tuple[Path | None, Markers, list[str]]:
        """The newest version built here, with its markers and graphs."""
        built = sorted(self.versions_dir.glob("*/markers.json"), key=lambda p: p.stat().st_mtime_ns)
        if not built:
            return None, {}, []
        state = json.loads(built[-1].read_text())
        return built[-1].parent, state["markers"], state["graphs"]

    def _build(self, version: str, markers: Markers, graphs: list[str], force: bool, journal: Changes | None) -> None:
        directory = self.versions_dir / version
        if (directory / "markers.json").is_file() and not force:
            (directory / "markers.json").touch()  # the newest again
            return
        parent, old, old_graphs = (None, {}, []) if force else self._built()
        changes = Changes()
        if ANY_GRAPH in markers.keys() ^ old.keys() or markers.get(ANY_GRAPH) != old.get(ANY_GRAPH):
            parent = None  # a change to any graph: read them all again
        for graph in graphs if parent is None else sorted(set(graphs) | old.keys() | markers.keys()):
            moved = markers.get(graph) != old.get(graph) or (graph in graphs) != (graph in old_graphs)
            if parent is None or moved:
                told = journal.graphs.get(graph) if journal is not None else None
                if told is not None and not told.opaque and graph in graphs:
                    changes.graphs[graph] = told  # read from the loaded documents, not the engine
                elif graph in graphs:
                    changes.touched(graph)
                else:
                    changes.cleared(graph)
        scratch = directory.with_name(directory.name + ".building")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        view = RemoteGraph(self.endpoint, version, graphs)
        for build in self.builders:
            build(BuildInput(view, changes, parent, scratch))
        write_atomic(scratch / "markers.json", json.dumps({"markers": markers, "graphs": graphs}, indent=1))
        shutil.rmtree(directory, ignore_errors=True)
        scratch.rename(directory)
        self.builds += 1
        self._gc(keep={directory, parent})

    def _gc(self, keep: set[Path | None]) -> None:
        built = sorted(self.versions_dir.glob("*/markers.json"), key=lambda p: p.stat().st_mtime_ns)
        for old in built[:-3]:
            if old.parent not in keep:
                shutil.rmtree(old.parent, ignore_errors=True)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "LOCK", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the connections to the engine."""
        self.endpoint.close()

    def rebuild(self) -> str | None:
        """Build the current version's artifacts again from the engine, whatever was built before."""
        self.refresh(force=True)
        return self.current_id()

    @contextlib.contextmanager
    def write(self, note: str = "") -> Iterator[RemoteWriter]:
        """A writer whose changes reach the engine in one update when the block exits cleanly.

        If the block raises, nothing was applied and the staging graphs are
        dropped.  The new version's artifacts are built before this returns.
        """
        reader = self.open_current()
        with self._lock():
            spool = self.root / "spool" / f"{time.time_ns()}"
            parent = self.artifacts_dir(reader.snapshot_id or "")
            writer = RemoteWriter(reader, self.catalog, spool, parent)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.discard()
                shutil.rmtree(spool, ignore_errors=True)
                raise
        try:
            self.refresh(changes=writer.changes)
        finally:
            shutil.rmtree(spool, ignore_errors=True)
        writer.snapshot_id = self.current_id()

    def artifacts_dir(self, snapshot_id: str) -> Path | None:
        """The directory of ``snapshot_id``'s artifacts, if it was built here."""
        path = self.versions_dir / snapshot_id
        return path if snapshot_id and (path / "markers.json").is_file() else None

    def current_info(self) -> SnapshotInfo | None:
        """The current version (its size counted by the engine)."""
        graph = self.open_current()
        sizes = graph.graph_sizes()
        return SnapshotInfo(graph.snapshot_id or "", None, "", "", sum(sizes.values()), sizes)

    def snapshots(self) -> list[SnapshotInfo]:
        """None are kept here: versions live in the engine."""
        return []

    def damage(self) -> list[str]:
        """Nothing to check locally: the engine answers for its data."""
        return []
