"""Index builds that redo only what a write changed: the parent's index, with the changed sources' rows replaced.

Every row of the index belongs to one *source* node (see
:mod:`service.index.tables`): an edge to its dependent, a statistic to its
material, a type, stage or relation to its subject.  Which frame rows a
source's rows are made of is fixed by the joins:

* its own ``has_input``, ``stage``, ``stat_material``, ``type`` and relation
  rows, and the ``produces``, ``supplies_to``, ``buyer`` and ``stat_material``
  rows naming it as object;
* through those, the rows of its BOM lines (``input``, ``share``), supply
  relationships (``supplier``, ``item``, ``share``) and statistics
  (``stat_country``, ``stage``).

So a write that changes a few frame rows changes the rows of a few sources:
those the changed rows belong to, directly or through an n-ary node (looked
up in the old and the new triples, since a BOM line, relationship or
statistic may be described across graphs).  :func:`build_delta` takes the
rows of the graphs the write touched, before and after, keeps what differs,
finds the sources it reaches, rebuilds their rows with the full build's own
joins from every row that can reach them, and merges them into the parent's
arrays: old rows of those sources out, new rows in, node ids renumbered by a
merge of the sorted node table.  Terms are matched by spelling, which finds
every row a key could match (and maybe more, which only costs time).

The result is byte-identical to a full build (tests compare them on random
networks); when the parent's index or frames cannot be used, or the change is
large enough that a full build is cheaper, :func:`build_delta` returns None
and the caller builds in full.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from service.index.frames import Collected, by_name, link
from service.index.keys import keyed
from service.index.nodes import NodeTable, merged_ids
from service.index.scan import empty_frames
from service.index.schema import FORMAT_VERSION, RELATIONS
from service.index.spec import INDEX_NAMES
from service.index.tables import (
    BY_OBJECT,
    BY_SUBJECT,
    NARY_SUBJECTS,
    PARTS,
    ROWS_VERSION,
    UNKEYED,
    IntArray,
    Numbered,
    Tables,
    join_tables,
    kind_bits,
    names_of,
    order,
    part_files,
    save_numbered,
    set_stages,
    stage_codes,
)

LARGEST_SHARE = 0.05
"""A change of more than this share of the index's rows is built in full (it is then about as fast)."""
MOST_ORPHANS = 50_000
"""Old nodes left without rows whose own stage rows are looked up by spelling; more: a full build."""

_NAME, _S, _O = pl.col("name"), pl.col("s"), pl.col("o")
# Lookups in the untouched graphs' files run on the streaming engine: it
# filters each batch as it is read (3x faster than the default at 10M triples).
STREAMING: Literal["streaming"] = "streaming"


def build_delta(
    collected: Collected, parent: Path | None, out: Path, phase: Callable[[str], None]
) -> dict[str, Any] | None:
    """Write the new index into ``out`` from the parent snapshot's; its counts, or None to build in full."""
    source = parent / "index" if parent is not None else None
    try:
        meta = json.loads((source / "meta.json").read_text()) if source is not None else None
    except (OSError, ValueError):
        return None
    before = collected.changed()
    if source is None or meta is None or before is None:
        return None
    if meta.get("format") != FORMAT_VERSION or meta.get("rows") != ROWS_VERSION:
        return None  # the parent's rows were made another way
    spec = collected.spec
    old_rows = _index_rows(before.values(), spec).collect()
    new_rows = _index_rows((collected.fresh.get(g, empty_frames(spec)) for g in before), spec).collect()
    # The untouched graphs' rows are only ever filtered: each lookup streams
    # their files, none is read into memory whole.
    reused = [pl.scan_parquet(p).cast({"name": spec.name_dtype}) for p in collected.reused.values()]
    untouched = _index_rows(reused, spec)
    differing = _differing(old_rows, new_rows)
    size = sum(pl.scan_parquet(p).select(pl.len()).collect().item() for p in collected.reused.values())
    if len(differing) > LARGEST_SHARE * (size + len(new_rows)):
        return None
    union = pl.concat([untouched, new_rows.lazy()])
    sources = _sources(differing, pl.concat([union, old_rows.lazy()]))
    reaching = _reaching(union, sources)
    phase("delta rows")

    f = keyed(by_name([reaching], spec, INDEX_NAMES), unkeyed_objects=UNKEYED)
    tables = join_tables(f)
    phase("joins")
    return _merge(source, out, _named(tables, f, sources), sources, union, phase)


def _index_rows(tables: Iterable[pl.DataFrame | pl.LazyFrame], spec: Any) -> pl.LazyFrame:
    """The rows of the index's frames among ``tables``, as one table."""
    lazy = [t.lazy() for t in tables]
    wanted = [n for n in spec.names if n in INDEX_NAMES]
    return pl.concat(lazy).filter(_NAME.is_in(wanted)) if lazy else empty_frames(spec).lazy()


def _differing(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Rows in one of ``old`` and ``new`` but not the other (an IRI row's document scope does not count)."""
    blank = _S.str.starts_with("_:") | _O.str.starts_with("_:")
    on = ["name", "s", "o", "scope"]
    old, new = (t.with_columns(scope=pl.when(blank).then(pl.col("scope")).otherwise(0)) for t in (old, new))
    return pl.concat([old.join(new, on=on, how="anti"), new.join(old, on=on, how="anti")])


def _sources(differing: pl.DataFrame, every: pl.LazyFrame) -> pl.Series:
    """The IRIs of every source whose rows ``differing`` can change, looked up in ``every`` old and new row."""
    nary = differing.filter(_NAME.is_in(NARY_SUBJECTS))["s"].unique().to_list()
    found = [differing.filter(_NAME.is_in(BY_SUBJECT))["s"], differing.filter(_NAME.is_in(BY_OBJECT))["o"]]
    if nary:
        # Through an n-ary node: a BOM line's product, a relationship's
        # buyer, a statistic's material.
        through = every.filter(
            ((_NAME == "has_input") & _O.is_in(nary)) | (_NAME.is_in(["buyer", "stat_material"]) & _S.is_in(nary))
        ).collect(engine=STREAMING)
        found += [through.filter(_NAME == "has_input")["s"], through.filter(_NAME != "has_input")["o"]]
    iris = pl.concat(found)
    return iris.filter(iris.str.starts_with("<")).unique().sort()


def _reaching(union: pl.LazyFrame, sources: pl.Series) -> pl.DataFrame:
    """Every row of ``union`` the rows of ``sources`` can be made of (and maybe a few more)."""
    wanted = sources.to_list()
    mine = (_NAME.is_in(BY_SUBJECT) & _S.is_in(wanted)) | (_NAME.is_in(BY_OBJECT) & _O.is_in(wanted))
    own = union.filter(mine).collect(engine=STREAMING)
    lines = own.filter(_NAME == "has_input")["o"].to_list()
    relationships = own.filter((_NAME == "buyer") & _O.is_in(wanted))["s"].to_list()
    statistics = own.filter((_NAME == "stat_material") & _O.is_in(wanted))["s"].to_list()
    through = union.filter(
        (_NAME.is_in(["input", "share"]) & _S.is_in(lines))
        | (_NAME.is_in(["supplier", "item", "share"]) & _S.is_in(relationships))
        | (_NAME.is_in(["stat_country", "stage"]) & _S.is_in(statistics))
    )
    return (
        pl.concat([own, through.collect(engine=STREAMING)]).unique()
        if lines or relationships or statistics
        else own.unique()
    )


def _named(tables: Tables, f: dict[str, pl.DataFrame], sources: pl.Series) -> Tables:
    """``tables`` with IRIs for keys, keeping only the rows of ``sources``."""
    used = pl.concat([c.rename("key") for c in tables.endpoints()])
    names = names_of(used.filter((used & 1) == 1).unique().to_frame(), f)
    mapping = dict(zip(names["key"], names["iri"], strict=True))

    def iri(column: str) -> pl.Expr:
        return pl.col(column).replace_strict(mapping, default=None, return_dtype=pl.String)

    mine = [s.removeprefix("<").removesuffix(">") for s in sources]
    edges = tables.edges.with_columns(iri("src"), iri("dst"), iri("item")).filter(pl.col("src").is_in(mine))
    stats = tables.stats.with_columns(iri("s"), iri("o")).filter(pl.col("s").is_in(mine))
    stages = tables.stages.with_columns(iri("sk")).filter(pl.col("sk").is_in(mine))
    types = tables.types.with_columns(iri("sk")).filter(pl.col("sk").is_in(mine))
    relations = {
        n: r.with_columns(iri("sk"), iri("ok")).filter(pl.col("sk").is_in(mine)) for n, r in tables.relations.items()
    }
    return Tables(edges, stats, stages, types, relations)


def _merge(
    source: Path,
    out: Path,
    new: Tables,
    sources: pl.Series,
    union: pl.LazyFrame,
    phase: Callable[[str], None],
) -> dict[str, Any] | None:
    """Write the parent's index at ``source`` with the rows of ``sources`` replaced by ``new``."""
    table = NodeTable(source)
    n_old = len(table)
    prior = _load(source)
    old = prior.rows
    mine = np.zeros(n_old, dtype=bool)
    found, at = table.find([s.removeprefix("<").removesuffix(">") for s in sources])
    mine[at[found]] = True

    # Old rows of other sources stay; the nodes they name stay too.
    kept_e = ~mine[old.src]
    kept_r = {name: ~mine[r_src] for name, (r_src, _) in old.relations.items()}
    kept_s = ~mine[old.stat_material]
    named = np.zeros(n_old, dtype=bool)
    for column in (old.src[kept_e], old.dst[kept_e], old.item[kept_e]):
        named[column[column >= 0]] = True
    named[old.stat_material[kept_s]] = True
    named[old.stat_country[kept_s]] = True
    for name, (r_src, r_dst) in old.relations.items():
        named[r_src[kept_r[name]]] = True
        named[r_dst[kept_r[name]]] = True
    own = (prior.node_kind != 0) | (prior.node_stage >= 0)
    keep = named | (own & ~mine)
    # A node with neither rows nor a known kind or stage may still have a
    # stage row of an unknown stage: that keeps it, as in a full build.
    orphans = np.flatnonzero(~keep & ~mine)
    if len(orphans) > MOST_ORPHANS:
        return None
    if len(orphans):
        keep[orphans[_staged(union, table.iris(orphans))]] = True

    # The new rows' nodes: old ones kept, new ones merged into the IRI order.
    endpoints = pl.concat(
        [new.edges["src"], new.edges["dst"], new.edges["item"], new.types["sk"], new.stages["sk"]]
        + [new.stats["s"], new.stats["o"]]
        + [c for r in new.relations.values() for c in (r["sk"], r["ok"])]
    )
    iris = endpoints.drop_nulls().unique().sort().to_list()
    present, where = table.find(iris)
    keep[where[present]] = True
    added = [i for i, p in zip(iris, present, strict=True) if not p]
    final_old, final_added, n = merged_ids(keep, where[~present])
    ids = dict(
        zip([i for i, p in zip(iris, present, strict=True) if p], final_old[where[present]].tolist(), strict=True)
    )
    ids |= dict(zip(added, final_added.tolist(), strict=True))
    same_nodes = not added and bool(keep.all())
    phase("nodes")

    rows = _merged_rows(old, final_old, new, ids, kept_e, kept_r, kept_s)
    kind = np.zeros(n, dtype=np.uint16)
    stage = np.full(n, -1, dtype=np.int8)
    kept = np.flatnonzero(keep & ~mine)
    kind[final_old[kept]] = prior.node_kind[kept]
    stage[final_old[kept]] = prior.node_stage[kept]
    np.bitwise_or.at(kind, _ids(new.types["sk"], ids), kind_bits(new.types["o"]))
    set_stages(stage, _ids(new.stages["sk"], ids), stage_codes(new.stages["o"]))

    changed = list(PARTS)
    if same_nodes:
        changed = [p for p in PARTS if not _same_part(p, old, rows)]
        for name in ["nodes.blob", "nodes_off.npy"] + [f for p in PARTS if p not in changed for f in part_files(p)]:
            link(source / name, out / name)
    else:
        table.write(out, keep, added, final_old, final_added, n)
    for name, array in (("node_kind.npy", kind), ("node_stage.npy", stage)):
        old_array = prior.node_kind if name == "node_kind.npy" else prior.node_stage
        if same_nodes and np.array_equal(array, old_array):
            link(source / name, out / name)
        else:
            np.save(out / name, array)
    save_numbered(out, rows, n, tuple(changed))
    phase("arrays")
    return {
        "nodes": n,
        "edges": len(rows.src),
        "statistics": len(rows.stat_material),
        "built": "delta",
        "sources": len(sources),
        "rewritten": changed,
    }


def _staged(union: pl.LazyFrame, iris: list[str]) -> IntArray:
    """Positions in ``iris`` of the nodes with a stage row of their own (not a statistic's) in ``union``."""
    spelled = pl.Series([f"<{i}>" for i in iris], dtype=pl.String)
    staged = union.filter((_NAME == "stage") & _S.is_in(spelled.to_list())).collect(engine=STREAMING)["s"]
    statistics = union.filter((_NAME == "stat_material") & _S.is_in(staged.to_list())).collect(engine=STREAMING)["s"]
    return np.flatnonzero(spelled.is_in(staged.to_list()) & ~spelled.is_in(statistics.to_list()))


def _ids(column: pl.Series, ids: dict[str, int], missing: int = -1) -> IntArray:
    """Node ids of a column of IRIs (``missing`` for null)."""
    return column.replace_strict(ids, default=missing, return_dtype=pl.Int64).to_numpy()


@dataclass(frozen=True, slots=True)
class _Old:
    """The parent index's rows, node kinds and stages, read into memory."""

    rows: Numbered
    node_kind: npt.NDArray[np.uint16]
    node_stage: npt.NDArray[np.int8]


def _load(directory: Path) -> _Old:
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
    )
    return _Old(rows, arr("node_kind"), arr("node_stage"))


def _merged_rows(
    old: Numbered,
    remap: IntArray,
    new: Tables,
    ids: dict[str, int],
    kept_e: npt.NDArray[np.bool_],
    kept_r: dict[str, npt.NDArray[np.bool_]],
    kept_s: npt.NDArray[np.bool_],
) -> Numbered:
    """The old rows kept (renumbered, still in order) with the new rows merged in by source."""

    identity = len(remap) == 0 or (remap[0] == 0 and bool((np.diff(remap) == 1).all()))

    def renumber(column: IntArray) -> IntArray:
        # The common small write adds and drops no node: ids stay as they are.
        return column if identity else np.where(column >= 0, remap[column], -1).astype(column.dtype)

    def merge(kept: list[Any], fresh: list[Any]) -> list[Any]:
        # Old rows of the new rows' sources are gone, so each source's new
        # rows (already in order) go where its old rows were.
        at = np.searchsorted(kept[0], fresh[0], side="left")
        return [np.insert(k, at, f) for k, f in zip(kept, fresh, strict=True)]

    e = new.edges
    fresh: list[Any] = [_ids(e["src"], ids), _ids(e["dst"], ids), e["kind"].to_numpy(), _ids(e["item"], ids)]
    fresh.append(e["share"].to_numpy())
    by = order(*fresh)
    kept = [renumber(old.src[kept_e]), renumber(old.dst[kept_e]), old.kind[kept_e], renumber(old.item[kept_e])]
    src, dst, kind, item, share = merge([*kept, old.share[kept_e]], [c[by] for c in fresh])
    relations: dict[str, tuple[IntArray, IntArray]] = {}
    for name, (r_src, r_dst) in old.relations.items():
        r = new.relations[name]
        pair = [_ids(r["sk"], ids), _ids(r["ok"], ids)]
        by = order(*pair)
        keep = kept_r[name]
        merged_src, merged_dst = merge([renumber(r_src[keep]), renumber(r_dst[keep])], [c[by] for c in pair])
        relations[name] = (merged_src, merged_dst)
    stats: list[Any] = [_ids(new.stats["s"], ids), _ids(new.stats["o"], ids), stage_codes(new.stats["stage"])]
    by = order(*stats)
    kept = [renumber(old.stat_material[kept_s]), renumber(old.stat_country[kept_s]), old.stat_stage[kept_s]]
    stat_m, stat_c, stat_stage = merge(kept, [c[by] for c in stats])
    return Numbered(src, dst, kind, share, item, relations, stat_m, stat_c, stat_stage)


def _same_part(part: str, old: Numbered, new: Numbered) -> bool:
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
