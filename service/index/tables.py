"""The index's rows before numbering, and the arrays they are written as: shared by full and delta builds.

:func:`join_tables` joins the n-ary nodes (BOM lines, supply relationships,
statistics) away on integer keys, giving the index's rows by their *source*
node: an edge by its dependent, a statistic by its material, a stage, type
or relation by its subject.  A full build runs it on every frame; a delta
build (:mod:`service.index.delta`) runs the very same code on the rows that
can reach the sources a write affected, so both give the same rows for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from ontology import vocab as v
from service.index.keys import is_iri
from service.index.scan import number
from service.index.schema import CLASS_KINDS, RELATIONS, EdgeKind

IntArray = npt.NDArray[np.int64]

ROWS_VERSION = 1
"""Bumped whenever :func:`join_tables` or the numbering makes other rows: a delta build merges only into
an index whose rows were made the same way (``rows`` in its ``meta.json``)."""

UNKEYED = ("share", "type", "stage")
"""Frames whose objects are literals or a few IRIs compared as strings: they get no object key."""

NARY_SUBJECTS = ("input", "share", "supplier", "item", "stat_country", "stage")
"""Frames whose subject may be an n-ary node: the rows read through a BOM line, supply relationship or statistic."""
BY_SUBJECT = ("has_input", "stage", "stat_material", "type", *("rel_" + name for name in RELATIONS))
"""Frames whose rows belong to the node in their subject."""
BY_OBJECT = ("produces", "supplies_to", "buyer", "stat_material")
"""Frames whose rows belong to the node in their object (the dependent of a ``produces`` or supply row)."""


@dataclass(frozen=True, slots=True)
class Tables:
    """The index's rows on term keys: edges, statistics, stages, types and relations."""

    edges: pl.DataFrame  # src, dst, kind, share, item
    stats: pl.DataFrame  # s (material), o (country), stage (its spelling)
    stages: pl.DataFrame  # sk, o
    types: pl.DataFrame  # sk, o
    relations: dict[str, pl.DataFrame]  # name -> sk, ok

    def endpoints(self) -> list[pl.Series]:
        """Every key column naming a node, in a fixed order."""
        columns = [self.edges["src"], self.edges["dst"], self.edges["item"], self.types["sk"], self.stages["sk"]]
        columns += [self.stats["s"], self.stats["o"]]
        return columns + [c for r in self.relations.values() for c in (r["sk"], r["ok"])]


def _first(frame: pl.LazyFrame, alias: str, value: str = "o") -> pl.LazyFrame:
    """One ``value`` per subject key (the least, so the choice does not depend on row order)."""
    return frame.group_by("sk").agg(pl.col(value).min().alias(alias))


def _edges(frame: pl.LazyFrame, src: str, dst: str, kind: int) -> pl.LazyFrame:
    columns = frame.collect_schema().names()
    share = number("share") if "share" in columns else pl.lit(math.nan, pl.Float64).alias("share")
    item = pl.col("item") if "item" in columns else pl.lit(0, pl.UInt64).alias("item")
    return frame.select(
        pl.col(src).alias("src"), pl.col(dst).alias("dst"), pl.lit(kind, pl.UInt8).alias("kind"), share, item
    )


def join_tables(f: dict[str, pl.DataFrame]) -> Tables:
    """The index's rows from keyed frames (see :func:`service.index.keys.keyed`); independent plans run side by side."""
    lf = {name: frame.lazy() for name, frame in f.items()}
    shares = _first(lf["share"], "share")
    bom = (
        lf["has_input"]
        .join(lf["input"], left_on="ok", right_on="sk", suffix="_in")
        .join(shares, left_on="ok", right_on="sk", how="left")
    )
    supply = (
        lf["buyer"]
        .join(lf["supplier"], on="sk", suffix="_sup")
        .join(_first(lf["item"], "item", "ok"), on="sk", how="left")
        .join(shares, on="sk", how="left")
    )
    plans = {
        "edges": pl.concat(
            [
                _edges(bom, "sk", "ok_in", EdgeKind.BOM),
                _edges(lf["produces"], "ok", "sk", EdgeKind.PRODUCED_BY),
                _edges(supply, "ok", "ok_sup", EdgeKind.SUPPLY),
                _edges(lf["supplies_to"], "ok", "sk", EdgeKind.SUPPLY),
            ]
        )
        .filter(is_iri("src") & is_iri("dst"))
        .with_columns(pl.when(is_iri("item")).then(pl.col("item")).otherwise(0).alias("item"))
        .unique(),
        "stats": lf["stat_material"]
        .join(lf["stat_country"], on="sk", suffix="_c")
        .join(_first(lf["stage"], "stage"), on="sk", how="left")
        .select(pl.col("ok").alias("s"), pl.col("ok_c").alias("o"), "stage")
        .filter(is_iri("s") & is_iri("o"))
        .unique(),
        "stages": lf["stage"].join(lf["stat_material"], on="sk", how="anti").filter(is_iri("sk")).select("sk", "o"),
        "types": lf["type"].filter(is_iri("sk")).select("sk", "o").unique(),
    }
    plans |= {
        "rel_" + name: lf["rel_" + name].filter(is_iri("sk") & is_iri("ok")).select("sk", "ok").unique()
        for name in RELATIONS
    }
    done = dict(zip(plans, pl.collect_all(list(plans.values())), strict=True))
    relations = {name: done["rel_" + name] for name in RELATIONS}
    return Tables(done["edges"], done["stats"], done["stages"], done["types"], relations)


def _spellings(frame: pl.DataFrame, key: str, term: str) -> pl.LazyFrame:
    """One ``(key, term)`` row per IRI key of a frame's column."""
    return frame.lazy().select(key=pl.col(key), term=pl.col(term)).filter(is_iri("key")).unique(subset="key")


def names_of(used: pl.DataFrame, f: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """``used`` (a ``key`` column of IRI keys) with each key's IRI (``iri``), sorted by IRI."""
    # Nodes are nearly all typed, so the type frame names most; the other
    # columns are searched only for the rest.
    names = used.join(_spellings(f["type"], "sk", "s").collect(), on="key", how="left")
    unnamed = names.filter(pl.col("term").is_null()).select("key")
    if len(unnamed):
        found = pl.concat(
            pl.collect_all(
                [
                    _spellings(frame, k, t).join(unnamed.lazy(), on="key", how="semi")
                    for frame in f.values()
                    for k, t in (("sk", "s"), ("ok", "o"))
                    if k in frame.columns
                ]
            )
        ).unique(subset="key")
        names = pl.concat([names.filter(pl.col("term").is_not_null()), unnamed.join(found, on="key", how="left")])
    return names.with_columns(pl.col("term").str.strip_prefix("<").str.strip_suffix(">").alias("iri")).sort("iri")


CLASS_BITS = {f"<{k}>": int(b) for k, b in CLASS_KINDS.items()}
STAGE_CODES = {f"<{s}>": i for i, s in enumerate(v.STAGES)}


def kind_bits(classes: pl.Series) -> npt.NDArray[np.uint16]:
    """The kind bit of each class spelling (0 for a class that sets none)."""
    return classes.replace_strict(CLASS_BITS, default=0, return_dtype=pl.UInt16).to_numpy()


def stage_codes(stages: pl.Series) -> npt.NDArray[np.int8]:
    """The index into ``STAGES`` of each stage spelling (-1 for anything else)."""
    return stages.replace_strict(STAGE_CODES, default=-1, return_dtype=pl.Int8).to_numpy()


def set_stages(node_stage: npt.NDArray[np.int8], nodes: IntArray, codes: npt.NDArray[np.int8]) -> None:
    """Give each of ``nodes`` its stage: of several, the highest wins, whatever the row order."""
    ranked = np.lexsort((codes, nodes))
    nodes, codes = nodes[ranked], codes[ranked]
    node_stage[nodes[codes >= 0]] = codes[codes >= 0]


def order(*keys: npt.NDArray[Any]) -> IntArray:
    """The permutation sorting rows by ``keys``, first key first (polars sorts on both cores)."""
    frame = pl.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    return frame.select(pl.arg_sort_by(frame.columns)).to_series().to_numpy().astype(np.int64)


def write_nodes(out: Path, names: pl.Series) -> None:
    """The node table: IRIs concatenated in ``nodes.blob``, their offsets in ``nodes_off.npy``."""
    offsets = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum(names.str.len_bytes().to_numpy(), out=offsets[1:])
    (out / "nodes.blob").write_bytes(names.str.join("").item().encode() if len(names) else b"")
    np.save(out / "nodes_off.npy", offsets)


def save_csr(out: Path, name: str, src: IntArray, dst: IntArray, n: int, reverse: IntArray | None = None) -> None:
    """Save ``src -> dst``, rows already sorted by ``src``, as forward CSR and reverse CSR (edge ids by dst).

    ``reverse`` is the edge order by dst (ties by edge id), if the caller knows it.
    """
    fwd_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=fwd_ptr[1:])
    np.save(out / f"{name}_ptr.npy", fwd_ptr)
    np.save(out / f"{name}_src.npy", src.astype(np.int32))
    np.save(out / f"{name}_dst.npy", dst.astype(np.int32))
    rev_order = np.argsort(dst, kind="stable") if reverse is None else reverse
    rev_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(dst, minlength=n), out=rev_ptr[1:])
    np.save(out / f"{name}_rptr.npy", rev_ptr)
    np.save(out / f"{name}_redge.npy", rev_order.astype(np.int32))


@dataclass(slots=True)
class Numbered:
    """The index's rows on node ids, each table sorted canonically (so equal triples give byte-equal files)."""

    src: IntArray
    dst: IntArray
    kind: npt.NDArray[np.uint8]
    share: npt.NDArray[np.float64]
    item: IntArray  # -1: no item
    relations: dict[str, tuple[IntArray, IntArray]]
    stat_material: IntArray
    stat_country: IntArray
    stat_stage: npt.NDArray[np.int8]
    reverse: dict[str, IntArray] = field(default_factory=dict)  # by part: its reverse CSR's edge order, if known


PARTS = ("dep", *("rel_" + name for name in RELATIONS), "stat")
"""The groups of files :func:`save_numbered` writes, besides the node table."""


def save_numbered(out: Path, rows: Numbered, n: int, parts: tuple[str, ...] = PARTS) -> None:
    """Write the ``parts`` of ``rows`` for ``n`` nodes into ``out``."""
    if "dep" in parts:
        save_csr(out, "dep", rows.src, rows.dst, n, rows.reverse.get("dep"))
        np.save(out / "dep_kind.npy", rows.kind)
        np.save(out / "dep_share.npy", rows.share)
        np.save(out / "dep_item.npy", rows.item.astype(np.int32))
    for name, (r_src, r_dst) in rows.relations.items():
        if "rel_" + name in parts:
            save_csr(out, "rel_" + name, r_src, r_dst, n, rows.reverse.get("rel_" + name))
    if "stat" in parts:
        np.save(out / "stat_material.npy", rows.stat_material)
        np.save(out / "stat_country.npy", rows.stat_country)
        np.save(out / "stat_stage.npy", rows.stat_stage)


def part_files(part: str) -> list[str]:
    """The files of one of :data:`PARTS`."""
    if part == "stat":
        return ["stat_material.npy", "stat_country.npy", "stat_stage.npy"]
    files = [f"{part}_{p}.npy" for p in ("ptr", "src", "dst", "rptr", "redge")]
    return files + (["dep_kind.npy", "dep_share.npy", "dep_item.npy"] if part == "dep" else [])
