"""The bundled sample graph: sizes, contract IRIs and mine-to-product paths."""

from __future__ import annotations

import pytest

from ontology.vocab import ID
from service.store import IRI, MemoryStore, Snapshot

PREFIXES = """
PREFIX sg:   <https://w3id.org/supplygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
END_PRODUCTS = ["electric-vehicle", "wind-turbine", "hard-disk-drive"]


@pytest.fixture
def graph(sample_store: MemoryStore) -> Snapshot:
    return sample_store.graph()


def _count(graph: Snapshot, cls: str) -> int:
    rows = graph.select(PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}").rows
    return int(rows[0]["n"].value)


def test_sizes(graph: Snapshot) -> None:
    assert _count(graph, "sg:Country") >= 25
    assert _count(graph, "sg:Firm") >= 30
    assert _count(graph, "sg:Facility") >= 40
    assert _count(graph, "sg:Alliance") >= 4
    assert _count(graph, "sg:ExportControl") >= 8
    assert _count(graph, "sg:SupplyRelationship") >= 20


def test_seventeen_rare_earth_elements(graph: Snapshot) -> None:
    rows = graph.select(
        PREFIXES
        + """SELECT DISTINCT ?m ?symbol WHERE {
            ?m a sg:Material ; sg:chemicalSymbol ?symbol ; sg:materialClass/skos:broader* ?c .
            FILTER (?c = <https://w3id.org/supplygraph/id/class/rare-earths>)
        }"""
    ).rows
    symbols = {r["symbol"].value for r in rows}
    assert len(symbols) == 17
    assert {"Nd", "Pr", "Dy", "Tb", "Y", "Sc", "La", "Lu"} <= symbols


@pytest.mark.parametrize(
    "slug",
    [
        "rare-earths",
        "gallium",
        "germanium",
        "natural-graphite",
        "tungsten",
        "antimony",
        "cobalt",
        "lithium",
        "neodymium",
    ],
)
def test_contract_material_iris(graph: Snapshot, slug: str) -> None:
    assert graph.ask(PREFIXES + "ASK { ?m a sg:Material ; rdfs:label ?l }", {"m": IRI(f"{ID}material/{slug}")})


def test_china_mine_reaches_end_products_through_the_bom(graph: Snapshot) -> None:
    query = (
        PREFIXES
        + """SELECT DISTINCT ?product ?mine WHERE {
            ?mine a sg:Facility ; sg:locatedIn <https://w3id.org/supplygraph/id/country/CHN> ; sg:produces ?ore .
            ?ore sg:stage sg:Mining ; sg:materialClass/skos:broader* ?rareEarths .
            FILTER (?rareEarths = <https://w3id.org/supplygraph/id/class/rare-earths>)
            ?product sg:stage sg:Assembly ; (sg:hasInput/sg:input)+ ?magnet .
            ?magnet (sg:hasInput/sg:input)+ ?ore .
            FILTER (?magnet = <https://w3id.org/supplygraph/id/product/ndfeb-magnet>)
        }"""
    )
    found = {r["product"].value.rsplit("/", 1)[1] for r in graph.select(query).rows}
    assert set(END_PRODUCTS) <= found


def test_china_mine_reaches_an_end_product_through_supply_links(graph: Snapshot) -> None:
    # Walk facility to facility, checking each hop's stage: separation, metal, magnet, motor, assembly.
    query = (
        PREFIXES
        + """SELECT ?mine ?sep ?metal ?magnet ?motor ?plant WHERE {
            ?mine sg:locatedIn <https://w3id.org/supplygraph/id/country/CHN> ; sg:facilityType ?ft .
            FILTER (?ft = <https://w3id.org/supplygraph/id/facility-type/mine>)
            ?mine sg:suppliesTo ?sep . ?sep sg:produces/sg:stage sg:Refining .
            ?sep sg:suppliesTo ?metal . ?metal sg:produces <https://w3id.org/supplygraph/id/material/ndpr-metal> .
            ?metal sg:suppliesTo ?magnet . ?magnet sg:produces <https://w3id.org/supplygraph/id/product/ndfeb-magnet> .
            ?magnet sg:suppliesTo ?motor . ?motor sg:produces <https://w3id.org/supplygraph/id/product/traction-motor> .
            ?motor sg:suppliesTo ?plant . ?plant sg:produces ?end .
            ?end sg:stage sg:Assembly .
        }"""
    )
    rows = graph.select(query).rows
    assert rows
    assert rows[0]["mine"].value == ID + "facility/bayan-obo-mine"


@pytest.mark.parametrize("slug", END_PRODUCTS)
def test_end_products_are_assembly_stage(graph: Snapshot, slug: str) -> None:
    assert graph.ask(PREFIXES + "ASK { ?p a sg:Product ; sg:stage sg:Assembly }", {"p": IRI(f"{ID}product/{slug}")})


def test_china_rare_earth_figures_differ_by_edition(graph: Snapshot) -> None:
    rows = graph.select(
        PREFIXES
        + """SELECT ?edition ?q WHERE {
            ?s sg:material <https://w3id.org/supplygraph/id/material/rare-earths> ;
               sg:country <https://w3id.org/supplygraph/id/country/CHN> ; sg:year 2023 ;
               sg:edition ?edition ; sg:quantity ?q .
        } ORDER BY ?edition"""
    ).rows
    assert [(r["edition"].value, float(r["q"].value)) for r in rows] == [("MCS2024", 240000.0), ("MCS2025", 255000.0)]


def test_taiwan_trade_code_is_490(graph: Snapshot) -> None:
    rows = graph.select(
        PREFIXES + "SELECT ?c WHERE { <https://w3id.org/supplygraph/id/country/TWN> sg:tradeCode ?c }"
    ).rows
    assert [r["c"].value for r in rows] == ["490"]


def test_suspended_controls_have_windows(graph: Snapshot) -> None:
    rows = graph.select(
        PREFIXES
        + """SELECT ?c ?from ?until WHERE {
            ?c sg:status sg:Suspended ; sg:suspendedFrom ?from ; sg:suspendedUntil ?until .
        }"""
    ).rows
    slugs = {r["c"].value.rsplit("/", 1)[1] for r in rows}
    assert "cn-2024-46-us-ban" in slugs
    assert "cn-2025-61-extraterritorial-rare-earths" in slugs
