"""One analysis context per snapshot: the facts, the network and its solver, built once.

Snapshots are immutable, so the context is cached per open :class:`Graph`
object and dropped with it; a new snapshot gets a new context.
"""

from __future__ import annotations

import threading
import weakref
from functools import cached_property

import numpy as np
import numpy.typing as npt
import scipy.sparse.csgraph as csgraph

from service.analysis.facts import Facts, read_facts
from service.analysis.leontief import Solver
from service.analysis.network import Network, build_network
from service.errors import NotFound
from service.store import ReadableGraph


class Analysis:
    """The network of one set of facts, with lazily built solver and helpers."""

    def __init__(self, facts: Facts, graph: ReadableGraph | None = None) -> None:
        self.facts = facts
        self.graph = graph  # kept for statistics and trade-flow queries; None for scenarios built from facts
        self._class_cache: dict[str | None, npt.NDArray[np.bool_]] = {}

    @cached_property
    def network(self) -> Network:
        return build_network(self.facts)

    @cached_property
    def solver(self) -> Solver:
        return Solver(self.network.matrix)

    def item_node(self, item: str) -> int:
        """The market node of ``item``; :class:`NotFound` if the network has no such item."""
        node = self.network.item_node(item)
        if node is None:
            raise NotFound(f"{item} is not an item of the supply network")
        return node

    def class_mask(self, material_class: str | None) -> npt.NDArray[np.bool_]:
        """Nodes whose item belongs to ``material_class`` (all nodes for None)."""
        mask = self._class_cache.get(material_class)
        if mask is None:
            items = self.network.node_items()
            member = {i: self.facts.in_class(i, material_class) for i in set(items)}
            mask = np.fromiter((member[i] for i in items), dtype=np.bool_, count=len(items))
            self._class_cache[material_class] = mask
        return mask

    def upstream(self, node: int) -> npt.NDArray[np.int32]:
        """Every node ``node`` draws on, itself included."""
        found: npt.NDArray[np.int32] = csgraph.breadth_first_order(
            self.network.matrix, node, directed=True, return_predecessors=False
        )
        return found


_CACHE: weakref.WeakKeyDictionary[ReadableGraph, Analysis] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def analysis_for(graph: ReadableGraph) -> Analysis:
    """The cached analysis context of ``graph`` (built on first use)."""
    with _LOCK:
        found = _CACHE.get(graph)
        if found is None:
            found = Analysis(read_facts(graph), graph)
            # Built here, under the lock, so concurrent first requests do not build it twice.
            _ = found.network
            _CACHE[graph] = found
        return found
