"""Root resolvers: plain functions over the dependency index and the named queries."""

from __future__ import annotations

import asyncio

import strawberry

from service.gql.connection import (
    DependencyKind,
    DependencyPath,
    DependentConnection,
    DependentEdge,
    PageInfo,
    PathStep,
)
from service.gql.context import Info, InputError, depth_limit
from service.gql.enums import EntityType, Stage
from service.gql.types import (
    Country,
    Entity,
    Facility,
    Firm,
    Material,
    Product,
    entity_of_kind,
)
from service.identifiers import ITEMS, Kind
from service.index import DependencyIndex
from service.index import search as graph_search
from service.store import Lit

MAX_PATHS = 20


async def country_iri(info: Info, code: str, argument: str = "country") -> str:
    """The IRI of the country ``code`` names (ISO alpha-2, alpha-3, numeric, trade code, label or IRI)."""
    return await info.context.resolve(code, (Kind.COUNTRY,), argument)


async def country(info: Info, code: str) -> Country | None:
    """A country by ISO alpha-2, alpha-3 or numeric code, trade code, label or IRI."""
    found = await info.context.find(code, (Kind.COUNTRY,), "code")
    return Country(id=strawberry.ID(found)) if found else None


async def firm(info: Info, id: strawberry.ID) -> Firm | None:
    """A firm by short id or IRI."""
    found = await info.context.find(id, (Kind.FIRM,), "id")
    return Firm(id=strawberry.ID(found)) if found else None


async def facility(info: Info, id: strawberry.ID) -> Facility | None:
    """A facility by short id or IRI."""
    found = await info.context.find(id, (Kind.FACILITY,), "id")
    return Facility(id=strawberry.ID(found)) if found else None


async def material(info: Info, id: strawberry.ID) -> Material | None:
    """A material by short id or IRI."""
    found = await info.context.find(id, (Kind.MATERIAL,), "id")
    return Material(id=strawberry.ID(found)) if found else None


async def product(info: Info, id: strawberry.ID) -> Product | None:
    """A product by short id or IRI."""
    found = await info.context.find(id, (Kind.PRODUCT,), "id")
    return Product(id=strawberry.ID(found)) if found else None


async def entity(info: Info, id: strawberry.ID) -> Entity | None:
    """Any entity by IRI, as its most specific type; null when the graph does not know the IRI."""
    index = await info.context.index()
    node = index.lookup(id)
    return entity_of_kind(id, int(index.kind[node])) if node is not None else None


async def search(info: Info, text: str, types: list[EntityType] | None = None, first: int = 20) -> list[Entity]:
    """Entities whose label, notation or instrument contains ``text``: exact matches, then prefixes, then the rest."""
    size = info.context.page_size(first)
    if len(text.strip()) < 2:
        raise InputError("search: text must have at least 2 characters")
    rows = await info.context.loaders.select("search_labels", {"text": Lit(text.strip())}, max_rows=50_000)
    wanted = {t.value for t in types or []}
    found: list[str] = []
    for row in rows:
        iri, kind = row["id"].value, row["type"].value
        if (not wanted or kind in wanted) and iri not in found:
            found.append(iri)
            if len(found) == size:
                break
    index = await info.context.index()
    return [entity_of_kind(i, _kind(index, i)) for i in found]


def _kind(index: DependencyIndex, iri: str) -> int:
    node = index.lookup(iri)
    return int(index.kind[node]) if node is not None else 0


async def _question(
    info: Info,
    country_code: str,
    material_iri: strawberry.ID | None,
    class_iri: strawberry.ID | None,
    stage: list[Stage] | None,
    via_operator: bool,
) -> graph_search.Question | None:
    """The index question, or None when the country is unknown (nothing can depend on it)."""
    if material_iri is None and class_iri is None:
        raise InputError("give material or materialClass (or both)")
    index = await info.context.index()
    materials: list[int] = []
    classes: list[int] = []
    for value, what, kinds, into in (
        (material_iri, "material", ITEMS, materials),
        (class_iri, "materialClass", (Kind.MATERIAL_CLASS,), classes),
    ):
        if value is not None:
            node = index.lookup(await info.context.resolve(value, kinds, what))
            assert node is not None  # resolved names are index nodes
            into.append(node)
    country_node = index.lookup(await country_iri(info, country_code))
    if country_node is None:
        return None
    stage_ids = tuple(sorted({list(Stage).index(s) for s in stage or []}))
    return graph_search.Question(country_node, tuple(materials), tuple(classes), stage_ids, via_operator)


def _path(index: DependencyIndex, steps: list[graph_search.Step]) -> DependencyPath:
    """A path found on the index as GraphQL steps (labels come from the batched hydration)."""
    out = []
    for s in steps:
        item = entity_of_kind(index.iri(s.item), int(index.kind[s.item])) if s.item is not None else None
        out.append(
            PathStep(
                entity=entity_of_kind(index.iri(s.node), int(index.kind[s.node])),
                via=DependencyKind(s.kind) if s.kind else None,
                share=s.share,
                item=item,
            )
        )
    return DependencyPath(steps=out)


async def _hydrate(info: Info, index: DependencyIndex, step_lists: list[list[graph_search.Step]]) -> None:
    """Load labels and properties of every node on the page with one batched query."""
    nodes = {s.node for steps in step_lists for s in steps} | {
        s.item for steps in step_lists for s in steps if s.item is not None
    }
    await info.context.loaders.props.load_many(index.iris(sorted(nodes)))


async def dependents(
    info: Info,
    country: str,
    material: strawberry.ID | None = None,
    material_class: strawberry.ID | None = None,
    stage: list[Stage] | None = None,
    max_depth: int = 10,
    first: int = 20,
    after: str | None = None,
    include_all_items: bool = False,
    via_operator: bool = False,
) -> DependentConnection:
    """Products (or all items) relying on a material or class produced in a country, one page."""
    size = info.context.page_size(first)
    depth = depth_limit(max_depth)
    question = await _question(info, country, material, material_class, stage, via_operator)
    if question is None:
        return DependentConnection(
            total_count=0,
            edges=[],
            page_info=PageInfo(has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None),
        )
    index = await info.context.index()
    page = await asyncio.to_thread(
        graph_search.dependents, index, question, max_depth=depth, all_items=include_all_items, first=size, after=after
    )
    await _hydrate(info, index, [r.path for r in page.results])
    edges = [
        DependentEdge(
            cursor=r.cursor,
            node=entity_of_kind(index.iri(r.node), int(index.kind[r.node])),  # type: ignore[arg-type]
            depth=r.depth,
            path=_path(index, r.path),
        )
        for r in page.results
    ]
    info_ = PageInfo(
        has_next_page=page.has_next,
        has_previous_page=page.has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return DependentConnection(total_count=page.total, edges=edges, page_info=info_)


async def dependency_paths(
    info: Info,
    product: strawberry.ID,
    country: str,
    material_class: strawberry.ID | None = None,
    material: strawberry.ID | None = None,
    stage: list[Stage] | None = None,
    max_paths: int = 5,
    via_operator: bool = False,
) -> list[DependencyPath]:
    """Several shortest paths from ``product`` to distinct places where the material comes from ``country``."""
    if not 1 <= max_paths <= MAX_PATHS:
        raise InputError(f"maxPaths must be between 1 and {MAX_PATHS}, got {max_paths}")
    question = await _question(info, country, material, material_class, stage, via_operator)
    index = await info.context.index()
    node = index.lookup(await info.context.resolve(product, ITEMS, "product"))
    if node is None or question is None:
        return []
    found = await asyncio.to_thread(graph_search.dependency_paths, index, node, question, max_paths)
    await _hydrate(info, index, found)
    return [_path(index, steps) for steps in found]
