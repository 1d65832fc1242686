"""GraphQL types of the resilience analytics, converted from :mod:`service.analysis` results."""

from __future__ import annotations

from enum import Enum

import strawberry

from service.analysis.alternatives import Alternatives
from service.analysis.concentration import Concentration
from service.analysis.exposure import Exposure
from service.analysis.facts import Facts
from service.analysis.report import AffectedProduct, ImpactReport
from service.analysis.spof import SinglePoint


@strawberry.enum(description="Where concentration figures come from.")
class ConcentrationSource(Enum):
    STATISTICS = "statistics"
    TRADE = "trade"
    CAPACITY = "capacity"


@strawberry.type(description="An entity referred to by an analysis: its IRI and label.")
class Ref:
    id: strawberry.ID
    label: str


def entity_ref(facts: Facts, iri: str) -> Ref:
    """The IRI with its label."""
    return Ref(id=strawberry.ID(iri), label=facts.label(iri))


def ref(facts: Facts, iri: str | None) -> Ref | None:
    """The IRI with its label, or None."""
    return None if iri is None else entity_ref(facts, iri)


@strawberry.type(description="One node of a contributing path: an item, supplied by a facility or firm if any.")
class ExposureStep:
    kind: str = strawberry.field(description="item (the market of an item), site (a facility) or firm.")
    item: Ref
    supplier: Ref | None
    country: Ref | None
    share: float = strawberry.field(description="Share of the previous step's requirement met by this one.")


@strawberry.type(description="A path from the product to primary production and the share it carries.")
class ContributingPath:
    contribution: float
    origin: str = strawberry.field(description="How the origin of the last step was found.")
    steps: list[ExposureStep]


@strawberry.type(description="A data problem met on the way (shares not adding up to 1, missing shares).")
class DataIssue:
    subject: strawberry.ID
    kind: str
    message: str


@strawberry.type(description="Share of a product's input requirement traced to production in a country.")
class ExposureResult:
    product: Ref
    country: Ref
    material_class: Ref | None
    share: float
    traced: float = strawberry.field(description="Share of the requirement whose origin is known (any country).")
    paths: list[ContributingPath]
    issues: list[DataIssue]


def exposure_result(facts: Facts, e: Exposure) -> ExposureResult:
    paths = [
        ContributingPath(
            contribution=p.contribution,
            origin=p.origin,
            steps=[
                ExposureStep(
                    kind=s.kind,
                    item=entity_ref(facts, s.item),
                    supplier=ref(facts, s.actor),
                    country=ref(facts, s.country),
                    share=s.share,
                )
                for s in p.steps
            ],
        )
        for p in e.paths
    ]
    issues = [DataIssue(subject=strawberry.ID(i.subject), kind=i.kind, message=i.message) for i in e.issues]
    country = entity_ref(facts, e.country)
    product = entity_ref(facts, e.product)
    return ExposureResult(
        product=product,
        country=country,
        material_class=ref(facts, e.material_class),
        share=e.share,
        traced=e.traced,
        paths=paths,
        issues=issues,
    )


@strawberry.type(description="A country's (or firm's) amount and share of the total.")
class ShareRow:
    who: Ref
    amount: float
    share: float


@strawberry.type(description="Country or firm shares of a material and the Herfindahl–Hirschman index (0–10,000).")
class ConcentrationResult:
    material: Ref
    year: int | None
    stage: str | None
    source: ConcentrationSource
    basis: str
    total: float
    total_reported: bool = strawberry.field(description="The total is a reported world figure, not a sum of rows.")
    hhi: float = strawberry.field(description="HHI over named countries (a lower bound when 'other' is present).")
    hhi_upper: float = strawberry.field(description="HHI counting 'other countries' as one country.")
    other_share: float
    top: list[ShareRow]
    by_firm: ConcentrationResult | None = strawberry.field(description="Capacity by operator, where firm data exist.")


def concentration_result(
    facts: Facts, c: Concentration, top: int, by_firm: Concentration | None = None
) -> ConcentrationResult:
    return ConcentrationResult(
        material=entity_ref(facts, c.material),
        year=c.year,
        stage=c.stage,
        source=ConcentrationSource(c.source),
        basis=c.basis,
        total=c.total,
        total_reported=c.total_reported,
        hhi=c.hhi,
        hhi_upper=c.hhi_upper,
        other_share=c.other_share,
        top=[ShareRow(who=entity_ref(facts, s.who), amount=s.amount, share=s.share) for s in c.top(top)],
        by_firm=None if by_firm is None else concentration_result(facts, by_firm, top),
    )


@strawberry.type(description="An upstream item that depends on a single facility, firm or country.")
class SinglePointOfFailure:
    item: Ref
    single: list[str] = strawberry.field(description="What there is only one of: facility, firm, country.")
    facilities: list[Ref]
    firms: list[Ref]
    countries: list[Ref]
    dependent_end_products: int
    share: float = strawberry.field(description="Share of the product's requirement passing through the item.")


def single_point(facts: Facts, s: SinglePoint) -> SinglePointOfFailure:
    def refs(iris: list[str]) -> list[Ref]:
        return [entity_ref(facts, i) for i in iris]

    return SinglePointOfFailure(
        item=entity_ref(facts, s.item),
        single=s.single,
        facilities=refs(s.facilities),
        firms=refs(s.firms),
        countries=refs(s.countries),
        dependent_end_products=s.dependent_end_products,
        share=s.share,
    )


@strawberry.type(description="A BOM input of an affected product and how much of it is lost.")
class InputLossRow:
    item: Ref
    bom_share: float
    lost_share: float
    contribution: float


@strawberry.type(description="A product losing part of its input requirement.")
class AffectedProductRow:
    product: Ref
    stage: str | None
    lost_share: float
    inputs: list[InputLossRow]


@strawberry.type(description="A facility losing part of its input requirement.")
class AffectedFacilityRow:
    facility: Ref
    item: Ref
    country: Ref | None
    lost_share: float


@strawberry.type(description="A firm and its affected facilities.")
class AffectedFirmRow:
    firm: Ref
    lost_share: float
    facilities: list[AffectedFacilityRow]


@strawberry.type(description="Products and firms an export control or a scenario cuts off.")
class ImpactResult:
    description: str
    in_force: bool
    status: str
    covered: list[Ref]
    products: list[AffectedProductRow]
    end_products: list[AffectedProductRow]
    firms: list[AffectedFirmRow]
    at_risk: ImpactResult | None = strawberry.field(description="For a control not in force: what it would cut.")


def impact_result(facts: Facts, r: ImpactReport) -> ImpactResult:
    def product(p: AffectedProduct) -> AffectedProductRow:
        return AffectedProductRow(
            product=entity_ref(facts, p.product),
            stage=p.stage,
            lost_share=p.lost_share,
            inputs=[
                InputLossRow(
                    item=entity_ref(facts, i.item),
                    bom_share=i.bom_share,
                    lost_share=i.lost_share,
                    contribution=i.contribution,
                )
                for i in p.inputs
            ],
        )

    firms = [
        AffectedFirmRow(
            firm=entity_ref(facts, f.firm),
            lost_share=f.lost_share,
            facilities=[
                AffectedFacilityRow(
                    facility=entity_ref(facts, x.facility),
                    item=entity_ref(facts, x.item),
                    country=ref(facts, x.country),
                    lost_share=x.lost_share,
                )
                for x in f.facilities
            ],
        )
        for f in r.firms
    ]
    return ImpactResult(
        description=r.description,
        in_force=r.in_force,
        status=r.status,
        covered=[entity_ref(facts, i) for i in r.covered],
        products=[product(p) for p in r.products],
        end_products=[product(p) for p in r.end_products()],
        firms=firms,
        at_risk=None if r.at_risk is None else impact_result(facts, r.at_risk),
    )


@strawberry.type(description="A facility making the material in another country.")
class AlternativeFacility:
    facility: Ref
    firm: Ref | None
    country: Ref | None
    capacity: float | None
    unit: str | None


@strawberry.type(description="An alternative country: capacity, current production and spare capacity.")
class AlternativeCountry:
    country: Ref
    capacity: float | None = strawberry.field(
        description="Of its listed facilities; null: a producer by statistics only."
    )
    production: float | None
    spare: float


@strawberry.type(description="Alternative suppliers and whether they cover the lost volume.")
class AlternativesResult:
    material: Ref
    exclude_country: Ref
    trusted_by: Ref | None
    year: int | None
    lost_volume: float | None
    lost_basis: str
    unit: str | None = strawberry.field(
        description="Unit of every volume (a QUDT IRI): the statistics', else capacity."
    )
    facilities: list[AlternativeFacility]
    countries: list[AlternativeCountry]
    spare_capacity: float
    covered: bool | None
    shortfall: float | None = strawberry.field(description="Lost volume not covered by spare capacity, in unit.")
    shortfall_share: float | None = strawberry.field(description="The shortfall as a share of the lost volume.")
    notes: list[str]


def alternatives_result(facts: Facts, a: Alternatives) -> AlternativesResult:
    return AlternativesResult(
        material=entity_ref(facts, a.material),
        exclude_country=entity_ref(facts, a.exclude_country),
        trusted_by=ref(facts, a.trusted_by),
        year=a.year,
        lost_volume=a.lost_volume,
        lost_basis=a.lost_basis,
        unit=a.unit,
        facilities=[
            AlternativeFacility(
                facility=entity_ref(facts, f.facility),
                firm=ref(facts, f.firm),
                country=ref(facts, f.country),
                capacity=f.capacity,
                unit=f.unit,
            )
            for f in a.facilities
        ],
        countries=[
            AlternativeCountry(
                country=entity_ref(facts, c.country),
                capacity=c.capacity,
                production=c.production,
                spare=c.spare,
            )
            for c in a.countries
        ],
        spare_capacity=a.spare_capacity,
        covered=a.covered,
        shortfall=a.shortfall,
        shortfall_share=a.shortfall_share,
        notes=a.notes,
    )
