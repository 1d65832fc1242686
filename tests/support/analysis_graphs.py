"""Small hand-built supply networks for the analysis tests, as Turtle loaded into a real store."""

from __future__ import annotations

from service.analysis.context import Analysis, analysis_for
from service.store import MemoryStore

PREFIXES = """
@prefix sg: <https://w3id.org/supplygraph/ns#> .
@prefix i: <https://w3id.org/supplygraph/id/item/> .
@prefix f: <https://w3id.org/supplygraph/id/facility/> .
@prefix firm: <https://w3id.org/supplygraph/id/firm/> .
@prefix c: <https://w3id.org/supplygraph/id/country/> .
@prefix cls: <https://w3id.org/supplygraph/id/class/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
"""

ITEM = "https://w3id.org/supplygraph/id/item/"
FAC = "https://w3id.org/supplygraph/id/facility/"
FIRM = "https://w3id.org/supplygraph/id/firm/"
CTRY = "https://w3id.org/supplygraph/id/country/"
CLS = "https://w3id.org/supplygraph/id/class/"


def analysis_of(turtle: str) -> Analysis:
    """Load ``turtle`` (without prefixes) into a memory store and build its analysis."""
    store = MemoryStore()
    with store.write("test") as writer:
        writer.load((PREFIXES + turtle).encode(), "turtle", "https://w3id.org/supplygraph/graph/test")
    return analysis_for(store)


def bom(product: str, *lines: tuple[str, float]) -> str:
    """Turtle for a product's BOM lines."""
    parts = [f"[ a sg:BOMLine ; sg:input i:{item} ; sg:share {share} ]" for item, share in lines]
    return f"i:{product} sg:hasInput {', '.join(parts)} .\n"


def facility(name: str, item: str, country: str, capacity: float | None = None, firm: str | None = None) -> str:
    """Turtle for a facility producing ``item`` in ``country``."""
    text = f"f:{name} a sg:Facility ; sg:produces i:{item} ; sg:locatedIn c:{country}"
    if capacity is not None:
        text += f" ; sg:capacity {capacity} ; sg:capacityUnit unit:TONNE"
    if firm is not None:
        text += f" ; sg:operatedBy firm:{firm}"
    return text + " .\n"
