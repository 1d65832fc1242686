"""Exposure: the share of a product's input requirement that traces back to a country.

``e = (I - A)⁻¹ b`` where ``b[n]`` is the share of node ``n``'s primary
production located in the country (restricted to a material class if one is
given).  One solve answers for every node at once; :func:`exposure` reads the
product's entry and adds the paths that contribute most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.analysis.context import Analysis
from service.analysis.leontief import Vector, top_paths
from service.analysis.network import KINDS, Issue


@dataclass(frozen=True, slots=True)
class Step:
    """One node on a path: the item, and the facility or firm supplying it if any."""

    kind: str  # "item", "site" or "firm"
    item: str
    actor: str | None
    country: str | None
    share: float  # share of the previous step's requirement met by this one (1 for the first)


@dataclass(frozen=True, slots=True)
class ContributingPath:
    """A path from the product to primary production and the share of the requirement it carries."""

    steps: list[Step]
    contribution: float
    origin: str  # how the last step's origin was found ("capacity", "statistics 2024 MCS2025", ...)


@dataclass(frozen=True, slots=True)
class Exposure:
    """The answer of :func:`exposure`."""

    product: str
    country: str
    material_class: str | None
    share: float
    traced: float  # share of the requirement whose origin is known, any country
    paths: list[ContributingPath]
    issues: list[Issue]


def origin_vector(analysis: Analysis, country: str, material_class: str | None = None) -> Vector:
    """``b``: each node's primary-production share in ``country`` (zero outside ``material_class``)."""
    network = analysis.network
    b = np.zeros(network.size)
    if country in network.countries:
        b = network.origin[:, network.countries.index(country)].toarray().ravel()
        b *= analysis.class_mask(material_class)
    return b


def exposure_all(analysis: Analysis, country: str, material_class: str | None = None) -> Vector:
    """Exposure of every node to ``country``, by node index."""
    return analysis.solver.solve(origin_vector(analysis, country, material_class))


def exposure(
    analysis: Analysis, product: str, country: str, material_class: str | None = None, paths: int = 5
) -> Exposure:
    """The share of ``product``'s input requirement traced to production in ``country``.

    >>> from service.analysis.facts import Facts, BomLine
    >>> facts = Facts(bom={"p": [BomLine("l", "m", 1.0)]}, produces={"f": ["m"]}, located_in={"f": "CN"})
    >>> round(exposure(Analysis(facts), "p", "CN").share, 3)
    1.0
    """
    network = analysis.network
    start = analysis.item_node(product)
    b = origin_vector(analysis, country, material_class)
    x = analysis.solver.solve(b)
    known = np.asarray(network.origin.sum(axis=1)).ravel()
    traced = float(analysis.solver.solve(known)[start])
    found = []
    for path in top_paths(network.matrix, x, b, start, limit=paths):
        steps = []
        previous = None
        for node in path.nodes:
            kind, actor, item = network.key(node)
            share = 1.0 if previous is None else float(network.matrix[previous, node])
            steps.append(Step(KINDS[kind], item, actor or None, network.country(node), share))
            previous = node
        last = steps[-1]
        split = network.method(last.item) or ""
        origin = split if last.kind == "item" else f"facility location ({split} split among producers)"
        found.append(ContributingPath(steps, path.contribution, origin))
    issues = network.issues_about(analysis.upstream(start))
    return Exposure(product, country, material_class, float(x[start]), traced, found, issues)
