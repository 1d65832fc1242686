"""``supplygraph`` commands for the resilience analytics: concentration, exposure, impact, spof, alternatives.

Each command opens the current snapshot, runs one analysis and prints a
short table (or JSON with ``--json``).  Materials, products and controls are
IRIs; countries are IRIs or the last segment of one (``CHN``).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from ontology import vocab as v
from service.cli.common import edge, store_option

if TYPE_CHECKING:
    from service.analysis.context import Analysis

ID = v.ID


def _iri(value: str, kind: str) -> str:
    """An IRI as given, or ``<ID><kind>/<value>`` for a short name."""
    return value if "://" in value else f"{ID}{kind}/{value}"


def _analysis(store: str) -> Analysis:
    from service.analysis.context import analysis_for
    from service.backend import open_configured
    from service.settings import Settings

    return analysis_for(open_configured(Settings.from_env({"store": store})))


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
@json_option
def concentration(
    material: str, store: str, year: int | None, stage: str | None, source: str, top: int, as_json: bool
) -> None:
    """Country shares and the HHI of MATERIAL (an IRI or a name under id/material/)."""
    from service.analysis import concentration as conc

    with edge():
        analysis = _analysis(store)
        result = conc.concentration(analysis, _iri(material, "material"), year, stage, source)
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

    with edge():
        analysis = _analysis(store)
        cls = _iri(material_class, "class") if material_class else None
        result = exp.exposure(analysis, _iri(product, "product"), _iri(country, "country"), cls, paths)
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
    """Products and firms an export control (CONTROL, an IRI or id under id/control/) cuts off."""
    from service.analysis.impact import restriction_impact

    day = as_of.date() if as_of else date.today()
    with edge():
        analysis = _analysis(store)
        result = restriction_impact(
            analysis,
            day,
            _iri(control, "control") if control else None,
            _iri(country, "country") if country else None,
            [m if "://" in m else f"{ID}material/{m}" for m in materials],
        )
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

    with edge():
        analysis = _analysis(store)
        found = single_points_of_failure(analysis, _iri(product, "product"))
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

    with edge():
        analysis = _analysis(store)
        trusted = _iri(trusted_by, "country") if trusted_by else None
        result = alternative_suppliers(analysis, _iri(material, "material"), _iri(exclude_country, "country"), trusted)
    label = analysis.facts.label
    lines = [f"lost volume {result.lost_volume or 0:,.0f} ({result.lost_basis}); spare {result.spare_capacity:,.0f}"]
    lines += [
        f"  {label(a.facility):<36} {label(a.country or '?'):<16} {a.capacity or 0:>10,.0f}" for a in result.facilities
    ]
    if result.shortfall is not None:
        lines.append(f"shortfall {result.shortfall:,.0f} ({result.shortfall_share:.0%} of the lost volume)")
    _emit(result, as_json, lines + result.notes)


COMMANDS: tuple[click.Command, ...] = (concentration, exposure, impact, spof, alternatives)
