"""Numbered rows merged into a parent index's arrays: a delta build's last step (:mod:`service.index.delta`).

The parent's rows of the sources a write reached are dropped, the rest keep
their order under the new node ids (renumbering keeps order), and each
source's new rows go where its old rows were.  The reverse CSR's edge order
is merged from the parent's too, so nothing is sorted but the new rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from service.index.schema import RELATIONS
from service.index.tables import PARTS, IntArray, Numbered, Tables, order, stage_codes


@dataclass(frozen=True, slots=True)
class Ids:
    """The new node id of each IRI the new rows name."""

    iris: pl.Series
    ids: pl.Series


def node_ids(column: pl.Series, ids: Ids) -> IntArray:
    """Node ids of a column of IRIs (-1 for null)."""
    return column.replace_strict(ids.iris, ids.ids, default=-1, return_dtype=pl.Int64).to_numpy()


@dataclass(frozen=True, slots=True)
class Parent:
    """The parent index's rows, node kinds and stages, read into memory."""

    rows: Numbered
    node_kind: npt.NDArray[np.uint16]
    node_stage: npt.NDArray[np.int8]


def load_parent(directory: Path) -> Parent:
    def arr(name: str) -> Any:
        return np.load(directory / f"{name}.npy")

    def ids(name: str) -> IntArray:
        return np.asarray(arr(name))  # int32 as saved: gathers and comparisons need no copy

    rows = Numbered(
        ids("dep_src"),
        ids("dep_dst"),
        arr("dep_kind"),
        arr("dep_share"),
        ids("dep_item"),
        {n: (ids(f"rel_{n}_src"), ids(f"rel_{n}_dst")) for n in RELATIONS},
        arr("stat_material"),
        arr("stat_country"),
        arr("stat_stage"),
        {part: ids(f"{part}_redge") for part in PARTS if part != "stat"},
    )
    return Parent(rows, arr("node_kind"), arr("node_stage"))


def merged_rows(
    old: Numbered,
    remap: IntArray,
    new: Tables,
    ids: Ids,
    kept_e: npt.NDArray[np.bool_],
    kept_r: dict[str, npt.NDArray[np.bool_]],
    kept_s: npt.NDArray[np.bool_],
) -> Numbered:
    """The old rows kept (renumbered, still in order) with the new rows merged in by source."""

    identity = len(remap) == 0 or (remap[0] == 0 and bool((np.diff(remap) == 1).all()))
    # Gathers from a table of the columns' own width, with -1 (no item) at its end.
    table: dict[np.dtype[Any], IntArray] = {np.dtype(t): np.append(remap, -1).astype(t) for t in (np.int32, np.int64)}

    def renumber(column: IntArray) -> IntArray:
        # The common small write adds and drops no node: ids stay as they are.
        return column if identity else table[column.dtype][column]

    reverse: dict[str, IntArray] = {}

    def merge(kept: list[Any], fresh: list[Any], part: str = "", mask: Any = None) -> list[Any]:
        # Old rows of the new rows' sources are gone, so each source's new
        # rows (already in order) go where its old rows were.
        at = np.searchsorted(kept[0], fresh[0], side="left")
        merged = [np.insert(k, at, f) for k, f in zip(kept, fresh, strict=True)]
        if part:
            reverse[part] = _reverse(old.reverse[part], mask, at, merged[1])
        return merged

    e = new.edges
    fresh: list[Any] = [
        node_ids(e["src"], ids),
        node_ids(e["dst"], ids),
        e["kind"].to_numpy(),
        node_ids(e["item"], ids),
    ]
    fresh.append(e["share"].to_numpy())
    by = order(*fresh)
    kept = [renumber(old.src[kept_e]), renumber(old.dst[kept_e]), old.kind[kept_e], renumber(old.item[kept_e])]
    src, dst, kind, item, share = merge([*kept, old.share[kept_e]], [c[by] for c in fresh], "dep", kept_e)
    relations: dict[str, tuple[IntArray, IntArray]] = {}
    for name, (r_src, r_dst) in old.relations.items():
        r = new.relations[name]
        pair = [node_ids(r["sk"], ids), node_ids(r["ok"], ids)]
        by = order(*pair)
        keep = kept_r[name]
        merged_src, merged_dst = merge(
            [renumber(r_src[keep]), renumber(r_dst[keep])], [c[by] for c in pair], "rel_" + name, keep
        )
        relations[name] = (merged_src, merged_dst)
    stats: list[Any] = [node_ids(new.stats["s"], ids), node_ids(new.stats["o"], ids), stage_codes(new.stats["stage"])]
    by = order(*stats)
    kept = [renumber(old.stat_material[kept_s]), renumber(old.stat_country[kept_s]), old.stat_stage[kept_s]]
    stat_m, stat_c, stat_stage = merge(kept, [c[by] for c in stats])
    return Numbered(src, dst, kind, share, item, relations, stat_m, stat_c, stat_stage, reverse)


def _reverse(old_order: IntArray, kept: npt.NDArray[np.bool_], at: IntArray, dst: IntArray) -> IntArray:
    """The merged rows' ids by dst, ties by id (as a stable sort gives), merged from the parent's order.

    ``kept`` marks the parent's rows kept, ``at`` where the new rows went
    among them (see ``merge``), ``dst`` is the merged rows' dst column.
    """
    rank = np.cumsum(kept) - 1
    moved = rank + np.searchsorted(at, rank, side="right")  # each kept row's id after the merge
    kept_ids = moved[old_order[kept[old_order]]]
    fresh_ids = at + np.arange(len(at))
    total = max(len(dst), 1)

    def key(ids: IntArray) -> IntArray:
        return np.asarray(dst[ids], dtype=np.int64) * total + ids

    fresh_ids = fresh_ids[np.argsort(key(fresh_ids))]
    return np.insert(kept_ids, np.searchsorted(key(kept_ids), key(fresh_ids)), fresh_ids)


def same_part(part: str, old: Numbered, new: Numbered) -> bool:
    """True if the rows of ``part`` are the same in ``old`` and ``new`` (node ids being the same)."""
    pairs: list[tuple[Any, Any]]
    if part == "dep":
        pairs = [(old.src, new.src), (old.dst, new.dst), (old.kind, new.kind), (old.item, new.item)]
        pairs.append((old.share, new.share))
    elif part == "stat":
        pairs = [(old.stat_material, new.stat_material), (old.stat_country, new.stat_country)]
        pairs.append((old.stat_stage, new.stat_stage))
    else:
        name = part.removeprefix("rel_")
        pairs = list(zip(old.relations[name], new.relations[name], strict=True))
    return all(a.shape == b.shape and a.tobytes() == b.tobytes() for a, b in pairs)
