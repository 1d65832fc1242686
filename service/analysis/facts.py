"""The supply-network facts the analyses need, read from a graph by predicate scans.

:func:`read_facts` walks the store's own indexes with :meth:`Graph.pairs` (no
SPARQL), once per snapshot, and keeps plain Python dictionaries.  Scenarios
edit a copy of these facts, never the stored graph.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field

from ontology import vocab as v
from service.store import IRI, BNode, Lit, ReadableGraph, Term


@dataclass(frozen=True, slots=True)
class BomLine:
    """One input of a product: ``share`` of its input requirement comes from ``item``."""

    line: str
    item: str
    share: float | None


@dataclass(frozen=True, slots=True)
class Supply:
    """A supply relationship: ``share`` of the buyer's need of ``item`` comes from ``supplier``."""

    rel: str
    supplier: str
    buyer: str
    item: str
    share: float | None


@dataclass(frozen=True, slots=True)
class Statistic:
    """One production statistic (a USGS row): country production of a material in a year."""

    stat: str
    material: str
    country: str
    year: int
    stage: str | None
    quantity: float
    unit: str | None
    edition: str | None


@dataclass(slots=True)
class Facts:
    """Everything the analyses read, keyed by IRI (blank nodes as ``_:id``)."""

    bom: dict[str, list[BomLine]] = field(default_factory=dict)
    supply: list[Supply] = field(default_factory=list)
    produces: dict[str, list[str]] = field(default_factory=dict)
    located_in: dict[str, str] = field(default_factory=dict)
    operated_by: dict[str, str] = field(default_factory=dict)
    headquartered_in: dict[str, str] = field(default_factory=dict)
    capacity: dict[str, float] = field(default_factory=dict)
    capacity_item: dict[str, str] = field(default_factory=dict)
    capacity_unit: dict[str, str] = field(default_factory=dict)
    material_class: dict[str, set[str]] = field(default_factory=dict)
    broader: dict[str, set[str]] = field(default_factory=dict)
    stage: dict[str, str] = field(default_factory=dict)
    stats: list[Statistic] = field(default_factory=list)
    aggregates: set[str] = field(default_factory=set)
    member_of: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    hs_code: dict[str, set[str]] = field(default_factory=dict)  # item -> HS concepts

    def copy(self) -> Facts:
        """A copy whose containers can be edited without touching this one."""
        return dataclasses.replace(
            self,
            bom={k: list(x) for k, x in self.bom.items()},
            supply=list(self.supply),
            produces={k: list(x) for k, x in self.produces.items()},
            stats=list(self.stats),
        )

    def items(self) -> set[str]:
        """Every item the network mentions."""
        found = set(self.bom) | {line.item for lines in self.bom.values() for line in lines}
        found |= {i for items in self.produces.values() for i in items} | {r.item for r in self.supply}
        return found | {s.material for s in self.stats}

    def covered_by_hs(self, item: str, codes: set[str]) -> bool:
        """Whether one of ``item``'s HS codes is in ``codes`` or below one of them (skos:broader)."""
        todo = list(self.hs_code.get(item, ()))
        seen: set[str] = set()
        while todo:
            code = todo.pop()
            if code in codes:
                return True
            if code not in seen:
                seen.add(code)
                todo.extend(self.broader.get(code, ()))
        return False

    def label(self, iri: str) -> str:
        """The label of ``iri``, or its last path segment."""
        return self.labels.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def classes_of(self, item: str) -> set[str]:
        """The item's material classes and every class above them (skos:broader, transitively)."""
        seen: set[str] = set()
        todo = list(self.material_class.get(item, ()))
        while todo:
            cls = todo.pop()
            if cls not in seen:
                seen.add(cls)
                todo.extend(self.broader.get(cls, ()))
        return seen

    def in_class(self, item: str, cls: str | None) -> bool:
        """Whether ``item`` is ``cls`` itself or belongs to it (None matches everything)."""
        return cls is None or item == cls or cls in self.classes_of(item)

    def operated(self) -> dict[str, list[str]]:
        """Facilities of each firm."""
        out: dict[str, list[str]] = defaultdict(list)
        for facility, firm in self.operated_by.items():
            out[firm].append(facility)
        return out


def _key(term: Term) -> str | None:
    if isinstance(term, IRI):
        return term.value
    if isinstance(term, BNode):
        return str(term)
    return None


def _num(term: Term) -> float | None:
    if isinstance(term, Lit):
        value = term.to_python()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            return None
    return None


def _links(graph: ReadableGraph, predicate: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for subject, obj in graph.pairs(predicate):
        key = _key(obj)
        if key is not None:
            out[subject] = key
    return out


def _multi(graph: ReadableGraph, predicate: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for subject, obj in graph.pairs(predicate):
        key = _key(obj)
        if key is not None:
            out[subject].append(key)
    return dict(out)


def _numbers(graph: ReadableGraph, predicate: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for subject, obj in graph.pairs(predicate):
        value = _num(obj)
        if value is not None:
            out[subject] = value
    return out


def _texts(graph: ReadableGraph, predicate: str) -> dict[str, str]:
    return {s: o.value for s, o in graph.pairs(predicate) if isinstance(o, Lit)}


def read_facts(graph: ReadableGraph) -> Facts:
    """Read the supply network, statistics, taxonomy and labels from ``graph``."""
    facts = Facts()
    shares = _numbers(graph, v.SHARE)
    inputs = _links(graph, v.INPUT)
    for product, lines in _multi(graph, v.HAS_INPUT).items():
        facts.bom[product] = [BomLine(line, inputs[line], shares.get(line)) for line in lines if line in inputs]
    suppliers, buyers, items = _links(graph, v.SUPPLIER), _links(graph, v.BUYER), _links(graph, v.SUPPLIED_ITEM)
    for rel, supplier in suppliers.items():
        if rel in buyers and rel in items:
            facts.supply.append(Supply(rel, supplier, buyers[rel], items[rel], shares.get(rel)))
    facts.produces = _multi(graph, v.PRODUCES)
    facts.located_in = _links(graph, v.LOCATED_IN)
    facts.operated_by = _links(graph, v.OPERATED_BY)
    facts.headquartered_in = _links(graph, v.HEADQUARTERED_IN)
    facts.capacity = _numbers(graph, v.CAPACITY)
    facts.capacity_item = _links(graph, v.CAPACITY_ITEM)
    facts.capacity_unit = _links(graph, v.CAPACITY_UNIT)
    facts.material_class = {k: set(x) for k, x in _multi(graph, v.MATERIAL_CLASS_P).items()}
    facts.broader = {k: set(x) for k, x in _multi(graph, v.SKOS_BROADER).items()}
    stages = _links(graph, v.STAGE_P)
    stat_subjects = _read_stats(graph, facts, stages)
    facts.stage = {k: s for k, s in stages.items() if k not in stat_subjects}
    facts.member_of = {k: set(x) for k, x in _multi(graph, v.MEMBER_OF).items()}
    facts.aggregates = {s for s, o in graph.pairs(v.RDF_TYPE) if isinstance(o, IRI) and o.value == v.COUNTRY_AGGREGATE}
    facts.labels = _texts(graph, v.SKOS_PREF_LABEL) | _texts(graph, v.RDFS_LABEL)
    # sg:hsCode is also on every trade flow; keep only the items' codes and the HS hierarchy.
    known = facts.items()
    facts.hs_code = {k: set(x) for k, x in _multi(graph, v.HS_CODE).items() if k in known}
    return facts


def _read_stats(graph: ReadableGraph, facts: Facts, stages: dict[str, str]) -> set[str]:
    materials = _links(graph, v.STAT_MATERIAL)
    countries = _links(graph, v.STAT_COUNTRY)
    wanted = materials.keys() & countries.keys()
    quantities = {s: q for s, q in _numbers(graph, v.QUANTITY).items() if s in wanted}
    years = {s: int(q) for s, q in _numbers(graph, v.YEAR).items() if s in wanted}
    units = _links(graph, v.UNIT_P)
    editions = _texts(graph, v.EDITION)
    for stat in wanted:
        if stat in quantities and stat in years:
            facts.stats.append(
                Statistic(
                    stat,
                    materials[stat],
                    countries[stat],
                    years[stat],
                    stages.get(stat),
                    quantities[stat],
                    units.get(stat),
                    editions.get(stat),
                )
            )
    return set(wanted)
