"""GraphQL types of dependency answers: the Relay-style connection, its edges and paths."""

from __future__ import annotations

from enum import Enum

import strawberry

from service.gql.types import Entity, Item


@strawberry.enum(description="How a path step depends on the next one.")
class DependencyKind(Enum):
    BOM = "BOM"
    PRODUCED_BY = "PRODUCED_BY"
    SUPPLY = "SUPPLY"
    LOCATED_IN = "LOCATED_IN"
    OPERATED_BY = "OPERATED_BY"
    HEADQUARTERED_IN = "HEADQUARTERED_IN"
    STATISTIC = "STATISTIC"


@strawberry.type(description="One node of a dependency path and the link that led to it from the previous node.")
class PathStep:
    entity: Entity
    via: DependencyKind | None = strawberry.field(description="Link from the previous step; null for the first.")
    share: float | None = strawberry.field(description="BOM or supply share of that link, 0..1, when stated.")
    item: Entity | None = strawberry.field(description="Item supplied, for SUPPLY links that name one.")


@strawberry.type(description="A dependency path: from a product down to the country that produces its input.")
class DependencyPath:
    steps: list[PathStep]

    @strawberry.field(description="Number of links in the path (steps minus one).")
    def length(self) -> int:
        return len(self.steps) - 1


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="A dependent item with its shortest path to the country.")
class DependentEdge:
    cursor: str
    node: Item
    depth: int = strawberry.field(description="Dependency links from the item to the material it relies on.")
    path: DependencyPath


@strawberry.type(description="Items that rely on a material (or class) produced in a country; ordered by depth, IRI.")
class DependentConnection:
    total_count: int
    edges: list[DependentEdge]
    page_info: PageInfo
