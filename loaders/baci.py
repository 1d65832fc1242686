"""CEPII BACI: reconciled bilateral trade, HS 6-digit, one CSV per year.

Input is a release zip (``BACI_HS22_V202501.zip``) or its CSVs: the yearly
trade files (``t,i,j,k,v,q``), ``country_codes_V*.csv`` and
``product_codes_HS*_V*.csv``.  Country codes go through the release's own
country file (490 "Other Asia, nes" is Taiwan); ``k`` stays text; ``v`` is in
thousand USD and becomes USD; an empty or ``NA`` ``q`` is missing, not zero.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from loaders.base import Progress, Report
from loaders.countries import PSEUDO_ISO3, TAIWAN_TRADE_CODE, country_nt, pseudo_iso3, valid_iso3
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

_TRADE = re.compile(r"BACI_(HS\d\d)_Y(\d{4})_V(\d{6}[a-z]?)\.csv(\.gz)?$", re.IGNORECASE)
_RELEASE = re.compile(r"_V(\d{6}[a-z]?)", re.IGNORECASE)
_VINTAGE = re.compile(r"BACI_(HS\d\d)", re.IGNORECASE)
_HS6 = re.compile(r"[0-9]{4}[0-9A-Z]{2}")
_MISSING = ("", "NA", "na", "NaN")
SOURCE_URL = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"


@dataclass(slots=True)
class BaciFiles:
    """The members of one BACI release, found among files and zip archives."""

    trade: list[tuple[Source, int]]  # (file, year)
    countries: Source
    products: Source | None
    vintage: str  # "HS22"
    release: str | None  # "V202501"


def find_files(paths: Sequence[Path]) -> BaciFiles:
    """Sort the given files (and zip members) into trade, country and product files."""
    sources: list[Source] = []
    # A release folder stands for the BACI files in it.
    paths = [c for p in paths for c in (sorted(p.iterdir()) if p.is_dir() else [p]) if c.is_file()]
    for path in paths:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                sources += [Source(path, n) for n in archive.namelist() if n.lower().endswith(".csv")]
        else:
            sources.append(Source(path))
    trade, countries, products = [], None, None
    vintages, releases, named = set(), set(), set()
    for source in sources:
        name = source.name
        if match := _TRADE.search(name):
            trade.append((source, int(match.group(2))))
            vintages.add(match.group(1).upper())
            releases.add("V" + match.group(3))  # the trade files name the release; other files may be older
        elif name.lower().startswith("country_codes"):
            countries = source
        elif name.lower().startswith("product_codes"):
            products = source
    for path in paths:
        if match := _VINTAGE.search(path.name):
            vintages.add(match.group(1).upper())
        if match := _RELEASE.search(path.name):
            named.add("V" + match.group(1))
    if not trade:
        raise DataError(str(paths[0]), 0, None, "no BACI trade file (BACI_HSxx_Yyyyy_Vyyyymm.csv) found")
    if countries is None:
        raise DataError(str(paths[0]), 0, None, "the release's country_codes_V*.csv is required to map country codes")
    if len(vintages) != 1:
        raise DataError(str(paths[0]), 0, None, "cannot tell one HS vintage from the file names", ",".join(vintages))
    if len(releases) > 1:
        raise DataError(str(paths[0]), 0, None, "trade files of several releases: load each as its own dataset",
                        ",".join(sorted(releases)))  # fmt: skip
    release = min(releases or named, default=None)
    return BaciFiles(sorted(trade, key=lambda t: t[1]), countries, products, vintages.pop(), release)


def read_countries(source: Source) -> dict[str, tuple[str, str]]:
    """BACI code -> (ISO3, name), from either header variant of the country file."""
    out: dict[str, tuple[str, str]] = {}
    with open_lines(source) as (lines, _):
        rows = csv_rows(lines)
        _, header = next(rows, (0, []))
        cols = [h.strip().lower() for h in header]
        try:
            code_at = cols.index("country_code")
            iso_at = cols.index("country_iso3") if "country_iso3" in cols else cols.index("iso_3digit_alpha")
            name_at = cols.index("country_name") if "country_name" in cols else cols.index("country_name_full")
        except ValueError:
            raise DataError(source.label, 1, None, "unrecognised country file header", ",".join(header)) from None
        for lineno, row in rows:
            if len(row) != len(cols):
                raise DataError(source.label, lineno, None, f"expected {len(cols)} columns, got {len(row)}")
            code, iso3 = row[code_at].strip(), row[iso_at].strip().upper()
            iso3 = PSEUDO_ISO3.get(iso3, iso3)
            if code == TAIWAN_TRADE_CODE:
                iso3 = "TWN"
            if not (code.isascii() and code.isdigit()):
                raise DataError(source.label, lineno, "country_code", "country code is not a number", code)
            if not valid_iso3(iso3):
                iso3 = pseudo_iso3(code)  # historic groupings without alpha-3, such as 58 Belgium-Luxembourg
            out[str(int(code))] = (iso3, row[name_at].strip())
    return out


def read_products(source: Source | None) -> dict[str, str]:
    """HS code -> description, from the release's product file."""
    if source is None:
        return {}
    out: dict[str, str] = {}
    with open_lines(source) as (lines, _):
        rows = csv_rows(lines)
        next(rows, None)
        for _lineno, row in rows:
            if len(row) >= 2:
                out[row[0].strip()] = row[1].strip()
    return out


@dataclass(slots=True)
class BaciLoader:
    """Loads a BACI release (zip or CSVs) as sg:TradeFlow observations."""

    paths: Sequence[Path]
    options: LoadOptions
    format: str = "baci"

    def load(self, writer: Writer, graph: str, progress: Progress | None) -> Report:
        files = find_files(self.paths)
        release = f"BACI {files.vintage} {files.release}" if files.release else f"BACI {files.vintage}"
        chunks = partial(self._chunks, files, graph, progress=progress)
        used = [s.path for s, _ in files.trade] + [s.path for s in (files.countries, files.products) if s is not None]
        sources = list(dict.fromkeys(used))  # a zip once, however many members
        return stream_into(writer, graph, self, chunks, release=release, sources=sources, anchor=sources[0])

    def _chunks(
        self, files: BaciFiles, graph: str, report: Report, rejects: Rejects, progress: Progress | None
    ) -> Iterator[str]:
        opts = self.options
        codes = read_countries(files.countries)
        labels = read_products(files.products)
        vintage = files.vintage
        trade = [(s, y) for s, y in files.trade if opts.years is None or y in opts.years]
        total = sum(s.size() for s, _ in trade)
        tick = throttled(progress, total)
        # Constant pieces of every row, formatted once: rows are plain f-strings (measured fastest).
        c_iri = {code: f"<{country(iso3)}>" for code, (iso3, _) in codes.items()}
        # The flow's IRI names its dataset and release: two releases, or one release loaded
        # under two dataset names, never share flow nodes.
        dataset = graph.rstrip("/").rsplit("/", 1)[-1]
        release = (files.release or "unknown").lower()
        head = f"<{entity('flow', f'{dataset}.baci-{vintage.lower()}-{release}')}-"
        hs_ns = f"<{hs_code('', vintage)}"
        dec = f'"^^<{V.XSD}decimal> .\n'
        integer = f'"^^<{V.XSD}integer> .\n'
        fixed = (
            f" <{V.RDF_TYPE}> <{V.TRADE_FLOW}> .\n", f" <{V.RDF_TYPE}> <{V.QB}Observation> .\n",
            f" <{V.HS_VINTAGE}> {nt_str(vintage)} .\n", f" <{V.DATASET}> <{graph}> .\n",
            f" <{V.DCTERMS_SOURCE}> {nt_str(SOURCE_URL)} .\n",
        )  # fmt: skip
        typed, observed, vintage_nt, dataset_nt, source_nt = fixed
        exp, imp, hsp = f" <{V.EXPORTER}> ", f" <{V.IMPORTER}> ", f" <{V.HS_CODE}> {hs_ns}"
        year_p, period_p, value_p, tonnes_p = (f' <{x}> "' for x in (V.YEAR, V.PERIOD, V.VALUE_USD, V.QUANTITY_TONNES))
        prefixes = tuple(p.replace(".", "") for p in opts.hs_prefixes)  # "2805.30" as written in tariffs
        wanted = opts.countries
        used_codes: set[str] = set()
        used_hs: set[str] = set()
        done_before = 0
        for source, _year in trade:
            label = source.label
            with open_lines(source) as (lines, position):
                first = next(lines, None)
                if first is None or [h.strip() for h in first[1].split(",")] != ["t", "i", "j", "k", "v", "q"]:
                    raise DataError(label, 1, None, "expected the header t,i,j,k,v,q", first[1] if first else "")
                out: list[str] = []
                for lineno, line in lines:
                    report.rows_read += 1  # type: ignore[operator]
                    parts = line.split(",")
                    if len(parts) != 6:
                        rejects.reject(DataError(label, lineno, None, f"expected 6 columns, got {len(parts)}", line))
                        continue
                    # BACI's columns: year, exporter, importer, HS6 product, value (kUSD), quantity (t).
                    year, exporter, importer, product, value_text, tonnes_text = (x.strip() for x in parts)
                    if not (len(year) == 4 and year.isascii() and year.isdigit()):
                        rejects.reject(DataError(label, lineno, "t", "year is not a 4-digit number", year))
                        continue
                    if opts.years is not None and int(year) not in opts.years:
                        continue
                    if not _HS6.fullmatch(product):
                        rejects.reject(DataError(label, lineno, "k", "not a 6-character HS code", product))
                        continue
                    if prefixes and not product.startswith(prefixes):
                        continue
                    exporter, importer = exporter.lstrip("0") or "0", importer.lstrip("0") or "0"
                    exporter_iri, importer_iri = c_iri.get(exporter), c_iri.get(importer)
                    if exporter_iri is None or importer_iri is None:
                        field, code = ("i", exporter) if exporter_iri is None else ("j", importer)
                        rejects.reject(DataError(label, lineno, field, "country code not in the country file", code))
                        continue
                    if wanted is not None and codes[exporter][0] not in wanted and codes[importer][0] not in wanted:
                        continue
                    value = decimal_text(value_text, 3)
                    if value is None:
                        rejects.reject(DataError(label, lineno, "v", "value is not a non-negative number", value_text))
                        continue
                    tonnes = None if tonnes_text in _MISSING else decimal_text(tonnes_text)
                    if tonnes is None and tonnes_text not in _MISSING:
                        rejects.reject(
                            DataError(label, lineno, "q", "quantity is not a non-negative number", tonnes_text)
                        )
                        continue
                    s = f"{head}{year}-{exporter}-{importer}-{product}>"  # the flow's subject
                    row = (
                        f"{s}{typed}{s}{observed}{s}{vintage_nt}{s}{dataset_nt}{s}{source_nt}"
                        f"{s}{exp}{exporter_iri} .\n{s}{imp}{importer_iri} .\n{s}{hsp}{product}> .\n"
                        f'{s}{year_p}{year}{integer}{s}{period_p}{year}" .\n{s}{value_p}{value}{dec}'
                    )
                    if tonnes is not None:
                        row += f"{s}{tonnes_p}{tonnes}{dec}"
                    out.append(row)
                    used_codes.add(exporter)
                    used_codes.add(importer)
                    used_hs.add(product)
                    report.rows_loaded += 1  # type: ignore[operator]
                    if len(out) >= CHUNK_ROWS:
                        yield "".join(out)
                        out.clear()
                        tick(done_before + position())
                if out:
                    yield "".join(out)
            done_before += source.size()
            tick(done_before)
        yield "".join(country_nt(codes[c][0], codes[c][1], SOURCE_URL, c) for c in sorted(used_codes))
        yield hs_concepts_nt(sorted(used_hs), vintage, labels, SOURCE_URL)


def hs_concepts_nt(codes: Sequence[str], vintage: str, labels: dict[str, str], source: str) -> str:
    """skos:Concepts (notation, prefLabel, inScheme) for the HS codes used, and their scheme."""
    scheme = f"<{hs_code('', vintage).rstrip('/')}>"
    src = f"<{V.DCTERMS_SOURCE}> {nt_str(source)} .\n"
    out = [f"{scheme} <{V.RDF_TYPE}> <{V.SKOS}ConceptScheme> .\n{scheme} {src}"]
    out.append(f"{scheme} <{V.RDFS_LABEL}> {nt_str(f'Harmonized System {hs_year(vintage)}')} .\n")
    for k in codes:
        s = f"<{hs_code(k, vintage)}>"
        label = nt_str(labels.get(k) or k)
        out.append(f"{s} <{V.RDF_TYPE}> <{V.SKOS}Concept> .\n{s} <{V.SKOS_NOTATION}> {nt_str(k)} .\n")
        out.append(f"{s} <{V.SKOS_IN_SCHEME}> {scheme} .\n{s} <{V.RDFS_LABEL}> {label} .\n{s} {src}")
        if k in labels:
            out.append(f"{s} <{V.SKOS_PREF_LABEL}> {label} .\n")
    return "".join(out)


def factory(paths: Sequence[Path], options: LoadOptions) -> BaciLoader:
    """The ``baci`` loader for a release zip or its CSVs."""
    return BaciLoader(list(paths), options)
