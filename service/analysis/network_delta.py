"""A network derived from its parent's: the nodes a change reaches expanded again, the rest kept as arrays.

A node's expansion reads only the facts about its own actor and item and
their suppliers (:mod:`service.analysis.expand`).  So from the keys a write
changed (:class:`service.analysis.fact_patch.Patch`) the nodes whose
expansion may differ are found: nodes of a changed actor or item, the sites
of a firm whose purchases changed, the firm of a changed facility, and the
nodes that found a node of a changed actor (a supplier that became a
facility, a producer whose capacity changed).  Those are expanded again;
every other node keeps its stored row.  The nodes are then those reachable
from the items, numbered in the canonical order, and the arrays are made
from the kept rows and the new ones exactly as a full build makes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph

from service.analysis.expand import FactsLookup, Row
from service.analysis.fact_patch import Patch
from service.analysis.facts import FIELDS, Facts
from service.analysis.network import ITEM, Network, NodeKey, Occurrences
from service.analysis.network_build import canonical, expand_all, finish, pairs_matrix, texts_of
from service.analysis.strings import NONE
from service.index import unique

IntArray = npt.NDArray[np.int64]
Entries = tuple[IntArray, IntArray, npt.NDArray[np.float64]]  # rows, columns, values
_ACTOR_FIELDS = ("produces", "located_in", "operated_by", "headquartered_in", "capacity", "capacity_item")


SEARCHES = 20_000
"""Strings looked up one binary search at a time; beyond that the parent's table is decoded whole."""


class _Nodes:
    """The parent network's nodes, found by key (binary search: they are in canonical order)."""

    def __init__(self, network: Network) -> None:
        self.network = network
        kind, actor, item = (np.asarray(a, dtype=np.int64) for a in (network.kind, network.actor, network.item))
        self.combined = (kind << 60) | ((actor + 1) << 30) | item
        self.dirty = np.zeros(network.size, dtype=np.bool_)
        self._codes: dict[str, int | None] = {"": NONE}
        self._ids: dict[NodeKey, int | None] = {}

    def code(self, text: str) -> int | None:
        """The parent's code of ``text`` (NONE for ""), None if it has none; remembered."""
        try:
            return self._codes[text]
        except KeyError:
            pass
        strings = self.network.strings
        if len(self._codes) < SEARCHES:
            found = strings.find(text)
        else:  # many strings asked: decoding the table once is cheaper than searching it for each
            try:
                found = strings.code_of(text)
            except KeyError:
                found = None
        self._codes[text] = found
        return found

    def id_of(self, key: NodeKey) -> int | None:
        """The parent's id of the node ``key``, if it has one; remembered."""
        try:
            return self._ids[key]
        except KeyError:
            pass
        kind, actor, item = key
        actor_code, item_code = self.code(actor), self.code(item)
        found = None
        if actor_code is not None and item_code is not None:
            wanted = (kind << 60) | ((actor_code + 1) << 30) | item_code
            at = int(np.searchsorted(self.combined, wanted))
            found = at if at < len(self.combined) and int(self.combined[at]) == wanted else None
        self._ids[key] = found
        return found

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is a parent node kept as it is (one not expanded again)."""
        found = self.id_of(key)  # type: ignore[arg-type]
        return found is not None and not self.dirty[found]


def _among(network: Network, codes: npt.NDArray[np.int32], names: Iterable[str]) -> npt.NDArray[np.bool_]:
    """Which of ``codes`` (codes of ``network``'s strings, NONE included) name one of ``names``."""
    wanted = np.zeros(len(network.strings) + 1, dtype=np.bool_)  # the last entry: NONE, never wanted
    found = [c for c in (network.strings.find(n) for n in names) if c is not None]
    wanted[np.asarray(found, dtype=np.int64)] = True
    result: npt.NDArray[np.bool_] = wanted[np.asarray(codes)]
    return result


def dirty_names(old: Facts, patch: Patch, lookup: FactsLookup) -> tuple[set[str], set[str], set[str]]:
    """Actors whose nodes change, actors whose finders change too, and items whose nodes change."""
    new, changed = patch.facts, patch.changed
    actors: set[str] = set().union(*(changed[name] for name in _ACTOR_FIELDS), changed["capacity_unit"])
    items = set(changed["bom"]) | changed["stage"]
    for facility in changed["produces"]:
        items |= set(old.produces.get(facility, ())) ^ set(new.produces.get(facility, ()))
    for facts in (old, new):
        actors |= {r.buyer for r in facts.supply if r.rel in changed["supply"]}
        stats = [s for s in facts.stats if s.stat in changed["stats"]]
        stats += [s for s in facts.stats if s.dataset in changed["loaded"] or s.country in changed["aggregates"]]
        items |= {s.material for s in stats}
    finders = set(actors)
    firms = {f for facts in (old, new) for a in finders if (f := facts.operated_by.get(a)) is not None}
    actors |= firms | {f for a in finders for f in lookup.facilities(a)}
    return actors, finders, items


def derive_network(parent: Network, old: Facts, patch: Patch) -> Network:
    """The network of ``patch.facts``, from ``parent`` (the network of ``old``), equal to a full build."""
    facts = patch.facts
    lookup = FactsLookup(facts)
    actors, finders, items = dirty_names(old, patch, lookup)
    nodes = _Nodes(parent)
    dirty = nodes.dirty
    dirty |= _among(parent, parent.actor, actors) | _among(parent, parent.item, items)
    targets = _among(parent, parent.actor, finders)
    links = parent.links
    found_at = np.flatnonzero(targets[np.asarray(links.indices)])
    dirty[np.searchsorted(links.indptr, found_at, side="right") - 1] = True  # the nodes that found them
    start = [parent.key(int(n)) for n in np.flatnonzero(dirty)]
    all_items = patch.items
    markets = np.flatnonzero(np.asarray(parent.kind) == ITEM)
    names = parent.strings
    old_items = dict(zip((names[c] for c in np.asarray(parent.item)[markets].tolist()), markets.tolist(), strict=True))
    start += [(ITEM, "", i) for i in sorted(all_items - old_items.keys())]
    rows = expand_all(lookup, start, known=nodes)
    roots = [n for i, n in old_items.items() if i in all_items and not dirty[n]]
    return _assemble(parent, nodes, facts, rows, (roots, all_items))


def _reachable(
    parent: Network, nodes: _Nodes, rows: dict[NodeKey, Row], items: tuple[list[int], set[str]]
) -> tuple[IntArray, dict[NodeKey, int]]:
    """Kept parent nodes (ids) and new rows (temporary ids from the parent's size) reachable from the items.

    ``items`` holds the parent's markets kept as they are, and every item of the new facts.
    """
    size = parent.size
    temp: dict[NodeKey, int] = {}
    fresh = size
    for key in rows:
        found = nodes.id_of(key)
        if found is None:
            found, fresh = fresh, fresh + 1
        temp[key] = found
    total = size + len(rows) + 1
    keep = ~nodes.dirty
    links = parent.links
    src = np.repeat(np.arange(size, dtype=np.int64), np.diff(links.indptr))
    dst = np.asarray(links.indices, dtype=np.int64)
    own = keep[src]
    new_src = [temp[k] for k, row in rows.items() for _ in row.found]
    new_dst = [temp[t] if t in temp else nodes.id_of(t) for row in rows.values() for t in row.found]
    roots = items[0] + [t for k, t in temp.items() if k[0] == ITEM and k[2] in items[1]]
    graph = sp.csr_matrix(
        (
            np.ones(int(own.sum()) + len(new_src) + len(roots), dtype=np.int8),
            (
                np.concatenate([src[own], np.asarray(new_src, dtype=np.int64), np.full(len(roots), total - 1)]),
                np.concatenate([dst[own], np.asarray(new_dst, dtype=np.int64), np.asarray(roots, dtype=np.int64)]),
            ),
        ),
        shape=(total, total),
    )
    reached = csgraph.breadth_first_order(graph, total - 1, directed=True, return_predecessors=False)
    mask = np.zeros(total, dtype=np.bool_)
    mask[reached] = True
    kept = np.flatnonzero(mask[:size] & keep)
    return kept, {k: t for k, t in temp.items() if mask[t]}


def _assemble(
    parent: Network, nodes: _Nodes, facts: Facts, rows: dict[NodeKey, Row], items: tuple[list[int], set[str]]
) -> Network:
    kept, reached = _reachable(parent, nodes, rows, items)
    new_rows = {k: rows[k] for k in reached}
    occ = parent.occurrences
    kept_mask = np.zeros(parent.size, dtype=np.bool_)
    kept_mask[kept] = True
    occ_at = np.flatnonzero(kept_mask[np.asarray(occ.node)])
    used = [np.asarray(a)[kept] for a in (parent.actor, parent.item, parent.place, parent.node_method)]
    used += [np.asarray(a)[occ_at] for a in (occ.subject, occ.kind, occ.message)]
    mask = np.zeros(len(parent.strings) + 1, dtype=np.bool_)  # the last entry: NONE
    for codes in used:
        mask[codes] = True
    old_codes = np.flatnonzero(mask[:-1]).astype(np.int64)
    texts = texts_of(list(new_rows), list(new_rows.values()))
    known = {t: c for t in texts if (c := nodes.code(t)) is not None and c != NONE}
    present = {t for t, c in known.items() if _holds(old_codes, c)}
    added = sorted(texts - present)
    strings, kept_codes, added_codes = parent.strings.subset_with(old_codes, added)
    remap = np.full(len(parent.strings) + 1, NONE, dtype=np.int32)  # the last entry: NONE stays NONE
    remap[old_codes] = kept_codes
    code_of = dict(zip(added, added_codes.tolist(), strict=True))
    code_of |= {t: int(remap[known[t]]) for t in present}

    def code(text: str | None) -> int:
        return NONE if text is None else code_of[text]

    keys = list(new_rows)
    values = list(new_rows.values())
    kind = np.concatenate([np.asarray(parent.kind)[kept], np.asarray([k[0] for k in keys], dtype=np.int8)])
    actor = np.concatenate([remap[used[0]], np.asarray([code(k[1] or None) for k in keys], dtype=np.int32)])
    item = np.concatenate([remap[used[1]], np.asarray([code(k[2]) for k in keys], dtype=np.int32)])
    place = np.concatenate([remap[used[2]], np.asarray([code(r.location) for r in values], dtype=np.int32)])
    method = np.concatenate([remap[used[3]], np.asarray([code(r.method) for r in values], dtype=np.int32)])
    order, final = canonical(kind, actor, item)
    count = len(kind)
    final_of_old = np.full(parent.size, -1, dtype=np.int64)
    final_of_old[kept] = final[: len(kept)]
    ids = {k: int(final[len(kept) + n]) for n, k in enumerate(keys)}
    for key, temp in reached.items():
        if temp < parent.size:
            final_of_old[temp] = ids[key]

    def target(key: NodeKey) -> int:
        return ids[key] if key in ids else int(final_of_old[nodes.id_of(key)])

    matrix = _rows(parent.matrix[kept], final[: len(kept)], final_of_old)
    new_edges = [(ids[k], target(t), s) for k, r in new_rows.items() for t, s in r.edges.items()]
    matrix_csr = _csr(matrix, new_edges, count, count)
    old_origin = parent.origin[kept]
    named = {parent.countries[c] for c in unique(old_origin.indices).tolist()}
    countries = sorted(named | {c for r in values for c in r.origin})
    col = {c: i for i, c in enumerate(countries)}
    columns = np.asarray([col.get(c, -1) for c in parent.countries], dtype=np.int64)
    origin = _rows(old_origin, final[: len(kept)], columns)
    new_origin = [(ids[k], col[c], s) for k, r in new_rows.items() for c, s in r.origin.items()]
    origin_csr = _csr(origin, new_origin, count, len(countries))
    link_rows = _rows(parent.links[kept], final[: len(kept)], final_of_old)
    new_links = [(ids[k], target(t)) for k, r in new_rows.items() for t in r.found]
    links = _links(
        link_rows,
        np.asarray([a for a, _ in new_links], dtype=np.int64),
        np.asarray([b for _, b in new_links], dtype=np.int64),
        count,
    )
    occurrences = _occurrences(parent, occ_at, final_of_old, remap, new_rows, ids, code)
    return finish(
        facts,
        strings,
        (kind[order], actor[order], item[order], place[order], method[order]),
        (matrix_csr, origin_csr, links),
        countries,
        occurrences,
    )


ARRAYS: tuple[str, ...] = ("kind", "actor", "item", "place", "method_item", "method_name", "node_method")
ARRAYS += ("issue_subject", "issue_kind", "issue_message")


def differences(a: Network, b: Network) -> list[str]:
    """The stored parts in which two networks differ (the string table, each array, the facts); [] if none."""
    found = [] if a.strings.all == b.strings.all and a.countries == b.countries else ["strings"]
    arrays = {name: (getattr(a, name), getattr(b, name)) for name in ARRAYS}
    for name in ("matrix", "origin", "links"):
        mine, theirs = getattr(a, name), getattr(b, name)
        if mine.shape != theirs.shape:
            found.append(name)
        for part in ("data", "indices", "indptr"):
            arrays[f"{name}_{part}"] = (getattr(mine, part), getattr(theirs, part))
    for name in ("node", "subject", "kind", "message"):
        arrays[f"occurrences_{name}"] = (getattr(a.occurrences, name), getattr(b.occurrences, name))
    arrays["levels"] = (a.levels if a.levels is not None else [], b.levels if b.levels is not None else [])
    for name, (mine, theirs) in arrays.items():
        mine, theirs = np.asarray(mine), np.asarray(theirs)
        if not (mine.dtype == theirs.dtype or name == "levels") or not np.array_equal(mine, theirs):
            found.append(name)
    return found + [f"facts.{name}" for name in FIELDS if getattr(a.facts, name) != getattr(b.facts, name)]


def _holds(sorted_codes: IntArray, code: int) -> bool:
    at = int(np.searchsorted(sorted_codes, code))
    return at < len(sorted_codes) and int(sorted_codes[at]) == code


def _rows(part: sp.csr_matrix, row_ids: IntArray, column_map: IntArray) -> Entries:
    """A CSR block of kept rows as (rows, columns, values) in the new numbering."""
    rows = np.repeat(row_ids, np.diff(part.indptr))
    return rows, column_map[np.asarray(part.indices, dtype=np.int64)], np.asarray(part.data)


def _links(kept: Entries, sources: IntArray, targets: IntArray, count: int) -> sp.csr_matrix:
    """The link matrix of the kept rows and the new ones, as :func:`link_matrix` makes it from them all.

    The kept rows are the parent's, each pair once, renumbered one to one, and no new row has a kept
    row's source; so only the new pairs need making unique.  The renumbering keeps the canonical
    order, so the kept pairs come in long sorted runs, which a stable sort merges in about linear time.
    """
    size = max(count, 1)
    pairs = np.concatenate([kept[0] * size + kept[1], unique(sources * size + targets)])
    pairs.sort(kind="stable")
    return pairs_matrix(pairs, count)


def _csr(kept: Entries, new: list[tuple[int, int, float]], count: int, columns: int) -> sp.csr_matrix:
    rows = np.concatenate([kept[0], np.asarray([e[0] for e in new], dtype=np.int64)])
    cols = np.concatenate([kept[1], np.asarray([e[1] for e in new], dtype=np.int64)])
    vals = np.concatenate([kept[2].astype(np.float64), np.asarray([e[2] for e in new], dtype=np.float64)])
    found = sp.csr_matrix((vals, (rows, cols)), shape=(count, columns), dtype=np.float64)
    found.sum_duplicates()  # as a full build does: sorts each row's columns
    return found


def _occurrences(
    parent: Network,
    occ_at: IntArray,
    final_of_old: IntArray,
    remap: npt.NDArray[np.int32],
    rows: dict[NodeKey, Row],
    ids: dict[NodeKey, int],
    code: Callable[[str | None], int],
) -> Occurrences:
    occ = parent.occurrences
    new = [(ids[k], i) for k, row in rows.items() for i in row.issues]
    node = np.concatenate([final_of_old[np.asarray(occ.node)[occ_at]], np.asarray([n for n, _ in new], np.int64)])
    parts = []
    for name in ("subject", "kind", "message"):
        old_part = remap[np.asarray(getattr(occ, name))[occ_at]]
        new_part = np.asarray([code(getattr(i, name)) for _, i in new], dtype=np.int32)
        parts.append(np.concatenate([old_part, new_part]).astype(np.int32))
    order = np.argsort(node, kind="stable")  # a node's issues stay in the order reported
    return Occurrences(node[order], parts[0][order], parts[1][order], parts[2][order])
