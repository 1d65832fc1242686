"""One analysis context per snapshot: the facts, the network and its solver, built once.

The facts come from the snapshot's frames, beside its dependency index, so
the analyses and the index read one model of the network.  Snapshots are
immutable, so the context is cached per open :class:`Snapshot` object and
dropped with it; a new snapshot gets a new context.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse.csgraph as csgraph

from service.analysis.facts import Facts
from service.analysis.facts_from_frames import read_facts
from service.analysis.leontief import Solver
from service.analysis.model_delta import derived_model
from service.analysis.model_file import building, has_model, read_model, wait_for_writer, write_model
from service.analysis.network import Network
from service.analysis.network_build import build_network
from service.errors import NotFound
from service.index import index_for, unique_inverse
from service.store import AnyStore, ReadableGraph, Snapshot


class Analysis:
    """The network of one set of facts, with lazily built solver and helpers."""

    def __init__(self, facts: Facts, graph: ReadableGraph | None = None, network: Network | None = None) -> None:
        self.facts = facts
        self.graph = graph  # kept for statistics and trade-flow queries; None for scenarios built from facts
        self._class_cache: dict[str | None, npt.NDArray[np.bool_]] = {}
        if network is not None:  # read from the snapshot's stored model
            self.__dict__["network"] = network

    @cached_property
    def network(self) -> Network:
        return build_network(self.facts)

    @cached_property
    def solver(self) -> Solver:
        return Solver(self.network.matrix, self.network.levels)

    def item_node(self, item: str) -> int:
        """The market node of ``item``; :class:`NotFound` if the network has no such item."""
        node = self.network.item_node(item)
        if node is None:
            raise NotFound(f"{item} is not an item of the supply network")
        return node

    def class_mask(self, material_class: str | None) -> npt.NDArray[np.bool_]:
        """Nodes whose item belongs to ``material_class`` (all nodes for None)."""
        mask = self._class_cache.get(material_class)
        if mask is None and material_class is None:
            mask = self._class_cache[None] = np.ones(self.network.size, dtype=np.bool_)
        if mask is None:
            # Each distinct item asked once, by its code; only those strings are decoded.
            codes, inverse = unique_inverse(self.network.item)
            names = self.network.strings
            member = (self.facts.in_class(names[int(c)], material_class) for c in codes.tolist())
            mask = np.fromiter(member, dtype=np.bool_, count=len(codes))[inverse.ravel()]
            self._class_cache[material_class] = mask
        return mask

    def upstream(self, node: int) -> npt.NDArray[np.int32]:
        """Every node ``node`` draws on, itself included."""
        found: npt.NDArray[np.int32] = csgraph.breadth_first_order(
            self.network.matrix, node, directed=True, return_predecessors=False
        )
        return found


CACHED_SNAPSHOTS = 2
"""Analyses kept, most recently used first: the current snapshot's, and the one before for requests still on it.

Not a weak mapping: an analysis refers to its snapshot, so an entry keyed
weakly by the snapshot would never go, and each would hold a model of
millions of objects for the life of the process.
"""
_CACHE: OrderedDict[Snapshot, Analysis] = OrderedDict()
_BUILDING: weakref.WeakKeyDictionary[Snapshot, threading.Lock] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()  # guards the dictionaries and the counter below, never held during a build
_PAUSES = 0  # builds running with the cyclic garbage collector paused
_RESUME = True  # whether the collector was on when the first of them paused it


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a network is built.

    A build allocates millions of long-lived containers (lists, tuples, facts
    records); each full collection walks all of them again, which makes the
    build superlinear on large stores (measured at 10M triples).  What it
    makes lives as long as the snapshot, and reference counting still frees
    everything else meanwhile.  Builds may overlap: the last one to finish
    turns the collector back on, if it was on before.
    """
    global _PAUSES, _RESUME
    with _LOCK:
        _PAUSES += 1
        if _PAUSES == 1:
            _RESUME = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _LOCK:
            _PAUSES -= 1
            if _PAUSES == 0 and _RESUME:
                gc.enable()


def analysis_for(store: AnyStore, graph: Snapshot | None = None) -> Analysis:
    """The cached analysis context of ``graph`` (the store's current snapshot if None), built on first use.

    Concurrent first requests for one snapshot share one build: they wait on
    that snapshot's own lock, so requests for an already built snapshot (or
    the build of another one) are never held up by it.  Callers on an event
    loop run this in a worker thread (see ``service/gql/analytics.py``).
    """
    graph = graph if graph is not None else store.open_current()
    with _LOCK:
        found = _CACHE.get(graph)
        if found is not None:
            _CACHE.move_to_end(graph, last=False)
            return found
        building = _BUILDING.setdefault(graph, threading.Lock())
    with building:
        with _LOCK:
            found = _CACHE.get(graph)
        if found is None:
            with _gc_paused():
                found = _read_or_build(store, graph)
            with _LOCK:
                _CACHE[graph] = found
                _CACHE.move_to_end(graph, last=False)
                while len(_CACHE) > CACHED_SNAPSHOTS:
                    _CACHE.popitem()  # the least recently used; its model goes when its last request ends
                _BUILDING.pop(graph, None)
        return found


def _model_dir(store: AnyStore, graph: Snapshot) -> Path | None:
    """Where ``graph``'s model is stored: its snapshot's artifacts (None in memory or over an engine)."""
    return store.artifacts_dir(graph.snapshot_id) if graph.snapshot_id and graph.path else None


def _read_or_build(store: AnyStore, graph: Snapshot) -> Analysis:
    """The snapshot's stored model if there is one (waiting for a writer building it), else made and stored.

    Made from the parent snapshot's model if it has one, else built from the frames.
    """
    directory = _model_dir(store, graph)
    if directory is not None:
        network = read_model(directory) or wait_for_writer(directory)
        if network is not None:
            return Analysis(network.facts, graph, network)
        # Derived from the parent snapshot's model when it has one: only what the write changed is redone.
        derived = derived_model(store, graph, directory)
        if derived is not None:
            derived.write(directory)  # best effort, as below
            return Analysis(derived.network.facts, graph, derived.network)
    found = Analysis(read_facts(index_for(store, graph).frames()), graph)
    _ = found.network  # built here, under the snapshot's lock, so it is built once
    if directory is not None:
        write_model(directory, found.network)  # best effort: a read-only store is served all the same
    return found


def prepare_model(store: AnyStore) -> bool:
    """Build and store the analytics model of the current snapshot, if it has none; whether one was built.

    Writers call this after publishing a snapshot, so servers read the model
    instead of building it while they answer requests.
    """
    graph = store.open_current()
    directory = _model_dir(store, graph)
    if directory is None or has_model(directory):
        return False
    with building(directory):
        analysis_for(store, graph)
    return True
