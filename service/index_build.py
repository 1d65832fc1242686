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

from ontology import vocab as v
from service.store import IRI, BNode, Graph, Lit

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


class _Interner:
    """Strings to provisional ids in first-seen order; renumbered by IRI order at the end."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, key: str) -> int:
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.ids)
        return found


def _iri(term: object) -> str | None:
    return term.value if isinstance(term, IRI) else None


def _key(term: object) -> str | None:
    """The key ``Graph.pairs`` uses for a subject: the IRI, or ``_:id`` for a blank node."""
    if isinstance(term, IRI):
        return term.value
    if isinstance(term, BNode):
        return "_:" + term.value
    return None


def _float(term: object) -> float:
    if isinstance(term, Lit):
        value = term.to_python()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return math.nan


def build_index(graph: Graph, directory: Path) -> None:
    """Scan ``graph`` and write the dependency index into ``directory / "index"``.

    Registered as an artifact builder, so every published snapshot carries an
    index built from exactly its own triples.
    """
    started = time.perf_counter()
    out = directory / "index"
    out.mkdir(parents=True, exist_ok=True)
    intern = _Interner()

    kinds: dict[int, int] = {}
    for subject, obj in graph.pairs(v.RDF_TYPE):
        bit = KIND_BITS.get(obj.value) if isinstance(obj, IRI) else None
        if bit is not None and not subject.startswith("_:"):
            node = intern(subject)
            kinds[node] = kinds.get(node, 0) | bit
    stage_index = {s: i for i, s in enumerate(v.STAGES)}
    # Items and statistics both carry sg:stage; statistics are split off below.
    stages = {
        s: stage_index[o.value] for s, o in graph.pairs(v.STAGE_P) if isinstance(o, IRI) and o.value in stage_index
    }

    # Dependency edges: dependent -> dependency.
    src: list[int] = []
    dst: list[int] = []
    kind: list[int] = []
    share: list[float] = []
    item: list[int] = []

    shares = {s: _float(o) for s, o in graph.pairs(v.SHARE)}
    line_input = {s: o.value for s, o in graph.pairs(v.INPUT) if isinstance(o, IRI)}
    for product, line in graph.pairs(v.HAS_INPUT):
        key = _key(line)
        target = line_input.get(key) if key else None
        if target is None:
            continue  # a BOM line without an input item says nothing about dependency
        src.append(intern(product))
        dst.append(intern(target))
        kind.append(BOM)
        share.append(shares.get(key or "", math.nan))
        item.append(-1)
    del line_input

    for facility, produced in graph.pairs(v.PRODUCES):
        target = _iri(produced)
        if target is not None:
            src.append(intern(target))
            dst.append(intern(facility))
            kind.append(PRODUCED_BY)
            share.append(math.nan)
            item.append(-1)

    suppliers = _node_map(graph, v.SUPPLIER)
    items = _node_map(graph, v.SUPPLIED_ITEM)
    for relation, buyer in _node_map(graph, v.BUYER).items():
        supplier = suppliers.get(relation)
        if supplier is None:
            continue
        src.append(intern(buyer))
        dst.append(intern(supplier))
        kind.append(SUPPLY)
        share.append(shares.get(relation, math.nan))
        supplied = items.get(relation)
        item.append(intern(supplied) if supplied is not None else -1)
    del suppliers, items, shares
    for supplier, buyer_term in graph.pairs(v.SUPPLIES_TO):
        buyer_iri = _iri(buyer_term)
        if buyer_iri is not None:
            src.append(intern(buyer_iri))
            dst.append(intern(supplier))
            kind.append(SUPPLY)
            share.append(math.nan)
            item.append(-1)

    relations: dict[str, tuple[list[int], list[int]]] = {}
    for name, predicate in RELATIONS.items():
        rs: list[int] = []
        rd: list[int] = []
        for subject, obj in graph.pairs(predicate):
            target = _iri(obj)
            if target is not None and not subject.startswith("_:"):
                rs.append(intern(subject))
                rd.append(intern(target))
        relations[name] = (rs, rd)

    stat_material = _node_map(graph, v.STAT_MATERIAL)
    stat_country = _node_map(graph, v.STAT_COUNTRY)
    stats: list[tuple[int, int, int]] = []
    for stat, material in stat_material.items():
        country = stat_country.get(stat)
        if country is not None:
            stats.append((intern(material), intern(country), stages.get(stat, -1)))
    stage_of = {intern(s): i for s, i in stages.items() if s not in stat_material and not s.startswith("_:")}
    del stages

    # Renumber every node by IRI order.
    names = sorted(intern.ids)
    n = len(names)
    remap = np.empty(n, dtype=np.int64)
    remap[np.fromiter((intern.ids[name] for name in names), dtype=np.int64, count=n)] = np.arange(n, dtype=np.int64)
    _write_nodes(out, names)
    node_kind = np.zeros(n, dtype=np.uint16)
    if kinds:
        node_kind[remap[np.fromiter(kinds.keys(), np.int64)]] = np.fromiter(kinds.values(), np.uint16)
    node_stage = np.full(n, -1, dtype=np.int8)
    if stage_of:
        node_stage[remap[np.fromiter(stage_of.keys(), np.int64)]] = np.fromiter(stage_of.values(), np.int8)
    np.save(out / "node_kind.npy", node_kind)
    np.save(out / "node_stage.npy", node_stage)

    dep_src = remap[np.asarray(src, dtype=np.int64)]
    dep_dst = remap[np.asarray(dst, dtype=np.int64)]
    dep_item = np.asarray(item, dtype=np.int64)
    dep_item = np.where(dep_item >= 0, remap[np.maximum(dep_item, 0)], -1)
    order = _save_csr(out, "dep", dep_src, dep_dst, n)
    np.save(out / "dep_kind.npy", np.asarray(kind, dtype=np.uint8)[order])
    np.save(out / "dep_share.npy", np.asarray(share, dtype=np.float64)[order])
    np.save(out / "dep_item.npy", dep_item[order].astype(np.int32))
    for name, (rs, rd) in relations.items():
        _save_csr(out, "rel_" + name, remap[np.asarray(rs, np.int64)], remap[np.asarray(rd, np.int64)], n)
    stat_arr = np.asarray(stats, dtype=np.int64).reshape(-1, 3)
    np.save(out / "stat_material.npy", remap[stat_arr[:, 0]])
    np.save(out / "stat_country.npy", remap[stat_arr[:, 1]])
    np.save(out / "stat_stage.npy", stat_arr[:, 2].astype(np.int8))
    meta = {
        "format": FORMAT_VERSION,
        "snapshot": graph.snapshot_id,
        "nodes": n,
        "edges": len(src),
        "statistics": len(stats),
        "edge_kinds": list(EDGE_KINDS),
        "stages": list(v.STAGES),
        "seconds": round(time.perf_counter() - started, 3),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2))


def _node_map(graph: Graph, predicate: str) -> dict[str, str]:
    """subject -> IRI object of ``predicate`` (one value per subject; n-ary nodes have one)."""
    found: dict[str, str] = {}
    for subject, obj in graph.pairs(predicate):
        if isinstance(obj, IRI):
            found[subject] = obj.value
    return found


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
