"""Resilience analytics on the supply network: exposure, concentration, single points
of failure, export-control impact, alternative suppliers and scenarios.

Every function takes an :class:`Analysis`, the per-snapshot network read from
the same frames as the dependency index (:func:`analysis_for`).  Method
notes: ``docs/analytics.md``.  The :mod:`concentration` and :mod:`exposure`
functions are reached through their modules, which share their names.
"""

from service.analysis.alternatives import Alternatives, alternative_suppliers
from service.analysis.concentration import Concentration
from service.analysis.context import Analysis, analysis_for, prepare_model
from service.analysis.controls import control_state, find_controls
from service.analysis.exposure import Exposure, exposure_all
from service.analysis.facts import Facts, Statistic
from service.analysis.facts_from_frames import read_facts
from service.analysis.impact import restriction_impact
from service.analysis.report import AffectedProduct, ImpactReport
from service.analysis.scenario import Scenario, run_scenario
from service.analysis.spof import SinglePoint, single_points_of_failure
from service.analysis.statistics import Selection, choose, choose_in, stage_iri
from service.analysis.warmup import warm, warm_state

__all__ = [
    "AffectedProduct",
    "Alternatives",
    "Analysis",
    "Concentration",
    "Exposure",
    "Facts",
    "ImpactReport",
    "Scenario",
    "Selection",
    "SinglePoint",
    "Statistic",
    "alternative_suppliers",
    "analysis_for",
    "choose",
    "choose_in",
    "control_state",
    "exposure_all",
    "find_controls",
    "prepare_model",
    "read_facts",
    "restriction_impact",
    "run_scenario",
    "single_points_of_failure",
    "stage_iri",
    "warm",
    "warm_state",
]
