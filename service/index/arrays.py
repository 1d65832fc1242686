"""Distinct values of an integer array, by sorting: what ``np.unique`` returns, without its cost.

numpy 2.4's ``np.unique`` finds distinct integers with a hash table and then
sorts them; on this machine that takes 1.6 s for a million random 64-bit
keys, where sorting and comparing neighbours takes 10 ms (and 25 ms for a
thousand, against 0.02 ms).  Link pairs, search frontiers and solver
levels all ask for distinct integers, so every caller uses these instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]


def _firsts(ordered: Array) -> npt.NDArray[np.bool_]:
    """True where a sorted array's value differs from the one before it."""
    first = np.empty(ordered.size, dtype=np.bool_)
    if ordered.size:
        first[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return first


def unique(values: npt.ArrayLike) -> Array:
    """The distinct values of ``values`` (flattened), sorted: ``np.unique(values)``."""
    ordered = np.sort(np.asarray(values).ravel())
    return ordered[_firsts(ordered)]


def unique_first(values: npt.ArrayLike) -> tuple[Array, npt.NDArray[np.intp]]:
    """The distinct values, sorted, and where each first occurs: ``np.unique(values, return_index=True)``."""
    flat = np.asarray(values).ravel()
    order = np.argsort(flat, kind="stable")  # stable: equal values keep their order, the first leads
    ordered = flat[order]
    first = _firsts(ordered)
    return ordered[first], order[first]


def unique_inverse(values: npt.ArrayLike) -> tuple[Array, npt.NDArray[np.intp]]:
    """The distinct values, sorted, and each value's place among them: ``np.unique(values, return_inverse=True)``.

    The places come flattened, as ``np.unique`` gives them for a one-dimensional array.
    """
    flat = np.asarray(values).ravel()
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    first = _firsts(ordered)
    inverse = np.empty(flat.size, dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse
