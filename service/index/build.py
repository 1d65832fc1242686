"""Builds the per-snapshot dependency index from frames of the snapshot's triples.

The index is a directory of ``.npy`` arrays next to the snapshot's database::

    index/meta.json            format version, counts, names of kinds and stages
    index/nodes.blob           node IRIs, sorted, UTF-8, concatenated
    index/nodes_off.npy        int64 offsets into the blob (n + 1)
    index/node_kind.npy        uint16 bit set of node types (see :data:`KIND_BITS`)
    index/node_stage.npy       int8 index into ``STAGES`` or -1
    index/dep_*.npy            the dependency graph (dependent -> dependency), CSR by source
    index/rel_<name>_*.npy     plain relations (location, operator, taxonomy...), CSR by source
    index/stat_*.npy           production statistics (material, country, stage)
    index/frames/              the triples it was built from, per graph (see service.index.frames)

Nodes are numbered in IRI order, so ids sort like IRIs and pages are stable.
Intermediate n-ary nodes (BOM lines, supply relationships, statistics) are
joined away while scanning and never become nodes.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from ontology import vocab as v
from service.index.frames import collect, link
from service.index.keys import is_iri, keyed
from service.index.scan import number
from service.index.schema import CLASS_KINDS, FORMAT_VERSION, RELATIONS, EdgeKind
from service.index.spec import INDEX_NAMES, SPEC
from service.store import BuildInput

IntArray = npt.NDArray[np.int64]


def _first(frame: pl.LazyFrame, alias: str, value: str = "o") -> pl.LazyFrame:
    """One ``value`` per subject key (the least, so the choice does not depend on row order)."""
    return frame.group_by("sk").agg(pl.col(value).min().alias(alias))


def _spellings(frame: pl.DataFrame, key: str, term: str) -> pl.LazyFrame:
    """One ``(key, term)`` row per IRI key of a frame's column."""
    return frame.lazy().select(key=pl.col(key), term=pl.col(term)).filter(is_iri("key")).unique(subset="key")


def _edges(frame: pl.LazyFrame, src: str, dst: str, kind: int) -> pl.LazyFrame:
    columns = frame.collect_schema().names()
    share = number("share") if "share" in columns else pl.lit(math.nan, pl.Float64).alias("share")
    item = pl.col("item") if "item" in columns else pl.lit(0, pl.UInt64).alias("item")
    return frame.select(
        pl.col(src).alias("src"), pl.col(dst).alias("dst"), pl.lit(kind, pl.UInt8).alias("kind"), share, item
    )


def build_index(build: BuildInput) -> None:
    """Write the dependency index of a new snapshot into ``build.directory / "index"``.

    Registered as an artifact builder, so every published snapshot carries an
    index built from exactly its own triples.  The result does not depend on
    the order of the triples, nor on how the frames were obtained.
    """
    started = time.perf_counter()
    out = build.directory / "index"
    out.mkdir(parents=True, exist_ok=True)
    phases: dict[str, float] = {}
    clock = [started]

    def phase(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(now - clock[0], 3)
        clock[0] = now

    collected = collect(build, SPEC, out, compared=INDEX_NAMES)
    phase("frames")
    if collected.unchanged and (same := _link_parent_index(build.parent, out)) is not None:
        # The triples the index reads did not change (say, a trade-flow
        # load): the parent's arrays are this snapshot's too.
        collected.saved.result()
        phase("linking")
        meta = same | {"snapshot": build.snapshot.snapshot_id, "same_as": same.get("snapshot")}
        meta |= {"seconds": round(time.perf_counter() - started, 3), "phases": phases, "graphs": collected.routes}
        (out / "meta.json").write_text(json.dumps(meta, indent=2))
        return
    f = keyed(collected.frames(INDEX_NAMES), unkeyed_objects=("share", "type", "stage"))
    phase("keys")

    # Join the n-ary nodes away, on keys; independent plans run side by side.
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
    edges, stats, stages, types = done["edges"], done["stats"], done["stages"], done["types"]
    relations = {name: done["rel_" + name] for name in RELATIONS}

    phase("joins")

    # Every node, numbered in IRI order: the keys in use, named from the frames.
    to_map = [edges["src"], edges["dst"], edges["item"], types["sk"], stages["sk"], stats["s"], stats["o"]]
    to_map += [c for r in relations.values() for c in (r["sk"], r["ok"])]
    endpoints = pl.concat([c.rename("key") for c in to_map])
    used = endpoints.filter((endpoints & 1) == 1).unique().to_frame()
    # Each IRI's spelling: nodes are nearly all typed, so the type frame
    # names most; the other columns are searched only for the rest.
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
    names = names.with_columns(pl.col("term").str.strip_prefix("<").str.strip_suffix(">").alias("iri")).sort("iri")
    n = len(names)
    names = names.with_columns(pl.int_range(0, n, dtype=pl.Int64).alias("id"))
    mapped = endpoints.to_frame().join(names.select("key", "id"), on="key", how="left", maintain_order="left")
    all_ids = mapped["id"].fill_null(-1).to_numpy()
    ids: list[npt.NDArray[np.int64]] = []
    offset = 0
    for column in to_map:
        ids.append(all_ids[offset : offset + len(column)])
        offset += len(column)
    src, dst, item, type_s, stage_s, stat_m, stat_c = ids[:7]
    rel_ids = ids[7:]

    phase("nodes")
    _write_nodes(out, names["iri"])
    node_kind = np.zeros(n, dtype=np.uint16)
    class_bits = {f"<{k}>": int(b) for k, b in CLASS_KINDS.items()}
    bits = types["o"].replace_strict(class_bits, default=0, return_dtype=pl.UInt16)
    np.bitwise_or.at(node_kind, type_s, bits.to_numpy())
    stage_codes = {f"<{s}>": i for i, s in enumerate(v.STAGES)}
    node_stage = np.full(n, -1, dtype=np.int8)
    codes = stages["o"].replace_strict(stage_codes, default=-1, return_dtype=pl.Int8).to_numpy()
    # Several stages for one node: the highest wins, whatever the row order.
    ranked = np.lexsort((codes, stage_s))
    stage_s, codes = stage_s[ranked], codes[ranked]
    node_stage[stage_s[codes >= 0]] = codes[codes >= 0]
    np.save(out / "node_kind.npy", node_kind)
    np.save(out / "node_stage.npy", node_stage)

    # Rows in a canonical order, so equal triples give byte-equal indexes.
    order = _order(src, dst, edges["kind"].to_numpy(), item, edges["share"].to_numpy())
    src, dst, item = src[order], dst[order], item[order]
    _save_csr(out, "dep", src, dst, n)
    np.save(out / "dep_kind.npy", edges["kind"].to_numpy()[order])
    np.save(out / "dep_share.npy", edges["share"].to_numpy()[order])
    np.save(out / "dep_item.npy", item.astype(np.int32))
    for k, name in enumerate(RELATIONS):
        r_src, r_dst = rel_ids[2 * k], rel_ids[2 * k + 1]
        r_order = _order(r_src, r_dst)
        _save_csr(out, "rel_" + name, r_src[r_order], r_dst[r_order], n)
    stat_stage = stats["stage"].replace_strict(stage_codes, default=-1, return_dtype=pl.Int8).to_numpy()
    s_order = _order(stat_m, stat_c, stat_stage)
    np.save(out / "stat_material.npy", stat_m[s_order])
    np.save(out / "stat_country.npy", stat_c[s_order])
    np.save(out / "stat_stage.npy", stat_stage[s_order])
    phase("arrays")
    collected.saved.result()
    phase("saving frames")
    meta = {
        "format": FORMAT_VERSION,
        "snapshot": build.snapshot.snapshot_id,
        "nodes": n,
        "edges": len(edges),
        "statistics": len(stats),
        "edge_kinds": [kind.name for kind in EdgeKind],
        "stages": list(v.STAGES),
        "seconds": round(time.perf_counter() - started, 3),
        "phases": phases,
        "graphs": collected.routes,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2))


def _link_parent_index(parent: Path | None, out: Path) -> dict[str, Any] | None:
    """Hard-link the parent snapshot's index arrays into ``out``; its meta, or None if it has no usable index."""
    source = parent / "index" if parent is not None else None
    try:
        meta: dict[str, Any] = json.loads((source / "meta.json").read_text()) if source else {}
    except (OSError, ValueError):
        return None
    if source is None or meta.get("format") != FORMAT_VERSION:
        return None
    for path in source.iterdir():
        if path.is_file() and path.name != "meta.json":
            link(path, out / path.name)
    return meta


def _order(*keys: npt.NDArray[Any]) -> IntArray:
    """The permutation sorting rows by ``keys``, first key first (polars sorts on both cores)."""
    frame = pl.DataFrame({f"k{i}": k for i, k in enumerate(keys)})
    return frame.select(pl.arg_sort_by(frame.columns)).to_series().to_numpy().astype(np.int64)


def _write_nodes(out: Path, names: pl.Series) -> None:
    offsets = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum(names.str.len_bytes().to_numpy(), out=offsets[1:])
    (out / "nodes.blob").write_bytes(names.str.join("").item().encode() if len(names) else b"")
    np.save(out / "nodes_off.npy", offsets)


def _save_csr(out: Path, name: str, src: IntArray, dst: IntArray, n: int) -> None:
    """Save ``src -> dst``, rows already sorted by ``src``, as forward CSR and reverse CSR (edge ids by dst)."""
    fwd_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=fwd_ptr[1:])
    np.save(out / f"{name}_ptr.npy", fwd_ptr)
    np.save(out / f"{name}_src.npy", src.astype(np.int32))
    np.save(out / f"{name}_dst.npy", dst.astype(np.int32))
    rev_order = np.argsort(dst, kind="stable")
    rev_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(dst, minlength=n), out=rev_ptr[1:])
    np.save(out / f"{name}_rptr.npy", rev_ptr)
    np.save(out / f"{name}_redge.npy", rev_order.astype(np.int32))
