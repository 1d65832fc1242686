"""Helpers every entity field uses: a node's properties, its incoming links, numbers from literals.

Each is one DataLoader call, so a page of entities costs one batched query per kind of field.
"""

from __future__ import annotations

from datetime import date

from ontology import vocab as v
from service.analysis.controls import control_state
from service.gql.context import Info
from service.gql.dataloaders import Props
from service.store import Lit


async def props(info: Info, iri: str) -> Props:
    """The properties of ``iri`` (batched with every other node of the request)."""
    return await info.context.loaders.props.load(iri)


async def incoming(info: Info, iri: str, predicate: str, first: int | None = None) -> list[str]:
    """Subjects linking to ``iri`` with ``predicate`` (the first ``first``, if given)."""
    found = (await info.context.loaders.incoming.load(iri)).get(predicate, [])
    return found if first is None else found[: info.context.page_size(first)]


def number(term: object) -> float | None:
    if isinstance(term, Lit):
        value = term.to_python()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def control_state_of(found: Props, as_of: date) -> tuple[bool, str]:
    """Whether the export control with properties ``found`` is in force on ``as_of`` (the analytics' rule)."""
    return control_state(
        found.first_iri(v.STATUS),
        _day(found.text(v.EFFECTIVE)),
        _day(found.text(v.SUSPENDED_FROM)),
        _day(found.text(v.SUSPENDED_UNTIL)),
        as_of,
    )
