"""Builds the per-snapshot dependency index from predicate scans of the store.

The index is a directory of ``.npy`` arrays next to the snapshot's database::

    index/meta.json            format version, counts, names of kinds and stages
    index/nodes.blob           node IRIs, sorted, UTF-8, concatenated
    index/nodes_off.npy        int64 offsets into the blob (n + 1)
    index/node_kind.npy        uint16 bit set of node types (see :data:`KIND_BITS`)
    index/node_stage.npy       int8 index into ``STAGES`` or -1
    index/dep_*.npy            the dependency graph (dependent -> dependency), CSR by source
    index/rel_<name>_*.npy     plain relations (location, operator, taxonomy...), CSR by source
    index/stat_*.npy           production statistics (material, country, stage)

Nodes are numbered in IRI order, so ids sort like IRIs and pages are stable.
Intermediate n-ary nodes (BOM lines, supply relationships, statistics) are
joined away while scanning and never become nodes.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from ontology import vocab as v
from service.index_scan import iris_only, numbers, scan, strip_iri
from service.store import Graph

FORMAT_VERSION = 1

# Dependency edge kinds: the traversable ones (BOM, PRODUCED_BY, SUPPLY) and
# the terminal hops that end a path at a country.
BOM, PRODUCED_BY, SUPPLY, LOCATED_IN, OPERATED_BY, HEADQUARTERED_IN, STATISTIC = range(7)
EDGE_KINDS = ("BOM", "PRODUCED_BY", "SUPPLY", "LOCATED_IN", "OPERATED_BY", "HEADQUARTERED_IN", "STATISTIC")

KIND_BITS: dict[str, int] = {
    v.MATERIAL: 1,
    v.PRODUCT: 2,
    v.FACILITY: 4,
    v.FIRM: 8,
    v.COUNTRY: 16,
    v.MATERIAL_CLASS: 32,
    v.ALLIANCE: 64,
    v.EXPORT_CONTROL: 128,
    v.COUNTRY_AGGREGATE: 16,
    v.ITEM: 256,
}
MATERIAL_BIT, PRODUCT_BIT, FACILITY_BIT, FIRM_BIT, COUNTRY_BIT, CLASS_BIT, ALLIANCE_BIT, CONTROL_BIT = (
    1,
    2,
    4,
    8,
    16,
    32,
    64,
    128,
)
ITEM_BITS = MATERIAL_BIT | PRODUCT_BIT | 256

# Plain relations kept as CSR by subject: name -> predicate (subject -> object).
RELATIONS: dict[str, str] = {
    "located_in": v.LOCATED_IN,
    "operated_by": v.OPERATED_BY,
    "headquartered_in": v.HEADQUARTERED_IN,
    "material_class": v.MATERIAL_CLASS_P,
    "broader": v.SKOS_BROADER,
    "form_of": v.FORM_OF,
    "member_of": v.MEMBER_OF,
    "subsidiary_of": v.SUBSIDIARY_OF,
    "owned_by": v.OWNED_BY,
}

IntArray = npt.NDArray[np.int64]


SCANNED: dict[str, str] = {
    "stage": v.STAGE_P,
    "has_input": v.HAS_INPUT,
    "input": v.INPUT,
    "share": v.SHARE,
    "produces": v.PRODUCES,
    "supplier": v.SUPPLIER,
    "buyer": v.BUYER,
    "item": v.SUPPLIED_ITEM,
    "supplies_to": v.SUPPLIES_TO,
    "stat_material": v.STAT_MATERIAL,
    "stat_country": v.STAT_COUNTRY,
    **RELATIONS,
}


def _edges(
    src: pl.Expr, dst: pl.Expr, kind: int, share: pl.Expr | None = None, item: pl.Expr | None = None
) -> list[pl.Expr]:
    return [
        src.alias("src"),
        dst.alias("dst"),
        pl.lit(kind, pl.UInt8).alias("kind"),
        (share if share is not None else pl.lit(math.nan)).cast(pl.Float64).alias("share"),
        (item if item is not None else pl.lit(None, pl.String)).alias("item"),
    ]


def build_index(graph: Graph, directory: Path) -> None:
    """Scan ``graph`` and write the dependency index into ``directory / "index"``.

    Registered as an artifact builder, so every published snapshot carries an
    index built from exactly its own triples.
    """
    started = time.perf_counter()
    out = directory / "index"
    out.mkdir(parents=True, exist_ok=True)
    f = scan(graph, SCANNED, sorted(KIND_BITS))
    relations = {name: iris_only(f.pop(name), "s", "o") for name in RELATIONS}
    for name in f:
        if name != "share":
            f[name] = f[name].with_columns(strip_iri("s"), strip_iri("o"))
    shares = numbers(f["share"]).unique(subset="s", keep="first").rename({"o": "share"})

    # Dependency edges (dependent -> dependency), still as IRI strings.
    bom = (
        f["has_input"]
        .join(f["input"], left_on="o", right_on="s", suffix="_in")
        .join(shares, left_on="o", right_on="s", how="left")
    )
    supply = (
        f["buyer"]
        .join(f["supplier"], on="s", suffix="_sup")
        .join(f["item"].unique(subset="s", keep="first"), on="s", how="left", suffix="_item")
        .join(shares, on="s", how="left")
    )
    edges = pl.concat(
        [
            bom.select(_edges(pl.col("s"), pl.col("o_in"), BOM, pl.col("share"))),
            f["produces"].select(_edges(pl.col("o"), pl.col("s"), PRODUCED_BY)),
            supply.select(_edges(pl.col("o"), pl.col("o_sup"), SUPPLY, pl.col("share"), pl.col("o_item"))),
            f["supplies_to"].select(_edges(pl.col("o"), pl.col("s"), SUPPLY)),
        ]
    ).filter(~pl.col("src").str.starts_with("_:") & ~pl.col("dst").str.starts_with("_:"))
    stats = (
        f["stat_material"]
        .join(f["stat_country"], on="s", suffix="_c")
        .join(f["stage"].unique(subset="s", keep="first"), on="s", how="left", suffix="_st")
    )
    stat_subjects = f["stat_material"].select("s")
    item_stages = f["stage"].join(stat_subjects, on="s", how="anti")
    types = f["type"].filter(~pl.col("s").str.starts_with("_:"))

    # Every node, numbered in IRI order.
    columns = [edges["src"], edges["dst"], edges["item"].drop_nulls(), types["s"], item_stages["s"]]
    columns += [stats["o"], stats["o_c"]] + [c for r in relations.values() for c in (r["s"], r["o"])]
    names = pl.concat([c.rename("iri") for c in columns]).unique().sort()
    names = names.filter(~names.str.starts_with("_:"))
    n = len(names)
    ids = pl.DataFrame({"iri": names, "id": pl.int_range(0, n, dtype=pl.Int64, eager=True)})

    def idx(frame: pl.DataFrame, column: str) -> npt.NDArray[np.int64]:
        joined = frame.select(pl.col(column).alias("iri")).join(ids, on="iri", how="left", maintain_order="left")
        return joined["id"].fill_null(-1).to_numpy()

    _write_nodes(out, names.to_list())
    node_kind = np.zeros(n, dtype=np.uint16)
    bits = types["o"].replace_strict(KIND_BITS, return_dtype=pl.UInt16).to_numpy()
    np.bitwise_or.at(node_kind, idx(types, "s"), bits)
    node_stage = np.full(n, -1, dtype=np.int8)
    stage_codes = {s: i for i, s in enumerate(v.STAGES)}
    known = item_stages.filter(pl.col("o").is_in(list(stage_codes)))
    node_stage[idx(known, "s")] = known["o"].replace_strict(stage_codes, return_dtype=pl.Int8).to_numpy()
    np.save(out / "node_kind.npy", node_kind)
    np.save(out / "node_stage.npy", node_stage)

    order = _save_csr(out, "dep", idx(edges, "src"), idx(edges, "dst"), n)
    np.save(out / "dep_kind.npy", edges["kind"].to_numpy()[order])
    np.save(out / "dep_share.npy", edges["share"].to_numpy()[order])
    np.save(out / "dep_item.npy", idx(edges, "item")[order].astype(np.int32))
    for name, rel in relations.items():
        _save_csr(out, "rel_" + name, idx(rel, "s"), idx(rel, "o"), n)
    np.save(out / "stat_material.npy", idx(stats, "o"))
    np.save(out / "stat_country.npy", idx(stats, "o_c"))
    stat_stage = stats["o_st"].replace_strict(stage_codes, default=-1, return_dtype=pl.Int8).to_numpy()
    np.save(out / "stat_stage.npy", stat_stage)
    meta = {
        "format": FORMAT_VERSION,
        "snapshot": graph.snapshot_id,
        "nodes": n,
        "edges": len(edges),
        "statistics": len(stats),
        "edge_kinds": list(EDGE_KINDS),
        "stages": list(v.STAGES),
        "seconds": round(time.perf_counter() - started, 3),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2))


def _write_nodes(out: Path, names: Iterable[str]) -> None:
    encoded = [name.encode() for name in names]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    if encoded:
        np.cumsum(np.fromiter((len(e) for e in encoded), np.int64, count=len(encoded)), out=offsets[1:])
    (out / "nodes.blob").write_bytes(b"".join(encoded))
    np.save(out / "nodes_off.npy", offsets)


def _save_csr(out: Path, name: str, src: IntArray, dst: IntArray, n: int) -> IntArray:
    """Save ``src -> dst`` as forward CSR (by src) and reverse CSR (edge ids by dst).

    Returns the permutation applied to the input edges, so callers can store
    per-edge attributes in the same order.
    """
    order = np.argsort(src, kind="stable")
    fwd_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=fwd_ptr[1:])
    sorted_src = src[order]
    sorted_dst = dst[order]
    np.save(out / f"{name}_ptr.npy", fwd_ptr)
    np.save(out / f"{name}_src.npy", sorted_src.astype(np.int32))
    np.save(out / f"{name}_dst.npy", sorted_dst.astype(np.int32))
    rev_order = np.argsort(sorted_dst, kind="stable")
    rev_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(sorted_dst, minlength=n), out=rev_ptr[1:])
    np.save(out / f"{name}_rptr.npy", rev_ptr)
    np.save(out / f"{name}_redge.npy", rev_order.astype(np.int32))
    return order
