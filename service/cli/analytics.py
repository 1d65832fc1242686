"""``supplygraph`` commands for the resilience analytics: concentration, exposure, impact, spof, alternatives.

Each command opens the current snapshot, runs one analysis and prints a
short table (or JSON with ``--json``).  Arguments name things as every door
does (:mod:`service.identifiers`): countries by ISO or trade code, label or
IRI; materials, classes, products, firms and controls by short id or IRI.
An unknown name is an error that names the argument and the closest names.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from service.cli.common import edge, store_option

if TYPE_CHECKING:
    from service.analysis.context import Analysis
    from service.identifiers import Kind


class _Session:
    """The current snapshot of a store: names resolved on its index, its analysis."""

    def __init__(self, store: str) -> None:
        from service.backend import open_configured
        from service.index import index_for
        from service.settings import Settings

        self.store = open_configured(Settings.from_env({"store": store}))
        self.graph = self.store.open_current()
        self.index = index_for(self.store, self.graph)

    def name(self, value: str, kinds: Sequence[Kind], argument: str) -> str:
        from service.identifiers import resolve

        return resolve(self.index, self.graph, value, kinds, argument)

    def country(self, value: str, argument: str) -> str:
        from service.identifiers import Kind

        return self.name(value, (Kind.COUNTRY,), argument)

    def analysis(self) -> Analysis:
        from service.analysis.context import analysis_for

        return analysis_for(self.store, self.graph)


def _emit(result: Any, as_json: bool, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(result), indent=2, default=str))
    else:
        click.echo("\n".join(lines))


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON")


@click.command()
@click.argument("material")
@store_option
@click.option("--year", type=int, default=None, help="Reference year (default: the latest)")
@click.option("--stage", default=None, help="Stage of the statistics, e.g. Mining or Refining")
@click.option("--source", type=click.Choice(["statistics", "trade", "capacity"]), default="statistics")
@click.option("--top", type=int, default=10, help="Countries (or firms) to list")
@click.option("--edition", default=None, help="Edition of the statistics, e.g. MCS2025 (default: the latest)")
@click.option("--dataset", default=None, help="Dataset name or graph IRI (default: the most recently loaded)")
@json_option
def concentration(
    material: str,
    store: str,
    year: int | None,
    stage: str | None,
    source: str,
    top: int,
    edition: str | None,
    dataset: str | None,
    as_json: bool,
) -> None:
    """Country shares and the HHI of MATERIAL (a short id such as gallium, or an IRI)."""
    from service.analysis import concentration as conc
    from service.identifiers import MATERIALS, dataset_iri, hs_iri

    with edge():
        session = _Session(store)
        # Trade figures may be asked of an HS code itself.
        traded = hs_iri(material) if source == "trade" else None
        iri = traded or session.name(material, MATERIALS, "MATERIAL")
        analysis = session.analysis()
        graph = dataset_iri(dataset) if dataset is not None else None
        result = conc.concentration(analysis, iri, year, stage, source, edition, graph)
    lines = [f"{analysis.facts.label(result.material)} {result.year or ''}: {result.basis}"]
    lines += [f"  {analysis.facts.label(s.who):<32} {s.amount:>14,.0f}  {s.share:7.1%}" for s in result.top(top)]
    lines.append(
        f"  other countries {result.other_share:.1%}; HHI {result.hhi:,.0f} (upper bound {result.hhi_upper:,.0f})"
    )
    _emit(result, as_json, lines)


@click.command()
@click.argument("product")
@click.argument("country")
@store_option
@click.option("--class", "material_class", default=None, help="Only materials of this class (IRI or name)")
@click.option("--paths", type=int, default=5, help="Contributing paths to list")
@json_option
def exposure(product: str, country: str, store: str, material_class: str | None, paths: int, as_json: bool) -> None:
    """Share of PRODUCT's input requirement traced to production in COUNTRY."""
    from service.analysis import exposure as exp
    from service.identifiers import ITEMS, Kind

    with edge():
        session = _Session(store)
        item, where = session.name(product, ITEMS, "PRODUCT"), session.country(country, "COUNTRY")
        cls = session.name(material_class, (Kind.MATERIAL_CLASS,), "--class") if material_class else None
        analysis = session.analysis()
        result = exp.exposure(analysis, item, where, cls, paths)
    label = analysis.facts.label
    lines = [
        f"{label(result.product)} -> {label(result.country)}: {result.share:.2%} (origin known for {result.traced:.0%})"
    ]
    for path in result.paths:
        chain = " > ".join(label(s.actor or s.item) for s in path.steps)
        lines.append(f"  {path.contribution:7.2%}  {chain}  [{path.origin}]")
    lines += [f"  ! {i.message} ({label(i.subject)})" for i in result.issues]
    _emit(result, as_json, lines)


@click.command()
@click.argument("control", required=False)
@store_option
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Date (default: today)")
@click.option("--country", default=None, help="Ad-hoc control: the imposing country")
@click.option("--material", "materials", multiple=True, help="Ad-hoc control: a covered material or class")
@json_option
def impact(
    control: str | None, store: str, as_of: Any, country: str | None, materials: tuple[str, ...], as_json: bool
) -> None:
    """Products and firms an export control (CONTROL, a short id or IRI) cuts off."""
    from service.analysis.impact import restriction_impact
    from service.identifiers import MATERIALS, Kind

    day = as_of.date() if as_of else date.today()
    with edge():
        session = _Session(store)
        named = session.name(control, (Kind.CONTROL,), "CONTROL") if control else None
        where = session.country(country, "--country") if country else None
        items = [session.name(m, MATERIALS, "--material") for m in materials]
        analysis = session.analysis()
        result = restriction_impact(analysis, day, named, where, items)
    label = analysis.facts.label
    shown = result if result.in_force or result.at_risk is None else result.at_risk
    lines = [f"{result.description}: {result.status}"]
    lines += [f"  {p.lost_share:7.2%}  {label(p.product)}" for p in shown.products]
    _emit(result, as_json, lines)


@click.command()
@click.argument("product")
@store_option
@json_option
def spof(product: str, store: str, as_json: bool) -> None:
    """Single points of failure upstream of PRODUCT."""
    from service.analysis.spof import single_points_of_failure
    from service.identifiers import ITEMS

    with edge():
        session = _Session(store)
        item = session.name(product, ITEMS, "PRODUCT")
        analysis = session.analysis()
        found = single_points_of_failure(analysis, item)
    label = analysis.facts.label
    lines = [
        f"  {s.dependent_end_products:>3} end products  {label(s.item):<32} single {', '.join(s.single)}" for s in found
    ]
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(s) for s in found], indent=2))
    else:
        click.echo("\n".join(lines) or "no single points of failure")


@click.command()
@click.argument("material")
@click.argument("exclude_country")
@store_option
@click.option("--trusted-by", default=None, help="Only countries sharing an alliance with this one")
@json_option
def alternatives(material: str, exclude_country: str, store: str, trusted_by: str | None, as_json: bool) -> None:
    """Facilities making MATERIAL outside EXCLUDE_COUNTRY, and whether they cover its volume."""
    from service.analysis.alternatives import alternative_suppliers
    from service.identifiers import MATERIALS

    with edge():
        session = _Session(store)
        iri = session.name(material, MATERIALS, "MATERIAL")
        excluded = session.country(exclude_country, "EXCLUDE_COUNTRY")
        trusted = session.country(trusted_by, "--trusted-by") if trusted_by else None
        analysis = session.analysis()
        result = alternative_suppliers(analysis, iri, excluded, trusted)
    label = analysis.facts.label
    unit = (result.unit or "").rsplit("/", 1)[-1]
    lost, spare = f"{result.lost_volume or 0:,.0f} {unit}", f"{result.spare_capacity:,.0f} {unit}"
    lines = [f"lost volume {lost} ({result.lost_basis}); spare {spare}"]
    lines += [
        f"  {label(a.facility):<36} {label(a.country or '?'):<16} {a.capacity or 0:>10,.0f} {unit}"
        for a in result.facilities
    ]
    lines += [
        f"  {label(c.country):<36} produces {c.production or 0:>10,.0f} {unit} (no listed facility)"
        for c in result.countries
        if c.capacity is None
    ]
    if result.shortfall is not None:
        lines.append(f"shortfall {result.shortfall:,.0f} {unit} ({result.shortfall_share:.0%} of the lost volume)")
    _emit(result, as_json, lines + result.notes)


COMMANDS: tuple[click.Command, ...] = (concentration, exposure, impact, spof, alternatives)
