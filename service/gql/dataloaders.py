"""Per-request DataLoaders: every batch of entity look-ups is one store read.

Each loader but the properties one runs one ``queries/*.rq`` file whose
``VALUES ?id { }`` block is filled with the batch's IRIs.  The IRIs are
validated first (and most come from the index, i.e. from the store itself),
so nothing a client sends is pasted into SPARQL unchecked.  A page of 50 products with their producers
therefore costs a constant number of store queries, whatever its size.

Entity properties (every triple of each entity in the batch: labels, codes,
links) are read from the store's subject index (:meth:`Snapshot.outgoing`),
with no query to parse, and on the event loop, not in a thread: the
commonest batch of all, it streams in index order, so reading at most
``INLINE_ROWS`` rows costs well under a millisecond, less than the thread
hand-off it replaces.  A batch with more rows than that is read again in a
thread; so is every batch on an external engine, whose answers must never be
waited for on the event loop.  Suppliers and buyers are read on the event
loop too, with the same row budget.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader

from ontology import vocab as v
from service.query_catalogue import NamedQuery
from service.store import IRI, Lit, OutgoingRow, RemoteGraph, Row, Snapshot, Term, iri_list

_VALUES = re.compile(r"VALUES \?id \{\s*\}")
INLINE_ROWS = 2_000
"""Rows of an entity-properties batch read on the event loop before it is handed to a thread instead."""


def with_values(query: NamedQuery, iris: Sequence[str]) -> str:
    """The text of ``query`` with its ``VALUES ?id { }`` block listing ``iris``."""
    listed = iri_list(iris)
    text, count = _VALUES.subn(lambda _: f"VALUES ?id {{ {listed} }}", query.text, count=1)
    if count != 1:
        raise ValueError(f"query {query.name} has no 'VALUES ?id {{ }}' block")
    return text


@dataclass(frozen=True, slots=True)
class Props:
    """The outgoing properties of one entity: predicate IRI -> objects."""

    iri: str
    values: dict[str, list[Term]]

    def iris(self, predicate: str) -> list[str]:
        """IRI objects of ``predicate``, sorted."""
        return sorted(t.value for t in self.values.get(predicate, ()) if isinstance(t, IRI))

    def first_iri(self, predicate: str) -> str | None:
        found = self.iris(predicate)
        return found[0] if found else None

    def literal(self, predicate: str) -> str | int | float | bool | None:
        """The first literal of ``predicate`` as a Python value."""
        for term in self.values.get(predicate, ()):
            if isinstance(term, Lit):
                return term.to_python()
        return None

    def text(self, predicate: str) -> str | None:
        found = self.literal(predicate)
        return None if found is None else str(found)

    @property
    def label(self) -> str:
        """rdfs:label (English or untagged first), then skos:prefLabel, then the IRI's last segment."""
        for predicate in (v.RDFS_LABEL, v.SKOS_PREF_LABEL):
            labels = [t for t in self.values.get(predicate, ()) if isinstance(t, Lit)]
            labels.sort(key=lambda t: (t.language not in (None, "", "en"), t.language != "en", t.value))
            if labels:
                return labels[0].value
        return self.iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


class Loaders:
    """The DataLoaders of one request; each batch is one query on one snapshot."""

    def __init__(self, graph: Snapshot, catalog: dict[str, NamedQuery]) -> None:
        self.graph = graph
        self.catalog = catalog
        self.props: DataLoader[str, Props] = DataLoader(load_fn=self._props)
        self.incoming: DataLoader[str, dict[str, list[str]]] = DataLoader(load_fn=self._incoming)
        self.inputs: DataLoader[str, list[Row]] = DataLoader(load_fn=self._grouped("bom_inputs"))
        self.used_in: DataLoader[str, list[Row]] = DataLoader(load_fn=self._grouped("bom_used_in"))
        # Suppliers and buyers are asked apart: a lookup usually wants one side, and each query costs
        # Oxigraph half the planning of one asking both, which dominates a point lookup.
        self.suppliers: DataLoader[str, list[Row]] = DataLoader(load_fn=self._grouped("supply_suppliers", inline=True))
        self.buyers: DataLoader[str, list[Row]] = DataLoader(load_fn=self._grouped("supply_buyers", inline=True))
        self.statistics: DataLoader[str, list[Row]] = DataLoader(load_fn=self._grouped("production_statistics"))

    async def select(self, name: str, bindings: dict[str, Any] | None = None, max_rows: int | None = None) -> list[Row]:
        """Run the named query ``name`` with ``bindings`` in a worker thread."""
        query = self.catalog[name]
        result = await asyncio.to_thread(self.graph.select, query.text, bindings, max_rows)
        return result.rows

    async def _rows(self, name: str, keys: Sequence[str], inline: bool = False) -> list[Row]:
        text = with_values(self.catalog[name], keys)
        if inline and not isinstance(self.graph, RemoteGraph):
            capped = self.graph.select(text, None, INLINE_ROWS)
            if not capped.truncated:
                return capped.rows
        result = await asyncio.to_thread(self.graph.select, text)
        return result.rows

    async def _props(self, keys: list[str]) -> list[Props]:
        found: dict[str, dict[str, list[Term]]] = {k: defaultdict(list) for k in keys}
        rows: list[OutgoingRow] = []
        truncated = True
        if not isinstance(self.graph, RemoteGraph):
            rows, truncated = self.graph.outgoing(keys, INLINE_ROWS)
        if truncated:
            rows, _ = await asyncio.to_thread(self.graph.outgoing, keys)
        for subject, predicate, term in rows:
            found[subject][predicate].append(term)
        return [Props(k, dict(found[k])) for k in keys]

    async def _incoming(self, keys: list[str]) -> list[dict[str, list[str]]]:
        found: dict[str, dict[str, list[str]]] = {k: defaultdict(list) for k in keys}
        for row in await self._rows("entity_incoming", keys):
            found[row["id"].value][row["p"].value].append(row["s"].value)
        return [{p: sorted(set(s)) for p, s in found[k].items()} for k in keys]

    def _grouped(self, name: str, inline: bool = False) -> Any:
        async def load(keys: list[str]) -> list[list[Row]]:
            found: dict[str, list[Row]] = {k: [] for k in keys}
            for row in await self._rows(name, keys, inline):
                found[row["id"].value].append(row)
            return [found[k] for k in keys]

        return load
