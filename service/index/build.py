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
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ontology import vocab as v
from service.index.delta import build_delta
from service.index.frames import Collected, collect, link
from service.index.keys import keyed
from service.index.schema import FORMAT_VERSION, RELATIONS, EdgeKind
from service.index.spec import INDEX_NAMES, SPEC
from service.index.tables import (
    ROWS_VERSION,
    UNKEYED,
    IntArray,
    Numbered,
    join_tables,
    kind_bits,
    names_of,
    order,
    save_numbered,
    set_stages,
    stage_codes,
    write_nodes,
)
from service.store import BuildInput

log = logging.getLogger("supplygraph.index")


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
        same = {k: value for k, value in same.items() if k not in ("sources", "rewritten")}
        linked = same | {"snapshot": build.snapshot.snapshot_id, "same_as": same.get("snapshot"), "built": "linked"}
        linked |= {"seconds": round(time.perf_counter() - started, 3), "phases": phases, "graphs": collected.routes}
        (out / "meta.json").write_text(json.dumps(linked, indent=2))
        return
    meta: dict[str, Any] | None
    try:
        meta = build_delta(collected, build.parent, out, phase)
    except (OSError, ValueError) as exc:  # a parent index cut short or damaged: build from the frames
        log.warning("index: the parent's index cannot be merged into (%s); building it in full", exc)
        # Files linked from the parent must not be written through.
        for path in out.iterdir():
            if path.is_file():
                path.unlink()
        meta = None
    if meta is None:
        meta = _full(collected, out, phase)
    collected.saved.result()
    phase("saving frames")
    meta |= {
        "format": FORMAT_VERSION,
        "rows": ROWS_VERSION,
        "snapshot": build.snapshot.snapshot_id,
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


def _full(collected: Collected, out: Path, phase: Callable[[str], None]) -> dict[str, Any]:
    """Build the index from every frame; its counts for ``meta.json``."""
    f = keyed(collected.frames(INDEX_NAMES), unkeyed_objects=UNKEYED)
    phase("keys")
    tables = join_tables(f)
    phase("joins")

    # Every node, numbered in IRI order: the keys in use, named from the frames.
    to_map = tables.endpoints()
    endpoints = pl.concat([c.rename("key") for c in to_map])
    used = endpoints.filter((endpoints & 1) == 1).unique().to_frame()
    names = names_of(used, f)
    n = len(names)
    names = names.with_columns(pl.int_range(0, n, dtype=pl.Int64).alias("id"))
    mapped = endpoints.to_frame().join(names.select("key", "id"), on="key", how="left", maintain_order="left")
    all_ids = mapped["id"].fill_null(-1).to_numpy()
    ids: list[IntArray] = []
    offset = 0
    for column in to_map:
        ids.append(all_ids[offset : offset + len(column)])
        offset += len(column)
    src, dst, item, type_s, stage_s, stat_m, stat_c = ids[:7]
    rel_ids = ids[7:]
    phase("nodes")

    write_nodes(out, names["iri"])
    node_kind = np.zeros(n, dtype=np.uint16)
    np.bitwise_or.at(node_kind, type_s, kind_bits(tables.types["o"]))
    node_stage = np.full(n, -1, dtype=np.int8)
    set_stages(node_stage, stage_s, stage_codes(tables.stages["o"]))
    np.save(out / "node_kind.npy", node_kind)
    np.save(out / "node_stage.npy", node_stage)
    edges, stats = tables.edges, tables.stats
    kind, share = edges["kind"].to_numpy(), edges["share"].to_numpy()
    e_order = order(src, dst, kind, item, share)
    relations = {}
    for k, name in enumerate(RELATIONS):
        r_src, r_dst = rel_ids[2 * k], rel_ids[2 * k + 1]
        r_order = order(r_src, r_dst)
        relations[name] = (r_src[r_order], r_dst[r_order])
    stat_stage = stage_codes(stats["stage"])
    s_order = order(stat_m, stat_c, stat_stage)
    rows = Numbered(
        src[e_order],
        dst[e_order],
        kind[e_order],
        share[e_order],
        item[e_order],
        relations,
        stat_m[s_order],
        stat_c[s_order],
        stat_stage[s_order],
    )
    save_numbered(out, rows, n)
    phase("arrays")
    return {"nodes": n, "edges": len(edges), "statistics": len(stats), "built": "full"}
