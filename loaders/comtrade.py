"""UN Comtrade+ CSV (API export, web download or bulk ``COMTRADE-FINAL-*.gz``): the 47 columns.

Each row is one reporter's declaration.  Imports (``M``, ``RM``...) make the
reporter the importer and the partner the exporter; exports (``X``, ``RX``...)
the other way round.  Nothing is counted twice and nothing is lost: rows
with partner World (code 0, ``W00``) sum the partner rows, so they are
skipped; a partner's total row (customs procedure ``C00``, mode of transport
``0``, second partner ``0``) is the flow, and its breakdowns by customs
procedure, mode of transport or second partner, which repeat its trade, are
skipped.  Comtrade marks such total rows ``isAggregate``; they are loaded as
ordinary flows.  Commodity totals (``TOTAL``, chapters, headings) are kept
but flagged ``sg:aggregate true``, which summing queries leave out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from loaders.baci import hs_concepts_nt
from loaders.base import Progress, Report
from loaders.countries import PSEUDO_ISO3, TAIWAN_TRADE_CODE, WORLD, country_nt, valid_iso3
from loaders.iris import country, entity, hs_code, hs_year, nt_str
from loaders.registry import LoadOptions
from loaders.tabular import (
    CHUNK_ROWS,
    Rejects,
    Source,
    csv_rows,
    decimal_text,
    open_lines,
    stream_into,
    throttled,
)
from ontology import vocab as V
from service.errors import DataError
from service.store import Writer

REQUIRED = (
    "freqCode", "refYear", "period", "reporterCode", "reporterISO", "reporterDesc", "flowCode", "partnerCode",
    "partnerISO", "partnerDesc", "partner2Code", "classificationCode", "cmdCode", "cmdDesc", "customsCode",
    "mosCode", "motCode", "netWgt", "primaryValue", "isAggregate",
)  # fmt: skip
EXPORT_FLOWS = frozenset({"X", "RX", "DX", "XIP", "XOP"})
IMPORT_FLOWS = frozenset({"M", "RM", "MIP", "MOP", "FM"})
_TOTALS = {"partner2Code": ("0", ""), "customsCode": ("C00", ""), "motCode": ("0", ""), "mosCode": ("0", "")}
_PERIOD = re.compile(r"\d{4}(0[1-9]|1[0-2])?")
_HS = re.compile(r"[0-9]{2}([0-9]{2}([0-9A-Z]{2})?)?|TOTAL")
SOURCE_URL = "https://comtradeplus.un.org/"


@dataclass(slots=True)
class ComtradeLoader:
    """Loads Comtrade+ CSV files (plain or gzipped) as sg:TradeFlow observations."""

    paths: Sequence[Path]
    options: LoadOptions
    format: str = "comtrade"

    def load(self, writer: Writer, graph: str, progress: Progress | None) -> Report:
        release = ", ".join(p.name for p in self.paths)
        return stream_into(writer, graph, self, partial(self._chunks, graph, progress=progress), release=release)

    def _chunks(self, graph: str, report: Report, rejects: Rejects, progress: Progress | None) -> Iterator[str]:
        opts = self.options
        sources = [Source(p) for p in self.paths]
        tick = throttled(progress, sum(s.size() for s in sources))
        countries: dict[str, tuple[str, str]] = {}  # key -> (label, trade code)
        concepts: dict[str, dict[str, str]] = {}  # vintage -> code -> label
        done_before = 0
        for source in sources:
            label = source.label
            with open_lines(source, opts.extra.get("encoding", "utf-8")) as (lines, position):
                first = next(lines, None)
                if first is None:
                    raise DataError(label, 1, None, "empty file: expected the Comtrade header")
                delimiter = "\t" if "\t" in first[1] else ","
                header = [h.strip() for h in first[1].split(delimiter)]
                missing = [c for c in REQUIRED if c not in header]
                if missing:
                    raise DataError(label, 1, missing[0], "not a Comtrade+ header: column missing", ",".join(missing))
                at = {name: n for n, name in enumerate(header)}
                out: list[str] = []
                for lineno, row in csv_rows(lines, delimiter):
                    report.rows_read += 1  # type: ignore[operator]
                    try:
                        flow = self._row(row, at, len(header), graph, countries, concepts)
                    except DataError as exc:
                        rejects.reject(DataError(label, lineno, exc.field, exc.problem, exc.value))
                        continue
                    if flow:
                        out.append(flow)
                        report.rows_loaded += 1  # type: ignore[operator]
                    if len(out) >= CHUNK_ROWS:
                        yield "".join(out)
                        out.clear()
                        tick(done_before + position())
                yield "".join(out)
            done_before += source.size()
            tick(done_before)
        yield "".join(country_nt(k, label, SOURCE_URL, code) for k, (label, code) in sorted(countries.items()))
        for vintage, labels in sorted(concepts.items()):
            yield hs_concepts_nt(sorted(labels), vintage, labels, SOURCE_URL)

    def _row(
        self,
        row: list[str],
        at: dict[str, int],
        width: int,
        graph: str,
        countries: dict[str, tuple[str, str]],
        concepts: dict[str, dict[str, str]],
    ) -> str:
        """The N-Triples of one row; empty when filtered out or a breakdown of a total."""
        if len(row) != width:
            raise DataError("", 0, None, f"expected {width} columns, got {len(row)}", ",".join(row)[:200])

        def col(name: str) -> str:
            return row[at[name]].strip()

        opts = self.options
        year, period, cmd = col("refYear"), col("period"), col("cmdCode")
        if not (len(year) == 4 and year.isascii() and year.isdigit()):
            raise DataError("", 0, "refYear", "year is not a 4-digit number", year)
        if not _PERIOD.fullmatch(period):
            raise DataError("", 0, "period", "period is not YYYY or YYYYMM", period)
        if opts.years is not None and int(year) not in opts.years:
            return ""
        if opts.hs_prefixes and not cmd.startswith(tuple(p.replace(".", "") for p in opts.hs_prefixes)):
            return ""
        if any(col(name) not in totals for name, totals in _TOTALS.items()):
            return ""  # a breakdown of a total row: loading it would count the trade twice
        reporter = self._country(col("reporterCode"), col("reporterISO"), col("reporterDesc"), "reporterCode")
        partner = self._country(col("partnerCode"), col("partnerISO"), col("partnerDesc"), "partnerCode")
        if partner[0] == WORLD:
            return ""  # the reporter's total over partners: the sum of its partner rows, so loading it counts twice
        if opts.countries is not None and reporter[0] not in opts.countries and partner[0] not in opts.countries:
            return ""
        flow_code = col("flowCode")
        if flow_code in EXPORT_FLOWS:
            exporter, importer = reporter[0], partner[0]
        elif flow_code in IMPORT_FLOWS:
            exporter, importer = partner[0], reporter[0]
        else:
            raise DataError("", 0, "flowCode", "unknown flow code", flow_code)
        value = decimal_text(col("primaryValue"))
        if value is None:
            raise DataError("", 0, "primaryValue", "value is not a non-negative number", col("primaryValue"))
        weight_text = col("netWgt")
        weight = None if weight_text in ("", "-1", "NA", "null") else decimal_text(weight_text)
        if weight is None and weight_text not in ("", "-1", "NA", "null"):
            raise DataError("", 0, "netWgt", "net weight is not a non-negative number", weight_text)
        vintage = col("classificationCode")
        if not _HS.fullmatch(cmd):
            raise DataError("", 0, "cmdCode", "not an HS code (2, 4 or 6 digits) or TOTAL", cmd)
        try:
            hs_iri = hs_code(cmd, vintage)
        except ValueError:
            raise DataError("", 0, "classificationCode", "unknown HS classification", vintage) from None
        concepts.setdefault(f"HS{str(hs_year(vintage))[2:]}", {})[cmd] = col("cmdDesc")
        # isAggregate marks totals over breakdowns, the very rows kept as the flows: only a
        # commodity total (a chapter, a heading, TOTAL) repeats other flows.
        aggregate = len(cmd) != 6
        for key, code, desc in (reporter, partner):
            if _is_country(key):
                countries.setdefault(key, (desc, code))
        key = "-".join(("comtrade", vintage, col("freqCode"), period, reporter[1], flow_code, partner[1], cmd))
        s = f"<{entity('flow', key.lower())}>"
        dec = f"^^<{V.XSD}decimal>"
        out = (
            f"{s} <{V.RDF_TYPE}> <{V.TRADE_FLOW}> .\n{s} <{V.RDF_TYPE}> <{V.QB}Observation> .\n"
            f"{s} <{V.REPORTER}> <{country(reporter[0])}> .\n{s} <{V.FLOW_CODE}> {nt_str(flow_code)} .\n"
            f'{s} <{V.HS_VINTAGE}> {nt_str(vintage)} .\n{s} <{V.YEAR}> "{year}"^^<{V.XSD}integer> .\n'
            f'{s} <{V.PERIOD}> "{period}" .\n{s} <{V.VALUE_USD}> "{value}"{dec} .\n'
            f"{s} <{V.DATASET}> <{graph}> .\n{s} <{V.DCTERMS_SOURCE}> {nt_str(SOURCE_URL)} .\n"
            f"{s} <{V.HS_CODE}> <{hs_iri}> .\n"
        )
        # Areas without an alpha-3 code ("Areas, nes") are not countries: that side stays unstated.
        if _is_country(exporter):
            out += f"{s} <{V.EXPORTER}> <{country(exporter)}> .\n"
        if _is_country(importer):
            out += f"{s} <{V.IMPORTER}> <{country(importer)}> .\n"
        if weight is not None:
            out += f'{s} <{V.NET_WEIGHT_KG}> "{weight}"{dec} .\n'
        if aggregate:
            out += f'{s} <{V.AGGREGATE}> "true"^^<{V.XSD}boolean> .\n'
        return out

    @staticmethod
    def _country(code: str, iso: str, desc: str, field: str) -> tuple[str, str, str]:
        """(IRI key, trade code, label) of a reporter or partner."""
        if not (code.isascii() and code.isdigit()):
            raise DataError("", 0, field, "country code is not a number", code)
        code = str(int(code))
        if code == "0" or iso == "W00":
            return WORLD, code, "World"
        if code == TAIWAN_TRADE_CODE:
            return "TWN", code, desc
        iso = PSEUDO_ISO3.get(iso.upper(), iso.upper())
        # Areas without an alpha-3 code ("Areas, nes", bunkers) keep their UN code.
        return (iso if valid_iso3(iso) else f"UN{code}"), code, desc


def _is_country(key: str) -> bool:
    return key != WORLD and not key.startswith("UN")


def factory(paths: Sequence[Path], options: LoadOptions) -> ComtradeLoader:
    """The ``comtrade`` loader for Comtrade+ CSV files (``.csv`` or ``.gz``)."""
    return ComtradeLoader(list(paths), options)
