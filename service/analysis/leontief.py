"""Solving ``x = A x + b``, i.e. ``x = (I - A)⁻¹ b``, and the paths that make up ``x``.

On an acyclic network the nodes are put in levels (a sink is level 0, a node
one above its highest input) once, and each solve is one sweep of sparse
matrix-vector products over the levels: every stored entry of A is touched
once, so a solve costs about as much as one breadth-first search.  With a
cycle the levels do not exist and the system is factorised once with
``scipy.sparse.linalg.splu``; a cycle whose shares leave nothing outside it
makes ``I - A`` singular, which is reported as an error rather than guessed.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from service.errors import BadRequest
from service.index import unique

Vector = npt.NDArray[np.float64]


class SingularNetwork(BadRequest):
    """A cycle in the network keeps all of its requirement inside itself."""


def levels(matrix: sp.csr_matrix) -> npt.NDArray[np.int64] | None:
    """Longest distance of each node to a sink, or None when the graph has a cycle."""
    size = matrix.shape[0]
    remaining = np.diff(matrix.indptr).astype(np.int64)
    reverse = matrix.T.tocsr()
    level = np.full(size, -1, dtype=np.int64)
    frontier = np.flatnonzero(remaining == 0)
    depth = 0
    done = 0
    while frontier.size:
        level[frontier] = depth
        done += frontier.size
        starts, ends = reverse.indptr[frontier], reverse.indptr[frontier + 1]
        lengths = ends - starts
        if not lengths.sum():
            break
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        parents = reverse.indices[offsets]
        remaining -= np.bincount(parents, minlength=size)
        touched = unique(parents)
        frontier = touched[remaining[touched] == 0]
        depth += 1
    return level if done == size else None


class Solver:
    """Solves ``(I - A) x = b`` for many right-hand sides on one matrix."""

    def __init__(self, matrix: sp.csr_matrix, level: npt.NDArray[np.int64] | None = None) -> None:
        """``level``: the matrix's :func:`levels`, if known (a stored model keeps them); else found here."""
        self.matrix = matrix.tocsr()
        self.level = level if level is not None else levels(self.matrix)
        self.acyclic = self.level is not None
        self._sweep: list[tuple[npt.NDArray[np.int64], sp.csr_matrix]] = []
        self._lu: spla.SuperLU | None = None
        if self.level is not None:
            order = np.argsort(self.level, kind="stable")
            bounds = np.searchsorted(self.level[order], np.arange(1, int(self.level.max(initial=0)) + 2))
            for start, end in itertools.pairwise(bounds):
                rows = order[start:end]
                self._sweep.append((rows, self.matrix[rows]))
        else:
            system = (sp.identity(self.matrix.shape[0], format="csc") - self.matrix.tocsc()).tocsc()
            try:
                self._lu = spla.splu(system)
            except RuntimeError as exc:  # "Factor is exactly singular"
                raise SingularNetwork(f"the network has a closed cycle: {exc}") from exc

    def solve(self, b: Vector) -> Vector:
        """``(I - A)⁻¹ b`` for a vector (or a matrix whose columns are right-hand sides)."""
        if self._lu is not None:
            x: Vector = self._lu.solve(np.asarray(b, dtype=np.float64))
            if not np.all(np.isfinite(x)):
                raise SingularNetwork("the network has a closed cycle")
            return x
        x = np.array(b, dtype=np.float64, copy=True)
        for rows, block in self._sweep:
            x[rows] += block @ x
        return x


@dataclass(frozen=True, slots=True)
class Path:
    """One chain of nodes from the start to a primary node, and the share it carries."""

    nodes: tuple[int, ...]
    contribution: float


def top_paths(
    matrix: sp.csr_matrix, x: Vector, b: Vector, start: int, limit: int = 5, max_pops: int = 20_000
) -> list[Path]:
    """The ``limit`` paths from ``start`` with the largest contributions to ``x[start]``.

    Best-first search: a partial path is ranked by its weight times ``x`` at its
    end, an upper bound of any completion, so complete paths come out in
    decreasing order.  A path ends where ``b`` is non-zero and the node has no
    inputs (primary production).  ``max_pops`` bounds the work on cycles.
    """
    paths: list[Path] = []
    # Entries: (-bound, tie-breaker, nodes, weight, complete).  A complete entry ends at a node with b > 0.
    heap: list[tuple[float, int, tuple[int, ...], float, bool]] = [(-x[start], 0, (start,), 1.0, False)]
    counter = 0
    pops = 0
    while heap and len(paths) < limit and pops < max_pops:
        _, _, nodes, weight, complete = heapq.heappop(heap)
        pops += 1
        node = nodes[-1]
        if complete:
            paths.append(Path(nodes, weight * float(b[node])))
            continue
        if b[node] > 0:
            counter += 1
            heapq.heappush(heap, (-weight * b[node], counter, nodes, weight, True))
        lo, hi = matrix.indptr[node], matrix.indptr[node + 1]
        for target, share in zip(matrix.indices[lo:hi], matrix.data[lo:hi], strict=True):
            bound = weight * share * x[target]
            if bound > 1e-12:
                counter += 1
                heapq.heappush(heap, (-bound, counter, (*nodes, int(target)), weight * share, False))
    return paths
