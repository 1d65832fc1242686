"""A table of distinct strings, sorted, kept as one UTF-8 blob and its offsets.

The stored analytics model names every node, country and issue by a code
into one such table, so reading it back maps two files instead of
unpickling a million Python strings; a string is decoded only when asked for.
Codes follow the sort order of the strings (which is their UTF-8 byte order),
so a string is found by binary search.
"""

from __future__ import annotations

import bisect
import itertools
import mmap
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.int32]
NONE = -1
"""The code of a missing string (None)."""


class Strings:
    """Sorted distinct strings: ``table[code]`` is a string, :meth:`find` a code."""

    def __init__(self, blob: bytes | mmap.mmap, offsets: npt.NDArray[np.int64]) -> None:
        self._blob = blob
        self._offsets = np.asarray(offsets)  # a mapped file's plain view: indexing a memmap object is slow

    @classmethod
    def of(cls, values: Iterable[str]) -> Strings:
        """The table of ``values`` (repeats dropped)."""
        encoded = [s.encode() for s in sorted(set(values))]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return cls(b"".join(encoded), offsets)

    @classmethod
    def load(cls, directory: Path, name: str) -> Strings:
        """The table saved as ``name`` in ``directory``, mapped read-only."""
        path = directory / f"{name}.blob"
        offsets = np.load(directory / f"{name}_off.npy", mmap_mode="r")
        if path.stat().st_size == 0:
            return cls(b"", offsets)
        with open(path, "rb") as handle:
            return cls(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ), offsets)

    def save(self, directory: Path, name: str) -> None:
        """Write the table as ``name.blob`` and ``name_off.npy`` in ``directory``."""
        (directory / f"{name}.blob").write_bytes(bytes(self._blob))
        np.save(directory / f"{name}_off.npy", np.asarray(self._offsets))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, code: int) -> str:
        return self._raw(int(code)).decode()

    def _raw(self, code: int) -> bytes:
        return bytes(self._blob[int(self._offsets[code]) : int(self._offsets[code + 1])])

    def get(self, code: int) -> str | None:
        """The string of ``code``, or None for :data:`NONE`."""
        return None if code == NONE else self[code]

    @cached_property
    def all(self) -> list[str]:
        """Every string, by code (decoded once)."""
        blob = bytes(self._blob)
        bounds = np.asarray(self._offsets).tolist()
        text = blob.decode()
        if len(text) == len(blob):  # ASCII: byte offsets are character offsets
            return [text[a:b] for a, b in itertools.pairwise(bounds)]
        return [blob[a:b].decode() for a, b in itertools.pairwise(bounds)]

    def find(self, value: str) -> int | None:
        """The code of ``value``, or None if the table does not hold it."""
        lo = self.position(value)
        return lo if lo < len(self) and self._raw(lo) == value.encode() else None

    def position(self, value: str) -> int:
        """How many strings of the table sort before ``value`` (bisect-left)."""
        if "all" in self.__dict__:  # decoded already: code-point order is the UTF-8 byte order
            return bisect.bisect_left(self.all, value)
        key = value.encode()
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._raw(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def subset_with(self, kept: npt.NDArray[np.int64], added: Sequence[str]) -> tuple[Strings, Codes, Codes]:
        """The table of the strings ``kept`` (sorted codes) and ``added`` (absent from them), with their new codes.

        Returns the table, the new code of each kept string and of each added
        one (in the order given).  The kept strings' bytes are copied as they
        are, without decoding them.
        """
        offsets = np.asarray(self._offsets)
        starts, lengths = offsets[kept], offsets[kept + 1] - offsets[kept]
        spans = np.zeros(len(kept) + 1, dtype=np.int64)
        np.cumsum(lengths, out=spans[1:])
        # Byte i of the kept strings is byte starts[j] + (i - spans[j]) of this table, j its string.
        gather = np.repeat(starts - spans[:-1], lengths) + np.arange(int(spans[-1]), dtype=np.int64)
        blob = np.frombuffer(self._blob, dtype=np.uint8)[gather].tobytes() if len(gather) else b""
        order = sorted(range(len(added)), key=lambda n: added[n])
        encoded = [added[n].encode() for n in order]
        after = np.searchsorted(kept, [self.position(added[n]) for n in order]).astype(np.int64)  # kept ones before
        new_kept = np.arange(len(kept), dtype=np.int64) + np.searchsorted(after, np.arange(len(kept)), side="right")
        new_added = np.empty(len(added), dtype=np.int64)
        new_added[order] = after + np.arange(len(order))
        pieces, done = [], 0
        for at, text in zip(after.tolist(), encoded, strict=True):
            pieces += [blob[int(spans[done]) : int(spans[at])], text]
            done = at
        pieces.append(blob[int(spans[done]) :])
        sizes = np.insert(lengths, after, [len(b) for b in encoded])
        table_offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=table_offsets[1:])
        return Strings(b"".join(pieces), table_offsets), new_kept.astype(np.int32), new_added.astype(np.int32)

    @cached_property
    def _code(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.all)}

    def code_of(self, value: str) -> int:
        """The code of ``value``, which must be in the table."""
        return self._code[value]

    def codes(self, values: Sequence[str | None]) -> Codes:
        """The codes of ``values`` (:data:`NONE` for None); each must be in the table."""
        code = self._code
        return np.fromiter((NONE if s is None else code[s] for s in values), dtype=np.int32, count=len(values))
