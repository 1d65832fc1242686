"""Which loader reads which files: the ``--format`` names of ``supplygraph load``."""

from __future__ import annotations

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


# Tabular formats register themselves here (name -> factory).
FACTORIES: dict[str, Factory] = {"rdf": _rdf}


def detect(paths: Sequence[Path]) -> str:
    """Guess the loader from file names; RDF extensions mean ``rdf``."""
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
