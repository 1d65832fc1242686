"""Single points of failure: upstream inputs with one supplying facility, firm or country.

For each item anywhere upstream of a product, the network's producers of it
are counted: its sites (facilities), their operators (firms) and their
countries, plus the countries of its production statistics for a primary
item.  An item with exactly one of any of these is a single point of failure.
They are ranked by how many end products (products no other product uses)
depend on them, then by the product's exposure to them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse.csgraph as csgraph

from service.analysis.context import Analysis
from service.analysis.leontief import Solver, Vector
from service.analysis.network import FIRM, ITEM, SITE


@dataclass(frozen=True, slots=True)
class SinglePoint:
    """An upstream item and what it depends on a single one of."""

    item: str
    facilities: list[str]
    firms: list[str]
    countries: list[str]
    single: list[str]  # any of "facility", "firm", "country"
    dependent_end_products: int
    share: float  # share of the product's requirement that passes through the item


def end_products(analysis: Analysis) -> set[str]:
    """Products with a BOM that no other BOM uses."""
    bom = analysis.facts.bom
    used = {line.item for lines in bom.values() for line in lines}
    return {p for p in bom if p not in used}


def single_points_of_failure(analysis: Analysis, product: str) -> list[SinglePoint]:
    """Inputs upstream of ``product`` with a single supplying facility, firm or country."""
    network, facts = analysis.network, analysis.facts
    start = analysis.item_node(product)
    through = _through(analysis, start)
    reverse = network.matrix.T.tocsr()
    ends = {n for p in end_products(analysis) if (n := network.item_node(p)) is not None}
    found = []
    for node in analysis.upstream(start):
        kind, _, item = network.keys[node]
        if kind != ITEM or node == start:
            continue
        lo, hi = network.matrix.indptr[node], network.matrix.indptr[node + 1]
        sources = network.matrix.indices[lo:hi]
        facilities = sorted({network.keys[s][1] for s in sources if network.keys[s][0] == SITE})
        firms = sorted(
            {facts.operated_by.get(f, f) for f in facilities}
            | {network.keys[s][1] for s in sources if network.keys[s][0] == FIRM}
        )
        countries = {c for s in sources if (c := network.location[s]) is not None}
        if not facilities:
            origin = network.origin[node]
            countries |= {
                network.countries[c] for c, share in zip(origin.indices, origin.data, strict=True) if share > 0
            }
            firms = []
        single = [
            name
            for name, values in (("facility", facilities), ("firm", firms), ("country", sorted(countries)))
            if len(values) == 1
        ]
        if not single:
            continue
        dependents = csgraph.breadth_first_order(reverse, node, directed=True, return_predecessors=False)
        count = len(ends.intersection(int(n) for n in dependents))
        found.append(SinglePoint(item, facilities, firms, sorted(countries), single, count, float(through[node])))
    found.sort(key=lambda s: (-s.dependent_end_products, -s.share, s.item))
    return found


def _through(analysis: Analysis, start: int) -> Vector:
    """Row ``start`` of the Leontief inverse: the share of ``start``'s requirement passing through each node.

    It solves the transposed system for a unit vector.
    """
    unit = np.zeros(analysis.network.size)
    unit[start] = 1.0
    return Solver(analysis.network.matrix.T.tocsr()).solve(unit)
