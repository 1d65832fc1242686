"""The ontology parses, agrees with ontology/vocab.py, and declares every sg: term in use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import ontology.vocab as vocab
from loaders.sample import ONTOLOGY_DIR, ONTOLOGY_FILES, SAMPLE_FILES, SHAPES_FILES

ROOT = ONTOLOGY_DIR.parent
SG = Namespace(vocab.NS)
ORG = Namespace(vocab.ORG)
SCHEMA = Namespace(vocab.SCHEMA)
QB = Namespace(vocab.QB)
CLASS = Namespace(vocab.ID + "class/")
SUPPLY_TTL = ONTOLOGY_DIR / "supply.ttl"


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(SUPPLY_TTL, format="turtle")


@pytest.fixture(scope="module")
def codelists() -> Graph:
    graph = Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path, format="turtle")
    return graph


def _declared(onto: Graph) -> set[str]:
    return {str(s) for s in onto.subjects(RDFS.isDefinedBy, URIRef("https://w3id.org/supplygraph/ns"))}


def _vocab_terms() -> set[str]:
    values = (getattr(vocab, name) for name in dir(vocab) if name.isupper())
    return {v for v in values if isinstance(v, str) and v.startswith(vocab.NS) and v != vocab.NS}


def _used_in_rdf(path: Path) -> set[str]:
    graph = Graph().parse(path, format="turtle")
    terms = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    return {t for t in terms if t.startswith(vocab.NS)}


def _used_in_sparql(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    full = set(re.findall(r"<https://w3id\.org/supplygraph/ns#([A-Za-z0-9_]+)>", text))
    prefixed = set(re.findall(r"(?<![\w:])sg:([A-Za-z_][A-Za-z0-9_]*)", text))
    return {vocab.NS + local for local in full | prefixed}


def test_vocab_py_and_supply_ttl_agree(onto: Graph) -> None:
    declared, constants = _declared(onto), _vocab_terms()
    assert constants - declared == set(), "in vocab.py but not supply.ttl"
    assert declared - constants == set(), "in supply.ttl but not vocab.py"


def test_every_term_has_label_comment_and_kind(onto: Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept}
    for term in map(URIRef, _declared(onto)):
        assert onto.value(term, RDFS.label) is not None, term
        assert onto.value(term, RDFS.comment) is not None, term
        assert set(onto.objects(term, RDF.type)) & kinds, term


def test_ontology_header_is_versioned_and_licensed(onto: Graph) -> None:
    ont = URIRef("https://w3id.org/supplygraph/ns")
    assert onto.value(ont, OWL.versionInfo) is not None
    assert str(onto.value(ont, URIRef("http://purl.org/dc/terms/license"))).startswith("https://creativecommons.org/")


@pytest.mark.parametrize(
    ("sub", "pred", "sup"),
    [
        (SG.Firm, RDFS.subClassOf, ORG.FormalOrganization),
        (SG.Firm, RDFS.subClassOf, SCHEMA.Organization),
        (SG.Facility, RDFS.subClassOf, ORG.Site),
        (SG.suppliesTo, RDFS.subPropertyOf, ORG.linkedTo),
        (SG.subsidiaryOf, RDFS.subPropertyOf, ORG.subOrganizationOf),
        (SG.TradeFlow, RDFS.subClassOf, QB.Observation),
        (SG.ProductionStatistic, RDFS.subClassOf, QB.Observation),
        (SG.Material, RDFS.subClassOf, SG.Item),
        (SG.Product, RDFS.subClassOf, SG.Item),
        (SG.MaterialClass, RDFS.subClassOf, SKOS.Concept),
    ],
)
def test_alignments(onto: Graph, sub: URIRef, pred: URIRef, sup: URIRef) -> None:
    assert (sub, pred, sup) in onto


def test_stages_are_concepts_of_sg_stage(onto: Graph) -> None:
    for stage in vocab.STAGES:
        assert (URIRef(stage), RDF.type, SG.Stage) in onto
        assert (URIRef(stage), RDF.type, SKOS.Concept) in onto


RDF_FILES = sorted(ONTOLOGY_DIR.glob("codelists/*.ttl")) + SHAPES_FILES + SAMPLE_FILES


@pytest.mark.parametrize("path", RDF_FILES, ids=[p.name for p in RDF_FILES])
def test_rdf_files_use_only_declared_terms(onto: Graph, path: Path) -> None:
    assert _used_in_rdf(path) - _declared(onto) == set()


QUERIES = sorted((ROOT / "queries").glob("*.rq")) + sorted((ROOT / "tests" / "hygiene").glob("*.rq"))


@pytest.mark.parametrize("path", QUERIES, ids=[p.name for p in QUERIES])
def test_queries_use_only_declared_terms(onto: Graph, path: Path) -> None:
    assert _used_in_sparql(path) - _declared(onto) == set()


def test_material_class_tree_is_the_contract(codelists: Graph) -> None:
    def broader(slug: str) -> set[str]:
        return {str(o).rsplit("/", 1)[1] for o in codelists.objects(CLASS[slug], SKOS.broader)}

    assert broader("rare-earths") == {"critical-minerals"}
    assert broader("light-rare-earths") == {"rare-earths"}
    assert broader("heavy-rare-earths") == {"rare-earths"}
    for slug in ["gallium", "germanium", "graphite", "antimony", "tungsten", "cobalt", "lithium", "silicon"]:
        assert (CLASS[slug], RDF.type, SG.MaterialClass) in codelists
        assert broader(slug) == {"critical-minerals"}


@pytest.mark.parametrize(("code", "heading", "chapter"), [("280530", "2805", "28"), ("850511", "8505", "85")])
def test_hs_codes_have_heading_and_chapter(codelists: Graph, code: str, heading: str, chapter: str) -> None:
    hs = Namespace(vocab.HS + "2022/")
    assert str(codelists.value(hs[code], SKOS.notation)) == code
    assert set(codelists.objects(hs[code], SKOS.broader)) == {hs[heading], hs[chapter]}


def test_hs_codes_of_the_chain_are_present(codelists: Graph) -> None:
    hs = Namespace(vocab.HS + "2022/")
    wanted = "253090 261220 280530 284610 284690 850511 811292 811299 282560 285000 285390 381800 250410 250490 "
    wanted += "380110 380190 261710 811010 282580 261100 810194 260500 810520 282200 283691 282520 850760 280461 "
    wanted += "280469 854141 854142 854143 854231 854232 854233 854239 848610 848620"
    missing = [c for c in wanted.split() if codelists.value(hs[c], SKOS.prefLabel) is None]
    assert missing == []
