"""Builds the :class:`Network` of a set of facts: nodes found from the items outwards, then the matrix.

Node numbers follow the order nodes are found in (items first, in IRI order,
then depth first), so every build of the same facts numbers its nodes alike.
The rules for each kind of node are described in :mod:`service.analysis.network`.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from service.analysis.facts import Facts, Supply
from service.analysis.network import FIRM, ITEM, SITE, TOLERANCE, Issue, Network, NodeKey
from service.analysis.origins import producer_weights, statistics_origin

_NONE: dict[str, list[Supply]] = {}  # no supply relationships (never written to)


class _Builder:
    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.keys: list[NodeKey] = []
        self.index: dict[NodeKey, int] = {}
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.origins: dict[int, dict[str, float]] = {}
        self.location: dict[int, str] = {}
        self.methods: dict[str, str] = {}
        self.issues: list[Issue] = []
        self.reported: set[tuple[str, str]] = set()
        self.producers: dict[str, list[str]] = defaultdict(list)
        for facility, items in facts.produces.items():
            for item in items:
                self.producers[item].append(facility)
        self.firm_facilities = facts.operated()
        # buyer -> item -> relationships; most sites buy nothing directly, and one
        # lookup by buyer settles that for all of a site's BOM lines.
        self.supply_by_buyer: dict[str, dict[str, list[Supply]]] = defaultdict(dict)
        for rel in facts.supply:
            self.supply_by_buyer[rel.buyer].setdefault(rel.item, []).append(rel)
        self.todo: list[int] = []
        # A product's BOM (and a buyer's supply of an input) is read once per
        # producing site; the filled shares are the same each time, so keep them.
        self.bom_cache: dict[str, list[tuple[str, float]]] = {}
        self.supply_cache: dict[int, list[tuple[Supply, float]]] = {}

    def node(self, kind: int, actor: str, item: str) -> int:
        key = (kind, actor, item)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.keys)
            self.keys.append(key)
            self.todo.append(found)
        return found

    def edge(self, source: int, target: int, share: float) -> None:
        if share > 0:
            self.rows.append(source)
            self.cols.append(target)
            self.vals.append(share)

    def build(self) -> Network:
        facts = self.facts
        items = set(facts.bom) | set(self.producers) | {r.item for r in facts.supply}
        items |= {line.item for lines in facts.bom.values() for line in lines} | {s.material for s in facts.stats}
        for item in sorted(items):
            self.node(ITEM, "", item)
        while self.todo:
            n = self.todo.pop()
            kind, actor, item = self.keys[n]
            if kind == ITEM:
                self.expand_item(n, item)
            elif kind == SITE:
                self.expand_site(n, actor, item)
            else:
                self.expand_firm(n, actor, item)
        size = len(self.keys)
        matrix = sp.csr_matrix((self.vals, (self.rows, self.cols)), shape=(size, size), dtype=np.float64)
        matrix.sum_duplicates()
        countries = sorted({c for shares in self.origins.values() for c in shares})
        col = {c: i for i, c in enumerate(countries)}
        o_rows, o_cols, o_vals = [], [], []
        for n, shares in self.origins.items():
            for country, share in shares.items():
                o_rows.append(n)
                o_cols.append(col[country])
                o_vals.append(share)
        origin = sp.csr_matrix((o_vals, (o_rows, o_cols)), shape=(size, len(countries)), dtype=np.float64)
        location = [self.location.get(i) for i in range(size)]
        return Network.of(facts, self.keys, matrix, countries, origin, location, self.methods, self.issues)

    def expand_item(self, n: int, item: str) -> None:
        producers = self.producers.get(item, [])
        if producers:
            split = producer_weights(self.facts, item, producers)
            self.methods[item] = split.method
            for facility, weight in split.weights.items():
                self.edge(n, self.node(SITE, facility, item), weight)
        elif item in self.facts.bom:
            self.methods[item] = "bom"
            for input_item, share in self.bom_shares(item):
                self.edge(n, self.node(ITEM, "", input_item), share)
        else:
            shares, method = statistics_origin(self.facts, item)
            self.methods[item] = method
            if shares:
                self.origins[n] = shares

    def expand_site(self, n: int, facility: str, item: str) -> None:
        country = self.facts.located_in.get(facility)
        if country is not None:
            self.location[n] = country
        if item not in self.facts.bom:
            if country is not None:
                self.origins[n] = {country: 1.0}
            return
        firm = self.facts.operated_by.get(facility)
        own = self.supply_by_buyer.get(facility, _NONE)
        firms = self.supply_by_buyer.get(firm or "", _NONE)
        for input_item, share in self.bom_shares(item):
            rels = own.get(input_item) or firms.get(input_item)
            taken = 0.0
            if rels:
                for rel, rel_share in self.supply_shares(rels):
                    self.edge(n, self.supplier_node(rel.supplier, input_item), share * rel_share)
                    taken += rel_share
            if taken < 1 - TOLERANCE:
                self.edge(n, self.node(ITEM, "", input_item), share * (1 - taken))

    def expand_firm(self, n: int, firm: str, item: str) -> None:
        facilities = [f for f in self.firm_facilities.get(firm, []) if item in self.facts.produces.get(f, [])]
        if facilities:
            for facility, weight in producer_weights(self.facts, item, facilities).weights.items():
                self.edge(n, self.node(SITE, facility, item), weight)
            return
        country = self.facts.headquartered_in.get(firm)
        if country is not None:
            self.location[n] = country
            self.origins[n] = {country: 1.0}

    def supplier_node(self, supplier: str, item: str) -> int:
        is_facility = supplier in self.facts.produces or supplier in self.facts.located_in
        return self.node(SITE if is_facility else FIRM, supplier, item)

    def bom_shares(self, product: str) -> list[tuple[str, float]]:
        found = self.bom_cache.get(product)
        if found is None:
            lines = self.facts.bom[product]
            found = self.bom_cache[product] = self.fill(product, "bom", [(line.item, line.share) for line in lines])
        return found

    def supply_shares(self, rels: list[Supply]) -> list[tuple[Supply, float]]:
        if not rels:
            return []
        # Keyed by the list itself: each (buyer, item) has one list, alive as long as the builder.
        found = self.supply_cache.get(id(rels))
        if found is None:
            filled = self.fill(rels[0].buyer, "supply", [(str(i), r.share) for i, r in enumerate(rels)])
            found = self.supply_cache[id(rels)] = [(rels[int(i)], share) for i, share in filled]
        return found

    def report(self, issue: Issue) -> None:
        # A product's BOM is read once per producing site; report each problem once.
        if (issue.subject, issue.kind) not in self.reported:
            self.reported.add((issue.subject, issue.kind))
            self.issues.append(issue)

    def fill(self, subject: str, what: str, pairs: list[tuple[str, float | None]]) -> list[tuple[str, float]]:
        """Fill missing shares with an equal split of the remainder; report sums other than 1."""
        known = sum(s for _, s in pairs if s is not None)
        missing = [k for k, s in pairs if s is None]
        fill = max(0.0, 1.0 - known) / len(missing) if missing else 0.0
        if missing:
            self.report(
                Issue(subject, "missing-share", f"{len(missing)} {what} shares missing; split {1 - known:.4g} equally")
            )
        total = known + fill * len(missing)
        if what == "bom" and abs(total - 1) > TOLERANCE:
            self.report(Issue(subject, "bom-sum", f"BOM shares sum to {total:.4g}, not 1"))
        if what == "supply" and total > 1 + TOLERANCE:
            self.report(Issue(subject, "supply-sum", f"supply shares sum to {total:.4g}, more than 1"))
        return [(k, fill if s is None else s) for k, s in pairs]


def build_network(facts: Facts) -> Network:
    """Build the input-share matrix and origins of ``facts``."""
    return _Builder(facts).build()
