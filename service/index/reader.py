"""The per-snapshot dependency index, opened read-only with mmap and cached by snapshot id.

:func:`index_for` returns the index of the store's current snapshot.  Because
the cache key is the snapshot id and a published snapshot never changes, the
index can never be out of date.  The queries on it live in :mod:`service.index.search`.
"""

from __future__ import annotations

import json
import logging
import mmap
import tempfile
import threading
import weakref
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from service.index.build import build_index
from service.index.frames import read_frames, read_frames_where
from service.index.schema import FORMAT_VERSION, RELATIONS
from service.index.spec import SPEC
from service.store import AnyStore, BuildInput, Snapshot

log = logging.getLogger("supplygraph")

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Csr:
    """A relation ``src -> dst`` in compressed sparse rows, both directions.

    Forward edges of node ``u`` are ``ptr[u]:ptr[u+1]``; reverse edges of node
    ``w`` are ``redge[rptr[w]:rptr[w+1]]`` (edge ids into the forward arrays).
    """

    ptr: Ints
    src: npt.NDArray[np.int32]
    dst: npt.NDArray[np.int32]
    rptr: Ints
    redge: npt.NDArray[np.int32]

    @classmethod
    def load(cls, directory: Path, name: str) -> Csr:
        def arr(part: str) -> Any:
            return np.load(directory / f"{name}_{part}.npy", mmap_mode="r")

        return cls(arr("ptr"), arr("src"), arr("dst"), arr("rptr"), arr("redge"))

    def out(self, node: int) -> npt.NDArray[np.int32]:
        """Targets of ``node``."""
        return self.dst[self.ptr[node] : self.ptr[node + 1]]

    def into(self, node: int) -> npt.NDArray[np.int32]:
        """Sources pointing at ``node``."""
        return self.src[self.redge[self.rptr[node] : self.rptr[node + 1]]]

    def out_edges(self, nodes: Ints) -> Ints:
        """Edge ids leaving any of ``nodes`` (vectorised range expansion)."""
        return _expand(self.ptr, nodes, None)

    def in_edges(self, nodes: Ints) -> Ints:
        """Edge ids entering any of ``nodes``."""
        return _expand(self.rptr, nodes, self.redge)


def _expand(ptr: Ints, nodes: Ints, ids: npt.NDArray[np.int32] | None) -> Ints:
    starts = ptr[nodes]
    lengths = ptr[nodes + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    # For each range, position k of the output is start + (k - offset of the range).
    offsets = np.cumsum(lengths) - lengths
    positions = np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)
    return positions if ids is None else np.asarray(ids[positions], dtype=np.int64)


class DependencyIndex:
    """Integer node ids, node kinds and stages, the dependency graph and plain relations."""

    def __init__(self, directory: Path) -> None:
        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"{directory}: index format {meta.get('format')}, expected {FORMAT_VERSION}")
        self.directory = directory
        self.meta = meta
        self.snapshot_id: str | None = meta.get("snapshot")
        self._blob = _map(directory / "nodes.blob")
        self._off: Ints = np.load(directory / "nodes_off.npy", mmap_mode="r")
        self.n = int(meta["nodes"])
        self.kind: npt.NDArray[np.uint16] = np.load(directory / "node_kind.npy", mmap_mode="r")
        self.stage: npt.NDArray[np.int8] = np.load(directory / "node_stage.npy", mmap_mode="r")
        self.dep = Csr.load(directory, "dep")
        self.dep_kind: npt.NDArray[np.uint8] = np.load(directory / "dep_kind.npy", mmap_mode="r")
        self.dep_share: npt.NDArray[np.float64] = np.load(directory / "dep_share.npy", mmap_mode="r")
        self.dep_item: npt.NDArray[np.int32] = np.load(directory / "dep_item.npy", mmap_mode="r")
        self.rel = {name: Csr.load(directory, "rel_" + name) for name in RELATIONS}
        self.stat_material: Ints = np.load(directory / "stat_material.npy", mmap_mode="r")
        self.stat_country: Ints = np.load(directory / "stat_country.npy", mmap_mode="r")
        self.stat_stage: npt.NDArray[np.int8] = np.load(directory / "stat_stage.npy", mmap_mode="r")

    def frames(self, names: Collection[str] | None = None) -> dict[str, pl.DataFrame]:
        """The triples this index was built from, with the analyses' beside them, by frame name."""
        return read_frames(self.directory, SPEC, names)

    def frames_where(self, keep: pl.Expr) -> dict[str, pl.DataFrame]:
        """The rows of the frames that ``keep`` selects (on ``name``, ``s``, ``o``, ``scope``), by frame name."""
        return read_frames_where(self.directory, SPEC, keep)

    def iri(self, node: int) -> str:
        """The IRI of node ``node``."""
        return self._blob[int(self._off[node]) : int(self._off[node + 1])].decode()

    def iris(self, nodes: object) -> list[str]:
        """IRIs of several nodes."""
        return [self.iri(int(n)) for n in nodes]  # type: ignore[attr-defined]

    def lookup(self, iri: str) -> int | None:
        """The node id of ``iri``, or None if the index does not know it (binary search)."""
        index = self.insertion_point(iri)
        if index < self.n and self.iri(index) == iri:
            return index
        return None

    def insertion_point(self, iri: str) -> int:
        """Where ``iri`` sorts among the node IRIs (bisect-left on the sorted table)."""
        key = iri.encode()
        lo, hi = 0, self.n
        while lo < hi:
            mid = (lo + hi) // 2
            if self._blob[int(self._off[mid]) : int(self._off[mid + 1])] < key:
                lo = mid + 1
            else:
                hi = mid
        return lo


def _map(path: Path) -> bytes | mmap.mmap:
    """The file mapped read-only (slices of an mmap are bytes), or b"" when empty."""
    with open(path, "rb") as handle:
        if path.stat().st_size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


_cache: dict[str, DependencyIndex] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 4


# The index of each snapshot object once found (or built), so a request on an already opened
# snapshot gets it with one dictionary lookup, without touching the disk.
_attached: weakref.WeakKeyDictionary[Snapshot, DependencyIndex] = weakref.WeakKeyDictionary()
_building: weakref.WeakKeyDictionary[Snapshot, threading.Lock] = weakref.WeakKeyDictionary()
_building_lock = threading.Lock()


def index_dir(store: AnyStore, snapshot_id: str) -> Path | None:
    """Where the index of ``snapshot_id`` lives, if it was built."""
    artifacts = store.artifacts_dir(snapshot_id)
    path = artifacts / "index" if artifacts is not None else None
    return path if path is not None and (path / "meta.json").is_file() else None


def loaded_index(graph: Snapshot) -> DependencyIndex | None:
    """The index :func:`index_for` already returned for ``graph``, if any: no disk access, safe on an event loop."""
    return _attached.get(graph)


def index_for(store: AnyStore, graph: Snapshot | None = None) -> DependencyIndex:
    """The index of the store's current snapshot (or of ``graph``), cached by snapshot id.

    A snapshot published without an index of this format gets one built on
    first use into a temporary directory, so readers never see a stale or
    missing index.
    """
    graph = graph if graph is not None else store.open_current()
    attached = _attached.get(graph)
    if attached is not None:
        return attached
    directory = index_dir(store, graph.snapshot_id) if graph.snapshot_id else None
    key = str(directory)
    with _cache_lock:
        found = _cache.get(key) if directory is not None else None
        if found is None and directory is not None:
            try:
                found = DependencyIndex(directory)
            except ValueError as exc:  # another format: rebuild below
                log.warning("%s", exc)
            else:
                if len(_cache) >= _CACHE_SIZE:
                    _cache.pop(next(iter(_cache)))
                _cache[key] = found
    if found is not None:
        _attached[graph] = found
        return found
    # Built on the fly and kept beside the snapshot object, which lives
    # exactly as long as the snapshot it reads; concurrent first requests
    # wait for one build instead of each starting their own.
    with _building_lock:
        lock = _building.setdefault(graph, threading.Lock())
    with lock:
        attached = _attached.get(graph)
        if attached is not None:
            return attached
        log.warning("no dependency index for snapshot %s; building one", graph.snapshot_id)
        scratch = Path(tempfile.mkdtemp(prefix="supplygraph-index-"))
        build_index(BuildInput(graph, None, None, scratch))
        index = DependencyIndex(scratch / "index")
        _attached[graph] = index
        return index
