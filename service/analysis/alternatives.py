"""Alternative suppliers of a material outside a country, and whether they cover its volume.

The lost volume is the excluded country's production of the material in the
latest statistics year (else the capacity of its facilities there).  Each
alternative country can add its facilities' capacity minus what it already
produces (its statistics row, same year); with no statistics row its whole
capacity is counted as spare, which the answer flags.  Countries that
produce the material by the statistics but have no listed facility are
alternatives too: their production is listed, and their spare capacity is
unknown, so counted as none.  ``shortfall`` is the lost volume the spare
capacity does not cover, in ``unit`` (the statistics' unit, tonnes for the
sample), and as a share of the lost volume.  The statistics are chosen by the
rule of :mod:`service.analysis.statistics`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from service.analysis.context import Analysis
from service.analysis.statistics import choose_in


@dataclass(frozen=True, slots=True)
class Alternative:
    """A facility producing the material in another country."""

    facility: str
    firm: str | None
    country: str | None
    capacity: float | None
    unit: str | None


@dataclass(frozen=True, slots=True)
class CountrySupply:
    """An alternative country: capacity of its listed facilities, current production, spare capacity."""

    country: str
    capacity: float | None  # None: no listed facility (a producer by the statistics only)
    production: float | None
    spare: float


@dataclass(slots=True)
class Alternatives:
    """The answer of :func:`alternative_suppliers`."""

    material: str
    exclude_country: str
    trusted_by: str | None
    year: int | None
    lost_volume: float | None
    lost_basis: str
    unit: str | None = None  # of every volume: the statistics' unit, else the facilities' capacity unit
    facilities: list[Alternative] = field(default_factory=list)
    countries: list[CountrySupply] = field(default_factory=list)
    spare_capacity: float = 0.0
    shortfall: float | None = None
    shortfall_share: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool | None:
        return None if self.shortfall is None else self.shortfall <= 0


def trusted_countries(analysis: Analysis, country: str) -> set[str]:
    """``country`` and every country sharing an alliance with it."""
    alliances = analysis.facts.member_of.get(country, set())
    return {c for c, mine in analysis.facts.member_of.items() if mine & alliances} | {country}


def alternative_suppliers(
    analysis: Analysis, material: str, exclude_country: str, trusted_by: str | None = None
) -> Alternatives:
    """Facilities making ``material`` outside ``exclude_country`` (allies of ``trusted_by`` only, if given)."""
    facts = analysis.facts
    allowed = trusted_countries(analysis, trusted_by) if trusted_by else None
    stats = choose_in(facts, material)
    year = stats.year if stats else None
    production = {c: s.quantity for c, s in stats.countries.items()} if stats else {}
    result = Alternatives(material, exclude_country, trusted_by, year, None, "", stats.unit if stats else None)
    excluded_capacity = 0.0
    by_country: dict[str, float] = defaultdict(float)
    # A mine states its capacity in the material it yields (t REO) while producing a concentrate.
    candidates = {f for f, items in facts.produces.items() if material in items}
    candidates |= {f for f, item in facts.capacity_item.items() if item == material}
    for facility in sorted(candidates):
        country = facts.located_in.get(facility)
        cap = facts.capacity.get(facility)
        if facts.capacity_item.get(facility, material) != material:
            cap = None
        if country == exclude_country:
            excluded_capacity += cap or 0.0
            continue
        if allowed is not None and country not in allowed:
            continue
        unit = facts.capacity_unit.get(facility)
        result.facilities.append(Alternative(facility, facts.operated_by.get(facility), country, cap, unit))
        if country is not None and cap is not None:
            by_country[country] += cap
    if result.unit is None:
        result.unit = next((a.unit for a in result.facilities if a.unit is not None), None)
    if exclude_country in production and stats is not None:
        result.lost_volume, result.lost_basis = production[exclude_country], stats.basis()
    elif excluded_capacity:
        result.lost_volume, result.lost_basis = excluded_capacity, "capacity of its facilities"
    else:
        result.lost_basis = "unknown: no statistics or capacity for the excluded country"
    for country, cap in sorted(by_country.items(), key=lambda kv: -kv[1]):
        made = production.get(country)
        if made is None:
            result.notes.append(f"{facts.label(country)}: no production figure; all its capacity counted as spare")
        spare = max(0.0, cap - (made or 0.0))
        result.countries.append(CountrySupply(country, cap, made, spare))
        result.spare_capacity += spare
    listed = {c.country for c in result.countries}
    only_statistics = [
        (country, made)
        for country, made in sorted(production.items(), key=lambda kv: (-kv[1], kv[0]))
        if country != exclude_country and country not in listed and (allowed is None or country in allowed)
    ]
    for country, made in only_statistics:
        result.countries.append(CountrySupply(country, None, made, 0.0))
    if only_statistics:
        result.notes.append(
            f"{len(only_statistics)} producing countries have no listed facility: spare capacity unknown, none counted"
        )
    if result.lost_volume:
        result.shortfall = max(0.0, result.lost_volume - result.spare_capacity)
        result.shortfall_share = result.shortfall / result.lost_volume
    missing = [a.facility for a in result.facilities if a.capacity is None]
    if missing:
        result.notes.append(f"{len(missing)} facilities state no capacity of this material and add no spare capacity")
    return result
