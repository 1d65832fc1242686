"""RDF and query-result format names, their file extensions and media types."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

from service.errors import RdfSyntaxError

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}
_EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".n3": "n3",
}
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def rdf_format_for(path: str | Path, explicit: str | None = None) -> str:
    """The RDF format name for ``path``: ``explicit`` if given, else from its extension.

    A trailing ``.gz`` is ignored.  Raises :class:`ValueError` for an unknown format.
    """
    if explicit:
        if explicit not in RDF_FORMATS:
            raise ValueError(f"unknown RDF format {explicit!r}; one of {', '.join(RDF_FORMATS)}")
        return explicit
    name = str(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = os.path.splitext(name)[1]
    if suffix not in _EXTENSIONS:
        raise ValueError(f"{path}: cannot tell the RDF format from {suffix or 'no extension'!r}; pass --format")
    return _EXTENSIONS[suffix]


def media_type(fmt: str) -> str:
    """The media type of an RDF or result format name."""
    if fmt in RDF_FORMATS:
        return str(RDF_FORMATS[fmt].media_type)
    return str(RESULT_FORMATS[fmt].media_type)


def check_syntax(path: Path, fmt: str | None = None) -> None:
    """Parse ``path`` with the store's parser and discard the triples.

    Raises :class:`RdfSyntaxError` naming file, line and column, as a load would.
    """
    name = rdf_format_for(path, fmt)
    try:
        for _ in ox.parse(path=str(path), format=RDF_FORMATS[name]):
            pass
    except SyntaxError as exc:
        raise RdfSyntaxError.from_parser(str(path), exc) from exc
