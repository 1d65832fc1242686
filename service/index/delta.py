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
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl

from service.index.frames import Collected, by_name, link
from service.index.keys import keyed
from service.index.merge import Ids, load_parent, merged_rows, node_ids, same_part
from service.index.nodes import NodeTable, merged_ids
from service.index.scan import empty_frames
from service.index.schema import FORMAT_VERSION
from service.index.spec import INDEX_NAMES, SPEC
from service.index.tables import (
    BY_OBJECT,
    BY_SUBJECT,
    NARY_SUBJECTS,
    PARTS,
    ROWS_VERSION,
    UNKEYED,
    IntArray,
    Tables,
    join_tables,
    kind_bits,
    names_of,
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
    old_rows = _index_rows(before.values(), spec)
    new_rows = _index_rows([collected.fresh.get(g, empty_frames(spec)) for g in before], spec)
    differing = _differing(old_rows, new_rows)
    size = sum(pl.scan_parquet(p).select(pl.len()).collect().item() for p in collected.reused.values())
    if len(differing) > LARGEST_SHARE * (size + len(new_rows)):
        return None
    # The untouched graphs' rows are only ever looked up: each lookup
    # streams their files, none is read into memory whole.
    files = [pl.scan_parquet(p).cast({"name": spec.name_dtype}) for p in collected.reused.values()]
    union = _Rows(files, [new_rows])
    sources = _sources(differing, _Rows(files, [new_rows, old_rows]))
    reaching = _reaching(union, sources)
    phase("delta rows")

    f = keyed(by_name([reaching], spec, INDEX_NAMES), unkeyed_objects=UNKEYED)
    tables = join_tables(f)
    phase("joins")
    return _merge(source, out, _named(tables, f, sources), sources, union, phase)


def _index_rows(tables: Iterable[pl.DataFrame], spec: Any) -> pl.DataFrame:
    """The rows of the index's frames among ``tables``, as one table."""
    wanted = [n for n in spec.names if n in INDEX_NAMES]
    return pl.concat([t.filter(_NAME.is_in(wanted)) for t in tables]) if tables else empty_frames(spec)


class _Rows:
    """Frame rows in files (streamed) and tables (in memory), looked up by name and term."""

    def __init__(self, files: list[pl.LazyFrame], tables: list[pl.DataFrame]) -> None:
        self._rows = pl.concat(files + [t.lazy() for t in tables])

    def find(self, *wanted: tuple[Iterable[str], str, pl.DataFrame]) -> pl.DataFrame:
        """The rows with a name of ``names`` and a term of ``terms`` in ``column``, for each ``(names, column, terms)``.

        ``terms`` has a ``term`` and a ``scope`` column (see :func:`_terms`):
        a blank node matches only in rows of its own scopes, as its key does.
        """
        # One plan per lookup, each a plain conjunction, so the reader skips
        # the row groups of other names (frames.py groups files by name) and,
        # for blank nodes, of other scopes (documents).
        plans = []
        for names, column, terms in wanted:
            blank = terms["term"].str.starts_with("_:")
            named = _NAME.is_in(list(names))
            if iris := terms.filter(~blank)["term"].unique().to_list():
                plans.append(self._rows.filter(named & pl.col(column).is_in(iris)))
            if len(blanks := terms.filter(blank)):
                scopes, labels = blanks["scope"].unique().to_list(), blanks["term"].unique().to_list()
                plans.append(self._rows.filter(named & pl.col("scope").is_in(scopes) & pl.col(column).is_in(labels)))
        return pl.concat(pl.collect_all(plans, engine=STREAMING)) if plans else empty_frames(SPEC)


def _terms(rows: pl.DataFrame, column: str) -> pl.DataFrame:
    """The terms of ``column`` in ``rows``, each with its row's scope."""
    return rows.select(term=pl.col(column), scope=pl.col("scope"))


def _iris(iris: pl.Series) -> pl.DataFrame:
    """IRIs as terms to look up (an IRI's scope does not count)."""
    return iris.rename("term").to_frame().with_columns(scope=pl.lit(0, pl.UInt64))


def _differing(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Rows in one of ``old`` and ``new`` but not the other (an IRI row's document scope does not count)."""
    blank = _S.str.starts_with("_:") | _O.str.starts_with("_:")
    on = ["name", "s", "o", "scope"]
    old, new = (t.with_columns(scope=pl.when(blank).then(pl.col("scope")).otherwise(0)) for t in (old, new))
    return pl.concat([old.join(new, on=on, how="anti"), new.join(old, on=on, how="anti")])


def _sources(differing: pl.DataFrame, every: _Rows) -> pl.Series:
    """The IRIs of every source whose rows ``differing`` can change, looked up in ``every`` old and new row."""
    nary = _terms(differing.filter(_NAME.is_in(NARY_SUBJECTS)), "s")
    found = [differing.filter(_NAME.is_in(BY_SUBJECT))["s"], differing.filter(_NAME.is_in(BY_OBJECT))["o"]]
    # Through an n-ary node: a BOM line's product, a relationship's buyer, a statistic's material.
    through = every.find((["has_input"], "o", nary), (["buyer", "stat_material"], "s", nary))
    found += [through.filter(_NAME == "has_input")["s"], through.filter(_NAME != "has_input")["o"]]
    iris = pl.concat(found)
    return iris.filter(iris.str.starts_with("<")).unique().sort()


def _reaching(union: _Rows, sources: pl.Series) -> pl.DataFrame:
    """Every row of ``union`` the rows of ``sources`` can be made of (and maybe a few more)."""
    wanted = sources.to_list()
    own = union.find((BY_SUBJECT, "s", _iris(sources)), (BY_OBJECT, "o", _iris(sources)))
    lines = _terms(own.filter(_NAME == "has_input"), "o")
    relationships = _terms(own.filter((_NAME == "buyer") & _O.is_in(wanted)), "s")
    statistics = _terms(own.filter((_NAME == "stat_material") & _O.is_in(wanted)), "s")
    through = union.find(
        (["input", "share"], "s", lines),
        (["supplier", "item", "share"], "s", relationships),
        (["stat_country", "stage"], "s", statistics),
    )
    return pl.concat([own, through]).unique()


def _named(tables: Tables, f: dict[str, pl.DataFrame], sources: pl.Series) -> Tables:
    """``tables`` with IRIs for keys, keeping only the rows of ``sources``."""
    used = pl.concat([c.rename("key") for c in tables.endpoints()])
    names = names_of(used.filter((used & 1) == 1).unique().to_frame(), f)

    def iri(column: str) -> pl.Expr:
        return pl.col(column).replace_strict(names["key"], names["iri"], default=None, return_dtype=pl.String)

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
    union: _Rows,
    phase: Callable[[str], None],
) -> dict[str, Any] | None:
    """Write the parent's index at ``source`` with the rows of ``sources`` replaced by ``new``."""
    table = NodeTable(source)
    n_old = len(table)
    prior = load_parent(source)
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
    values = np.empty(len(iris), dtype=np.int64)
    values[present] = final_old[where[present]]
    values[~present] = final_added
    ids = Ids(pl.Series(iris, dtype=pl.String), pl.Series(values))
    same_nodes = not added and bool(keep.all())
    phase("nodes")

    rows = merged_rows(old, final_old, new, ids, kept_e, kept_r, kept_s)
    kind = np.zeros(n, dtype=np.uint16)
    stage = np.full(n, -1, dtype=np.int8)
    kept = np.flatnonzero(keep & ~mine)
    kind[final_old[kept]] = prior.node_kind[kept]
    stage[final_old[kept]] = prior.node_stage[kept]
    np.bitwise_or.at(kind, node_ids(new.types["sk"], ids), kind_bits(new.types["o"]))
    set_stages(stage, node_ids(new.stages["sk"], ids), stage_codes(new.stages["o"]))

    changed = list(PARTS)
    if same_nodes:
        changed = [p for p in PARTS if not same_part(p, old, rows)]
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


def _staged(union: _Rows, iris: list[str]) -> IntArray:
    """Positions in ``iris`` of the nodes with a stage row of their own (not a statistic's) in ``union``."""
    spelled = pl.Series([f"<{i}>" for i in iris], dtype=pl.String)
    found = union.find((["stage"], "s", _iris(spelled)))
    statistics = union.find((["stat_material"], "s", _terms(found, "s")))["s"]
    staged = found["s"]
    return np.flatnonzero(spelled.is_in(staged.to_list()) & ~spelled.is_in(statistics.to_list()))
