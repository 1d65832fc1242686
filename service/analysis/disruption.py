"""How much of each node's requirement a disruption cuts off: the loss system.

A disruption says, for flows leaving a country, which fraction of each item
is lost (an export control: 1 for covered items; an export cap: the excess
over the cap), whose buyers it hits (an export control spares buyers in the
imposing country and, if it names targets, buyers outside them; a removed
country hits everyone), and which facilities or firms are gone altogether.

Whether a flow is lost depends on who buys, so every node is taken twice:
as seen by a restricted buyer and by an unrestricted one.  A node with a
location (a site, or a firm standing for its headquarters) uses its own
context; an item market passes on the context of whoever buys through it.
Then ``L = A' L + d`` with ``d`` the directly lost shares and ``A'`` the
remaining shares, solved like exposure (:class:`Solver`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from service.analysis.context import Analysis
from service.analysis.leontief import Solver, Vector

RESTRICTED, FREE = 1, 0


@dataclass(frozen=True)
class Disruption:
    """What is cut: per-country item loss fractions, whose buyers they hit, and removed actors."""

    factor: Callable[[str, str], float]  # (country, item) -> fraction of that country's flows lost
    restricted: Callable[[str], bool] = lambda country: True  # buyers hit by the country losses
    everywhere: frozenset[str] = frozenset()  # countries whose losses hit every buyer, domestic ones too
    blocked: frozenset[str] = frozenset()  # facilities and firms removed altogether
    countries: frozenset[str] = field(default_factory=frozenset)  # countries with any loss (for speed)


@dataclass(slots=True)
class Losses:
    """Lost share of every node's requirement, for a restricted and an unrestricted buyer."""

    restricted: Vector
    free: Vector
    own: Vector  # per node: its own context for located nodes, restricted for markets


def solve_losses(analysis: Analysis, disruption: Disruption) -> Losses:
    """Solve the loss system of ``disruption`` on the analysis network."""
    network = analysis.network
    size = network.size
    items = network.node_items()
    location = network.location
    own_ctx = np.array([-1 if c is None else int(disruption.restricted(c)) for c in location], dtype=np.int64)
    # Fraction of the flow into node j lost when the buyer's context is restricted / free.
    phi_r = np.zeros(size)
    phi_f = np.zeros(size)
    for j, country in enumerate(location):
        if country is not None and country in disruption.countries:
            lost = disruption.factor(country, items[j])
            phi_r[j] = lost
            phi_f[j] = lost if country in disruption.everywhere else 0.0
    blocked = np.array([network.keys[j][1] in disruption.blocked for j in range(size)], dtype=np.bool_)
    # Primary items whose origin comes from statistics lose the disrupted countries' shares.
    stat_r = np.zeros(size)
    stat_f = np.zeros(size)
    origin = network.origin.tocoo()
    for n, col, share in zip(origin.row, origin.col, origin.data, strict=True):
        country = network.countries[col]
        if location[n] is None and country in disruption.countries:
            lost = share * disruption.factor(country, items[n])
            stat_r[n] += lost
            stat_f[n] += lost if country in disruption.everywhere else 0.0
    coo = network.matrix.tocoo()
    rows, cols, shares = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    d = np.zeros(2 * size)
    m_rows, m_cols, m_vals = [], [], []
    for ctx in (FREE, RESTRICTED):
        ctx_n = np.where(own_ctx[rows] >= 0, own_ctx[rows], ctx)
        cut = np.where(blocked[cols], 1.0, np.where(ctx_n == RESTRICTED, phi_r[cols], phi_f[cols]))
        d += np.bincount(2 * rows + ctx, weights=shares * cut, minlength=2 * size)
        ctx_j = np.where(own_ctx[cols] >= 0, own_ctx[cols], ctx_n)
        m_rows.append(2 * rows + ctx)
        m_cols.append(2 * cols + ctx_j)
        m_vals.append(shares * (1 - cut))
        nodes = np.arange(size)
        ctx_self = np.where(own_ctx >= 0, own_ctx, ctx)
        d[2 * nodes + ctx] += np.where(ctx_self == RESTRICTED, stat_r, stat_f)
    matrix = sp.csr_matrix(
        (np.concatenate(m_vals), (np.concatenate(m_rows), np.concatenate(m_cols))), shape=(2 * size, 2 * size)
    )
    matrix.eliminate_zeros()
    solved = Solver(matrix).solve(d)
    free, restricted = solved[0::2], solved[1::2]
    own = np.where(own_ctx == FREE, free, restricted)
    return Losses(restricted, free, own)
