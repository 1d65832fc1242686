"""What a dependency index holds: node kinds, edge kinds, relations, array names and format version.

Readers (search, GraphQL, analyses) import these names from here, never from
the builder, so the on-disk contract is stated once.
"""

from __future__ import annotations

import enum

from ontology import vocab as v

FORMAT_VERSION = 2
"""Bumped whenever the arrays change; an index of another version is rebuilt on first use."""


class NodeKind(enum.IntFlag):
    """The ``rdf:type`` classes of a node, as bits of ``node_kind.npy`` (a node can have several)."""

    MATERIAL = 1
    PRODUCT = 2
    FACILITY = 4
    FIRM = 8
    COUNTRY = 16  # sg:Country and sg:CountryAggregate
    MATERIAL_CLASS = 32
    ALLIANCE = 64
    EXPORT_CONTROL = 128
    # Typed only sg:Item (neither material nor product): still an item that
    # products can depend on, so dependents and searches over items find it.
    OTHER_ITEM = 256

    @classmethod
    def items(cls) -> NodeKind:
        """Every kind of item (what a bill of materials or a supply line can carry)."""
        return cls.MATERIAL | cls.PRODUCT | cls.OTHER_ITEM


CLASS_KINDS: dict[str, NodeKind] = {
    v.MATERIAL: NodeKind.MATERIAL,
    v.PRODUCT: NodeKind.PRODUCT,
    v.FACILITY: NodeKind.FACILITY,
    v.FIRM: NodeKind.FIRM,
    v.COUNTRY: NodeKind.COUNTRY,
    v.MATERIAL_CLASS: NodeKind.MATERIAL_CLASS,
    v.ALLIANCE: NodeKind.ALLIANCE,
    v.EXPORT_CONTROL: NodeKind.EXPORT_CONTROL,
    v.COUNTRY_AGGREGATE: NodeKind.COUNTRY,
    v.ITEM: NodeKind.OTHER_ITEM,
}
"""The class IRIs that set kind bits."""


class EdgeKind(enum.IntEnum):
    """Kinds of dependency edge (``dep_kind.npy``): the traversable ones, then the hops that end at a country."""

    BOM = 0
    PRODUCED_BY = 1
    SUPPLY = 2
    LOCATED_IN = 3
    OPERATED_BY = 4
    HEADQUARTERED_IN = 5
    STATISTIC = 6


RELATIONS: dict[str, str] = {
    "located_in": v.LOCATED_IN,
    "operated_by": v.OPERATED_BY,
    "headquartered_in": v.HEADQUARTERED_IN,
    "material_class": v.MATERIAL_CLASS_P,
    "broader": v.SKOS_BROADER,
    "form_of": v.FORM_OF,
}
"""Plain relations kept as CSR by subject (``rel_<name>_*.npy``): name -> predicate (subject -> object)."""

CSR_PARTS = ("ptr", "src", "dst", "rptr", "redge")
"""The arrays of one CSR relation ``<name>_<part>.npy``."""
