"""Production figures for GraphQL, chosen and divided by the one statistics rule.

The ``production_statistics`` query returns every statistic of the materials
involved, with its dataset (named graph), edition and the datasets' load
times; :func:`figures` applies :func:`service.analysis.statistics.choose` to
each material, year and stage, so ``Material.production`` and
``Country.productionShares`` give the figures ``concentration`` gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from service.analysis.facts import Statistic
from service.analysis.statistics import Selection, choose
from service.store import IRI, Lit, Row


@dataclass(frozen=True, slots=True)
class Figure:
    """One country's (or "other countries'") production statistic, its share and the basis of the share."""

    statistic: Statistic
    share: float | None
    basis: str


def _text(term: object) -> str | None:
    return term.value if isinstance(term, (IRI, Lit)) else None


def _number(term: object) -> float | None:
    value = term.to_python() if isinstance(term, Lit) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def read_rows(rows: Iterable[Row]) -> tuple[list[Statistic], set[str], dict[str, str]]:
    """Statistics, the aggregates among their countries, and each dataset's load time."""
    stats: dict[tuple[str, str | None], Statistic] = {}
    aggregates: set[str] = set()
    loaded: dict[str, str] = {}
    for row in rows:
        quantity, year = _number(row.get("quantity")), _number(row.get("year"))
        stat, material, country = _text(row.get("stat")), _text(row.get("material")), _text(row.get("country"))
        if quantity is None or year is None or stat is None or material is None or country is None:
            continue
        dataset = _text(row.get("dataset"))
        stats.setdefault(
            (stat, dataset),
            Statistic(
                stat,
                material,
                country,
                int(year),
                _text(row.get("stage")),
                quantity,
                _text(row.get("unit")),
                _text(row.get("edition")),
                dataset,
            ),
        )
        if row.get("aggregate") is not None:
            aggregates.add(country)
        if dataset is not None and (time := _text(row.get("loaded"))) is not None:
            loaded[dataset] = max(time, loaded.get(dataset, ""))
    return list(stats.values()), aggregates, loaded


def figures(rows: Iterable[Row], country: str | None = None, year: int | None = None) -> list[Figure]:
    """The figures that count, per material, year and stage (only ``country``'s, if given)."""
    stats, aggregates, loaded = read_rows(rows)
    groups = sorted({(s.material, s.year, s.stage or "") for s in stats if year in (None, s.year)})
    out: list[Figure] = []
    for material, in_year, stage in groups:
        at_stage = [s for s in stats if s.material == material and (s.stage or "") == stage]
        selection = choose(at_stage, material, year=in_year, aggregates=aggregates, loaded=loaded)
        if selection is not None:
            out += _figures(selection, country)
    return out


def _figures(selection: Selection, country: str | None) -> list[Figure]:
    basis = selection.basis()
    rows = sorted([*selection.countries.values(), *selection.other.values()], key=lambda s: (-s.quantity, s.country))
    total = selection.total
    return [
        Figure(s, s.quantity / total if total > 0 else None, basis)
        for s in rows
        if country is None or s.country == country
    ]
