"""USGS Mineral Commodity Summaries: world mine and refinery production by country.

Two layouts are read: the 2022-2024 per-commodity files
(``mcs2024-raree_world.csv``: ``Source,Country,Type,Prod_t_2022,Prod_t_est_2023,...``,
unit and year in the column names) and the 2025 single file
(``MCS2025_World_Data.csv``: ``COMMODITY``, ``UNIT_MEAS``, ``PROD_2023``,
``PROD_EST_ 2024``).  Each non-empty production cell becomes one
sg:ProductionStatistic of a commodity-level material
(``id/material/<slug>``) in tonnes, or kilograms where USGS reports
kilograms (gallium, germanium).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path

from loaders.base import Progress, Report
from loaders.countries import AGGREGATE_LABELS, clean_usgs_name, country_nt, usgs_country
from loaders.iris import country, entity, nt_str, slug
from loaders.known import material_classes, sample_materials
from loaders.registry import LoadOptions
from loaders.tabular import Rejects, Source, csv_rows, decimal_text, open_lines, stream_into
from loaders.usgs_terms import (
    DEFAULT_SOURCE,
    EDITION_SOURCES,
    KILOGRAM,
    KILOGRAM_MATERIALS,
    TONNE,
    commodity_slug,
    parse_quantity,
    parse_reserves,
    stage_of,
    unit_of_column,
    unit_of_measure,
)
from ontology import vocab as V
from service.errors import DataError
from service.store import Writer

_FILE_2024 = re.compile(r"mcs(\d{4})-([a-z0-9]+)_world", re.IGNORECASE)
_PROD_2024 = re.compile(r"prod_([a-z]+)_(est_)?(\d{4})", re.IGNORECASE)
_PROD_2025 = re.compile(r"PROD_(EST_)?(\d{4})", re.IGNORECASE)
_FILE_2025 = re.compile(r"MCS(\d{4})_World_Data", re.IGNORECASE)
_RESERVES_2025 = re.compile(r"RESERVES_(\d{4})", re.IGNORECASE)
_RESERVES_2024 = re.compile(r"reserves_([a-z]+)", re.IGNORECASE)
_COLUMNS_2025 = ("SOURCE", "COMMODITY", "COUNTRY", "TYPE", "UNIT_MEAS")
_COLUMNS_2024 = ("Source", "Country", "Type")


@dataclass(slots=True)
class _Column:
    at: int
    year: int
    estimated: bool
    unit: tuple[str, Decimal] | None  # (QUDT unit IRI, factor) when the column name carries it


@dataclass(frozen=True, slots=True)
class _Layout:
    """A file's layout, read from its header once: which columns hold production of which year."""

    single_file: bool  # the 2025 single-file layout (COMMODITY column), else per commodity
    columns: list[_Column]
    reserves: _Column | None = None  # reserves as of a year (the edition's year before), when the file has them


@dataclass(slots=True)
class UsgsLoader:
    """Loads MCS world production tables (both layouts) as sg:ProductionStatistic observations."""

    paths: Sequence[Path]
    options: LoadOptions
    format: str = "usgs"

    def load(self, writer: Writer, graph: str, progress: Progress | None) -> Report:
        return stream_into(writer, graph, self, partial(self._chunks, graph, progress=progress))

    def _chunks(self, graph: str, report: Report, rejects: Rejects, progress: Progress | None) -> Iterator[str]:
        used: dict[str, str] = {}  # country key -> USGS name
        materials: dict[str, tuple[str, str]] = {}  # slug -> (commodity name, stage of its first statistic)
        editions: set[str] = set()
        total = sum(p.stat().st_size for p in self.paths)
        done = 0
        for path in self.paths:
            source = Source(path)
            with open_lines(source, self.options.extra.get("encoding", "utf-8")) as (lines, _):
                rows = csv_rows(lines)
                first = next(rows, None)
                if first is None:
                    raise DataError(source.label, 1, None, "empty file: expected a USGS MCS header")
                header = [h.strip() for h in first[1]]
                # A header problem is a file problem: the whole load stops, whatever --max-errors says.
                try:
                    layout = self._layout(source, header)
                except DataError as exc:
                    raise DataError(source.label, 1, exc.field, exc.problem, exc.value) from None
                out: list[str] = []
                for lineno, row in rows:
                    if not any(cell.strip() for cell in row):
                        continue  # blank lines between commodities in some releases
                    report.rows_read += 1  # type: ignore[operator]
                    try:
                        triples = self._row(source, layout, header, row, graph, used, materials, editions)
                    except DataError as exc:
                        rejects.reject(DataError(source.label, lineno, exc.field, exc.problem, exc.value))
                        continue
                    if triples:
                        out.append(triples)
                        report.rows_loaded += 1  # type: ignore[operator]
                yield "".join(out)
            done += path.stat().st_size
            if progress is not None:
                progress(done, total)
        report.release = ", ".join(sorted(editions)) or None
        cited = EDITION_SOURCES.get(min(editions, default=""), DEFAULT_SOURCE)
        yield "".join(country_nt(k, n, cited) for k, n in sorted(used.items()))
        yield materials_nt(materials, cited)

    def _layout(self, source: Source, header: list[str]) -> _Layout:
        """The layout of a file from its header; :class:`DataError` naming a missing column."""
        names = {h.upper().replace(" ", "") for h in header}
        if "COMMODITY" in names:
            missing = [c for c in _COLUMNS_2025 if c not in names]
            match = _FILE_2025.search(source.path.name)
            if match is not None:
                edition = int(match.group(1))
                missing += [c for c in (f"PROD_{edition - 2}", f"PROD_EST_{edition - 1}") if c not in names]
            if missing:
                raise DataError("", 1, missing[0], "missing column of the MCS single-file layout", ", ".join(missing))
            reserves_2025 = [
                _Column(n, int(m.group(1)), False, None)
                for n, name in enumerate(header)
                if (m := _RESERVES_2025.fullmatch(name.replace(" ", "")))
            ]
            return _Layout(True, self._columns(header, _PROD_2025, 1, None), next(iter(reserves_2025), None))
        match = _FILE_2024.search(source.path.name)
        if match is None:
            raise DataError("", 1, None, "not a USGS MCS world table (mcsYYYY-<code>_world.csv or MCSYYYY_World_Data)")
        missing = [c for c in _COLUMNS_2024 if c.upper() not in names]
        if missing:
            raise DataError("", 1, missing[0], "missing column of the MCS per-commodity layout", ", ".join(missing))
        reserves_2024 = None
        for n, name in enumerate(header):
            if (m := _RESERVES_2024.fullmatch(name.replace(" ", ""))) and m.group(1).lower() != "notes":
                unit = unit_of_column(m.group(1))
                if unit is None:
                    raise DataError("", 1, name, "unknown unit in reserves column name", m.group(1))
                # Reserves of an edition are as of the year before it (MCS2025: RESERVES_2024).
                reserves_2024 = _Column(n, int(match.group(1)) - 1, False, unit)
        return _Layout(False, self._columns(header, _PROD_2024, 2, 1), reserves_2024)

    def _row(
        self,
        source: Source,
        layout: _Layout,
        header: list[str],
        row: list[str],
        graph: str,
        used: dict[str, str],
        materials: dict[str, tuple[str, str]],
        editions: set[str],
    ) -> str:
        if len(row) != len(header):
            raise DataError("", 0, None, f"expected {len(header)} columns, got {len(row)}", ",".join(row)[:200])
        cells = {name.upper().replace(" ", ""): row[n].strip() for n, name in enumerate(header)}
        columns = layout.columns
        if layout.single_file:
            material, label = commodity_slug(cells["COMMODITY"]), " ".join(cells["COMMODITY"].split())
            unit = unit_of_measure(cells.get("UNIT_MEAS", ""))
            if unit is None:
                raise DataError("", 0, "UNIT_MEAS", "unknown unit of measure", cells.get("UNIT_MEAS", ""))
            edition = cells.get("SOURCE") or "MCS"
        else:
            match = _FILE_2024.search(source.path.name)
            assert match is not None  # checked with the header
            material = commodity_slug(match.group(2), code=True)
            label = material.replace("-", " ").capitalize()
            unit = None
            edition = cells.get("SOURCE") or f"MCS{match.group(1)}"
        name = cells.get("COUNTRY", "")
        key = usgs_country(name)
        if key is None:
            raise DataError("", 0, "Country", "unknown country name", name)
        if self.options.countries is not None and key not in AGGREGATE_LABELS and key not in self.options.countries:
            return ""
        stat_type = cells.get("TYPE", "")
        out: list[str] = []
        for column in columns:
            if self.options.years is not None and column.year not in self.options.years:
                continue
            quantity, estimated = parse_quantity(row[column.at], header[column.at])
            if quantity is None:
                continue  # empty, withheld (W) or not available (NA): missing, so no statistic
            unit_iri, factor = column.unit or unit  # type: ignore[misc]
            if material in KILOGRAM_MATERIALS and unit_iri == TONNE:
                unit_iri, factor = KILOGRAM, factor * 1000
            amount = decimal_text(str(Decimal(quantity) * factor)) or "0"
            stat = _Stat(edition, material, key, stat_type, column.year, column.estimated or estimated)
            out.append(stat.nt(amount, unit_iri, graph))
        if layout.reserves is not None and stage_of(stat_type) == V.MINING and key not in AGGREGATE_LABELS:
            where = layout.reserves
            reserve, bound = parse_reserves(row[where.at], header[where.at])
            if reserve is not None:
                unit_iri, factor = where.unit or unit  # type: ignore[misc]
                if material in KILOGRAM_MATERIALS and unit_iri == TONNE:
                    unit_iri, factor = KILOGRAM, factor * 1000
                scaled = decimal_text(str(Decimal(reserve) * factor)) or "0"
                out.append(_reserves_nt(edition, material, key, where.year, scaled, unit_iri, bound, graph))
        if out:
            used.setdefault(key, clean_usgs_name(name))
            materials.setdefault(material, (label, stage_of(stat_type)))
            editions.add(edition)
        return "".join(out)

    @staticmethod
    def _columns(header: list[str], pattern: re.Pattern[str], year_group: int, unit_group: int | None) -> list[_Column]:
        columns = []
        for n, name in enumerate(header):
            match = pattern.fullmatch(name.replace(" ", ""))
            if match:
                unit = unit_of_column(match.group(unit_group)) if unit_group else None
                if unit_group and unit is None:
                    raise DataError("", 1, name, "unknown unit in production column name", match.group(unit_group))
                estimated = bool(match.group(year_group))
                columns.append(_Column(n, int(match.group(year_group + 1)), estimated, unit))
        if not columns:
            raise DataError("", 1, None, "no production columns (Prod_<unit>_<year> or PROD_<year>) in the header")
        return columns


@dataclass(frozen=True, slots=True)
class _Stat:
    """The identity of one statistic: what, where, when, which edition."""

    edition: str
    material: str
    country: str
    stat_type: str
    year: int
    estimated: bool

    def nt(self, quantity: str, unit_iri: str, graph: str) -> str:
        stage = stage_of(self.stat_type)
        natural = f"usgs-{self.edition}-{self.material}-{self.country}-{slug(self.stat_type)}-{self.year}".lower()
        s = f"<{entity('production', natural)}>"
        kind = stage.rsplit("#", 1)[1].lower()
        label = f"{self.material} {kind} production, {self.country}, {self.year} ({self.edition})"
        return (
            f"{s} <{V.RDF_TYPE}> <{V.PRODUCTION_STATISTIC}> .\n{s} <{V.RDF_TYPE}> <{V.QB}Observation> .\n"
            f"{s} <{V.RDFS_LABEL}> {nt_str(label)} .\n"
            f"{s} <{V.STAT_MATERIAL}> <{entity('material', self.material)}> .\n"
            f"{s} <{V.STAT_COUNTRY}> <{country(self.country)}> .\n"
            f'{s} <{V.YEAR}> "{self.year}"^^<{V.XSD}integer> .\n{s} <{V.EDITION}> {nt_str(self.edition)} .\n'
            f'{s} <{V.ESTIMATED}> "{"true" if self.estimated else "false"}"^^<{V.XSD}boolean> .\n'
            f"{s} <{V.STAT_TYPE}> {nt_str(self.stat_type)} .\n{s} <{V.STAGE_P}> <{stage}> .\n"
            f'{s} <{V.QUANTITY}> "{quantity}"^^<{V.XSD}decimal> .\n{s} <{V.UNIT_P}> <{unit_iri}> .\n'
            f"{s} <{V.DATASET}> <{graph}> .\n"
            f"{s} <{V.DCTERMS_SOURCE}> {nt_str(EDITION_SOURCES.get(self.edition, DEFAULT_SOURCE))} .\n"
        )


def _reserves_nt(
    edition: str, material: str, key: str, year: int, quantity: str, unit_iri: str, bound: str | None, graph: str
) -> str:
    """A country's reserves of a material, as the edition states them (a bound kept as a bound)."""
    s = f"<{entity('reserves', f'usgs-{edition}-{material}-{key}-{year}'.lower())}>"
    label = f"{material} reserves, {key}, {year} ({edition})"
    out = (
        f"{s} <{V.RDF_TYPE}> <{V.RESERVES_ESTIMATE}> .\n{s} <{V.RDF_TYPE}> <{V.QB}Observation> .\n"
        f"{s} <{V.RDFS_LABEL}> {nt_str(label)} .\n"
        f"{s} <{V.STAT_MATERIAL}> <{entity('material', material)}> .\n{s} <{V.STAT_COUNTRY}> <{country(key)}> .\n"
        f'{s} <{V.YEAR}> "{year}"^^<{V.XSD}integer> .\n{s} <{V.EDITION}> {nt_str(edition)} .\n'
        f'{s} <{V.QUANTITY}> "{quantity}"^^<{V.XSD}decimal> .\n{s} <{V.UNIT_P}> <{unit_iri}> .\n'
        f"{s} <{V.DATASET}> <{graph}> .\n"
        f"{s} <{V.DCTERMS_SOURCE}> {nt_str(EDITION_SOURCES.get(edition, DEFAULT_SOURCE))} .\n"
    )
    if bound is not None:
        out += f'{s} <{V.LOWER_BOUND if bound == "lower" else V.UPPER_BOUND}> "true"^^<{V.XSD}boolean> .\n'
    return out


BASE_METALS = frozenset({"aluminum", "copper", "lead", "nickel", "tin", "zinc"})


def materials_nt(materials: dict[str, tuple[str, str]], source: str) -> str:
    """Descriptions of commodities the sample graph does not define: type, label, stage, class."""
    out = []
    classes = material_classes()
    for slug_, (label, stage) in sorted(materials.items()):
        if slug_ in sample_materials():
            continue
        s = f"<{entity('material', slug_)}>"
        out.append(f"{s} <{V.RDF_TYPE}> <{V.MATERIAL}> .\n{s} <{V.RDFS_LABEL}> {nt_str(label)} .\n")
        out.append(f"{s} <{V.DCTERMS_SOURCE}> {nt_str(source)} .\n{s} <{V.STAGE_P}> <{stage}> .\n")
        cls = slug_ if slug_ in classes else "base-metals" if slug_ in BASE_METALS else "critical-minerals"
        out.append(f"{s} <{V.MATERIAL_CLASS_P}> <{entity('class', cls)}> .\n")
    return "".join(out)


def factory(paths: Sequence[Path], options: LoadOptions) -> UsgsLoader:
    """The ``usgs`` loader for MCS world production tables."""
    return UsgsLoader(list(paths), options)
