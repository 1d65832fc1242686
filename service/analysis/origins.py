"""Where an item comes from: country shares of its primary production.

Two sources, in this order of preference (see ``docs/analytics.md``):

* the facilities that produce it, weighted by ``sg:capacity`` when every one of
  them states a capacity of that item in the same unit, else split equally;
* production statistics (USGS), chosen by the one rule of
  :mod:`service.analysis.statistics` (stage, latest year, edition, dataset;
  the world total as denominator).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.analysis.facts import Facts
from service.analysis.statistics import choose_in


@dataclass(frozen=True, slots=True)
class Weights:
    """How a demand is split among producers, and which rule produced the split."""

    weights: dict[str, float]
    method: str  # "capacity" or "equal"


def producer_weights(facts: Facts, item: str, producers: Sequence[str]) -> Weights:
    """Split the demand for ``item`` among ``producers`` (facilities) by capacity, else equally."""
    if not producers:
        return Weights({}, "none")
    caps: dict[str, float] = {}
    units = set()
    for facility in producers:
        cap = facts.capacity.get(facility)
        if cap is None or cap <= 0 or facts.capacity_item.get(facility, item) != item:
            break
        caps[facility] = cap
        units.add(facts.capacity_unit.get(facility))
    if len(caps) == len(producers) and len(units) == 1:
        total = sum(caps.values())
        return Weights({f: c / total for f, c in caps.items()}, "capacity")
    return Weights({f: 1.0 / len(producers) for f in producers}, "equal")


def statistics_origin(facts: Facts, item: str) -> tuple[dict[str, float], str]:
    """Country shares of ``item`` from its statistics, with a description of the method."""
    selection = choose_in(facts, item)
    if selection is None:
        return {}, "unknown"
    label = f"statistics {selection.year}" + (f" {selection.edition}" if selection.edition else "")
    shares = selection.shares() | {
        o: s.quantity / selection.total for o, s in selection.other.items() if selection.total
    }
    return shares, label
