"""The GraphQL schema: root fields, hardening extensions, error masking.

Limits come from settings: query depth, aliases, tokens (checked before
execution) and page size (checked by each connection).  Client mistakes
(:class:`~service.errors.BadRequest` and its subclasses, validation errors)
are shown as they are; anything unexpected is masked as "Unexpected error."
and logged.
"""

from __future__ import annotations

import logging

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from service.errors import SupplyGraphError
from service.gql import resolvers as r
from service.gql.analytics import AnalyticsQuery
from service.gql.connection import DependencyPath, DependentConnection
from service.gql.cost import cost_rule
from service.gql.types import (
    Alliance,
    Country,
    Entity,
    ExportControl,
    Facility,
    Firm,
    HSCode,
    Material,
    MaterialClass,
    Product,
    Thing,
)
from service.settings import Settings

log = logging.getLogger("supplygraph")


@strawberry.type(description="Supply-network knowledge graph: countries, firms, facilities, materials, products.")
class Query(AnalyticsQuery):
    country: Country | None = strawberry.field(
        resolver=r.country, description="A country by ISO code (CN, CHN or 156) or IRI; null if unknown."
    )
    firm: Firm | None = strawberry.field(resolver=r.firm, description="A firm by short id or IRI; null if unknown.")
    facility: Facility | None = strawberry.field(
        resolver=r.facility, description="A facility by short id or IRI; null if unknown."
    )
    material: Material | None = strawberry.field(
        resolver=r.material, description="A material by short id or IRI; null if unknown."
    )
    product: Product | None = strawberry.field(
        resolver=r.product, description="A product by short id or IRI; null if unknown."
    )
    entity: Entity | None = strawberry.field(
        resolver=r.entity,
        description="Any entity (country, firm, facility, item, class, alliance, control...) by IRI, as its most "
        "specific type; null if unknown.",
    )
    search: list[Entity] = strawberry.field(
        resolver=r.search,
        description="Entities whose label, notation or instrument contains the text (case-insensitive): exact "
        "matches first, then prefixes, then the rest; types filters by entity type.",
    )
    dependents: DependentConnection = strawberry.field(
        resolver=r.dependents,
        description=(
            "Products (or, with includeAllItems, all items) that rely on a material or material class produced in "
            "a country, each with its shortest dependency path; ordered by depth then IRI, paged with cursors."
        ),
    )
    dependency_paths: list[DependencyPath] = strawberry.field(
        resolver=r.dependency_paths,
        description="Several shortest paths from a product to distinct sources of the material in the country.",
    )


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False  # syntax, validation and limit errors are the client's to see
    if isinstance(original, SupplyGraphError) and original.status < 500:
        return False
    log.error("graphql resolver failed", exc_info=original)
    return True


CACHED_DOCUMENTS = 256
"""Distinct query texts whose parse and validation are kept (an LRU: unique texts cannot grow memory)."""


def validation_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """The limits every document is checked against besides the specification's: depth, aliases, cost."""
    return [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        cost_rule(settings.max_query_cost, settings.max_page_size),
    ]


def make_schema(settings: Settings) -> strawberry.Schema:
    """The schema with limits taken from ``settings``.

    Front ends send a few fixed documents with variables, so parsing and
    validating each text once is most of the work of a lookup saved.  The
    validation cache is keyed by the rule classes too, so the limit rules are
    made once here, not per request; none of them reads variables, so a
    cached verdict holds for any.
    """
    rules = validation_rules(settings)
    return strawberry.Schema(
        query=Query,
        types=[Thing, Country, Alliance, Firm, Facility, ExportControl, Material, Product, MaterialClass, HSCode],
        # Factories, so each request gets fresh extension instances.
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
            lambda: AddValidationRules(rules),
            lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
            lambda: MaskErrors(should_mask_error=_should_mask),
        ],
    )
