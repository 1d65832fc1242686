"""A company's own supply network as five CSV tables in one folder.

``firms.csv``, ``facilities.csv``, ``items.csv``, ``bom.csv`` and
``supply.csv`` (templates in ``loaders/templates/``, layouts in
``docs/loading.md``).  Any table may be absent; references between tables
(a facility's firm, a BOM line's input, a supplier) must resolve to rows of
the folder, so a typo is reported, not loaded as a dangling IRI.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from loaders.base import Progress, Report
from loaders.countries import country_nt, valid_iso3
from loaders.iris import country, entity, hs_code, nt_str, slug
from loaders.known import facility_types, material_classes
from loaders.registry import NETWORK_TABLES, LoadOptions
from loaders.tabular import Rejects, Source, csv_rows, decimal_text, open_lines, stream_into
from ontology import vocab as V
from service.errors import DataError
from service.store import Writer

COLUMNS = {
    "firms.csv": ("id", "name", "country", "lei", "parent"),
    "items.csv": ("id", "name", "kind", "stage", "material_class", "hs_code", "hs_vintage"),
    "facilities.csv": ("id", "name", "firm", "country", "type", "produces", "capacity", "capacity_unit"),
    "bom.csv": ("product", "input", "share", "quantity", "unit"),
    "supply.csv": ("supplier", "buyer", "item", "share", "since", "until", "source", "illustrative"),
}
STAGES = {
    "mining": V.MINING,
    "refining": V.REFINING,
    "metal": V.METAL,
    "component": V.COMPONENT,
    "assembly": V.ASSEMBLY,
}
UNITS = {"t": "TONNE", "tonne": "TONNE", "tonnes": "TONNE", "kg": "KiloGM", "unit": "UNITLESS", "units": "UNITLESS"}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DATE = re.compile(r"(\d{4})(-\d{2}-\d{2})?")
_BOOL = {"": "false", "false": "false", "no": "false", "0": "false", "true": "true", "yes": "true", "1": "true"}
DEC = f"^^<{V.XSD}decimal>"


class _Bad(Exception):
    def __init__(self, field: str, problem: str, value: str) -> None:
        self.field, self.problem, self.value = field, problem, value


@dataclass(slots=True)
class _Ids:
    """Ids defined by the folder's tables, for checking references."""

    firms: set[str] = field(default_factory=set)
    facilities: set[str] = field(default_factory=set)
    items: dict[str, str] = field(default_factory=dict)  # id -> IRI
    countries: set[str] = field(default_factory=set)
    source: str = ""  # the dataset's graph IRI as a string literal: the default dcterms:source


def _t(s: str, p: str, o: str) -> str:
    return f"<{s}> <{p}> {o} .\n"


def _described(s: str, kind: str, label: str, source: str) -> str:
    """Type, label and source of an entity: every fact in the graph carries a URL source."""
    return _t(s, V.RDF_TYPE, f"<{kind}>") + _t(s, V.RDFS_LABEL, nt_str(label)) + _t(s, V.DCTERMS_SOURCE, source)


@dataclass(slots=True)
class NetworkLoader:
    """Loads a supply-network folder (firms, facilities, items, BOM, supply relationships)."""

    paths: Sequence[Path]
    options: LoadOptions
    format: str = "network"
    _graph: str = ""

    def load(self, writer: Writer, graph: str, progress: Progress | None) -> Report:
        self._graph = graph
        folder = self.paths[0]
        tables = {name: folder / name for name in COLUMNS if (folder / name).is_file()}
        if not tables:
            raise DataError(str(folder), 0, None, f"no network tables ({', '.join(NETWORK_TABLES)}) in the folder")
        chunks = partial(self._chunks, tables, progress=progress)
        return stream_into(writer, graph, self, chunks, sources=list(tables.values()), anchor=folder)

    def _read(self, path: Path, report: Report, rejects: Rejects) -> list[tuple[int, dict[str, str]]]:
        source = Source(path)
        with open_lines(source) as (lines, _):
            rows = csv_rows(lines)
            _, header = next(rows, (1, []))
            header = [h.strip().lower() for h in header]
            missing = [c for c in COLUMNS[path.name] if c not in header]
            if missing:
                raise DataError(str(path), 1, missing[0], "column missing from the header", ",".join(header))
            out = []
            for lineno, row in rows:
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    report.rows_read += 1  # type: ignore[operator]
                    problem = f"expected {len(header)} columns, got {len(row)}"
                    rejects.reject(DataError(str(path), lineno, None, problem, ",".join(row)))
                    continue
                out.append((lineno, {h: cell.strip() for h, cell in zip(header, row, strict=True)}))
        report.rows_read += len(out)  # type: ignore[operator]
        return out

    def _chunks(
        self, tables: dict[str, Path], report: Report, rejects: Rejects, progress: Progress | None
    ) -> Iterator[str]:
        data = {name: self._read(path, report, rejects) for name, path in tables.items()}
        ids = _Ids(source=nt_str(self._graph))
        ids.firms = {r["id"] for _, r in data.get("firms.csv", [])}
        ids.facilities = {r["id"] for _, r in data.get("facilities.csv", [])}
        for _, r in data.get("items.csv", []):
            kind = "product" if r["kind"].lower() == "product" else "material"
            ids.items[r["id"]] = entity(kind, r["id"])
        emit = {
            "firms.csv": self._firm,
            "items.csv": self._item,
            "facilities.csv": self._facility,
            "bom.csv": self._bom,
            "supply.csv": self._supply,
        }
        done = 0
        for name in COLUMNS:
            out: list[str] = []
            for lineno, row in data.get(name, []):
                try:
                    out.append(emit[name](row, ids))
                except _Bad as bad:
                    rejects.reject(DataError(str(tables[name]), lineno, bad.field, bad.problem, bad.value))
                    continue
                report.rows_loaded += 1  # type: ignore[operator]
            yield "".join(out)
            done += 1
            if progress is not None:
                progress(done, len(COLUMNS))
        yield "".join(country_nt(c, None, self._graph) for c in sorted(ids.countries))

    # -- One function per table: a row's triples, or _Bad --------------------------

    @staticmethod
    def _country(row: dict[str, str], column: str, ids: _Ids) -> str:
        code = row[column].upper()
        if not valid_iso3(code):
            raise _Bad(column, "not an ISO alpha-3 country code", row[column])
        ids.countries.add(code)
        return f"<{country(code)}>"

    @staticmethod
    def _id(row: dict[str, str], column: str) -> str:
        if not _ID.fullmatch(row[column]):
            raise _Bad(column, "ids are letters, digits, '.', '_' and '-'", row[column])
        return row[column]

    @staticmethod
    def _number(row: dict[str, str], column: str, share: bool = False) -> str | None:
        if not row[column]:
            return None
        number = decimal_text(row[column])
        if number is None or (share and float(number) > 1):
            raise _Bad(column, "not a share between 0 and 1" if share else "not a non-negative number", row[column])
        return f'"{number}"{DEC}'

    def _firm(self, row: dict[str, str], ids: _Ids) -> str:
        s = entity("firm", self._id(row, "id"))
        out = _described(s, V.FIRM, row["name"] or row["id"], ids.source)
        if row["country"]:
            out += _t(s, V.HEADQUARTERED_IN, self._country(row, "country", ids))
        if row["lei"]:
            out += _t(s, V.SCHEMA + "leiCode", nt_str(row["lei"]))
        if row["parent"]:
            if row["parent"] not in ids.firms:
                raise _Bad("parent", "no such firm in firms.csv", row["parent"])
            out += _t(s, V.SUBSIDIARY_OF, f"<{entity('firm', row['parent'])}>")
        return out

    def _item(self, row: dict[str, str], ids: _Ids) -> str:
        self._id(row, "id")
        kind = row["kind"].lower()
        if kind not in ("material", "product"):
            raise _Bad("kind", "kind is 'material' or 'product'", row["kind"])
        s = ids.items[row["id"]]
        out = _described(s, V.MATERIAL if kind == "material" else V.PRODUCT, row["name"] or row["id"], ids.source)
        if row["stage"]:
            if row["stage"].lower() not in STAGES:
                raise _Bad("stage", f"stage is one of {', '.join(STAGES)}", row["stage"])
            out += _t(s, V.STAGE_P, f"<{STAGES[row['stage'].lower()]}>")
        if row["material_class"]:
            # A class of the bundled code list (rare-earths, gallium...) is linked; others are described here.
            key = slug(row["material_class"])
            cls = entity("class", key)
            out += _t(s, V.MATERIAL_CLASS_P, f"<{cls}>")
            if key not in material_classes():
                out += _described(cls, V.MATERIAL_CLASS, row["material_class"], ids.source)
                out += _t(cls, V.RDF_TYPE, f"<{V.SKOS}Concept>")
                out += _t(cls, V.SKOS_PREF_LABEL, nt_str(row["material_class"]))
        for code in filter(None, (c.strip().replace(".", "") for c in row["hs_code"].split(";"))):
            if not (code.isascii() and code.isdigit()) or len(code) not in (4, 6, 8, 10):
                raise _Bad("hs_code", "an HS code has 4, 6, 8 or 10 digits", code)
            try:
                out += _t(s, V.HS_CODE, f"<{hs_code(code, row['hs_vintage'] or 'HS22')}>")
            except ValueError:
                raise _Bad("hs_vintage", "unknown HS vintage", row["hs_vintage"]) from None
        return out

    def _facility(self, row: dict[str, str], ids: _Ids) -> str:
        s = entity("facility", self._id(row, "id"))
        out = _described(s, V.FACILITY, row["name"] or row["id"], ids.source)
        if row["firm"]:
            if row["firm"] not in ids.firms:
                raise _Bad("firm", "no such firm in firms.csv", row["firm"])
            out += _t(s, V.OPERATED_BY, f"<{entity('firm', row['firm'])}>")
        if row["country"]:
            out += _t(s, V.LOCATED_IN, self._country(row, "country", ids))
        if row["type"]:
            key = slug(row["type"])
            kind = entity("facility-type", key)
            out += _t(s, V.FACILITY_TYPE_P, f"<{kind}>")
            if key not in facility_types():
                out += _described(kind, V.FACILITY_TYPE, row["type"], ids.source)
        for item in filter(None, (i.strip() for i in row["produces"].split(";"))):
            if item not in ids.items:
                raise _Bad("produces", "no such item in items.csv", item)
            out += _t(s, V.PRODUCES, f"<{ids.items[item]}>")
        out += self._amount(row, s, ("capacity", V.CAPACITY), ("capacity_unit", V.CAPACITY_UNIT))
        return out

    def _bom(self, row: dict[str, str], ids: _Ids) -> str:
        product, item = row["product"], row["input"]
        for column, ref in (("product", product), ("input", item)):
            if ref not in ids.items:
                raise _Bad(column, "no such item in items.csv", ref)
        s = entity("bom", f"{product}--{item}")
        out = _t(ids.items[product], V.HAS_INPUT, f"<{s}>")
        out += _described(s, V.BOM_LINE, f"{product} <- {item}", ids.source)
        out += _t(s, V.INPUT, f"<{ids.items[item]}>")
        share = self._number(row, "share", share=True)
        if share is None:
            raise _Bad("share", "a BOM line needs its share of the product, 0 to 1", row["share"])
        out += _t(s, V.SHARE, share)
        out += self._amount(row, s, ("quantity", V.QUANTITY), ("unit", V.UNIT_P))
        return out

    def _amount(self, row: dict[str, str], s: str, value: tuple[str, str], unit: tuple[str, str]) -> str:
        """A number and its unit, each a (column, predicate) pair; nothing if the row gives no number."""
        (column, predicate), (unit_column, unit_predicate) = value, unit
        number = self._number(row, column)
        if not number:
            return ""
        code = UNITS.get(row[unit_column].lower())
        if code is None:
            raise _Bad(unit_column, f"unit is one of {', '.join(UNITS)}", row[unit_column])
        return _t(s, predicate, number) + _t(s, unit_predicate, f"<{V.UNIT}{code}>")

    def _party(self, row: dict[str, str], column: str, ids: _Ids) -> str:
        ref = row[column]
        if ref in ids.firms:
            return entity("firm", ref)
        if ref in ids.facilities:
            return entity("facility", ref)
        raise _Bad(column, "no such firm or facility", ref)

    def _supply(self, row: dict[str, str], ids: _Ids) -> str:
        supplier, buyer = self._party(row, "supplier", ids), self._party(row, "buyer", ids)
        if row["item"] not in ids.items:
            raise _Bad("item", "no such item in items.csv", row["item"])
        s = entity("supply", f"{row['supplier']}--{row['buyer']}--{row['item']}")
        out = _t(s, V.RDF_TYPE, f"<{V.SUPPLY_RELATIONSHIP}>") + _t(s, V.SUPPLIER, f"<{supplier}>")
        out += _t(s, V.RDFS_LABEL, nt_str(f"{row['supplier']} supplies {row['item']} to {row['buyer']}"))
        out += _t(s, V.BUYER, f"<{buyer}>") + _t(s, V.SUPPLIED_ITEM, f"<{ids.items[row['item']]}>")
        out += _t(supplier, V.SUPPLIES_TO, f"<{buyer}>")
        share = self._number(row, "share", share=True)
        if share:
            out += _t(s, V.SHARE, share)
        for column, predicate in (("since", V.SINCE), ("until", V.UNTIL)):
            if row[column]:
                match = _DATE.fullmatch(row[column])
                if not match:
                    raise _Bad(column, "a date is YYYY or YYYY-MM-DD", row[column])
                datatype = "date" if match.group(2) else "gYear"
                out += _t(s, predicate, f'"{row[column]}"^^<{V.XSD}{datatype}>')
        # dcterms:source is a URL string; a citation that is not a URL is kept as the citation.
        if re.fullmatch(r"(https?|urn|doi):\S+", row["source"]):
            out += _t(s, V.DCTERMS_SOURCE, nt_str(row["source"]))
        else:
            out += _t(s, V.DCTERMS_SOURCE, ids.source)
            if row["source"]:
                out += _t(s, V.DCTERMS + "bibliographicCitation", nt_str(row["source"]))
        flag = _BOOL.get(row["illustrative"].lower())
        if flag is None:
            raise _Bad("illustrative", "true or false", row["illustrative"])
        return out + _t(s, V.ILLUSTRATIVE, f'"{flag}"^^<{V.XSD}boolean>')


def factory(paths: Sequence[Path], options: LoadOptions) -> NetworkLoader:
    """The ``network`` loader for a folder of network CSV tables."""
    if len(paths) != 1 or not paths[0].is_dir():
        raise ValueError("the network format takes one folder holding firms.csv, facilities.csv, ... ")
    return NetworkLoader(list(paths), options)
