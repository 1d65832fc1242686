"""GraphQL entity types: places, firms, items and controls.  Thin: each field is one call to a DataLoader or the index.

Every entity has ``id`` (its IRI) and ``label``.  Lists that can grow with
the data take ``first`` (at most ``max_page_size``).
"""

from __future__ import annotations

import asyncio
from datetime import date

import strawberry

from ontology import vocab as v
from service.analysis import find_controls
from service.gql.context import Info, depth_limit
from service.gql.enums import Stage
from service.gql.fields import control_state_of, incoming, number, props
from service.gql.production import Figure, figures
from service.index import NodeKind
from service.index import search as graph_search


@strawberry.interface(description="Anything with an IRI and a label.")
class Entity:
    id: strawberry.ID = strawberry.field(description="The IRI.")

    @strawberry.field(description="Human-readable label (English preferred, else the IRI's last segment).")
    async def label(self, info: Info) -> str:
        return (await info.context.loaders.props.load(self.id)).label


async def entity(info: Info, iri: str) -> Entity:
    """The entity of ``iri`` as its most specific type, known from the index."""
    index = await info.context.index()
    node = index.lookup(iri)
    return entity_of_kind(iri, int(index.kind[node]) if node is not None else 0)


def entity_of_kind(iri: str, bits: int) -> Entity:
    """The GraphQL type for a node with index kind ``bits``."""
    by_bit: tuple[tuple[NodeKind, type[Entity]], ...] = (
        (NodeKind.PRODUCT, Product),
        (NodeKind.MATERIAL, Material),
        (NodeKind.FACILITY, Facility),
        (NodeKind.FIRM, Firm),
        (NodeKind.COUNTRY, Country),
        (NodeKind.MATERIAL_CLASS, MaterialClass),
        (NodeKind.ALLIANCE, Alliance),
        (NodeKind.EXPORT_CONTROL, ExportControl),
        (NodeKind.OTHER_ITEM, Material),  # typed only sg:Item: shown as a material
    )
    for bit, cls in by_bit:
        if bits & bit:
            return cls(id=strawberry.ID(iri))
    return Thing(id=strawberry.ID(iri))


@strawberry.type(description="An entity of no more specific type (for example an HS code).")
class Thing(Entity):
    pass


@strawberry.type(description="A country, with its ISO and trade codes.")
class Country(Entity):
    @strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. CN.")
    async def iso2(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.ISO2)

    @strawberry.field(description="ISO 3166-1 alpha-3 code, e.g. CHN.")
    async def iso3(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.ISO3)

    @strawberry.field(description="ISO 3166-1 numeric code, e.g. 156.")
    async def iso_numeric(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.ISO_NUMERIC)

    @strawberry.field(description="Code used by BACI and UN Comtrade (differs from ISO for a few countries).")
    async def trade_code(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.TRADE_CODE)

    @strawberry.field(description="Alliances the country belongs to.")
    async def alliances(self, info: Info) -> list[Alliance]:
        return [Alliance(id=strawberry.ID(i)) for i in (await props(info, self.id)).iris(v.MEMBER_OF)]

    @strawberry.field(description="Facilities located in the country.")
    async def facilities(self, info: Info, first: int = 50) -> list[Facility]:
        return [Facility(id=strawberry.ID(i)) for i in await incoming(info, self.id, v.LOCATED_IN, first)]

    @strawberry.field(description="Firms headquartered in the country.")
    async def firms(self, info: Info, first: int = 50) -> list[Firm]:
        return [Firm(id=strawberry.ID(i)) for i in await incoming(info, self.id, v.HEADQUARTERED_IN, first)]

    @strawberry.field(description="The country's production by material and year, with its share of the total.")
    async def production_shares(self, info: Info, year: int | None = None) -> list[ProductionFigure]:
        rows = await info.context.loaders.statistics.load(self.id)
        return [ProductionFigure.of(f) for f in figures(rows, country=self.id, year=year)]

    @strawberry.field(description="Export controls the country imposes.")
    async def export_controls(self, info: Info) -> list[ExportControl]:
        return [ExportControl(id=strawberry.ID(i)) for i in await incoming(info, self.id, v.IMPOSED_BY)]


@strawberry.type(description="A group of countries (G7, Minerals Security Partnership...).")
class Alliance(Entity):
    @strawberry.field(description="Member countries.")
    async def members(self, info: Info) -> list[Country]:
        return [Country(id=strawberry.ID(i)) for i in await incoming(info, self.id, v.MEMBER_OF)]


@strawberry.type(description="A supplier or buyer of a firm or facility, for an item when stated.")
class SupplyLink:
    partner: Entity
    item: Entity | None
    share: float | None = strawberry.field(description="Share of the buyer's need of the item, 0..1.")


async def _links(info: Info, iri: str, role: str) -> list[SupplyLink]:
    loaders = info.context.loaders
    seen: dict[tuple[str, str | None], SupplyLink] = {}
    for row in await (loaders.suppliers if role == "supplier" else loaders.buyers).load(iri):
        item = row.get("item")
        key = (row["partner"].value, item.value if item else None)
        if key not in seen:
            share = number(row.get("share"))
            seen[key] = SupplyLink(
                partner=await entity(info, key[0]),
                item=await entity(info, key[1]) if key[1] else None,
                share=share,
            )
    return list(seen.values())


@strawberry.type(description="A firm: headquarters, facilities, ownership and supply relations.")
class Firm(Entity):
    @strawberry.field(description="Country of the headquarters.")
    async def country(self, info: Info) -> Country | None:
        found = (await props(info, self.id)).first_iri(v.HEADQUARTERED_IN)
        return Country(id=strawberry.ID(found)) if found else None

    @strawberry.field(description="Facilities the firm operates.")
    async def facilities(self, info: Info, first: int = 50) -> list[Facility]:
        return [Facility(id=strawberry.ID(i)) for i in await incoming(info, self.id, v.OPERATED_BY, first)]

    @strawberry.field(description="Majority owner (sg:subsidiaryOf), else any owner (sg:ownedBy).")
    async def owner(self, info: Info) -> Entity | None:
        own = await props(info, self.id)
        found = own.first_iri(v.SUBSIDIARY_OF) or own.first_iri(v.OWNED_BY)
        return await entity(info, found) if found else None

    @strawberry.field(description="Firms that are subsidiaries of this one.")
    async def subsidiaries(self, info: Info) -> list[Firm]:
        return [Firm(id=strawberry.ID(i)) for i in await incoming(info, self.id, v.SUBSIDIARY_OF)]

    @strawberry.field(description="Who supplies this firm.")
    async def suppliers(self, info: Info) -> list[SupplyLink]:
        return await _links(info, self.id, "supplier")

    @strawberry.field(description="Whom this firm supplies.")
    async def supplies(self, info: Info) -> list[SupplyLink]:
        return await _links(info, self.id, "buyer")


@strawberry.type(description="A mine, refinery, plant or factory.")
class Facility(Entity):
    @strawberry.field(description="Facility type (IRI of a sg:FacilityType).")
    async def facility_type(self, info: Info) -> str | None:
        return (await props(info, self.id)).first_iri(v.FACILITY_TYPE_P)

    @strawberry.field(description="Country the facility is located in.")
    async def location(self, info: Info) -> Country | None:
        found = (await props(info, self.id)).first_iri(v.LOCATED_IN)
        return Country(id=strawberry.ID(found)) if found else None

    @strawberry.field(description="Firm operating the facility.")
    async def operator(self, info: Info) -> Firm | None:
        found = (await props(info, self.id)).first_iri(v.OPERATED_BY)
        return Firm(id=strawberry.ID(found)) if found else None

    @strawberry.field(description="Items the facility produces.")
    async def produces(self, info: Info) -> list[Entity]:
        return [await entity(info, i) for i in (await props(info, self.id)).iris(v.PRODUCES)]

    @strawberry.field(description="Annual capacity, in the facility's capacity unit.")
    async def capacity(self, info: Info) -> float | None:
        value = (await props(info, self.id)).literal(v.CAPACITY)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    @strawberry.field(description="Who supplies this facility.")
    async def suppliers(self, info: Info) -> list[SupplyLink]:
        return await _links(info, self.id, "supplier")

    @strawberry.field(description="Whom this facility supplies.")
    async def supplies(self, info: Info) -> list[SupplyLink]:
        return await _links(info, self.id, "buyer")


@strawberry.type(description="An export control: who imposes it, on what, under which instrument.")
class ExportControl(Entity):
    @strawberry.field(description="Imposing country.")
    async def imposed_by(self, info: Info) -> Country | None:
        found = (await props(info, self.id)).first_iri(v.IMPOSED_BY)
        return Country(id=strawberry.ID(found)) if found else None

    @strawberry.field(description="Materials and material classes covered.")
    async def covers(self, info: Info) -> list[Entity]:
        return [await entity(info, i) for i in (await props(info, self.id)).iris(v.COVERS_MATERIAL)]

    @strawberry.field(description="Legal instrument, e.g. an announcement number.")
    async def instrument(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.INSTRUMENT)

    @strawberry.field(description="Status: InForce, Suspended, Revoked or AnnouncedOnly.")
    async def status(self, info: Info) -> str | None:
        found = (await props(info, self.id)).first_iri(v.STATUS)
        return found.rsplit("#", 1)[-1] if found else None

    @strawberry.field(description="Date announced (ISO 8601).")
    async def announced(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.ANNOUNCED)

    @strawberry.field(description="Date in effect (ISO 8601).")
    async def effective(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.EFFECTIVE)

    @strawberry.field(description="First day of its suspension (ISO 8601); suspended on days from <= d < until.")
    async def suspended_from(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.SUSPENDED_FROM)

    @strawberry.field(description="Day it is in force again after its suspension (ISO 8601); none: until notice.")
    async def suspended_until(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.SUSPENDED_UNTIL)

    @strawberry.field(description="Countries it targets; empty: every country but the imposing one.")
    async def targets(self, info: Info) -> list[Country]:
        return [Country(id=strawberry.ID(i)) for i in (await props(info, self.id)).iris(v.TARGET_COUNTRY)]

    @strawberry.field(description="Whether it is in force on asOf (default: today), by the one rule of the docs.")
    async def in_force(self, info: Info, as_of: date | None = None) -> bool:
        return control_state_of(await props(info, self.id), as_of or date.today())[0]


@strawberry.type(description="A quantity produced by a country in a year, with its share and where both come from.")
class ProductionFigure:
    material: Entity
    country: Country
    year: int
    stage: Stage | None
    quantity: float | None
    unit: str | None
    edition: str | None
    dataset: str | None = strawberry.field(description="The named graph of the dataset the figure was loaded from.")
    share: float | None = strawberry.field(
        description="Share of the denominator of the same dataset and edition: its world total, else the sum of rows."
    )
    basis: str = strawberry.field(description="Which statistics count and what the share divides by.")

    @classmethod
    def of(cls, figure: Figure) -> ProductionFigure:
        s = figure.statistic
        return cls(
            material=Material(id=strawberry.ID(s.material)),
            country=Country(id=strawberry.ID(s.country)),
            year=s.year,
            stage=Stage(s.stage) if s.stage in v.STAGES else None,
            quantity=s.quantity,
            unit=s.unit,
            edition=s.edition,
            dataset=s.dataset,
            share=figure.share,
            basis=figure.basis,
        )


@strawberry.type(description="One line of a bill of materials.")
class BomLine:
    item: Entity
    share: float | None = strawberry.field(description="Share of the product, 0..1.")


@strawberry.type(description="An HS code an item is classified under.")
class HSCode(Entity):
    @strawberry.field(description="The code, e.g. 280530.")
    async def code(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.SKOS_NOTATION)


@strawberry.interface(description="A material or a product.")
class Item(Entity):
    @strawberry.field(description="Supply-chain stage.")
    async def stage(self, info: Info) -> Stage | None:
        found = (await props(info, self.id)).first_iri(v.STAGE_P)
        return Stage(found) if found in v.STAGES else None

    @strawberry.field(description="Facilities (or firms) producing the item.")
    async def producers(self, info: Info, first: int = 50) -> list[Entity]:
        return [await entity(info, i) for i in await incoming(info, self.id, v.PRODUCES, first)]

    @strawberry.field(description="Products whose bill of materials lists this item directly.")
    async def used_in(self, info: Info) -> list[BomLine]:
        rows = await info.context.loaders.used_in.load(self.id)
        return [BomLine(item=await entity(info, r["product"].value), share=number(r.get("share"))) for r in rows]

    @strawberry.field(description="HS codes the item is classified under.")
    async def hs_codes(self, info: Info) -> list[HSCode]:
        return [HSCode(id=strawberry.ID(i)) for i in (await props(info, self.id)).iris(v.HS_CODE)]

    @strawberry.field(
        description="Export controls covering the item by the one coverage rule: it, a form of it, a class it "
        "belongs to or, narrowed to the named materials, an HS code it is classified under; instrument order."
    )
    async def export_controls(self, info: Info) -> list[ExportControl]:
        analysis = await info.context.analysis()
        found = await asyncio.to_thread(find_controls, analysis, None, self.id)
        return [ExportControl(id=strawberry.ID(c.iri)) for c in found if c.iri is not None]


@strawberry.type(description="A raw or processed material (element, oxide, alloy...).")
class Material(Item):
    @strawberry.field(description="Classes the material belongs to directly.")
    async def material_classes(self, info: Info) -> list[MaterialClass]:
        return [MaterialClass(id=strawberry.ID(i)) for i in (await props(info, self.id)).iris(v.MATERIAL_CLASS_P)]

    @strawberry.field(description="Every class above the material, nearest first (via skos:broader and formOf).")
    async def class_hierarchy(self, info: Info) -> list[MaterialClass]:
        return [MaterialClass(id=strawberry.ID(i)) for i in await class_ancestors(info, self.id)]

    @strawberry.field(description="The element this material is a form of (an oxide of neodymium...).")
    async def form_of(self, info: Info) -> Material | None:
        found = (await props(info, self.id)).first_iri(v.FORM_OF)
        return Material(id=strawberry.ID(found)) if found else None

    @strawberry.field(description="Chemical symbol of an element.")
    async def chemical_symbol(self, info: Info) -> str | None:
        return (await props(info, self.id)).text(v.CHEMICAL_SYMBOL)

    @strawberry.field(description="Production by country and year, with shares.")
    async def production(self, info: Info, year: int | None = None) -> list[ProductionFigure]:
        rows = await info.context.loaders.statistics.load(self.id)
        return [ProductionFigure.of(f) for f in figures(rows, year=year) if f.statistic.material == self.id]


@strawberry.type(description="A manufactured product: component or end product.")
class Product(Item):
    @strawberry.field(description="Direct inputs with their shares.")
    async def inputs(self, info: Info) -> list[BomLine]:
        rows = await info.context.loaders.inputs.load(self.id)
        return [BomLine(item=await entity(info, r["input"].value), share=number(r.get("share"))) for r in rows]

    @strawberry.field(description="Products that use this one, directly or through other products.")
    async def dependents(self, info: Info, max_depth: int = 10, first: int = 50) -> list[Item]:
        return await bom_users(info, self.id, max_depth, first)


@strawberry.type(description="A class of materials (rare earths, light rare earths...), a SKOS tree.")
class MaterialClass(Entity):
    @strawberry.field(description="The class directly above.")
    async def broader(self, info: Info) -> MaterialClass | None:
        found = (await props(info, self.id)).first_iri(v.SKOS_BROADER)
        return MaterialClass(id=strawberry.ID(found)) if found else None

    @strawberry.field(description="Classes directly below.")
    async def narrower(self, info: Info) -> list[MaterialClass]:
        return [MaterialClass(id=strawberry.ID(i)) for i in await incoming(info, self.id, v.SKOS_BROADER)]

    @strawberry.field(description="Materials directly in this class.")
    async def materials(self, info: Info, first: int = 50) -> list[Material]:
        return [Material(id=strawberry.ID(i)) for i in await incoming(info, self.id, v.MATERIAL_CLASS_P, first)]


async def class_ancestors(info: Info, iri: str) -> list[str]:
    """IRIs of the classes above a material, nearest first."""
    index = await info.context.index()
    node = index.lookup(iri)
    return [] if node is None else index.iris(graph_search.ancestors(index, node))


async def bom_users(info: Info, iri: str, max_depth: int, first: int) -> list[Item]:
    """Items using ``iri`` through bills of materials, nearest first."""
    size = info.context.page_size(first)
    index = await info.context.index()
    node = index.lookup(iri)
    if node is None:
        return []
    found = (await asyncio.to_thread(graph_search.users, index, node, depth_limit(max_depth)))[:size]
    return [entity_of_kind(index.iri(n), int(index.kind[n])) for n in found]  # type: ignore[misc]
