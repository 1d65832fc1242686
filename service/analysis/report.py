"""The impact report shared by export controls and scenarios: affected products and firms."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from service.analysis.context import Analysis
from service.analysis.disruption import Disruption, Losses, solve_losses
from service.analysis.network import ITEM, SITE

MIN_LOSS = 1e-9


@dataclass(frozen=True, slots=True)
class InputLoss:
    """One BOM input of an affected product: its share, how much of it is lost, the product-level loss."""

    item: str
    bom_share: float
    lost_share: float
    contribution: float


@dataclass(frozen=True, slots=True)
class AffectedProduct:
    """A product with part of its input requirement lost, as seen by a restricted buyer."""

    product: str
    stage: str | None
    lost_share: float
    inputs: list[InputLoss]


@dataclass(frozen=True, slots=True)
class AffectedFacility:
    """A facility making ``item`` that loses part of its input requirement."""

    facility: str
    item: str
    country: str | None
    lost_share: float


@dataclass(frozen=True, slots=True)
class AffectedFirm:
    """A firm and its affected facilities; ``lost_share`` is the largest facility loss."""

    firm: str
    lost_share: float
    facilities: list[AffectedFacility]


@dataclass(slots=True)
class ImpactReport:
    """Products and firms affected by a disruption."""

    description: str
    in_force: bool
    status: str
    products: list[AffectedProduct] = field(default_factory=list)
    firms: list[AffectedFirm] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)  # items whose flows are cut
    at_risk: ImpactReport | None = None  # for a control not in force: what it would cut

    def end_products(self) -> list[AffectedProduct]:
        """Affected products that no other product uses (assembled end products)."""
        return [p for p in self.products if p.stage is not None and p.stage.endswith("#Assembly")]


def impact_report(
    analysis: Analysis, disruption: Disruption, description: str, in_force: bool = True, status: str = "in force"
) -> ImpactReport:
    """Solve ``disruption`` and list what it hits (empty lists when it is not in force)."""
    report = ImpactReport(description, in_force, status)
    if not in_force:
        return report
    losses = solve_losses(analysis, disruption)
    report.products = _products(analysis, losses)
    report.firms = _firms(analysis, losses)
    return report


def _products(analysis: Analysis, losses: Losses) -> list[AffectedProduct]:
    network, facts = analysis.network, analysis.facts
    out = []
    for product, lines in facts.bom.items():
        node = network.item_node(product)
        if node is None or losses.restricted[node] <= MIN_LOSS:
            continue
        inputs = []
        for line in lines:
            input_node = network.item_node(line.item)
            lost = float(losses.restricted[input_node]) if input_node is not None else 0.0
            share = line.share if line.share is not None else 0.0
            if lost > MIN_LOSS:
                inputs.append(InputLoss(line.item, share, lost, share * lost))
        inputs.sort(key=lambda i: -i.contribution)
        out.append(AffectedProduct(product, facts.stage.get(product), float(losses.restricted[node]), inputs))
    out.sort(key=lambda p: (-p.lost_share, p.product))
    return out


def _firms(analysis: Analysis, losses: Losses) -> list[AffectedFirm]:
    network, facts = analysis.network, analysis.facts
    by_firm: dict[str, list[AffectedFacility]] = defaultdict(list)
    for node, (kind, facility, item) in enumerate(network.keys):
        if kind != SITE or item not in facts.bom or losses.own[node] <= MIN_LOSS:
            continue
        firm = facts.operated_by.get(facility, facility)
        by_firm[firm].append(AffectedFacility(facility, item, network.location[node], float(losses.own[node])))
    firms = [
        AffectedFirm(f, max(x.lost_share for x in fs), sorted(fs, key=lambda x: -x.lost_share))
        for f, fs in by_firm.items()
    ]
    firms.sort(key=lambda f: (-f.lost_share, f.firm))
    return firms


def covered_items(analysis: Analysis, disruption: Disruption) -> list[str]:
    """Items of the network some flow of which the disruption cuts."""
    items = {k[2] for k in analysis.network.keys if k[0] == ITEM}
    return sorted(i for i in items if any(disruption.factor(c, i) > 0 for c in disruption.countries))
