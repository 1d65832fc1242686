"""The loader protocol and :func:`run`, which loads datasets into a new snapshot.

Every dataset lands in its own named graph, replacing an earlier load of the
same dataset; its provenance (PROV-O / DCAT) is written to the catalog graph in
the same snapshot, so data and description change together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from loaders.iris import graph as graph_iri
from ontology import vocab as V
from service.store import IRI, AnyStore, Lit, LoadResult, Term, Writer

LOADER_VERSION = "0.1.0"

Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Report:
    """What loading one dataset did: the numbers that go into its provenance."""

    dataset: str
    graph: str
    sources: list[Path]
    format: str
    triples: int = 0
    rows_read: int | None = None
    rows_loaded: int | None = None
    rows_rejected: int | None = None
    release: str | None = None
    seconds: float = 0.0
    rejects_file: Path | None = None
    checksums: dict[str, str] = field(default_factory=dict)


class Loader(Protocol):
    """Loads one dataset into a writer's graph and reports what it did.

    Implementations raise :class:`service.errors.DataError` or
    :class:`service.errors.RdfSyntaxError` on bad input; :func:`run` then
    discards the snapshot, so the store is left exactly as it was.
    """

    format: str

    def load(self, writer: Writer, graph: str, progress: Progress | None) -> Report: ...


def sha256(path: Path) -> str:
    """``sha256:<hex>`` of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def provenance_triples(report: Report, record_paths: bool = False) -> Iterable[tuple[str, str, Term]]:
    """The catalog description of a loaded dataset (a dcat:Dataset and prov:Entity).

    Source files are named by file name and content hash; their absolute paths
    on the loading machine (``prov:atLocation``) only with ``record_paths``.
    """
    g = report.graph
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    yield g, V.RDF_TYPE, IRI(V.DCAT + "Dataset")
    yield g, V.RDF_TYPE, IRI(V.PROV + "Entity")
    yield g, V.RDF_TYPE, IRI(V.LOADED_DATASET)
    yield g, V.DCTERMS + "identifier", Lit(report.dataset)
    yield g, V.RDFS_LABEL, Lit(report.dataset)
    yield g, V.PROV + "generatedAtTime", Lit(now, V.XSD + "dateTime")
    yield g, V.FORMAT, Lit(report.format)
    yield g, V.TRIPLE_COUNT, Lit(str(report.triples), V.XSD + "integer")
    yield g, V.LOADER_VERSION, Lit(LOADER_VERSION)
    # File names and content hashes, never the loading machine's paths: the catalog is public.
    for path in report.sources:
        yield g, V.DCTERMS_SOURCE, Lit(path.name)
        checksum = report.checksums.get(str(path))
        if checksum is not None:
            yield g, V.PROV + "wasDerivedFrom", IRI("urn:" + checksum)  # urn:sha256:<hex>
        if record_paths:
            yield g, V.PROV + "atLocation", IRI(path.resolve().as_uri())
    for checksum in report.checksums.values():
        yield g, V.CHECKSUM, Lit(checksum)
    if report.release:
        yield g, V.RELEASE, Lit(report.release)
    for predicate, value in (
        (V.ROWS_READ, report.rows_read),
        (V.ROWS_LOADED, report.rows_loaded),
        (V.ROWS_REJECTED, report.rows_rejected),
    ):
        if value is not None:
            yield g, predicate, Lit(str(value), V.XSD + "integer")


def record(writer: Writer, report: Report, record_paths: bool = False) -> None:
    """Replace the catalog description of ``report.graph`` with a fresh one."""
    writer.update_remove_subject(V.CATALOG_GRAPH, report.graph)
    writer.add_triples(provenance_triples(report, record_paths), V.CATALOG_GRAPH)


@dataclass(slots=True)
class RdfLoader:
    """Loads RDF files (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD, ``.gz``)."""

    paths: Sequence[Path]
    rdf_format: str | None = None
    format: str = "rdf"

    def load(self, writer: Writer, graph: str, progress: Progress | None) -> Report:
        from service.store import rdf_format_for

        report = Report(dataset="", graph=graph, sources=list(self.paths), format="")
        formats = []
        for path in self.paths:
            fmt = rdf_format_for(path, self.rdf_format)
            formats.append(fmt)
            # Only the first file replaces the graph; the rest add to it.
            result: LoadResult = writer.load(path, fmt, graph, replace=not report.checksums, progress=progress)
            report.triples += result.triples
            report.seconds += result.seconds
            report.checksums[str(path)] = sha256(path)
        report.format = ",".join(sorted(set(formats)))
        return report


def load_dataset(
    writer: Writer, dataset: str, loader: Loader, progress: Progress | None = None, record_paths: bool = False
) -> Report:
    """Load ``dataset`` with ``loader`` into an open snapshot and record its provenance.

    ``record_paths`` also records the source files' absolute paths (they are public once loaded).
    """
    graph = graph_iri(dataset)
    report = loader.load(writer, graph, progress)
    report.dataset = dataset
    report.graph = graph
    record(writer, report, record_paths)
    return report


def run(store: AnyStore, dataset: str, loader: Loader, progress: Progress | None = None) -> Report:
    """Load ``dataset`` with ``loader`` into a new snapshot and publish it atomically."""
    with store.write(f"load {dataset}") as writer:
        return load_dataset(writer, dataset, loader, progress)
