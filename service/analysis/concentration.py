"""Concentration of supply: country shares and the Herfindahl–Hirschman index.

Three measures, each saying where its figures come from:

* ``statistics``: production statistics (USGS) of a material, year and stage;
* ``trade``: exports under the material's HS codes (BACI / Comtrade flows),
  by value, from the ``exporter_totals`` query;
* by firm: the capacity of the facilities producing the material, summed by
  operator.

The HHI is on the 0–10,000 scale (shares in percent, squared, summed).  An
"other countries" row cannot be split, so ``hhi`` leaves it out (a lower
bound) and ``hhi_upper`` counts it as one country (an upper bound).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ontology import vocab as v
from service.analysis.context import Analysis
from service.analysis.queries import named
from service.analysis.statistics import choose_in, stage_iri
from service.errors import BadRequest, NotFound
from service.store import IRI, Lit


@dataclass(frozen=True, slots=True)
class Share:
    """One country's (or firm's) amount and share of the total."""

    who: str
    amount: float
    share: float


@dataclass(frozen=True, slots=True)
class Concentration:
    """The answer of :func:`concentration`."""

    material: str
    year: int | None
    stage: str | None
    source: str  # "statistics", "trade" or "capacity"
    basis: str  # what was measured, e.g. "USGS MCS2025 production, t" or "exports of HS 284690, USD"
    total: float
    total_reported: bool  # the total is a reported world figure, not the sum of the rows
    shares: list[Share]  # largest first, all of them
    hhi: float
    hhi_upper: float
    other_share: float

    def top(self, n: int) -> list[Share]:
        return self.shares[:n]


def hhi(shares: list[float]) -> float:
    """Herfindahl–Hirschman index of fractional shares, on the 0–10,000 scale.

    >>> round(hhi([0.6, 0.3, 0.1]))
    4600
    """
    return sum((100 * s) ** 2 for s in shares)


def _measure(
    material: str,
    year: int | None,
    stage: str | None,
    source: str,
    basis: str,
    amounts: dict[str, float],
    total: float,
    others: set[str] | None = None,
) -> Concentration:
    """Shares of ``total``; the ``others`` (default: ``…/OTHER``) count as one "other countries" row."""
    other_rows = others if others is not None else {w for w in amounts if w.endswith("/OTHER")}
    other = sum(a for who, a in amounts.items() if who in other_rows)
    named_rows = sorted(((w, a) for w, a in amounts.items() if w not in other_rows), key=lambda r: (-r[1], r[0]))
    shares = [Share(w, a, a / total if total else 0.0) for w, a in named_rows]
    other_share = other / total if total else 0.0
    low = hhi([s.share for s in shares])
    return Concentration(
        material, year, stage, source, basis, total, False, shares, low, low + hhi([other_share]), other_share
    )


def concentration(
    analysis: Analysis,
    material: str,
    year: int | None = None,
    stage: str | None = None,
    source: str = "statistics",
    edition: str | None = None,
    dataset: str | None = None,
) -> Concentration:
    """Country shares and HHI of ``material`` from ``source``: ``statistics``, ``trade`` or ``capacity``.

    ``edition`` and ``dataset`` (a dataset's named graph) pin the figures; by default the
    rules of :mod:`service.analysis.statistics` and of the trade flows choose them.
    """
    if source == "statistics":
        return _from_statistics(analysis, material, year, stage_iri(stage), edition, dataset)
    if source == "trade":
        return _from_trade(analysis, material, year, dataset)
    if source == "capacity":
        return by_firm(analysis, material)
    raise BadRequest(f"unknown concentration source {source!r}; one of statistics, trade, capacity")


def _from_statistics(
    analysis: Analysis, material: str, year: int | None, stage: str | None, edition: str | None, dataset: str | None
) -> Concentration:
    selection = choose_in(analysis.facts, material, year, stage, edition, dataset)
    if selection is None:
        raise NotFound(_no_statistics(analysis, material, year, stage))
    amounts = {c: s.quantity for c, s in selection.countries.items()}
    amounts |= {o: s.quantity for o, s in selection.other.items()}
    result = _measure(
        material, selection.year, selection.stage, "statistics", selection.basis(), amounts, selection.total,
        others=set(selection.other),
    )  # fmt: skip
    return _replace_reported(result, selection.total_reported)


def _no_statistics(analysis: Analysis, material: str, year: int | None, stage: str | None) -> str:
    """Which filter left nothing: the material has no figures at all, or none for that stage or year."""
    label = analysis.facts.label(material)
    rows = [s for s in analysis.facts.stats if s.material == material]
    if not rows:
        return f"no production statistics for {label} ({material})"
    stages = sorted({(s.stage or "").rsplit("#", 1)[-1] or "none" for s in rows})
    years = sorted({s.year for s in rows if stage is None or s.stage == stage})
    if stage is not None and not any(s.stage == stage for s in rows):
        return f"no production statistics for {label} at stage {stage.rsplit('#', 1)[-1]}; stages: {', '.join(stages)}"
    return f"no production statistics for {label} in {year}; years: {', '.join(map(str, years))}"


def _replace_reported(result: Concentration, reported: bool) -> Concentration:
    from dataclasses import replace

    return replace(result, total_reported=reported)


def _hs_codes(analysis: Analysis, material: str) -> list[str]:
    """The HS codes ``material`` is traded under (a bound lookup: trade flows carry sg:hsCode too)."""
    if analysis.graph is None:
        return sorted(analysis.facts.hs_code.get(material, ()))
    rows = analysis.graph.select(f"SELECT ?m ?code WHERE {{ ?m <{v.HS_CODE}> ?code }}", {"m": IRI(material)}).rows
    return sorted({row["code"].value for row in rows if isinstance(row.get("code"), IRI)})


def _from_trade(analysis: Analysis, material: str, year: int | None, dataset: str | None) -> Concentration:
    graph = analysis.graph
    codes = [material] if material.startswith(v.HS) else _hs_codes(analysis, material)
    if graph is None or not codes:
        raise NotFound(f"{material} has no HS code (sg:hsCode) to look trade flows up by")
    if year is None:
        years = [
            r["year"]
            for code in codes
            for r in graph.select(named("trade_years"), {"hs": IRI(code)}).rows
            if isinstance(r.get("year"), Lit)
        ]
        if not years:
            raise NotFound(f"no trade flows under {', '.join(codes)}")
        year = max(int(str(y.value)) for y in years if isinstance(y, Lit))
    # The trade rule: exports as exported (BACI, Comtrade export declarations), no commodity
    # aggregates, one dataset: the one asked for, else the most recently loaded with flows.
    by_dataset: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    query = named("exporter_totals")
    for code in codes:
        for row in graph.select(query, {"hs": IRI(code), "year": year}).rows:
            exporter, value, where = row.get("exporter"), row.get("valueUSD"), row.get("dataset")
            if isinstance(exporter, IRI) and isinstance(value, Lit) and isinstance(where, IRI):
                by_dataset[where.value][exporter.value] += float(value.value)
    if dataset is not None:
        by_dataset = {dataset: by_dataset[dataset]} if dataset in by_dataset else {}
    if not by_dataset:
        raise NotFound(f"no exports under {', '.join(codes)} in {year}" + (f" in {dataset}" if dataset else ""))
    loaded = analysis.facts.loaded
    chosen = max(by_dataset, key=lambda g: (loaded.get(g, ""), g))
    amounts = dict(by_dataset[chosen])
    total = sum(amounts.values())
    hs = ", ".join(c.rsplit("/", 1)[-1] for c in codes)
    basis = f"exports by value (USD) of HS {hs} in {year} from {chosen}, as exported (no mirror imports)"
    return _measure(material, year, None, "trade", basis, amounts, total)


def by_firm(analysis: Analysis, material: str) -> Concentration:
    """Shares of the capacity to produce ``material`` held by each operating firm."""
    facts = analysis.facts
    amounts: dict[str, float] = defaultdict(float)
    units = set()
    # A facility counts when it produces the material or states its capacity in it (a mine, in t REO).
    candidates = {f for f, items in facts.produces.items() if material in items}
    candidates |= {f for f, item in facts.capacity_item.items() if item == material}
    for facility in sorted(candidates):
        cap = facts.capacity.get(facility)
        if cap is not None and facts.capacity_item.get(facility, material) == material:
            amounts[facts.operated_by.get(facility, facility)] += cap
            units.add(facts.capacity_unit.get(facility, ""))
    if not amounts:
        raise NotFound(f"no facility states a capacity for {material}")
    basis = "facility capacity by operator " + ", ".join(sorted(u.rsplit("/", 1)[-1] for u in units))
    return _measure(material, None, None, "capacity", basis.strip(), dict(amounts), sum(amounts.values()))
