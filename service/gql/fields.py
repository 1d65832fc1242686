"""Helpers every entity field uses: a node's properties, its incoming links, numbers from literals.

Each is one DataLoader call, so a page of entities costs one batched query per kind of field.
"""

from __future__ import annotations

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
