"""Resilience analytics on the supply network: exposure, concentration, single points
of failure, export-control impact, alternative suppliers and scenarios.

Method notes: ``docs/analytics.md``.  Every function takes an :class:`Analysis`
(the per-snapshot network, see :func:`analysis_for`).
"""

from service.analysis.context import Analysis, analysis_for

__all__ = ["Analysis", "analysis_for"]
