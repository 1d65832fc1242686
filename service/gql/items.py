"""GraphQL types of items: materials, products, their classes, bills of materials and production."""

from __future__ import annotations

import strawberry

from ontology import vocab as v
from service.gql.context import Info
from service.gql.types import Country, Entity, ExportControl, Stage, entity, incoming, number, props
from service.store import IRI, Lit, Row


@strawberry.type(description="A quantity produced by a country in a year.")
class ProductionFigure:
    material: Entity
    country: Country
    year: int
    stage: Stage | None
    quantity: float | None
    unit: str | None
    edition: str | None
    share: float | None = strawberry.field(description="Share of the reported total for the material and year.")

    @classmethod
    def of(cls, row: Row) -> ProductionFigure:
        quantity, total = number(row.get("quantity")), number(row.get("total"))
        stage = row.get("stage")
        year = row["year"]
        return cls(
            material=Material(id=strawberry.ID(row["material"].value)),
            country=Country(id=strawberry.ID(row["country"].value)),
            year=int(year.to_python()) if isinstance(year, Lit) else 0,
            stage=Stage(stage.value) if isinstance(stage, IRI) and stage.value in v.STAGES else None,
            quantity=quantity,
            unit=row["unit"].value if "unit" in row else None,
            edition=row["edition"].value if "edition" in row else None,
            share=quantity / total if quantity is not None and total else None,
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

    @strawberry.field(description="Export controls covering the item or any of its classes.")
    async def export_controls(self, info: Info) -> list[ExportControl]:
        from service.gql.resolvers import class_ancestors

        keys = [self.id, *await class_ancestors(info, self.id)]
        found = await info.context.loaders.incoming.load_many(keys)
        controls = sorted({c for links in found for c in links.get(v.COVERS_MATERIAL, [])})
        return [ExportControl(id=strawberry.ID(c)) for c in controls]


@strawberry.type(description="A raw or processed material (element, oxide, alloy...).")
class Material(Item):
    @strawberry.field(description="Classes the material belongs to directly.")
    async def material_classes(self, info: Info) -> list[MaterialClass]:
        return [MaterialClass(id=strawberry.ID(i)) for i in (await props(info, self.id)).iris(v.MATERIAL_CLASS_P)]

    @strawberry.field(description="Every class above the material, nearest first (via skos:broader and formOf).")
    async def class_hierarchy(self, info: Info) -> list[MaterialClass]:
        from service.gql.resolvers import class_ancestors

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
        return [f for f in map(ProductionFigure.of, rows) if f.material.id == self.id and year in (None, f.year)]


@strawberry.type(description="A manufactured product: component or end product.")
class Product(Item):
    @strawberry.field(description="Direct inputs with their shares.")
    async def inputs(self, info: Info) -> list[BomLine]:
        rows = await info.context.loaders.inputs.load(self.id)
        return [BomLine(item=await entity(info, r["input"].value), share=number(r.get("share"))) for r in rows]

    @strawberry.field(description="Products that use this one, directly or through other products.")
    async def dependents(self, info: Info, max_depth: int = 10, first: int = 50) -> list[Item]:
        from service.gql.resolvers import bom_users

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


ITEM_TYPES: tuple[type, ...] = (Material, Product, MaterialClass, HSCode)
