"""The one model of a supply network per snapshot: which triples its frames keep.

Every snapshot keeps, per graph, the triples of the predicates below as
frames (:mod:`service.index.frames`).  The dependency index is built from the
``INDEX_FRAMES`` and the class instances; the analyses read the same frames,
with the ``ANALYSIS_FRAMES`` beside them, so the network is read from the
store once, when the snapshot is written, and both readers see the same facts.
"""

from __future__ import annotations

from ontology import vocab as v
from service.index.scan import FrameSpec
from service.index.schema import CLASS_KINDS, RELATIONS

# One predicate per frame (see service.index.scan).  Plain patterns are
# several times faster in Oxigraph than the equivalent joins (measured at 10M
# triples: BOM 16 s as three scans vs 29 s as one join), so n-ary nodes are
# joined afterwards, in polars.
INDEX_FRAMES: dict[str, str] = {
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
} | {"rel_" + name: predicate for name, predicate in RELATIONS.items()}
"""Frames the dependency index is built from (with the class instances, frame ``type``)."""

ANALYSIS_FRAMES: dict[str, str] = {
    "capacity": v.CAPACITY,
    "capacity_item": v.CAPACITY_ITEM,
    "capacity_unit": v.CAPACITY_UNIT,
    "quantity": v.QUANTITY,
    "year": v.YEAR,
    "unit": v.UNIT_P,
    "edition": v.EDITION,
    "member_of": v.MEMBER_OF,
    "hs_code": v.HS_CODE,
    "pref_label": v.SKOS_PREF_LABEL,
    "label": v.RDFS_LABEL,
    "loaded_at": v.PROV + "generatedAtTime",
}
"""Frames only the analyses read: capacities, statistics' figures, alliances, HS codes, labels, load times."""

SPEC = FrameSpec(predicates=INDEX_FRAMES | ANALYSIS_FRAMES, types=sorted(CLASS_KINDS))
"""The frames every snapshot keeps."""

INDEX_NAMES = frozenset([*INDEX_FRAMES, SPEC.type_name])
"""Frame names whose change makes the index change."""
