"""Which loader reads which files: the ``--format`` names of ``supplygraph load``."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from loaders.base import Loader, RdfLoader
from service.store import RDF_FORMATS, rdf_format_for


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """Options shared by the tabular loaders (ignored where they do not apply)."""

    years: frozenset[int] | None = None
    hs_prefixes: tuple[str, ...] = ()
    countries: frozenset[str] | None = None  # ISO alpha-3 codes
    max_errors: int = 0  # 0 = strict: the first bad row aborts the load
    rejects: Path | None = None  # where to write the rejects report
    rdf_format: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


Factory = Callable[[Sequence[Path], LoadOptions], Loader]


def _rdf(paths: Sequence[Path], options: LoadOptions) -> Loader:
    return RdfLoader(list(paths), options.rdf_format)


def _lazy(module: str) -> Factory:
    # Imported on first use: the loader modules import LoadOptions from here.
    def make(paths: Sequence[Path], options: LoadOptions) -> Loader:
        factory: Factory = importlib.import_module(f"loaders.{module}").factory
        return factory(paths, options)

    return make


# Tabular formats register themselves here (name -> factory).
FACTORIES: dict[str, Factory] = {
    "rdf": _rdf,
    "baci": _lazy("baci"),
    "comtrade": _lazy("comtrade"),
    "usgs": _lazy("usgs"),
    "network": _lazy("network"),
}

# File-name patterns of the tabular sources, tried in order.
_PATTERNS = (
    ("baci", re.compile(r"^(BACI_.*\.(csv|zip)|country_codes_V.*\.csv|product_codes_.*\.csv)$", re.IGNORECASE)),
    ("comtrade", re.compile(r"^(COMTRADE-FINAL-.*|TradeData_.*\.csv(\.gz)?)$", re.IGNORECASE)),
    ("usgs", re.compile(r"^(mcs\d{4}-.*_world\.csv|MCS\d{4}_World_Data\.csv)$", re.IGNORECASE)),
)
NETWORK_TABLES = ("firms.csv", "facilities.csv", "items.csv", "bom.csv", "supply.csv")


def detect(paths: Sequence[Path]) -> str:
    """Guess the loader from file names; RDF extensions mean ``rdf``.

    >>> detect([Path("BACI_HS22_Y2023_V202501.csv")]), detect([Path("MCS2025_World_Data.csv")])
    ('baci', 'usgs')
    """
    for path in paths:
        if path.is_dir() and any((path / table).is_file() for table in NETWORK_TABLES):
            return "network"
        if path.is_dir():
            # A release folder, as downloaded: the format of the files in it.
            found = {name for child in path.iterdir() for name, pattern in _PATTERNS if pattern.match(child.name)}
            if len(found) == 1:
                return found.pop()
        for name, pattern in _PATTERNS:
            if pattern.match(path.name):
                return name
    for path in paths:
        try:
            rdf_format_for(path)
        except ValueError:
            break
    else:
        return "rdf"
    raise ValueError(
        f"cannot tell the format of {paths[0]}; pass --format (one of {', '.join(sorted(FACTORIES))}, "
        f"or an RDF syntax: {', '.join(RDF_FORMATS)})"
    )


def loader_for(paths: Sequence[Path], fmt: str | None, options: LoadOptions) -> Loader:
    """The loader for ``paths``: by ``fmt`` (a loader name or an RDF syntax) or detected."""
    if fmt in RDF_FORMATS:
        return RdfLoader(list(paths), fmt)
    name = fmt or detect(paths)
    if name not in FACTORIES:
        raise ValueError(f"unknown format {name!r}; one of {', '.join(sorted(FACTORIES))} or {', '.join(RDF_FORMATS)}")
    return FACTORIES[name](paths, options)
