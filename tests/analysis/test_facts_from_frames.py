"""The analyses' facts come from the index's frames, whichever way the frames were made.

A graph loaded from N-Triples has its frames parsed from the document; one
loaded from Turtle has them scanned from the store.  The literals' spellings
differ between the two (escapes, bare numbers), the facts must not.
"""

from __future__ import annotations

import dataclasses

from ontology import vocab as v
from service.analysis import Facts, analysis_for
from service.backend import artifact_builders
from service.index import index_for
from service.store import MemoryStore

ITEM = v.ID + "item/"
GRAPH = v.GRAPH + "facts"

TURTLE = f"""
@prefix sg: <{v.NS}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix i: <{ITEM}> .
i:magnet a sg:Product ; rdfs:label "Magnet \\"NdFeB\\"\\tgrade"@en, "Magnet (de)"@de ;
    sg:hasInput [ sg:input i:ndpr ; sg:share 0.3 ] , [ sg:input i:iron ; sg:share "6.5E-1"^^xsd:double ] .
i:ndpr a sg:Material ; skos:prefLabel "NdPr-Oxid" ; rdfs:label "NdPr metal \\u00e9" .
i:iron a sg:Material ; rdfs:label "Iron" .
<{v.ID}stat/s1> sg:material i:ndpr ; sg:country <{v.ID}country/CHN> ; sg:year "2024"^^xsd:gYear ;
    sg:quantity 270000 ; sg:edition "MCS2025" ; sg:stage sg:Mining .
<{v.ID}facility/plant> sg:produces i:magnet ; sg:locatedIn <{v.ID}country/JPN> ;
    sg:capacity "1.5e3"^^xsd:double ; sg:capacityItem i:magnet .
<{v.ID}country/WLD> a sg:CountryAggregate .
"""


def _facts(data: bytes, fmt: str, route: str) -> Facts:
    store = MemoryStore(artifact_builders())
    with store.write("test") as writer:
        writer.load(data, fmt, GRAPH)
    assert index_for(store).meta["graphs"][GRAPH] == route  # how the frames were made
    return analysis_for(store).facts


def _as_ntriples(turtle: str) -> bytes:
    """The same triples as N-Triples (blank nodes labelled, non-ASCII escaped as \\uXXXX)."""
    store = MemoryStore()
    with store.write("convert") as writer:
        writer.load(turtle.encode(), "turtle", GRAPH)
    text = store.open_current().dump("ntriples", GRAPH).decode()
    return "".join(c if c.isascii() else f"\\u{ord(c):04X}" for c in text).encode()


def test_facts_decode_literals_from_scanned_frames() -> None:
    facts = _facts(TURTLE.encode(), "turtle", "scanned")
    assert facts.labels[ITEM + "magnet"] == 'Magnet "NdFeB"\tgrade'  # English first, escapes decoded
    assert facts.labels[ITEM + "ndpr"] == "NdPr metal é"  # rdfs:label over skos:prefLabel
    shares = sorted((line.item, line.share) for line in facts.bom[ITEM + "magnet"])
    assert shares == [(ITEM + "iron", 0.65), (ITEM + "ndpr", 0.3)]
    (stat,) = facts.stats
    assert (stat.year, stat.quantity, stat.edition, stat.stage) == (2024, 270000.0, "MCS2025", v.MINING)
    assert facts.capacity[v.ID + "facility/plant"] == 1500.0
    assert facts.aggregates == {v.ID + "country/WLD"}


def test_parsed_and_scanned_frames_give_equal_facts() -> None:
    scanned = _facts(TURTLE.encode(), "turtle", "scanned")
    parsed = _facts(_as_ntriples(TURTLE), "ntriples", "read")

    def comparable(facts: Facts) -> dict[str, object]:
        # Blank BOM lines get different labels per load; compare what they say.
        out = dataclasses.asdict(facts)
        out["bom"] = {k: sorted((line.item, line.share) for line in lines) for k, lines in facts.bom.items()}
        return out

    assert comparable(parsed) == comparable(scanned)
