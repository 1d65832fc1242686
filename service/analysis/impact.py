"""Export-control impact: the products and firms a control cuts off, on a given date."""

from __future__ import annotations

from datetime import date

from service.analysis.context import Analysis
from service.analysis.controls import Control, read_control
from service.analysis.disruption import Disruption
from service.analysis.report import ImpactReport, covered_items, impact_report
from service.errors import BadRequest


def control_disruption(analysis: Analysis, control: Control) -> Disruption:
    """The disruption a control causes when in force: covered items from its country, to restricted buyers."""
    memo: dict[str, float] = {}

    def factor(country: str, item: str) -> float:
        if country != control.imposed_by:
            return 0.0
        if item not in memo:
            memo[item] = 1.0 if control.covers(analysis, item) else 0.0
        return memo[item]

    return Disruption(factor, control.restricts, countries=frozenset({control.imposed_by}))


def restriction_impact(
    analysis: Analysis,
    as_of: date,
    control: str | None = None,
    country: str | None = None,
    materials: list[str] | None = None,
    targets: list[str] | None = None,
    hs_codes: list[str] | None = None,
) -> ImpactReport:
    """The impact of export control ``control`` (an IRI in the graph), or of an ad-hoc one.

    An ad-hoc control needs ``country`` and ``materials`` (items or material
    classes); ``targets`` limits it to buyers in those countries.  The report
    is empty, with the reason in ``status``, when the control is not in force
    on ``as_of``; ``at_risk`` then holds what it would cut if it were.
    """
    if control is not None:
        found = read_control(analysis, control)
    elif country is not None and (materials or hs_codes):
        found = Control(country, frozenset(materials or ()), frozenset(hs_codes or ()), frozenset(targets or ()))
    else:
        raise BadRequest("give a control, or a country and materials")
    in_force, status = found.state(as_of)
    disruption = control_disruption(analysis, found)
    name = found.instrument or found.label or found.iri or "ad-hoc control"
    description = f"{name} by {analysis.facts.label(found.imposed_by)} on {as_of}"
    report = impact_report(analysis, disruption, description, in_force, status)
    report.covered = covered_items(analysis, disruption)
    if not in_force:
        report.at_risk = impact_report(analysis, disruption, description + " (if in force)")
    return report
