"""IRIs of the supplygraph vocabulary and of the data it describes.

The vocabulary lives at ``https://w3id.org/supplygraph/ns#`` (prefix ``sg:``);
``ontology/supply.ttl`` defines every term listed here, and a test checks that
the two agree.  Data IRIs are minted under ``https://w3id.org/supplygraph/id/``
by :mod:`loaders.iris`; named graphs under ``https://w3id.org/supplygraph/graph/``.

Terms are plain strings so that the store layer, the index and the loaders can
use them without importing rdflib.
"""

from __future__ import annotations

from typing import Final

NS: Final = "https://w3id.org/supplygraph/ns#"
ID: Final = "https://w3id.org/supplygraph/id/"
GRAPH: Final = "https://w3id.org/supplygraph/graph/"
HS: Final = "https://w3id.org/supplygraph/hs"  # + "2022/280530"

CATALOG_GRAPH: Final = GRAPH + "catalog"
ONTOLOGY_GRAPH: Final = GRAPH + "ontology"

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
DCTERMS: Final = "http://purl.org/dc/terms/"
DCAT: Final = "http://www.w3.org/ns/dcat#"
PROV: Final = "http://www.w3.org/ns/prov#"
ORG: Final = "http://www.w3.org/ns/org#"
SCHEMA: Final = "http://schema.org/"
QB: Final = "http://purl.org/linked-data/cube#"
UNIT: Final = "http://qudt.org/vocab/unit/"
SH: Final = "http://www.w3.org/ns/shacl#"

PREFIXES: Final[dict[str, str]] = {
    "sg": NS,
    "sgid": ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "prov": PROV,
    "org": ORG,
    "schema": SCHEMA,
    "qb": QB,
    "unit": UNIT,
}

RDF_TYPE: Final = RDF + "type"
RDFS_LABEL: Final = RDFS + "label"
SKOS_PREF_LABEL: Final = SKOS + "prefLabel"
SKOS_BROADER: Final = SKOS + "broader"
SKOS_NOTATION: Final = SKOS + "notation"
SKOS_IN_SCHEME: Final = SKOS + "inScheme"
DCTERMS_SOURCE: Final = DCTERMS + "source"


SHAPES: Final = "https://w3id.org/supplygraph/shapes#"


def short(iri: str, prefixes: tuple[str, ...] = ("sg", "sgid", "rdf", "rdfs", "skos")) -> str:
    """``iri`` as ``prefix:local`` for the first of ``prefixes`` (names of :data:`PREFIXES`) it starts with.

    ``sgsh`` names the shapes namespace.  Any other IRI is returned as it is.
    """
    for prefix in prefixes:
        ns = SHAPES if prefix == "sgsh" else PREFIXES[prefix]
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def sg(local: str) -> str:
    """Return the IRI of the vocabulary term ``sg:<local>``."""
    return NS + local


# -- Classes --------------------------------------------------------------
FIRM: Final = sg("Firm")
FACILITY: Final = sg("Facility")
ITEM: Final = sg("Item")  # superclass of Material and Product
MATERIAL: Final = sg("Material")
PRODUCT: Final = sg("Product")
MATERIAL_CLASS: Final = sg("MaterialClass")  # skos:Concept, tree via skos:broader
STAGE: Final = sg("Stage")  # skos:Concept: sg:Mining, sg:Refining, ...
FACILITY_TYPE: Final = sg("FacilityType")
BOM_LINE: Final = sg("BOMLine")
SUPPLY_RELATIONSHIP: Final = sg("SupplyRelationship")
OWNERSHIP: Final = sg("Ownership")
COUNTRY: Final = sg("Country")
COUNTRY_AGGREGATE: Final = sg("CountryAggregate")  # World, Other countries
ALLIANCE: Final = sg("Alliance")
EXPORT_CONTROL: Final = sg("ExportControl")
CONTROL_STATUS: Final = sg("ControlStatus")  # skos:Concept: sg:InForce, sg:Suspended, ...
PRODUCTION_STATISTIC: Final = sg("ProductionStatistic")
RESERVES_ESTIMATE: Final = sg("ReservesEstimate")
TRADE_FLOW: Final = sg("TradeFlow")
LOADED_DATASET: Final = sg("LoadedDataset")

# -- Stages (instances of sg:Stage), upstream to downstream ---------------
MINING: Final = sg("Mining")
REFINING: Final = sg("Refining")  # separation / refining
METAL: Final = sg("MetalAlloy")
COMPONENT: Final = sg("Component")  # magnets, wafers, cells, motors...
ASSEMBLY: Final = sg("Assembly")  # end products
STAGES: Final = (MINING, REFINING, METAL, COMPONENT, ASSEMBLY)


def stage_iri(name: str) -> str:
    """The stage ``name`` names: ``Mining``, ``mining``, ``sg:Mining``, ``metal-alloy`` or the IRI.

    Raises :class:`ValueError` listing the stages for anything else.
    """
    text = name.strip()
    if text in STAGES:
        return text
    local = text.removeprefix("sg:").lower().replace("_", "").replace("-", "").replace(" ", "")
    for known in STAGES:
        if known.rsplit("#", 1)[-1].lower() == local:
            return known
    raise ValueError(f"{name!r} is not a stage; one of {', '.join(s.rsplit('#', 1)[-1] for s in STAGES)}")


# -- Firms and facilities -------------------------------------------------
OPERATED_BY: Final = sg("operatedBy")  # Facility -> Firm
LOCATED_IN: Final = sg("locatedIn")  # Facility -> Country
HEADQUARTERED_IN: Final = sg("headquarteredIn")  # Firm -> Country
FACILITY_TYPE_P: Final = sg("facilityType")  # Facility -> FacilityType
PRODUCES: Final = sg("produces")  # Facility -> Item
CAPACITY: Final = sg("capacity")  # Facility -> xsd:decimal (per year)
CAPACITY_UNIT: Final = sg("capacityUnit")  # Facility -> unit:TONNE ...
CAPACITY_ITEM: Final = sg("capacityItem")  # Facility -> Item the capacity counts
STATUS: Final = sg("status")  # Facility/ExportControl -> status concept
SUBSIDIARY_OF: Final = sg("subsidiaryOf")  # Firm -> Firm (majority owner)
OWNED_BY: Final = sg("ownedBy")  # Firm -> Firm|Country (any stake)
HAS_OWNERSHIP: Final = sg("hasOwnership")  # Firm -> Ownership (n-ary)
OWNER: Final = sg("owner")  # Ownership -> Firm|Country
OWNERSHIP_SHARE: Final = sg("ownershipShare")  # Ownership -> decimal 0..1

# -- Items, taxonomy, codes -----------------------------------------------
MATERIAL_CLASS_P: Final = sg("materialClass")  # Material -> MaterialClass
STAGE_P: Final = sg("stage")  # Item -> Stage
FORM_OF: Final = sg("formOf")  # Material -> Material (oxide of an element)
HS_CODE: Final = sg("hsCode")  # Item -> skos:Concept in an HS scheme
CHEMICAL_SYMBOL: Final = sg("chemicalSymbol")

# -- Bill of materials ----------------------------------------------------
HAS_INPUT: Final = sg("hasInput")  # Product -> BOMLine
INPUT: Final = sg("input")  # BOMLine -> Item
SHARE: Final = sg("share")  # BOMLine/SupplyRelationship -> decimal 0..1
QUANTITY: Final = sg("quantity")  # BOMLine/statistic -> decimal
UNIT_P: Final = sg("unit")  # -> QUDT unit IRI

# -- Supply relationships (n-ary, like org:Membership) ---------------------
SUPPLIES_TO: Final = sg("suppliesTo")  # Firm|Facility -> Firm|Facility (shortcut)
SUPPLIER: Final = sg("supplier")  # SupplyRelationship -> Firm|Facility
BUYER: Final = sg("buyer")  # SupplyRelationship -> Firm|Facility
SUPPLIED_ITEM: Final = sg("item")  # SupplyRelationship -> Item
SINCE: Final = sg("since")  # xsd:date or xsd:gYear
UNTIL: Final = sg("until")
ILLUSTRATIVE: Final = sg("illustrative")  # xsd:boolean, true = not public

# -- Countries and alliances ----------------------------------------------
ISO2: Final = sg("iso2")
ISO3: Final = sg("iso3")
ISO_NUMERIC: Final = sg("isoNumeric")  # "156" (string, 3 digits)
TRADE_CODE: Final = sg("tradeCode")  # BACI / UN Comtrade code, "842", "490"
MEMBER_OF: Final = sg("memberOf")  # Country -> Alliance
JOINED: Final = sg("joined")

# -- Export controls ------------------------------------------------------
IMPOSED_BY: Final = sg("imposedBy")  # ExportControl -> Country
COVERS_MATERIAL: Final = sg("coversMaterial")  # -> Item or MaterialClass
COVERS_HS_CODE: Final = sg("coversHSCode")  # -> HS concept
INSTRUMENT: Final = sg("instrument")  # literal, e.g. "MOFCOM/GAC Announcement No. 18 (2025)"
ANNOUNCED: Final = sg("announced")  # xsd:date
EFFECTIVE: Final = sg("effective")  # xsd:date
SUSPENDED_FROM: Final = sg("suspendedFrom")
SUSPENDED_UNTIL: Final = sg("suspendedUntil")
TARGET_COUNTRY: Final = sg("targetCountry")
CONTROL_KIND: Final = sg("controlKind")  # licensing, ban, ...
IN_FORCE: Final = sg("InForce")  # statuses (instances of sg:ControlStatus)
SUSPENDED: Final = sg("Suspended")
REVOKED: Final = sg("Revoked")
ANNOUNCED_STATUS: Final = sg("AnnouncedOnly")

# -- Statistics and trade flows (qb:Observation) ---------------------------
STAT_MATERIAL: Final = sg("material")  # ProductionStatistic -> Material
STAT_COUNTRY: Final = sg("country")  # -> Country | CountryAggregate
YEAR: Final = sg("year")  # xsd:integer
EDITION: Final = sg("edition")  # "MCS2025"
ESTIMATED: Final = sg("estimated")  # xsd:boolean
LOWER_BOUND: Final = sg("lowerBound")  # xsd:boolean: the quantity is at least the figure (">")
UPPER_BOUND: Final = sg("upperBound")  # xsd:boolean: the quantity is at most the figure ("<")
EXPORTER: Final = sg("exporter")  # TradeFlow -> Country
IMPORTER: Final = sg("importer")
REPORTER: Final = sg("reporter")  # Comtrade reporting country
FLOW_CODE: Final = sg("flowCode")  # "M", "X", "RX"...
HS_VINTAGE: Final = sg("hsVintage")  # "HS22", "H6"
PERIOD: Final = sg("period")  # "2023" or "202301"
VALUE_USD: Final = sg("valueUSD")  # xsd:decimal, current USD
QUANTITY_TONNES: Final = sg("quantityTonnes")
NET_WEIGHT_KG: Final = sg("netWeightKg")
DATASET: Final = sg("dataset")  # observation -> its LoadedDataset graph
AGGREGATE: Final = sg("aggregate")  # xsd:boolean: a total (partner World, TOTAL, chapter); skip when summing
STAT_TYPE: Final = sg("statType")  # ProductionStatistic -> literal, the source's TYPE ("Mine production, ...")

# -- Provenance (catalog graph) ---------------------------------------------
FORMAT: Final = sg("format")
CHECKSUM: Final = sg("checksum")  # "sha256:<hex>"
TRIPLE_COUNT: Final = sg("tripleCount")
LOADER_VERSION: Final = sg("loaderVersion")
RELEASE: Final = sg("release")
ROWS_READ: Final = sg("rowsRead")
ROWS_LOADED: Final = sg("rowsLoaded")
ROWS_REJECTED: Final = sg("rowsRejected")
