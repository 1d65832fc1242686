"""Questions answered on the dependency index: who depends on a material from a country, and how.

The dependency graph points from a dependent to what it depends on::

    product --BOM--> input item --PRODUCED_BY--> facility|firm --SUPPLY--> supplier

A *hit* is where a path ends in the asked-for country:

* a seed material (the material, its forms, or any material of the class or
  its narrower classes, at the given stages) with a producer in the country,
  or a production statistic of the country;
* a buyer with a supply relationship for a seed material from a supplier in
  the country.

A producer or supplier is *in* the country when it is a facility located
there or a firm headquartered there (optionally also a facility whose
operator is headquartered there).  :func:`dependents` answers "which items
have a dependency path of length >= 1 to a hit", by one reverse
breadth-first search from all hits at once; cycles (in supply relations)
are harmless because each node is visited once.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from service.errors import BadRequest
from service.index.arrays import unique, unique_first
from service.index.reader import DependencyIndex, Ints
from service.index.schema import EdgeKind, NodeKind

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Step:
    """One node of a path and the edge that led to it (None for the first node)."""

    node: int
    kind: str | None = None
    share: float | None = None
    item: int | None = None


@dataclass(frozen=True, slots=True)
class Dependent:
    """A dependent item, its depth (edges to the hit) and its shortest path to the country."""

    node: int
    depth: int
    path: list[Step]
    cursor: str


@dataclass(slots=True)
class DependentsPage:
    """A page of dependents in (depth, IRI) order, with the total count."""

    total: int
    results: list[Dependent] = field(default_factory=list)
    has_next: bool = False
    has_previous: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    """What is asked: seed materials (by node or class), a country, stages, and who counts as in it."""

    country: int
    materials: tuple[int, ...] = ()
    classes: tuple[int, ...] = ()
    stages: tuple[int, ...] = ()
    via_operator: bool = False


class _Targets:
    """The seed and country masks of a question, and how each hit reaches the country."""

    def __init__(self, index: DependencyIndex, q: Question) -> None:
        self.index = index
        self.q = q
        self.seed_all = _seeds(index, q)
        stages = np.asarray(q.stages, dtype=np.int8)
        self.seed = self.seed_all & (np.isin(index.stage, stages) if q.stages else True)
        self.within = _in_country(index, q)
        dep = index.dep
        kinds = np.asarray(index.dep_kind)
        dst = np.asarray(dep.dst)
        src = np.asarray(dep.src)
        produced = (kinds == EdgeKind.PRODUCED_BY) & self.seed[src] & self.within[dst]
        hits = np.zeros(index.n, dtype=np.bool_)
        hits[src[produced]] = True
        self.stat_ok = self.seed_all[index.stat_material] & (np.asarray(index.stat_country) == q.country)
        if q.stages:
            stat_stage = np.asarray(index.stat_stage)
            own = np.asarray(index.stage)[index.stat_material]
            self.stat_ok &= np.isin(np.where(stat_stage >= 0, stat_stage, own), stages)
        hits[np.asarray(index.stat_material)[self.stat_ok]] = True
        items = np.asarray(index.dep_item)
        supplied = (kinds == EdgeKind.SUPPLY) & (items >= 0) & self.within[dst]
        supplied[supplied] &= self.seed[items[supplied]]
        hits[src[supplied]] = True
        self.hits = hits

    def terminal(self, hit: int) -> list[Step]:
        """Steps from ``hit`` (excluded) to the country, choosing the lowest ids."""
        index = self.index
        edges = np.arange(index.dep.ptr[hit], index.dep.ptr[hit + 1])
        if self.seed[hit]:
            for e in edges:
                target = int(index.dep.dst[e])
                if index.dep_kind[e] == EdgeKind.PRODUCED_BY and self.within[target]:
                    return [Step(target, EdgeKind.PRODUCED_BY.name), *self._to_country(target)]
        if self.seed_all[hit] and np.any(self.stat_ok & (np.asarray(index.stat_material) == hit)):
            return [Step(self.q.country, EdgeKind.STATISTIC.name)]
        for e in edges:
            target = int(index.dep.dst[e])
            item = int(index.dep_item[e])
            if index.dep_kind[e] == EdgeKind.SUPPLY and item >= 0 and self.seed[item] and self.within[target]:
                share = float(index.dep_share[e])
                step = Step(target, EdgeKind.SUPPLY.name, None if np.isnan(share) else share, item)
                return [step, *self._to_country(target)]
        return []

    def _to_country(self, node: int) -> list[Step]:
        index, country = self.index, self.q.country
        if country in index.rel["located_in"].out(node):
            return [Step(country, EdgeKind.LOCATED_IN.name)]
        if country in index.rel["headquartered_in"].out(node):
            return [Step(country, EdgeKind.HEADQUARTERED_IN.name)]
        for firm in index.rel["operated_by"].out(node):
            if country in index.rel["headquartered_in"].out(int(firm)):
                return [Step(int(firm), EdgeKind.OPERATED_BY.name), Step(country, EdgeKind.HEADQUARTERED_IN.name)]
        return []


def _closure(start: Ints, relation: str, index: DependencyIndex) -> Mask:
    """``start`` and every node reaching it backwards over ``relation`` (narrower classes, forms)."""
    mask = np.zeros(index.n, dtype=np.bool_)
    mask[start] = True
    frontier = start
    csr = index.rel[relation]
    while frontier.size:
        sources = np.asarray(csr.src)[csr.in_edges(frontier)].astype(np.int64)
        sources = unique(sources[~mask[sources]])
        mask[sources] = True
        frontier = sources
    return mask


def _seeds(index: DependencyIndex, q: Question) -> Mask:
    classes = _closure(np.asarray(q.classes, dtype=np.int64), "broader", index)
    mc = index.rel["material_class"]
    members = np.asarray(mc.src)[mc.in_edges(np.flatnonzero(classes))].astype(np.int64)
    start = unique(np.concatenate([members, np.asarray(q.materials, dtype=np.int64)]))
    return _closure(start, "form_of", index)


def _in_country(index: DependencyIndex, q: Question) -> Mask:
    mask = np.zeros(index.n, dtype=np.bool_)
    located = index.rel["located_in"]
    mask[np.asarray(located.src)[located.in_edges(np.asarray([q.country]))]] = True
    hq = index.rel["headquartered_in"]
    firms = np.asarray(hq.src)[hq.in_edges(np.asarray([q.country]))]
    mask[firms] = True
    if q.via_operator and firms.size:
        op = index.rel["operated_by"]
        operated = np.asarray(op.src)[op.in_edges(firms.astype(np.int64))]
        mask[operated[(np.asarray(index.kind)[operated] & int(NodeKind.FACILITY)) > 0]] = True
    return mask


def _reverse_bfs(index: DependencyIndex, hits: Mask, max_depth: int) -> tuple[npt.NDArray[np.int32], Ints]:
    """Depth (-1 = unreached) and the edge towards the hits of every node with a path of length >= 1."""
    depth = np.full(index.n, -1, dtype=np.int32)
    pred = np.full(index.n, -1, dtype=np.int64)
    frontier = np.flatnonzero(hits)
    src = index.dep.src
    for level in range(1, max_depth + 1):
        if frontier.size == 0:
            break
        edges = index.dep.in_edges(frontier)
        sources = np.asarray(src[edges], dtype=np.int64)
        fresh = depth[sources] < 0
        sources, edges = sources[fresh], edges[fresh]
        # Each new node keeps its first edge in scan order: assigned backwards, the first write is the last.
        # (A sort to find first occurrences was most of the search on large stores.)
        pred[sources[::-1]] = edges[::-1]
        depth[sources] = level
        reached = np.zeros(index.n, dtype=np.bool_)
        reached[sources] = True
        frontier = np.flatnonzero(reached)
    return depth, pred


def _step(index: DependencyIndex, edge: int, node: int) -> Step:
    share = float(index.dep_share[edge])
    item = int(index.dep_item[edge])
    return Step(
        node, EdgeKind(int(index.dep_kind[edge])).name, None if np.isnan(share) else share, item if item >= 0 else None
    )


def _path(index: DependencyIndex, node: int, length: int, pred: Ints) -> list[Step]:
    """The ``length`` predecessor edges from ``node`` towards the hits.

    Walking exactly ``length`` edges matters: a hit may itself depend on
    another hit, and its own predecessor edge would lead past it.
    """
    steps = [Step(node)]
    current = node
    for _ in range(length):
        edge = int(pred[current])
        current = int(index.dep.dst[edge])
        steps.append(_step(index, edge, current))
    return steps


def encode_cursor(depth: int, iri: str) -> str:
    """An opaque, snapshot-independent cursor: the sort key (depth, IRI)."""
    return base64.urlsafe_b64encode(f"{depth}:{iri}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, str]:
    """The (depth, IRI) of a cursor; :class:`BadRequest` if it is not one of ours."""
    try:
        depth, _, iri = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        return int(depth), iri
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest(f"invalid cursor {cursor!r}") from exc


def dependents(
    index: DependencyIndex,
    q: Question,
    *,
    max_depth: int = 10,
    all_items: bool = False,
    first: int = 50,
    after: str | None = None,
) -> DependentsPage:
    """Items (products unless ``all_items``) that depend on ``q`` within ``max_depth`` edges, one page."""
    targets = _Targets(index, q)
    depth, pred = _reverse_bfs(index, targets.hits, max_depth)
    wanted = int(NodeKind.items() if all_items else NodeKind.PRODUCT)
    found = np.flatnonzero((depth > 0) & ((np.asarray(index.kind) & wanted) > 0))
    keys = depth[found].astype(np.int64) * (index.n + 1) + found
    order = np.argsort(keys, kind="stable")
    found, keys = found[order], keys[order]
    start = 0
    if after:
        after_depth, after_iri = decode_cursor(after)
        node = index.lookup(after_iri)
        point = node if node is not None else index.insertion_point(after_iri)
        # An IRI still in the index is the last row seen; a vanished one sorts before the next row.
        key = after_depth * (index.n + 1) + point
        start = int(np.searchsorted(keys, key, side="right" if node is not None else "left"))
    page = found[start : start + first]
    results = []
    for node in page:
        path = _path(index, int(node), int(depth[node]), pred)
        path += targets.terminal(path[-1].node)
        results.append(Dependent(int(node), int(depth[node]), path, encode_cursor(int(depth[node]), index.iri(node))))
    return DependentsPage(int(found.size), results, start + first < found.size, start > 0)


def dependency_paths(index: DependencyIndex, product: int, q: Question, max_paths: int = 5) -> list[list[Step]]:
    """Up to ``max_paths`` shortest paths from ``product`` to distinct hits, shortest first."""
    targets = _Targets(index, q)
    depth = np.full(index.n, -1, dtype=np.int32)
    pred = np.full(index.n, -1, dtype=np.int64)
    depth[product] = 0
    frontier = np.asarray([product], dtype=np.int64)
    reached: list[int] = []
    while frontier.size and len(reached) < max_paths:
        edges = index.dep.out_edges(frontier)
        targets_ = np.asarray(index.dep.dst[edges], dtype=np.int64)
        fresh = depth[targets_] < 0
        targets_, edges = targets_[fresh], edges[fresh]
        targets_, first = unique_first(targets_)
        depth[targets_] = depth[frontier[0]] + 1
        pred[targets_] = edges[first]
        reached.extend(int(t) for t in targets_[targets.hits[targets_]])
        frontier = targets_
    paths = []
    for hit in reached[:max_paths]:
        steps: list[Step] = []
        current = hit
        while current != product:
            edge = int(pred[current])
            steps.append(_step(index, edge, current))
            current = int(index.dep.src[edge])
        paths.append([Step(product), *reversed(steps), *targets.terminal(hit)])
    return paths


def users(index: DependencyIndex, node: int, max_depth: int = 10) -> list[int]:
    """Items that use ``node`` through bills of materials, nearest first then by IRI."""
    hits = np.zeros(index.n, dtype=np.bool_)
    hits[node] = True
    depth, _ = _reverse_bfs(index, hits, max_depth)
    found = np.flatnonzero((depth > 0) & ((np.asarray(index.kind) & int(NodeKind.items())) > 0))
    found = found[found != node]
    return [int(n) for n in found[np.argsort(depth[found], kind="stable")]]


def ancestors(index: DependencyIndex, node: int) -> list[int]:
    """Classes above a material (its own and, through formOf, its element's), nearest first."""
    elements = [node]
    frontier = [node]
    while frontier:
        frontier = [int(e) for f in frontier for e in index.rel["form_of"].out(f) if int(e) not in elements]
        elements.extend(frontier)
    found: list[int] = []
    frontier = sorted({int(c) for e in elements for c in index.rel["material_class"].out(e)})
    while frontier:
        found.extend(frontier)
        frontier = sorted({int(b) for c in frontier for b in index.rel["broader"].out(c) if int(b) not in found})
    return found
