"""Which production statistics count: the one rule behind every share, HHI and origin.

For a material the rule chooses, in this order:

1. the **stage**: the one asked for (``Mining``, ``mining``, ``sg:Mining`` or
   the IRI), else the material's own ``sg:stage`` when it has figures at that
   stage, else the most upstream stage with figures.  Mine and refinery
   production are never mixed;
2. the **year**: the one asked for, else the latest with figures;
3. the **edition** (``MCS2025``): the one asked for, else the latest;
4. the **dataset** (the named graph the figures were loaded into): the one
   asked for, else, within the edition, the most recently loaded.

A numerator and its denominator always come from that one dataset.  Rows of
aggregates are never countries: a world total (``WLD``, or a variant such as
``WLD-EXCL-USA``, "excluding U.S. production") is the denominator, preferring
the plain world total; other aggregates ("Other countries") are kept apart as
``other``.  The denominator is the source's world total where it publishes
one, else the sum of the country and other rows; when the published total is
below that sum the sum is used (and said), so shares never add up to more
than 1 and the HHI stays within 0..10,000.

GraphQL, the analytics, the CLI and the tests call :func:`choose`; the named
query ``top_producers`` implements the same rule in SPARQL and the test suite
holds it to the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ontology import vocab as v
from service.analysis.facts import Facts, Statistic
from service.errors import BadRequest

WORLD_KEYS = ("WLD", "WLD-EXCL-USA")
"""Country keys of world totals (``…/id/country/<key>``), preferred first."""


def world_rank(country: str) -> int | None:
    """0 for the plain world total, 1.. for a variant, None for anything else."""
    key = country.rstrip("/").rsplit("/", 1)[-1]
    return WORLD_KEYS.index(key) if key in WORLD_KEYS and country.startswith(v.ID + "country/") else None


def stage_iri(stage: str | None) -> str | None:
    """A stage by name, whatever the case, or IRI (None for none); :class:`BadRequest` if unknown."""
    if stage is None or not stage.strip():
        return None
    try:
        return v.stage_iri(stage)
    except ValueError as exc:
        raise BadRequest(f"stage: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Selection:
    """The statistics chosen for one material, and the basis of every figure computed from them."""

    material: str
    year: int
    stage: str | None
    edition: str | None
    dataset: str | None
    countries: dict[str, Statistic]  # country -> its row
    other: dict[str, Statistic]  # aggregates that are not world totals ("Other countries")
    total: float  # the denominator
    total_reported: bool  # True: the source's world total; False: the sum of the rows
    world_label: str | None  # which world row, when reported ("WLD", "WLD-EXCL-USA")
    unit: str | None
    notes: list[str] = field(default_factory=list)

    def shares(self) -> dict[str, float]:
        """Each country's share of the total (other aggregates not included)."""
        if self.total <= 0:
            return {}
        return {c: s.quantity / self.total for c, s in self.countries.items()}

    def shares_with_other(self) -> dict[str, float]:
        """Country shares and those of the "other countries" rows, by row."""
        if self.total <= 0:
            return {}
        return self.shares() | {o: s.quantity / self.total for o, s in self.other.items()}

    def other_share(self) -> float:
        """The share of the "other countries" rows."""
        return sum(s.quantity for s in self.other.values()) / self.total if self.total > 0 else 0.0

    def basis(self) -> str:
        """What the figures are, in words: ``USGS MCS2025 (graph …/usgs), mine production 2024, t; world total``."""
        stage = (self.stage or "").rsplit("#", 1)[-1] or "all stages"
        unit = (self.unit or "").rsplit("/", 1)[-1]
        where = f" from {self.dataset}" if self.dataset else ""
        total = f"world total {self.world_label}" if self.total_reported else "sum of countries"
        parts = [f"production statistics {self.edition or '(no edition)'}{where}", f"{stage} {self.year}"]
        return ", ".join(parts + ([unit] if unit else []) + [f"denominator: {total}"])


def _latest_dataset(datasets: Iterable[str | None], loaded: Mapping[str, str]) -> str | None:
    """The most recently loaded of ``datasets`` (its load time, then its IRI, breaking ties)."""
    return max(datasets, key=lambda g: (loaded.get(g or "", ""), g or ""))


def choose(
    stats: Iterable[Statistic],
    material: str,
    *,
    year: int | None = None,
    stage: str | None = None,
    edition: str | None = None,
    dataset: str | None = None,
    own_stage: str | None = None,
    aggregates: Iterable[str] = (),
    loaded: Mapping[str, str] | None = None,
) -> Selection | None:
    """The statistics of ``material`` that count, by the rule of this module; None if there are none.

    ``own_stage`` is the material's ``sg:stage``; ``aggregates`` the IRIs
    typed ``sg:CountryAggregate``; ``loaded`` each dataset graph's load time
    (ISO text, from the catalog).
    """
    rows = [s for s in stats if s.material == material]
    stage = stage_iri(stage)
    if stage is None:
        present = {s.stage for s in rows}
        if own_stage in present:
            stage = own_stage
        elif present:
            order = {s: n for n, s in enumerate(v.STAGES)}
            stage = min(present, key=lambda s: (s is None, order.get(s or "", len(order)), s or ""))
    rows = [s for s in rows if s.stage == stage]
    if year is not None:
        rows = [s for s in rows if s.year == year]
    if not rows:
        return None
    chosen_year = max(s.year for s in rows)
    rows = [s for s in rows if s.year == chosen_year]
    chosen_edition = edition if edition is not None else max((s.edition or "" for s in rows), default="")
    rows = [s for s in rows if (s.edition or "") == (chosen_edition or "")]
    if not rows:
        return None
    chosen_dataset = dataset if dataset is not None else _latest_dataset({s.dataset for s in rows}, loaded or {})
    rows = [s for s in rows if s.dataset == chosen_dataset]
    if not rows:
        return None
    return _select(material, chosen_year, stage, chosen_edition or None, chosen_dataset, rows, set(aggregates))


def _select(
    material: str,
    year: int,
    stage: str | None,
    edition: str | None,
    dataset: str | None,
    rows: list[Statistic],
    aggregates: set[str],
) -> Selection:
    countries: dict[str, Statistic] = {}
    other: dict[str, Statistic] = {}
    worlds: dict[int, Statistic] = {}
    for row in sorted(rows, key=lambda s: s.stat):  # one row per country: the first by IRI
        rank = world_rank(row.country)
        if rank is not None:
            worlds.setdefault(rank, row)
        elif row.country in aggregates:
            other.setdefault(row.country, row)
        else:
            countries.setdefault(row.country, row)
    rows_sum = sum(s.quantity for s in countries.values()) + sum(s.quantity for s in other.values())
    notes: list[str] = []
    world = worlds[min(worlds)] if worlds else None
    if world is not None and world.quantity >= rows_sum:
        total, reported = world.quantity, True
    else:
        total, reported = rows_sum, False
        if world is not None:
            notes.append(f"the reported world total ({world.quantity:,.0f}) is below the sum of the rows: sum used")
    label = world.country.rsplit("/", 1)[-1] if reported and world is not None else None
    unit = rows[0].unit
    return Selection(material, year, stage, edition, dataset, countries, other, total, reported, label, unit, notes)


def choose_in(
    facts: Facts,
    material: str,
    year: int | None = None,
    stage: str | None = None,
    edition: str | None = None,
    dataset: str | None = None,
) -> Selection | None:
    """:func:`choose` over the facts of a snapshot."""
    return choose(
        facts.stats,
        material,
        year=year,
        stage=stage,
        edition=edition,
        dataset=dataset,
        own_stage=facts.stage.get(material),
        aggregates=facts.aggregates,
        loaded=facts.loaded,
    )
