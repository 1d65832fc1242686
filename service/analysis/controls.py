"""Export controls: what they cover and whether they are in force on a date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ontology import vocab as v
from service.analysis.context import Analysis
from service.analysis.queries import named
from service.errors import NotFound
from service.store import IRI, Lit, Row


@dataclass(frozen=True, slots=True)
class Control:
    """An export control from the graph, or an ad-hoc one (``iri`` None)."""

    imposed_by: str
    materials: frozenset[str]  # items or material classes
    hs_codes: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()  # empty: every other country
    iri: str | None = None
    instrument: str | None = None
    status: str | None = None
    announced: date | None = None
    effective: date | None = None
    suspended_from: date | None = None
    suspended_until: date | None = None
    label: str | None = None
    notes: list[str] = field(default_factory=list)

    def state(self, as_of: date) -> tuple[bool, str]:
        """Whether the control is in force on ``as_of``, and why (or why not).

        >>> c = Control("CN", frozenset(), status=v.SUSPENDED, effective=date(2025, 10, 9),
        ...             suspended_from=date(2025, 11, 10), suspended_until=date(2026, 11, 10))
        >>> c.state(date(2026, 1, 1))
        (False, 'suspended from 2025-11-10 until 2026-11-10')
        >>> c.state(date(2025, 10, 20))
        (True, 'in force since 2025-10-09')
        """
        if self.status == v.REVOKED:
            return False, "revoked"
        if self.status == v.ANNOUNCED_STATUS and (self.effective is None or as_of < self.effective):
            return False, "announced, not in force"
        if self.effective is not None and as_of < self.effective:
            return False, f"not yet in force (effective {self.effective})"
        window = self.suspended_from is not None or self.suspended_until is not None
        start = self.suspended_from or date.min
        end = self.suspended_until or date.max
        if window and start <= as_of <= end:
            return (
                False,
                f"suspended from {self.suspended_from or '?'} until {self.suspended_until or 'further notice'}",
            )
        if self.status == v.SUSPENDED and not window:
            return False, "suspended"
        return True, "in force" + (f" since {self.effective}" if self.effective else "")

    def covers(self, analysis: Analysis, item: str) -> bool:
        """Whether the control covers ``item`` (named, in a named class, or under a named HS code)."""
        facts = analysis.facts
        if item in self.materials or any(facts.in_class(item, m) for m in self.materials):
            return True
        return bool(self.hs_codes) and facts.covered_by_hs(item, set(self.hs_codes))

    def restricts(self, buyer_country: str) -> bool:
        """Whether buyers in ``buyer_country`` are hit (never the imposing country's own)."""
        if buyer_country == self.imposed_by:
            return False
        return not self.targets or buyer_country in self.targets


def _date(term: object) -> date | None:
    if isinstance(term, Lit):
        try:
            return date.fromisoformat(term.value[:10])
        except ValueError:
            return None
    return None


def _iri(term: object) -> str | None:
    return term.value if isinstance(term, IRI) else None


def _text(term: object) -> str | None:
    return term.value if isinstance(term, Lit) else None


def read_control(analysis: Analysis, iri: str) -> Control:
    """The export control ``iri`` from the graph; :class:`NotFound` if there is none."""
    graph = analysis.graph
    rows: list[Row] = [] if graph is None else graph.select(named("export_controls")).rows
    found = [r for r in rows if _iri(r.get("control")) == iri]
    if graph is None or not found:
        raise NotFound(f"no export control {iri}")
    row = found[0]
    coverage = graph.select(named("export_control_coverage"), {"control": IRI(iri)}).rows
    parts: dict[str, set[str]] = {"material": set(), "hs": set(), "target": set()}
    for cov in coverage:
        kind, value = _text(cov.get("kind")), _iri(cov.get("value"))
        if kind in parts and value is not None:
            parts[kind].add(value)
    return Control(
        imposed_by=_iri(row.get("imposedBy")) or "",
        materials=frozenset(parts["material"]),
        hs_codes=frozenset(parts["hs"]),
        targets=frozenset(parts["target"]),
        iri=iri,
        instrument=_text(row.get("instrument")),
        status=_iri(row.get("status")),
        announced=_date(row.get("announced")),
        effective=_date(row.get("effective")),
        suspended_from=_date(row.get("suspendedFrom")),
        suspended_until=_date(row.get("suspendedUntil")),
        label=_text(row.get("label")),
    )


def list_controls(analysis: Analysis) -> list[str]:
    """IRIs of every export control in the graph."""
    graph = analysis.graph
    if graph is None:
        return []
    return [c for r in graph.select(named("export_controls")).rows if (c := _iri(r.get("control"))) is not None]
