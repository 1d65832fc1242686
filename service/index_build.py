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
from service.index_scan import SCANS, iri, number, pairs_query, scan, typed_query
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


def _edges(frame: pl.DataFrame, src: str, dst: str, kind: int) -> pl.DataFrame:
    share = number("share") if "share" in frame.columns else pl.lit(math.nan, pl.Float64).alias("share")
    item = pl.col("item") if "item" in frame.columns else pl.lit(None, pl.String).alias("item")
    return frame.select(
        pl.col(src).alias("src"), pl.col(dst).alias("dst"), pl.lit(kind, pl.UInt8).alias("kind"), share, item
    )


def build_index(graph: Graph, directory: Path) -> None:
    """Scan ``graph`` and write the dependency index into ``directory / "index"``.

    Registered as an artifact builder, so every published snapshot carries an
    index built from exactly its own triples.
    """
    started = time.perf_counter()
    out = directory / "index"
    out.mkdir(parents=True, exist_ok=True)
    queries = {"type": typed_query(sorted(KIND_BITS))}
    queries |= {name: pairs_query(predicate) for name, predicate in SCANS.items()}
    queries |= {"rel_" + name: pairs_query(predicate) for name, predicate in RELATIONS.items()}
    f = scan(graph, queries)

    # Join the n-ary nodes away; terms keep their bracketed spelling until the end.
    shares = f["share"].unique(subset="s", keep="first").rename({"o": "share"})
    bom = (
        f["has_input"]
        .join(f["input"], left_on="o", right_on="s", suffix="_in")
        .join(shares, left_on="o", right_on="s", how="left")
    )
    supply = (
        f["buyer"]
        .join(f["supplier"], on="s", suffix="_sup")
        .join(f["item"].unique(subset="s", keep="first").rename({"o": "item"}), on="s", how="left")
        .join(shares, on="s", how="left")
    )
    edges = pl.concat(
        [
            _edges(bom, "s", "o_in", BOM),
            _edges(f["produces"], "o", "s", PRODUCED_BY),
            _edges(supply, "o", "o_sup", SUPPLY),
            _edges(f["supplies_to"], "o", "s", SUPPLY),
        ]
    ).filter(iri("src") & iri("dst"))
    edges = edges.with_columns(pl.when(iri("item")).then(pl.col("item")).alias("item"))
    stats = (
        f["stat_material"]
        .join(f["stat_country"], on="s", suffix="_c")
        .join(f["stage"].unique(subset="s", keep="first").rename({"o": "stage"}), on="s", how="left")
        .select(pl.col("o").alias("s"), pl.col("o_c").alias("o"), "stage")
        .filter(iri("s") & iri("o"))
    )
    stages = f["stage"].join(f["stat_material"], on="s", how="anti").filter(iri("s"))
    types = f["type"].filter(iri("s"))
    relations = {name: f["rel_" + name].filter(iri("s") & iri("o")) for name in RELATIONS}

    # Every node, numbered in IRI order; one join maps every endpoint to its id.
    to_map = [edges["src"], edges["dst"], edges["item"], types["s"], stages["s"], stats["s"], stats["o"]]
    to_map += [c for r in relations.values() for c in (r["s"], r["o"])]
    endpoints = pl.concat([c.rename("term") for c in to_map])
    names = endpoints.drop_nulls().unique().to_frame()
    names = names.with_columns(pl.col("term").str.strip_prefix("<").str.strip_suffix(">").alias("iri")).sort("iri")
    n = len(names)
    names = names.with_columns(pl.int_range(0, n, dtype=pl.Int64).alias("id"))
    mapped = endpoints.to_frame().join(names.select("term", "id"), on="term", how="left", maintain_order="left")
    all_ids = mapped["id"].fill_null(-1).to_numpy()
    ids: list[npt.NDArray[np.int64]] = []
    offset = 0
    for column in to_map:
        ids.append(all_ids[offset : offset + len(column)])
        offset += len(column)
    src, dst, item, type_s, stage_s, stat_m, stat_c = ids[:7]
    rel_ids = ids[7:]

    _write_nodes(out, names["iri"].to_list())
    node_kind = np.zeros(n, dtype=np.uint16)
    bits = types["o"].replace_strict({f"<{k}>": b for k, b in KIND_BITS.items()}, return_dtype=pl.UInt16)
    np.bitwise_or.at(node_kind, type_s, bits.to_numpy())
    stage_codes = {f"<{s}>": i for i, s in enumerate(v.STAGES)}
    node_stage = np.full(n, -1, dtype=np.int8)
    codes = stages["o"].replace_strict(stage_codes, default=-1, return_dtype=pl.Int8).to_numpy()
    node_stage[stage_s[codes >= 0]] = codes[codes >= 0]
    np.save(out / "node_kind.npy", node_kind)
    np.save(out / "node_stage.npy", node_stage)

    order = _save_csr(out, "dep", src, dst, n)
    np.save(out / "dep_kind.npy", edges["kind"].to_numpy()[order])
    np.save(out / "dep_share.npy", edges["share"].to_numpy()[order])
    np.save(out / "dep_item.npy", item[order].astype(np.int32))
    for k, name in enumerate(RELATIONS):
        _save_csr(out, "rel_" + name, rel_ids[2 * k], rel_ids[2 * k + 1], n)
    np.save(out / "stat_material.npy", stat_m)
    np.save(out / "stat_country.npy", stat_c)
    stat_stage = stats["stage"].replace_strict(stage_codes, default=-1, return_dtype=pl.Int8).to_numpy()
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
