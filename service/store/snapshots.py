"""Snapshots on disk with an atomically switched pointer, and the in-memory store.

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
and small jobs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pyoxigraph as ox

from service.errors import DiskFull, StoreError, is_disk_full
from service.store.journal import Changes
from service.store.meta import (
    SNAPSHOT_ID,
    SnapshotInfo,
    StoreDamaged,
    damaged,
    newest_intact,
    problems,
    read_meta,
    read_pointer,
    sync_tree,
    write_atomic,
)
from service.store.snapshot import Snapshot
from service.store.writer import SPOOL, Writer

if TYPE_CHECKING:
    from service.store.remote import RemoteStore


@dataclass(frozen=True, slots=True)
class BuildInput:
    """What an artifact builder gets for a new snapshot, before it is published.

    ``snapshot`` reads the new snapshot's triples; ``changes`` is the journal
    of what the write changed (None: unknown, so rebuild from everything);
    ``parent`` is the parent snapshot's artifact directory, for reuse (None:
    the store was empty); ``directory`` is where this snapshot's artifacts go.
    """

    snapshot: Snapshot
    changes: Changes | None
    parent: Path | None
    directory: Path

    @classmethod
    def of(cls, writer: Writer, directory: Path) -> BuildInput:
        """The input for building from what ``writer`` holds."""
        return cls(writer.view(), writer.changes, writer.parent_artifacts, directory)


ArtifactBuilder: TypeAlias = Callable[[BuildInput], None]
"""Builds a derived artifact (e.g. the dependency index) into a snapshot's artifact directory."""


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
        self._cached: Snapshot | None = None
        self._cached_lock = threading.Lock()
        self._pointer: tuple[tuple[int, int, int], str] | None = None  # CURRENT's identity and the id it names
        self._pointer_path = str(self.root / "CURRENT")  # stat-ed on every request: spelled once

    @property
    def snapshots_dir(self) -> Path:
        return self.root / "snapshots"

    def current_id(self) -> str | None:
        """Id of the current snapshot, or None for a store with no snapshot yet.

        :class:`StoreDamaged` when ``CURRENT`` is empty, garbage, names no
        snapshot, or is missing while snapshots exist: nothing reads or
        writes a store whose pointer it cannot trust.
        """
        # Every request asks; CURRENT changes only by os.replace, which gives it a
        # new inode, so an unchanged stat means an unchanged, already checked pointer.
        try:
            stat = os.stat(self._pointer_path)
            key: tuple[int, int, int] | None = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            key = None
        if key is not None and self._pointer is not None and self._pointer[0] == key:
            return self._pointer[1]
        try:
            found = read_pointer(self.root)
        except StoreDamaged as exc:
            raise damaged(self.root, exc.message) from None
        if found is None and newest_intact(self.root) is not None:
            raise damaged(self.root, "CURRENT is missing but the store has snapshots")
        self._pointer = (key, found) if key is not None and found is not None else None
        return found

    def snapshot_dir(self, snapshot_id: str) -> Path:
        return self.snapshots_dir / snapshot_id

    @property
    def location(self) -> str | None:
        """The store's directory, which other processes can open (None in memory)."""
        return str(self.root)

    def current_info(self) -> SnapshotInfo | None:
        """Metadata of the current snapshot (cheap: read from its ``meta.json``), None when empty."""
        current = self.current_id()
        return self.info(current) if current is not None else None

    def artifacts_dir(self, snapshot_id: str) -> Path | None:
        """The directory holding the artifacts of ``snapshot_id`` (its index lives in ``index/``)."""
        path = self.snapshot_dir(snapshot_id)
        return path if path.is_dir() else None

    def info(self, snapshot_id: str) -> SnapshotInfo:
        """Metadata of a published snapshot; :class:`StoreDamaged` if its ``meta.json`` is missing or corrupt."""
        try:
            return read_meta(self.root, snapshot_id)
        except StoreDamaged as exc:
            raise damaged(self.root, exc.message) from None

    def snapshots(self) -> list[SnapshotInfo]:
        """Published snapshots whose metadata can be read, oldest first."""
        found = []
        if self.snapshots_dir.is_dir():
            for child in self.snapshots_dir.iterdir():
                if (child / "meta.json").is_file() and SNAPSHOT_ID.fullmatch(child.name):
                    with contextlib.suppress(StoreDamaged):
                        found.append(read_meta(self.root, child.name))
        return sorted(found, key=lambda s: s.seq)

    def damage(self) -> list[str]:
        """What is wrong with the current snapshot's files (cheap checks; empty when it looks intact)."""
        current = self.current_id()
        return problems(self.root, current) if current is not None else []

    def verify(self, count: bool = False) -> dict[str, list[str]]:
        """Every snapshot directory and what is wrong with it (an empty list: intact), oldest first.

        With ``count``, each intact-looking snapshot's database is also opened
        and its quads counted against ``meta.json`` (seconds on a large store).
        """
        if not self.snapshots_dir.is_dir():
            return {}
        ids = [p.name for p in self.snapshots_dir.iterdir() if SNAPSHOT_ID.fullmatch(p.name)]
        found = {i: problems(self.root, i) for i in sorted(ids, key=lambda i: int(i.rsplit("-", 1)[1]))}
        for snapshot_id, wrong in found.items():
            if count and not wrong:
                stated = read_meta(self.root, snapshot_id).triples
                try:
                    held = len(ox.Store.read_only(str(self.snapshot_dir(snapshot_id) / "db")))
                except OSError:
                    wrong.append(f"snapshots/{snapshot_id}/db cannot be opened")
                    continue
                if held != stated:
                    wrong.append(f"snapshots/{snapshot_id}/meta.json says {stated} triples; the database holds {held}")
        return found

    def use(self, snapshot_id: str) -> None:
        """Make ``snapshot_id`` current (to recover from a damaged one); :class:`StoreError` unless it is intact."""
        if not SNAPSHOT_ID.fullmatch(snapshot_id) or not self.snapshot_dir(snapshot_id).is_dir():
            raise StoreError(f"no snapshot {snapshot_id!r} in this store")
        found = problems(self.root, snapshot_id)
        if found:
            raise StoreError(f"snapshot {snapshot_id} is damaged: {'; '.join(found)}")
        with self._lock():
            write_atomic(self.root / "CURRENT", snapshot_id)

    def open_current(self) -> Snapshot:
        """The current snapshot, opened read-only and reused until the pointer moves.

        An empty store yields an empty in-memory graph, so a service can start
        before the first load and pick the data up when it lands.
        """
        current = self.current_id()
        with self._cached_lock:
            if self._cached is not None and self._cached.snapshot_id == current:
                return self._cached
            if current is None:
                graph = Snapshot(ox.Store(), None, None)
            else:
                path = self.snapshot_dir(current)
                try:
                    graph = Snapshot(ox.Store.read_only(str(path / "db")), current, path)
                except OSError:
                    raise damaged(self.root, f"the database of snapshot {current} cannot be opened") from None
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
                    build(BuildInput.of(writer, new_dir))
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
                write_atomic(new_dir / "meta.json", json.dumps(dataclasses.asdict(info), indent=2))
                # Every file and directory of the snapshot reaches the disk before the
                # pointer names it; the pointer itself is written and synced last.
                sync_tree(new_dir)
                write_atomic(self.root / "CURRENT", new_id)
            except BaseException as exc:
                if writer is not None:
                    writer.close()
                shutil.rmtree(new_dir, ignore_errors=True)
                if is_disk_full(exc):
                    # Said plainly, without the database's own message (it names files on the server).
                    raise DiskFull("the store's disk is full; nothing was written") from None
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
        """Delete all but the newest ``keep`` snapshots (never the current one, nor the newest intact one)."""
        current = self.current_id()
        published = self.snapshots()
        keep = {current, newest_intact(self.root)}
        removed = []
        for info in published[: max(0, len(published) - self.keep)]:
            if info.id not in keep:
                shutil.rmtree(self.snapshot_dir(info.id), ignore_errors=True)
                removed.append(info.id)
        return removed


class MemoryStore:
    """An in-memory store with the :class:`SnapshotStore` interface, for tests and small jobs.

    Writes go to a staging copy that replaces the live store only when the
    block succeeds, so a failed load leaves the data as it was.
    """

    def __init__(self, builders: Sequence[ArtifactBuilder] = ()) -> None:
        self._graph = Snapshot(ox.Store(), "memory-0", None)
        self.builders = list(builders)
        self._seq = 0
        self.artifacts: dict[str, Path] = {}

    def current_id(self) -> str | None:
        return self._graph.snapshot_id

    def open_current(self) -> Snapshot:
        return self._graph

    def graph(self) -> Snapshot:
        """The live graph (same as :meth:`open_current`)."""
        return self._graph

    def snapshots(self) -> list[SnapshotInfo]:
        return []

    @property
    def location(self) -> str | None:
        """None: an in-memory store cannot be opened by another process."""
        return None

    def current_info(self) -> SnapshotInfo | None:
        """The current state, counted live (there is no metadata file)."""
        graph = self._graph
        return SnapshotInfo(graph.snapshot_id or "memory-0", None, "", "", graph.triple_count())

    def damage(self) -> list[str]:
        """Nothing: an in-memory store has no files to damage."""
        return []

    def artifacts_dir(self, snapshot_id: str) -> Path | None:
        """The temporary directory holding the artifacts of ``snapshot_id``, if any were built."""
        return self.artifacts.get(snapshot_id)

    @contextlib.contextmanager
    def write(self, note: str = "") -> Iterator[Writer]:
        staging = ox.Store()
        staging.extend(self._graph._store)
        self._seq += 1
        writer = Writer(staging, f"memory-{self._seq}", None, self.artifacts.get(self._graph.snapshot_id or ""))
        yield writer
        if self.builders:
            directory = Path(tempfile.mkdtemp(prefix="supplygraph-mem-"))
            for build in self.builders:
                build(BuildInput.of(writer, directory))
            self.artifacts[writer.snapshot_id or ""] = directory
        self._graph = Snapshot(staging, writer.snapshot_id, None)


AnyStore: TypeAlias = "SnapshotStore | MemoryStore | RemoteStore"
"""Any store: a snapshot directory, memory, or an external engine (:mod:`service.store.remote`)."""


def open_store(location: str | Path, keep: int = 3, builders: Sequence[ArtifactBuilder] = ()) -> AnyStore:
    """Open ``location``: a snapshot directory, or ``:memory:`` for an in-memory store."""
    if str(location) == ":memory:":
        return MemoryStore(builders)
    return SnapshotStore(location, keep, builders)
