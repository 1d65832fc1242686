"""What one node of the network draws on: its inputs, origin, location, method and issues.

A node's expansion depends only on the facts about its own actor and item
(and their suppliers), never on the order nodes are found in, so a full
build and an incremental one (:mod:`service.analysis.model_delta`) expand a
node alike.  The facts are read through a :class:`Lookup`: the whole facts
for a full build, or the stored model's facts read by key for an incremental
one.  The rules for each kind of node are described in
:mod:`service.analysis.network`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from service.analysis.facts import Facts, Statistic, Supply
from service.analysis.network import FIRM, ITEM, SITE, TOLERANCE, Issue, NodeKey
from service.analysis.origins import producer_weights, statistics_origin


class Lookup(Protocol):
    """The facts a node's expansion reads, and the inverse relations it needs by key."""

    facts: Facts

    def producers(self, item: str) -> list[str]:
        """Facilities producing ``item``, in IRI order."""

    def facilities(self, firm: str) -> list[str]:
        """Facilities operated by ``firm``, in IRI order."""

    def bought(self, buyer: str) -> list[Supply]:
        """Supply relationships whose buyer is ``buyer``, in IRI order."""

    def statistics(self, item: str) -> list[Statistic]:
        """Production statistics of ``item``, in IRI order."""


@dataclass(slots=True)
class Row:
    """A node's expansion: nodes found from it (zero shares included), positive shares, and what it reports."""

    found: list[NodeKey] = field(default_factory=list)
    edges: dict[NodeKey, float] = field(default_factory=dict)  # summed in the order found
    origin: dict[str, float] = field(default_factory=dict)
    location: str | None = None
    method: str | None = None  # markets only
    issues: list[Issue] = field(default_factory=list)

    def edge(self, target: NodeKey, share: float) -> None:
        self.found.append(target)
        if share > 0:
            self.edges[target] = self.edges.get(target, 0.0) + share


class FactsLookup:
    """A :class:`Lookup` over whole facts, with the inverse relations built once."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._producers = producers_of(facts)
        self._facilities = facilities_of(facts)
        self._bought = bought_of(facts)
        self._statistics = statistics_of(facts)

    def producers(self, item: str) -> list[str]:
        return self._producers.get(item, [])

    def facilities(self, firm: str) -> list[str]:
        return self._facilities.get(firm, [])

    def bought(self, buyer: str) -> list[Supply]:
        return self._bought.get(buyer, [])

    def statistics(self, item: str) -> list[Statistic]:
        return self._statistics.get(item, [])


def producers_of(facts: Facts) -> dict[str, list[str]]:
    """Item -> facilities producing it (facilities in IRI order, as ``facts.produces`` is kept)."""
    out: dict[str, list[str]] = defaultdict(list)
    for facility in sorted(facts.produces):
        for item in facts.produces[facility]:
            out[item].append(facility)
    return dict(out)


def facilities_of(facts: Facts) -> dict[str, list[str]]:
    """Firm -> facilities it operates, in IRI order."""
    out: dict[str, list[str]] = defaultdict(list)
    for facility in sorted(facts.operated_by):
        out[facts.operated_by[facility]].append(facility)
    return dict(out)


def bought_of(facts: Facts) -> dict[str, list[Supply]]:
    """Buyer -> its supply relationships, in IRI order."""
    out: dict[str, list[Supply]] = defaultdict(list)
    for rel in sorted(facts.supply, key=lambda r: r.rel):
        out[rel.buyer].append(rel)
    return dict(out)


def statistics_of(facts: Facts) -> dict[str, list[Statistic]]:
    """Material -> its statistics, in IRI order."""
    out: dict[str, list[Statistic]] = defaultdict(list)
    for stat in sorted(facts.stats, key=lambda s: s.stat):
        out[stat.material].append(stat)
    return dict(out)


def expand(lookup: Lookup, key: NodeKey) -> Row:
    """The expansion of the node ``key`` on ``lookup``'s facts."""
    kind, actor, item = key
    row = Row()
    if kind == ITEM:
        _item(lookup, row, item)
    elif kind == SITE:
        _site(lookup, row, actor, item)
    else:
        _firm(lookup, row, actor, item)
    return row


def _item(lookup: Lookup, row: Row, item: str) -> None:
    facts = lookup.facts
    producers = lookup.producers(item)
    if producers:
        split = producer_weights(facts, item, producers)
        row.method = split.method
        for facility, weight in split.weights.items():
            row.edge((SITE, facility, item), weight)
    elif item in facts.bom:
        row.method = "bom"
        for input_item, share in _bom_shares(facts, row, item):
            row.edge((ITEM, "", input_item), share)
    else:
        own = Facts(stats=lookup.statistics(item), aggregates=facts.aggregates, loaded=facts.loaded)
        stage = facts.stage.get(item)
        own.stage = {} if stage is None else {item: stage}
        shares, row.method = statistics_origin(own, item)
        row.origin = shares


def _site(lookup: Lookup, row: Row, facility: str, item: str) -> None:
    facts = lookup.facts
    country = facts.located_in.get(facility)
    row.location = country
    if item not in facts.bom:
        if country is not None:
            row.origin = {country: 1.0}
        return
    firm = facts.operated_by.get(facility)
    own = _by_item(lookup.bought(facility))
    firms = _by_item(lookup.bought(firm)) if firm is not None else {}
    for input_item, share in _bom_shares(facts, row, item):
        rels = own.get(input_item) or firms.get(input_item)
        taken = 0.0
        if rels:
            filled = _fill(row, rels[0].buyer, "supply", [(str(i), r.share) for i, r in enumerate(rels)])
            for index, rel_share in filled:
                supplier = rels[int(index)].supplier
                is_facility = supplier in facts.produces or supplier in facts.located_in
                row.edge((SITE if is_facility else FIRM, supplier, input_item), share * rel_share)
                taken += rel_share
        if taken < 1 - TOLERANCE:
            row.edge((ITEM, "", input_item), share * (1 - taken))


def _firm(lookup: Lookup, row: Row, firm: str, item: str) -> None:
    facts = lookup.facts
    facilities = [f for f in lookup.facilities(firm) if item in facts.produces.get(f, ())]
    if facilities:
        for facility, weight in producer_weights(facts, item, facilities).weights.items():
            row.edge((SITE, facility, item), weight)
        return
    country = facts.headquartered_in.get(firm)
    if country is not None:
        row.location = country
        row.origin = {country: 1.0}


def _by_item(rels: list[Supply]) -> Mapping[str, list[Supply]]:
    out: dict[str, list[Supply]] = {}
    for rel in rels:
        out.setdefault(rel.item, []).append(rel)
    return out


def _bom_shares(facts: Facts, row: Row, product: str) -> list[tuple[str, float]]:
    return _fill(row, product, "bom", [(line.item, line.share) for line in facts.bom[product]])


def _fill(row: Row, subject: str, what: str, pairs: list[tuple[str, float | None]]) -> list[tuple[str, float]]:
    """Fill missing shares with an equal split of the remainder; report sums other than 1."""
    known = sum(s for _, s in pairs if s is not None)
    missing = [k for k, s in pairs if s is None]
    fill = max(0.0, 1.0 - known) / len(missing) if missing else 0.0
    if missing:
        row.issues.append(
            Issue(subject, "missing-share", f"{len(missing)} {what} shares missing; split {1 - known:.4g} equally")
        )
    total = known + fill * len(missing)
    if what == "bom" and abs(total - 1) > TOLERANCE:
        row.issues.append(Issue(subject, "bom-sum", f"BOM shares sum to {total:.4g}, not 1"))
    if what == "supply" and total > 1 + TOLERANCE:
        row.issues.append(Issue(subject, "supply-sum", f"supply shares sum to {total:.4g}, more than 1"))
    return [(k, fill if s is None else s) for k, s in pairs]
