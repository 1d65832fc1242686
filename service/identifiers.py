"""What a code, short id or IRI names: the one resolver every door uses.

Countries are named by ISO 3166 alpha-2 (``CN``), alpha-3 (``CHN``) or
numeric code (``156``), by their Comtrade/BACI trade code, by label
(``China``) or by IRI.  Materials, classes, products, firms, facilities,
alliances and controls are named by short id (``gallium``, ``rare-earths``,
``cn-2025-18-...``: the last segment of ``https://w3id.org/supplygraph/id/<kind>/<id>``),
by ``<kind>/<id>`` or by IRI.  A name that resolves to nothing of the kinds
asked for is an :class:`UnknownIdentifier` that names the argument and the
closest known names.

Resolution reads the snapshot's dependency index (node IRIs and kinds, a
binary search) and, for countries, one small query for the codes, kept per
snapshot.
"""

from __future__ import annotations

import difflib
import enum
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ontology import vocab as v
from service.errors import BadRequest
from service.index import DependencyIndex, NodeKind
from service.query_catalogue import Param
from service.store import ReadableGraph, is_absolute_iri


class Kind(enum.Enum):
    """Kinds of entity an argument can name; the value is the IRI path segment."""

    COUNTRY = "country"
    MATERIAL = "material"
    MATERIAL_CLASS = "class"
    PRODUCT = "product"
    FIRM = "firm"
    FACILITY = "facility"
    ALLIANCE = "alliance"
    CONTROL = "control"

    @property
    def node_kind(self) -> NodeKind:
        return _NODE_KINDS[self]

    @property
    def noun(self) -> str:
        return {Kind.MATERIAL_CLASS: "material class", Kind.CONTROL: "export control"}.get(self, self.value)


_NODE_KINDS = {
    Kind.COUNTRY: NodeKind.COUNTRY,
    Kind.MATERIAL: NodeKind.MATERIAL | NodeKind.OTHER_ITEM,
    Kind.MATERIAL_CLASS: NodeKind.MATERIAL_CLASS,
    Kind.PRODUCT: NodeKind.PRODUCT,
    Kind.FIRM: NodeKind.FIRM,
    Kind.FACILITY: NodeKind.FACILITY,
    Kind.ALLIANCE: NodeKind.ALLIANCE,
    Kind.CONTROL: NodeKind.EXPORT_CONTROL,
}

ITEMS = (Kind.MATERIAL, Kind.PRODUCT)
"""An item of a bill of materials or a supply line."""
MATERIALS = (Kind.MATERIAL, Kind.MATERIAL_CLASS)
"""A material or a class of materials (a commodity before its class of the same short id)."""


class UnknownIdentifier(BadRequest):
    """An argument that names nothing of the kinds it may name."""


_COUNTRY_CODES = f"""
SELECT ?country ?code WHERE {{
  VALUES ?type {{ <{v.COUNTRY}> <{v.COUNTRY_AGGREGATE}> }}
  ?country a ?type .
  {{ ?country <{v.ISO2}> ?code }} UNION {{ ?country <{v.ISO3}> ?code }} UNION {{ ?country <{v.ISO_NUMERIC}> ?code }}
  UNION {{ ?country <{v.TRADE_CODE}> ?code }} UNION {{ ?country <{v.RDFS_LABEL}> ?code }}
}}
"""


@dataclass(frozen=True, slots=True)
class _Countries:
    by_name: dict[str, str]  # upper-cased code or label -> IRI (the least IRI on a clash)
    names: dict[str, str]  # upper-cased name -> as written, for suggestions


_countries: weakref.WeakKeyDictionary[ReadableGraph, _Countries] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _country_table(graph: ReadableGraph) -> _Countries:
    with _lock:
        found = _countries.get(graph)
    if found is not None:
        return found
    by_name: dict[str, str] = {}
    names: dict[str, str] = {}
    for row in graph.select(_COUNTRY_CODES).rows:
        country, code = row["country"].value, row["code"].value.strip()
        for key in {code.upper(), code.upper().lstrip("0") or "0"} if code.isdigit() else {code.upper()}:
            if key not in by_name or country < by_name[key]:
                by_name[key] = country
        names[code.upper()] = code
    table = _Countries(by_name, names)
    with _lock:
        _countries[graph] = table
    return table


def _has_kind(index: DependencyIndex, iri: str, kinds: Sequence[Kind]) -> bool:
    node = index.lookup(iri)
    if node is None:
        return False
    bits = int(index.kind[node])
    return any(bits & int(kind.node_kind) for kind in kinds)


def resolve(
    index: DependencyIndex,
    graph: ReadableGraph,
    text: str,
    kinds: Sequence[Kind],
    argument: str,
    *,
    suggest: bool = True,
) -> str:
    """The IRI ``text`` names, as one of ``kinds`` (tried in order); :class:`UnknownIdentifier` if none.

    ``argument`` names the argument in the error (``country``, ``--param material``...);
    ``suggest`` adds the closest known names to it (a scan of the names: keep it off an event loop).
    """
    value = text.strip()
    if not value:
        raise BadRequest(f"{argument}: empty; expected {_expected(kinds)}")
    if "://" in value or value.startswith("urn:"):
        if not is_absolute_iri(value):
            raise BadRequest(f"{argument}: {value!r} is not a valid absolute IRI")
        if _has_kind(index, value, kinds):
            return value
        raise UnknownIdentifier(f"{argument}: {value} is not a known {_expected(kinds)}")
    for kind in kinds:
        found = _resolve_one(index, graph, value, kind)
        if found is not None:
            return found
    hint = suggestions(index, graph, value, kinds) if suggest else []
    more = f"; closest: {', '.join(hint)}" if hint else ""
    raise UnknownIdentifier(f"{argument}: {value!r} is not a known {_expected(kinds)}{more}")


def _resolve_one(index: DependencyIndex, graph: ReadableGraph, value: str, kind: Kind) -> str | None:
    if kind is Kind.COUNTRY:
        table = _country_table(graph)
        key = value.upper()
        found = table.by_name.get(key) or (table.by_name.get(key.lstrip("0") or "0") if key.isdigit() else None)
        if found is not None and _has_kind(index, found, (kind,)):
            return found
    short = value.removeprefix(kind.value + "/")
    for candidate in (short, short.lower()):
        iri = f"{v.ID}{kind.value}/{candidate}"
        if _has_kind(index, iri, (kind,)):
            return iri
    return None


def suggestions(
    index: DependencyIndex, graph: ReadableGraph, value: str, kinds: Sequence[Kind], n: int = 3
) -> list[str]:
    """The known names closest to ``value`` among ``kinds`` (short ids, codes and country labels)."""
    names: list[str] = []
    for kind in kinds:
        if kind is Kind.COUNTRY:
            names += list(_country_table(graph).names.values())
        names += short_ids(index, kind)
    lowered = {name.lower(): name for name in names}
    if len(lowered) > 20_000:  # a large store: compare with the names that start alike
        lowered = {k: name for k, name in lowered.items() if k[:1] == value[:1].lower()}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[c] for c in close]


def short_ids(index: DependencyIndex, kind: Kind) -> list[str]:
    """Short ids of every node of ``kind`` under ``…/id/<kind>/`` (a range of the sorted node IRIs)."""
    prefix = f"{v.ID}{kind.value}/"
    start, end = index.insertion_point(prefix), index.insertion_point(prefix + "\U0010ffff")
    bit = int(kind.node_kind)
    return [index.iri(n)[len(prefix) :] for n in range(start, end) if int(index.kind[n]) & bit]


def hs_iri(text: str) -> str | None:
    """The HS concept ``text`` names: ``850511`` or ``hs:850511`` (HS 2022), or an IRI under ``…/hs<year>/``.

    None if it names none.
    """
    value = text.strip()
    if value.startswith(v.HS):
        vintage, _, code = value[len(v.HS) :].partition("/")
        ok = vintage.isdigit() and len(vintage) == 4 and code.isascii() and code.isdigit()
        return value if ok and is_absolute_iri(value) else None
    code = value.removeprefix("hs:")
    return f"{v.HS}2022/{code}" if code.isascii() and code.isdigit() and 2 <= len(code) <= 10 else None


def dataset_iri(name: str) -> str:
    """A dataset by name (``usgs-2025``, its named graph under ``…/graph/``) or by graph IRI."""
    value = name.strip()
    if "://" in value:
        if not is_absolute_iri(value):
            raise BadRequest(f"dataset: {value!r} is not a valid absolute IRI")
        return value
    if not value or any(c in value for c in '<>"{}|^`\\ '):
        raise BadRequest(f"dataset: {value!r} is not a dataset name")
    return v.GRAPH + value


def short_id(iri: str) -> str:
    """The short id of an IRI minted under ``…/id/<kind>/`` (the IRI itself otherwise)."""
    if iri.startswith(v.ID):
        return iri[len(v.ID) :].split("/", 1)[-1]
    return iri


def _expected(kinds: Sequence[Kind]) -> str:
    nouns = [kind.noun for kind in kinds]
    return nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " or " + nouns[-1]


PARAM_KINDS: dict[str, tuple[Kind, ...]] = {
    "country": (Kind.COUNTRY,),
    "material": MATERIALS,
    "item": ITEMS,
    "product": (Kind.PRODUCT,),
    "firm": (Kind.FIRM,),
    "facility": (Kind.FACILITY,),
    "control": (Kind.CONTROL,),
}
"""The kinds each entity type of a named-query parameter may name (see :mod:`service.query_catalogue`)."""


def param_resolver(index: DependencyIndex, graph: ReadableGraph) -> Callable[[Param, str], str]:
    """A resolver for named-query parameters, reading ``index`` and ``graph``."""

    def resolve_param(param: Param, value: str) -> str:
        return resolve(index, graph, value, PARAM_KINDS[param.type], f"parameter {param.name}")

    return resolve_param
