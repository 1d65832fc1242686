"""Export controls: what they cover and whether they are in force on a date."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from datetime import date

from ontology import vocab as v
from service.analysis.context import Analysis
from service.analysis.facts import Facts
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
    kind: str | None = None  # sg:controlKind: "licensing", "ban", "technology"...
    status: str | None = None
    announced: date | None = None
    effective: date | None = None
    suspended_from: date | None = None
    suspended_until: date | None = None
    label: str | None = None
    notes: list[str] = field(default_factory=list)

    def state(self, as_of: date) -> tuple[bool, str]:
        """Whether the control is in force on ``as_of``, and why (or why not): see :func:`control_state`.

        An ad-hoc control (a what-if, not in the graph) is in force on every day.
        """
        if self.iri is None:
            return True, "ad-hoc control"
        return control_state(self.status, self.effective, self.suspended_from, self.suspended_until, as_of)

    def covers(self, analysis: Analysis, item: str) -> bool:
        """Whether the control covers ``item``: see :func:`covers`."""
        return covers(analysis.facts, self, item)

    def restricts(self, buyer_country: str) -> bool:
        """Whether buyers in ``buyer_country`` are hit (never the imposing country's own)."""
        if buyer_country == self.imposed_by:
            return False
        return not self.targets or buyer_country in self.targets


def control_state(
    status: str | None,
    effective: date | None,
    suspended_from: date | None,
    suspended_until: date | None,
    as_of: date,
) -> tuple[bool, str]:
    """Whether a control is in force on ``as_of``, and why (or why not).  The one rule, at every door.

    A control is in force on day ``d`` when its status is neither revoked nor
    announced-only, it has an effective date on or before ``d``, and ``d`` is
    outside its suspension: a suspension from ``F`` until ``U`` covers the
    days ``F <= d < U`` (the control is in force again on ``U``); without
    ``U`` it lasts until further notice.  A status of suspended with no
    suspension dates suspends it on every day.

    >>> control_state(v.SUSPENDED, date(2025, 10, 9), date(2025, 11, 10), date(2026, 11, 10), date(2026, 11, 9))
    (False, 'suspended from 2025-11-10 until 2026-11-10')
    >>> control_state(v.SUSPENDED, date(2025, 10, 9), date(2025, 11, 10), date(2026, 11, 10), date(2026, 11, 10))
    (True, 'in force since 2025-10-09')
    """
    if status == v.REVOKED:
        return False, "revoked"
    if status == v.ANNOUNCED_STATUS:
        return False, "announced, not in force"
    if effective is None:
        return False, "no effective date"
    if as_of < effective:
        return False, f"not yet in force (effective {effective})"
    if suspended_from is not None and suspended_from <= as_of and (suspended_until is None or as_of < suspended_until):
        return False, f"suspended from {suspended_from} until {suspended_until or 'further notice'}"
    if status == v.SUSPENDED and suspended_from is None:
        return False, "suspended"
    return True, f"in force since {effective}"


TECHNOLOGY = "technology"
"""The ``sg:controlKind`` of a control on know-how, not goods: it cuts no flow of any item."""


def covers(facts: Facts, control: Control, item: str) -> bool:
    """Whether ``control`` covers ``item``.  The one coverage rule, at every door.

    A control covers the items it names and their forms (``sg:formOf``,
    transitively), and every member of a class it names.  HS codes count only
    as the control states them, narrowed to the named materials: an item under
    a stated code (or a narrower one) is covered when the control names no
    material, or when the item contains a named one (a bill-of-materials
    input, at any depth, that the control names); so a magnet under a stated
    magnet heading is covered when it holds a named element, and NdPr metal
    under a stated rare-earth-metal heading is not when neither Nd nor Pr is
    named.  A technology control covers no item.
    """
    if control.kind == TECHNOLOGY:
        return False
    if _named(facts, control, item):
        return True
    if not control.hs_codes or not facts.covered_by_hs(item, set(control.hs_codes)):
        return False
    return not control.materials or _contains_named(facts, control, item)


def _named(facts: Facts, control: Control, item: str) -> bool:
    """The control names ``item``, something it is a form of, or a class it belongs to."""
    if facts.forms_of(item) & control.materials:
        return True
    return any(facts.in_class(item, m) for m in control.materials)


def _contains_named(facts: Facts, control: Control, item: str) -> bool:
    """Some input of ``item``'s bill of materials, at any depth, is named by the control."""
    seen = {item}
    todo = [line.item for line in facts.bom.get(item, ())]
    while todo:
        found = todo.pop()
        if found in seen:
            continue
        seen.add(found)
        if _named(facts, control, found):
            return True
        todo.extend(line.item for line in facts.bom.get(found, ()))
    return False


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
        kind=_text(row.get("kind")),
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


_READ: weakref.WeakKeyDictionary[Analysis, tuple[Control, ...]] = weakref.WeakKeyDictionary()
_READ_LOCK = threading.Lock()


def graph_controls(analysis: Analysis) -> tuple[Control, ...]:
    """Every export control of the analysis' graph, read once per analysis (one per snapshot).

    Each item's list of covering controls asks for all of them, so a page of
    items must not read every control from the store again for each item.
    """
    with _READ_LOCK:
        found = _READ.get(analysis)
    if found is None:
        found = tuple(read_control(analysis, iri) for iri in list_controls(analysis))
        with _READ_LOCK:
            _READ[analysis] = found
    return found


def find_controls(
    analysis: Analysis, country: str | None = None, material: str | None = None, in_force_on: date | None = None
) -> list[Control]:
    """The graph's export controls imposed by ``country``, covering ``material``, in force on ``in_force_on``.

    Each filter is optional; the controls come in instrument order (effective date, then IRI).
    """
    found = list(graph_controls(analysis))
    if country is not None:
        found = [c for c in found if c.imposed_by == country]
    if material is not None:
        found = [c for c in found if c.covers(analysis, material) or material in c.materials]
    if in_force_on is not None:
        found = [c for c in found if c.state(in_force_on)[0]]
    return found
