"""What-if scenarios: remove countries, facilities or firms, or cap a country's export share.

A scenario is turned into a :class:`Disruption` and answered with the same
impact report as an export control.  Nothing is written: the stored graph
and the cached network are left as they are.

* Removing a country cuts all of its production, for every buyer including
  its own (its facilities and its share of production statistics).
* Removing a facility or a firm (with all its facilities) cuts every flow
  from them.
* Capping a country's export share at ``k`` cuts, on flows of each item from
  that country to buyers elsewhere, the fraction ``(s - k) / s`` where ``s``
  is the country's share of the item's supply; items where ``s <= k`` keep
  flowing.  ``materials`` limits the cap to those items or classes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from service.analysis.context import Analysis
from service.analysis.disruption import Disruption
from service.analysis.report import ImpactReport, covered_items, impact_report
from service.errors import BadRequest


@dataclass(frozen=True, slots=True)
class Scenario:
    """The changes to try."""

    remove_countries: tuple[str, ...] = ()
    remove_facilities: tuple[str, ...] = ()
    remove_firms: tuple[str, ...] = ()
    cap_country: str | None = None
    cap_share: float | None = None
    materials: tuple[str, ...] = field(default=())  # limits removed countries and the cap to these items or classes

    def describe(self, label: Callable[[str], str] = str) -> str:
        """A one-line description, naming entities with ``label``."""
        removed = (*self.remove_countries, *self.remove_facilities, *self.remove_firms)
        parts = [f"remove {', '.join(label(x) for x in removed)}"] if removed else []
        if self.cap_country is not None and self.cap_share is not None:
            parts.append(f"cap exports of {label(self.cap_country)} at {self.cap_share:.0%}")
        if parts and self.materials:
            parts.append(f"for {', '.join(label(m) for m in self.materials)} only")
        return "; ".join(parts) or "no change"


def supply_share(analysis: Analysis, country: str, item: str) -> float:
    """``country``'s share of the direct supply of ``item`` (its sites' weights, or its statistics share)."""
    network = analysis.network
    node = network.item_node(item)
    if node is None:
        return 0.0
    lo, hi = network.matrix.indptr[node], network.matrix.indptr[node + 1]
    share = sum(
        float(w)
        for j, w in zip(network.matrix.indices[lo:hi], network.matrix.data[lo:hi], strict=True)
        if network.location[j] == country
    )
    if country in network.countries:
        share += float(network.origin[node, network.countries.index(country)])
    return share


def scenario_disruption(analysis: Analysis, scenario: Scenario) -> Disruption:
    """The disruption a scenario describes."""
    if scenario.cap_country is not None and not (scenario.cap_share is not None and 0 <= scenario.cap_share <= 1):
        raise BadRequest("capShare must be between 0 and 1 when capCountry is given")
    facts = analysis.facts
    removed = set(scenario.remove_countries)
    blocked = set(scenario.remove_facilities) | set(scenario.remove_firms)
    blocked |= {f for f, firm in facts.operated_by.items() if firm in scenario.remove_firms}
    cap_memo: dict[str, float] = {}
    scope_memo: dict[str, bool] = {}
    named = set(scenario.materials)

    def in_scope(item: str) -> bool:
        """The scenario's materials, their forms and the members of its classes (all items if none)."""
        if item not in scope_memo:
            scope_memo[item] = (
                not named or bool(facts.forms_of(item) & named) or any(facts.in_class(item, m) for m in named)
            )
        return scope_memo[item]

    def factor(country: str, item: str) -> float:
        if country in removed:
            return 1.0 if in_scope(item) else 0.0
        if country != scenario.cap_country or scenario.cap_share is None:
            return 0.0
        if item not in cap_memo:
            share = supply_share(analysis, country, item) if in_scope(item) else 0.0
            cap_memo[item] = max(0.0, share - scenario.cap_share) / share if share > scenario.cap_share else 0.0
        return cap_memo[item]

    cap = scenario.cap_country

    def restricted(buyer: str) -> bool:
        return buyer != cap

    countries = frozenset(removed | ({cap} if cap is not None else set()))
    return Disruption(factor, restricted, frozenset(removed), frozenset(blocked), countries)


def run_scenario(analysis: Analysis, scenario: Scenario) -> ImpactReport:
    """The impact report of ``scenario``."""
    disruption = scenario_disruption(analysis, scenario)
    report = impact_report(analysis, disruption, scenario.describe(analysis.facts.label))
    report.covered = covered_items(analysis, disruption)
    return report
