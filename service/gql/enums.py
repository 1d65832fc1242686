"""GraphQL enums: supply-chain stages and the entity types search can return."""

from __future__ import annotations

from enum import Enum

import strawberry

from ontology import vocab as v


@strawberry.enum(description="Supply-chain stage of an item, upstream to downstream.")
class Stage(Enum):
    MINING = v.MINING
    REFINING = v.REFINING
    METAL_ALLOY = v.METAL
    COMPONENT = v.COMPONENT
    ASSEMBLY = v.ASSEMBLY


@strawberry.enum(description="Entity types that search can return.")
class EntityType(Enum):
    COUNTRY = v.COUNTRY
    FIRM = v.FIRM
    FACILITY = v.FACILITY
    MATERIAL = v.MATERIAL
    PRODUCT = v.PRODUCT
    MATERIAL_CLASS = v.MATERIAL_CLASS
    ALLIANCE = v.ALLIANCE
    EXPORT_CONTROL = v.EXPORT_CONTROL
