"""Where an item comes from: country shares of its primary production.

Two sources, in this order of preference (see ``docs/analytics.md``):

* the facilities that produce it, weighted by ``sg:capacity`` when every one of
  them states a capacity of that item in the same unit, else split equally;
* production statistics (USGS) of the latest year: each country's quantity
  over the world total (the ``…/country/WLD`` aggregate if present, else the
  sum of the rows), keeping only the newest edition of that year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.analysis.facts import Facts, Statistic

WORLD_SUFFIX = "/WLD"


def is_world(country: str) -> bool:
    """Whether ``country`` is the world-total aggregate (``…/country/WLD``)."""
    return country.endswith(WORLD_SUFFIX)


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


@dataclass(frozen=True, slots=True)
class StatSelection:
    """The statistics chosen for one material: one year, one edition, country rows and the total."""

    material: str
    year: int
    edition: str | None
    stage: str | None
    rows: dict[str, Statistic]  # country or aggregate (not the world) -> row
    world: float  # the WLD row, else the sum of the rows
    world_reported: bool
    unit: str | None

    def shares(self) -> dict[str, float]:
        """Country (and "other countries" aggregate) shares of the world total."""
        if self.world <= 0:
            return {}
        return {c: s.quantity / self.world for c, s in self.rows.items()}


def select_statistics(
    facts: Facts, material: str, year: int | None = None, stage: str | None = None
) -> StatSelection | None:
    """The statistics of ``material`` for ``year`` (default: the latest) and ``stage``.

    When ``stage`` is None and the rows carry several stages, the item's own
    ``sg:stage`` is preferred, else the most upstream stage present.
    """
    rows = [s for s in facts.stats if s.material == material]
    if stage is None:
        present = {s.stage for s in rows}
        own = facts.stage.get(material)
        if own in present:
            stage = own
        elif len(present) > 1:
            stage = sorted(present, key=lambda x: (x is None, x or ""))[0]
    if stage is not None:
        rows = [s for s in rows if s.stage == stage]
    if year is not None:
        rows = [s for s in rows if s.year == year]
    if not rows:
        return None
    chosen_year = max(s.year for s in rows)
    rows = [s for s in rows if s.year == chosen_year]
    edition = max((s.edition or "" for s in rows), default="")
    rows = [s for s in rows if (s.edition or "") == edition]
    by_country: dict[str, Statistic] = {}
    world: float | None = None
    for row in rows:
        if is_world(row.country):
            world = row.quantity
        else:
            by_country.setdefault(row.country, row)
    reported = world is not None
    total = world if world is not None else sum(s.quantity for s in by_country.values())
    unit = rows[0].unit
    return StatSelection(material, chosen_year, edition or None, stage, by_country, total, reported, unit)


def statistics_origin(facts: Facts, item: str) -> tuple[dict[str, float], str]:
    """Country shares of ``item`` from its statistics, with a description of the method."""
    selection = select_statistics(facts, item)
    if selection is None:
        return {}, "unknown"
    label = f"statistics {selection.year}" + (f" {selection.edition}" if selection.edition else "")
    return selection.shares(), label
