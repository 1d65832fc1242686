"""An index's node table (IRIs in byte order, see :mod:`service.index.build`), searched and merged in place.

A delta build (:mod:`service.index.delta`) keeps most of the parent's nodes
and adds a few: it looks IRIs up by binary search in the parent's table and
writes the new table as runs of the old one with the new IRIs between them,
so its cost grows with the change, not with the table.
"""

from __future__ import annotations

import bisect
import mmap
import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


class NodeTable:
    """The node IRIs of an index directory, in order, as UTF-8 bytes."""

    def __init__(self, directory: Path) -> None:
        # Mapped, not read: a search touches a few pages of it.
        with open(directory / "nodes.blob", "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self.blob: bytes | mmap.mmap = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self.offsets: IntArray = np.load(directory / "nodes_off.npy")
        self._at = memoryview(self.offsets)  # plain ints for the binary search, without numpy scalars

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, node: int) -> bytes:
        return self.blob[self._at[node] : self._at[node + 1]]

    def iris(self, nodes: IntArray) -> list[str]:
        """The IRIs of ``nodes``."""
        return [self[int(n)].decode() for n in nodes]

    def find(self, iris: list[str]) -> tuple[Mask, IntArray]:
        """For each IRI, whether it is a node, and its id (or where it would go: the id of the next node)."""
        # Node ids follow the byte order of the UTF-8 IRIs, as polars sorts them.
        at = np.array([bisect.bisect_left(self, iri.encode()) for iri in iris], dtype=np.int64)
        found = np.array([a < len(self) and self[int(a)] == iri.encode() for a, iri in zip(at, iris, strict=True)])
        return found.astype(bool).reshape(len(iris)), at

    def write(
        self, out: Path, keep: Mask, added: list[str], final_old: IntArray, final_added: IntArray, n: int
    ) -> None:
        """Write the table of the ``keep`` nodes and ``added`` at their new ids (see :func:`merged_ids`)."""
        offsets = self.offsets
        encoded = [iri.encode() for iri in added]
        lengths = np.zeros(n, dtype=np.int64)
        kept = np.flatnonzero(keep)
        lengths[final_old[kept]] = np.diff(offsets)[kept]
        lengths[final_added] = [len(b) for b in encoded]
        new_offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=new_offsets[1:])
        # Kept nodes in runs that stay side by side are copied as one slice.
        breaks = np.flatnonzero((np.diff(kept) != 1) | (np.diff(final_old[kept]) != 1)) + 1
        blob = memoryview(self.blob)  # slices of it are views, written without a copy
        pieces: list[tuple[int, bytes | memoryview]] = [
            (int(final_old[run[0]]), blob[self._at[run[0]] : self._at[run[-1] + 1]])
            for run in np.split(kept, breaks)
            if len(run)
        ]
        pieces += [(int(at), b) for at, b in zip(final_added, encoded, strict=True)]
        pieces.sort(key=lambda piece: piece[0])
        with open(out / "nodes.blob", "wb") as handle:
            for _, piece in pieces:
                handle.write(piece)
            del blob, pieces  # no view may outlive the table's map
        np.save(out / "nodes_off.npy", new_offsets)


def merged_ids(keep: Mask, positions: IntArray) -> tuple[IntArray, IntArray, int]:
    """New ids of the old nodes (-1 if dropped) and of the nodes added before old ids ``positions``; their count.

    ``positions`` are sorted, as the added IRIs are.
    """
    kept_before = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_before[1:])
    added_before = np.searchsorted(positions, np.arange(len(keep)), side="right")
    final_old = np.where(keep, kept_before[:-1] + added_before, -1)
    final_added = kept_before[positions] + np.arange(len(positions), dtype=np.int64)
    return final_old, final_added, int(kept_before[-1]) + len(positions)
