"""Entity properties read on the event loop give what a thread gives, however many rows an entity has."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path

from service.gql.dataloaders import INLINE_ROWS, Loaders
from service.query_catalogue import load_catalog
from service.store import MemoryStore

E = "http://example.org/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _store() -> MemoryStore:
    many = INLINE_ROWS + 500
    lines = [f'<{E}big> <{E}p{i}> "v{i}" .' for i in range(many)]
    lines += [f'<{E}small> <{LABEL}> "Small"@en .', f"<{E}small> <{E}link> <{E}big> ."]
    store = MemoryStore()
    with store.write() as writer:
        writer.load("\n".join(lines).encode(), "ntriples", E + "graph")
    return store


def _props(store: MemoryStore, keys: list[str]) -> dict[str, dict[str, list[str]]]:
    catalog = load_catalog(Path(str(resources.files("queries"))) / "graphql")

    async def run() -> dict[str, dict[str, list[str]]]:
        loaders = Loaders(store.open_current(), catalog)
        found = await loaders.props.load_many(keys)
        return {p.iri: {k: sorted(t.value for t in ts) for k, ts in p.values.items()} for p in found}

    return asyncio.run(run())


def test_an_entity_with_more_rows_than_the_inline_budget_gets_them_all() -> None:
    props = _props(_store(), [E + "big", E + "small", E + "missing"])
    assert len(props[E + "big"]) == INLINE_ROWS + 500
    assert props[E + "big"][E + "p7"] == ["v7"]
    assert props[E + "small"] == {LABEL: ["Small"], E + "link": [E + "big"]}
    assert props[E + "missing"] == {}


def test_a_small_batch_is_read_whole_on_the_loop() -> None:
    props = _props(_store(), [E + "small"])
    assert props == {E + "small": {LABEL: ["Small"], E + "link": [E + "big"]}}
