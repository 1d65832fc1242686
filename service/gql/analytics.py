"""GraphQL root fields of the resilience analytics (merged into the root ``Query``).

Resolvers are plain functions: they resolve country codes, then run the
analysis of the request's snapshot (:func:`analysis_for`, built once per
snapshot) in a worker thread.  Unknown products or materials give null.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date

import strawberry

from service.analysis import alternatives as alt
from service.analysis import concentration as conc
from service.analysis import controls, impact, scenario, spof
from service.analysis import exposure as exp
from service.analysis.context import Analysis
from service.errors import BadRequest, NotFound
from service.gql import analytics_types as t
from service.gql.context import Info, InputError
from service.gql.resolvers import country_iri
from service.gql.types import ExportControl
from service.identifiers import ITEMS, MATERIALS, Kind, dataset_iri, hs_iri

MAX_PATHS = 20


async def _analysis(info: Info) -> Analysis:
    return await info.context.analysis()


async def _country(info: Info, code: str, argument: str = "country") -> str:
    return await country_iri(info, code, argument)


def _dataset(name: str | None) -> str | None:
    try:
        return dataset_iri(name) if name is not None else None
    except BadRequest as exc:
        raise InputError(exc.message) from exc


async def _named(info: Info, value: str, kinds: Sequence[Kind], argument: str) -> str:
    return await info.context.resolve(value, kinds, argument)


async def exposure(
    info: Info,
    product: strawberry.ID,
    country: str,
    material_class: strawberry.ID | None = None,
    paths: int = 5,
) -> t.ExposureResult | None:
    """Share of the product's input requirement traced to production in the country (Leontief)."""
    if not 0 <= paths <= MAX_PATHS:
        raise InputError(f"paths must be between 0 and {MAX_PATHS}")
    where, item = await _country(info, country), await _named(info, product, ITEMS, "product")
    cls = await _named(info, material_class, (Kind.MATERIAL_CLASS,), "materialClass") if material_class else None
    analysis = await _analysis(info)
    try:
        found = await asyncio.to_thread(exp.exposure, analysis, item, where, cls, paths)
    except NotFound:
        return None
    return t.exposure_result(analysis.facts, found)


async def concentration(
    info: Info,
    material: strawberry.ID,
    year: int | None = None,
    stage: str | None = None,
    source: t.ConcentrationSource = t.ConcentrationSource.STATISTICS,
    top: int = 10,
    edition: str | None = None,
    dataset: str | None = None,
) -> t.ConcentrationResult | None:
    """Country shares and HHI of a material from statistics or trade flows, with the firm view."""
    if not 1 <= top <= info.context.settings.max_page_size:
        raise InputError(f"top must be between 1 and {info.context.settings.max_page_size}, got {top}")
    # Trade figures may be asked of an HS code itself.
    traded = hs_iri(material) if source is t.ConcentrationSource.TRADE else None
    iri = traded or await _named(info, material, MATERIALS, "material")
    graph = _dataset(dataset)
    analysis = await _analysis(info)
    try:
        found = await asyncio.to_thread(conc.concentration, analysis, iri, year, stage, source.value, edition, graph)
    except NotFound:
        return None
    try:
        firms = await asyncio.to_thread(conc.by_firm, analysis, iri)
    except NotFound:
        firms = None
    return t.concentration_result(analysis.facts, found, top, firms)


async def single_points_of_failure(
    info: Info, product: strawberry.ID, first: int = 20
) -> list[t.SinglePointOfFailure] | None:
    """Upstream inputs with a single facility, firm or country, by dependent end products."""
    iri = await _named(info, product, ITEMS, "product")
    analysis = await _analysis(info)
    try:
        found = await asyncio.to_thread(spof.single_points_of_failure, analysis, iri)
    except NotFound:
        return None
    return [t.single_point(analysis.facts, s) for s in found[: info.context.page_size(first)]]


async def restriction_impact(
    info: Info,
    as_of: date | None = None,
    control: strawberry.ID | None = None,
    country: str | None = None,
    materials: list[strawberry.ID] | None = None,
    targets: list[str] | None = None,
) -> t.ImpactResult:
    """Products and firms an export control (in the graph, or ad hoc) cuts off on ``asOf`` (default: today)."""
    where = await _country(info, country) if country else None
    aimed = [await _country(info, c, "targets") for c in targets or []]
    named = await _named(info, control, (Kind.CONTROL,), "control") if control else None
    items = [await _named(info, m, MATERIALS, "materials") for m in materials or []]
    analysis = await _analysis(info)
    found = await asyncio.to_thread(
        impact.restriction_impact, analysis, as_of or date.today(), named, where, items, aimed
    )
    return t.impact_result(analysis.facts, found)


async def alternative_suppliers(
    info: Info, material: strawberry.ID, exclude_country: str, trusted_by: str | None = None
) -> t.AlternativesResult:
    """Facilities in other (optionally allied) countries, their capacity, and the shortfall."""
    iri = await _named(info, material, MATERIALS, "material")
    excluded = await _country(info, exclude_country, "excludeCountry")
    trusted = await _country(info, trusted_by, "trustedBy") if trusted_by else None
    analysis = await _analysis(info)
    found = await asyncio.to_thread(alt.alternative_suppliers, analysis, iri, excluded, trusted)
    return t.alternatives_result(analysis.facts, found)


@strawberry.input(description="A what-if: countries, facilities or firms removed, or a country's export share capped.")
class ScenarioInput:
    remove_countries: list[str] = strawberry.field(default_factory=list)
    remove_facilities: list[strawberry.ID] = strawberry.field(default_factory=list)
    remove_firms: list[strawberry.ID] = strawberry.field(default_factory=list)
    cap_country: str | None = None
    cap_share: float | None = None
    materials: list[strawberry.ID] = strawberry.field(default_factory=list)


async def run_scenario(info: Info, input: ScenarioInput) -> t.ImpactResult:
    """The impact report of a scenario; the stored graph is not changed."""
    spec = scenario.Scenario(
        remove_countries=tuple([await _country(info, c, "removeCountries") for c in input.remove_countries]),
        remove_facilities=tuple(
            [await _named(info, f, (Kind.FACILITY,), "removeFacilities") for f in input.remove_facilities]
        ),
        remove_firms=tuple([await _named(info, f, (Kind.FIRM,), "removeFirms") for f in input.remove_firms]),
        cap_country=await _country(info, input.cap_country, "capCountry") if input.cap_country else None,
        cap_share=input.cap_share,
        materials=tuple([await _named(info, m, MATERIALS, "materials") for m in input.materials]),
    )
    analysis = await _analysis(info)
    found = await asyncio.to_thread(scenario.run_scenario, analysis, spec)
    return t.impact_result(analysis.facts, found)


async def export_controls(
    info: Info,
    country: str | None = None,
    material: strawberry.ID | None = None,
    in_force_on: date | None = None,
    first: int = 50,
    after: str | None = None,
) -> list[ExportControl]:
    """Export controls imposed by a country, covering a material (by the coverage rule), in force on a date."""
    size = info.context.page_size(first)
    where = await _country(info, country) if country else None
    item = await _named(info, material, MATERIALS, "material") if material else None
    analysis = await _analysis(info)
    found = await asyncio.to_thread(controls.find_controls, analysis, where, item, in_force_on)
    iris = [c.iri for c in found if c.iri is not None]
    if after is not None:
        if after not in iris:
            raise InputError(f"after: {after!r} is not a control of this list")
        iris = iris[iris.index(after) + 1 :]
    return [ExportControl(id=strawberry.ID(i)) for i in iris[:size]]


@strawberry.type
class AnalyticsQuery:
    exposure: t.ExposureResult | None = strawberry.field(
        resolver=exposure,
        description="Share of a product's input requirement traced to production in a country (code or IRI), "
        "optionally only of a material class, with the top contributing paths; null for an unknown product.",
    )
    concentration: t.ConcentrationResult | None = strawberry.field(
        resolver=concentration,
        description="Country shares and HHI of a material (statistics: USGS production; trade: exports by HS code); "
        "null when there are no figures.",
    )
    single_points_of_failure: list[t.SinglePointOfFailure] | None = strawberry.field(
        resolver=single_points_of_failure,
        description="Inputs upstream of a product with a single supplying facility, firm or country.",
    )
    restriction_impact: t.ImpactResult = strawberry.field(
        resolver=restriction_impact,
        description="Products and firms affected by an export control (an IRI, or country + materials) on a date.",
    )
    alternative_suppliers: t.AlternativesResult = strawberry.field(
        resolver=alternative_suppliers,
        description="Facilities making a material outside a country, optionally only in allies of trustedBy.",
    )
    export_controls: list[ExportControl] = strawberry.field(
        resolver=export_controls,
        description="Export controls, filtered by imposing country, a covered material or class (its forms and "
        "members count) and the day they are in force; first/after page through them (after: a control's id).",
    )
    scenario: t.ImpactResult = strawberry.field(
        resolver=run_scenario, description="The impact report of a what-if scenario, without changing the graph."
    )
