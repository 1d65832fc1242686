"""The supply-network facts the analyses need, as plain Python records keyed by IRI.

They are read from the snapshot's frames, the same triples its dependency
index was built from (:func:`service.analysis.facts_from_frames.read_facts`).
Scenarios edit a copy of these facts, never the stored graph.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Record:
    """A frozen record pickled as a call of its constructor.

    Dataclasses with slots pickle their state field by field, through Python
    code; read back by the million (a stored analytics model, see
    ``model_file.py``) that is most of the time spent.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        names: tuple[str, ...] = type(self).__slots__  # the subclass's fields, in __init__ order
        return type(self), tuple(getattr(self, name) for name in names)


@dataclass(frozen=True, slots=True)
class BomLine(Record):
    """One input of a product: ``share`` of its input requirement comes from ``item``."""

    line: str
    item: str
    share: float | None


@dataclass(frozen=True, slots=True)
class Supply(Record):
    """A supply relationship: ``share`` of the buyer's need of ``item`` comes from ``supplier``."""

    rel: str
    supplier: str
    buyer: str
    item: str
    share: float | None


@dataclass(frozen=True, slots=True)
class Statistic(Record):
    """One production statistic (a USGS row): country production of a material in a year."""

    stat: str
    material: str
    country: str
    year: int
    stage: str | None
    quantity: float
    unit: str | None
    edition: str | None
    dataset: str | None = None  # the named graph it was loaded into


@dataclass(slots=True)
class Facts:
    """Everything the analyses read, keyed by IRI (blank nodes as ``_:id``)."""

    bom: dict[str, list[BomLine]] = field(default_factory=dict)
    supply: list[Supply] = field(default_factory=list)
    produces: dict[str, list[str]] = field(default_factory=dict)
    located_in: dict[str, str] = field(default_factory=dict)
    operated_by: dict[str, str] = field(default_factory=dict)
    headquartered_in: dict[str, str] = field(default_factory=dict)
    capacity: dict[str, float] = field(default_factory=dict)
    capacity_item: dict[str, str] = field(default_factory=dict)
    capacity_unit: dict[str, str] = field(default_factory=dict)
    material_class: dict[str, set[str]] = field(default_factory=dict)
    broader: dict[str, set[str]] = field(default_factory=dict)
    form_of: dict[str, set[str]] = field(default_factory=dict)  # item -> what it is a form of (sg:formOf)
    stage: dict[str, str] = field(default_factory=dict)
    stats: list[Statistic] = field(default_factory=list)
    aggregates: set[str] = field(default_factory=set)
    member_of: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    hs_code: dict[str, set[str]] = field(default_factory=dict)  # item -> HS concepts
    loaded: dict[str, str] = field(default_factory=dict)  # dataset graph -> load time (ISO), from the catalog

    def copy(self) -> Facts:
        """A copy whose containers can be edited without touching this one."""
        values: dict[str, Any] = {name: getattr(self, name) for name in FIELDS}
        values |= {
            "bom": {k: list(x) for k, x in self.bom.items()},
            "supply": list(self.supply),
            "produces": {k: list(x) for k, x in self.produces.items()},
            "stats": list(self.stats),
        }
        return Facts(**values)

    def items(self) -> set[str]:
        """Every item the network mentions."""
        found = set(self.bom) | {line.item for lines in self.bom.values() for line in lines}
        found |= {i for items in self.produces.values() for i in items} | {r.item for r in self.supply}
        return found | {s.material for s in self.stats}

    def covered_by_hs(self, item: str, codes: set[str]) -> bool:
        """Whether one of ``item``'s HS codes is in ``codes`` or below one of them (skos:broader)."""
        todo = list(self.hs_code.get(item, ()))
        seen: set[str] = set()
        while todo:
            code = todo.pop()
            if code in codes:
                return True
            if code not in seen:
                seen.add(code)
                todo.extend(self.broader.get(code, ()))
        return False

    def label(self, iri: str) -> str:
        """The label of ``iri``, or its last path segment."""
        return self.labels.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def forms_of(self, item: str) -> set[str]:
        """``item`` and everything it is a form of, transitively (NdPr oxide -> neodymium, praseodymium)."""
        seen = {item}
        todo = list(self.form_of.get(item, ()))
        while todo:
            found = todo.pop()
            if found not in seen:
                seen.add(found)
                todo.extend(self.form_of.get(found, ()))
        return seen

    def classes_of(self, item: str) -> set[str]:
        """The item's material classes and every class above them (skos:broader, transitively)."""
        seen: set[str] = set()
        todo = list(self.material_class.get(item, ()))
        while todo:
            cls = todo.pop()
            if cls not in seen:
                seen.add(cls)
                todo.extend(self.broader.get(cls, ()))
        return seen

    def in_class(self, item: str, cls: str | None) -> bool:
        """Whether ``item`` is ``cls`` itself or belongs to it (None matches everything)."""
        return cls is None or item == cls or cls in self.classes_of(item)

    def operated(self) -> dict[str, list[str]]:
        """Facilities of each firm."""
        out: dict[str, list[str]] = defaultdict(list)
        for facility, firm in self.operated_by.items():
            out[firm].append(facility)
        return out


FIELDS = tuple(f.name for f in dataclasses.fields(Facts))


class StoredFacts(Facts):
    """Facts whose fields are read on first use, each on its own (see ``model_file.py``).

    Most questions read a few fields (exposure: the labels and the taxonomy);
    reading the bills of materials or the supply relationships of a large
    snapshot back takes seconds, paid only by the analyses that need them.
    """

    __slots__ = ("_lock", "_read")

    def __init__(self, read: Callable[[str], Any]) -> None:
        self._read = read
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        # Called only for a field not set yet: read it (once, whichever thread asks first).
        if name not in FIELDS:
            raise AttributeError(name)
        with self._lock:
            try:
                return object.__getattribute__(self, name)
            except AttributeError:
                value = self._read(name)
                setattr(self, name, value)
                return value
