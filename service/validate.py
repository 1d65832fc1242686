"""Validate RDF files against the supplygraph SHACL shapes.

The data files are parsed with rdflib and checked by pyshacl against
``ontology/shapes/*.shapes.ttl``.  The ontology and code lists are mixed into
the data graph first, so ``sh:class sg:Item`` accepts a ``sg:Material`` (via
``rdfs:subClassOf``) and stage, status and HS concepts resolve.

Example::

    report = validate(SAMPLE_FILES)  # from loaders.sample
    if not report.conforms:
        print(report.render())
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyshacl
from rdflib import Graph, Node, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from loaders.sample import ONTOLOGY_FILES, SHAPES_FILES
from ontology.vocab import short
from service.errors import RdfSyntaxError
from service.store import rdf_format_for

Severity = Literal["Violation", "Warning", "Info"]
_SEVERITIES: dict[Node, Severity] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
# rdflib's parser names for the formats service.store knows.
_RDFLIB_FORMATS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "rdfxml": "xml",
    "jsonld": "json-ld",
    "n3": "n3",
}


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One SHACL result: what failed, where, and why."""

    severity: Severity
    focus_node: str
    path: str | None
    message: str
    shape: str
    value: str | None = None


@dataclass(slots=True)
class ValidationReport:
    """All results of one validation run."""

    results: list[ValidationResult] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    triples: int = 0

    @property
    def violations(self) -> list[ValidationResult]:
        """Results with severity Violation."""
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        """Results with severity Warning or Info."""
        return [r for r in self.results if r.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings do not fail a run)."""
        return not self.violations

    def render(self) -> str:
        """The report as readable text, violations first, one result per paragraph."""
        return format_report(self)


@functools.lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _QueryCachingGraph(Graph):
    """A graph that parses each distinct SPARQL text once.

    pyshacl runs a SPARQL-based constraint once per focus node with the same
    text and different bindings; rdflib would re-parse it every time, which
    dominated validation time (80% of it on the sample graph).
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def _parse(graph: Graph, path: Path) -> None:
    fmt = _RDFLIB_FORMATS[rdf_format_for(path)]
    try:
        graph.parse(path, format=fmt)
    except (SyntaxError, ValueError) as exc:  # rdflib's BadSyntax is a SyntaxError
        raise RdfSyntaxError(f"{path}: {exc}") from exc


def _load(paths: Sequence[Path]) -> Graph:
    return _load_cached(tuple((Path(p).resolve(), Path(p).stat().st_mtime_ns) for p in paths))


@functools.lru_cache(maxsize=8)
def _load_cached(files: tuple[tuple[Path, int], ...]) -> Graph:
    # Keyed on modification time so an edited shapes file is re-read; callers must not mutate the result.
    graph = Graph()
    for path, _mtime in files:
        _parse(graph, path)
    return graph


def _shape_name(source: Node | None, shapes: Graph) -> str | None:
    """The IRI of the shape behind a result: the shape itself, or the node shape owning a blank property shape."""
    if isinstance(source, URIRef):
        return str(source)
    owner = shapes.value(predicate=SH.property, object=source) if source is not None else None
    return str(owner) if isinstance(owner, URIRef) else None


def _results(report: Graph, shapes: Graph) -> list[ValidationResult]:
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity_node = report.value(result, SH.resultSeverity)
        severity: Severity = _SEVERITIES.get(severity_node, "Violation") if severity_node is not None else "Violation"
        message = report.value(result, SH.resultMessage)
        source = report.value(result, SH.sourceShape)
        path = report.value(result, SH.resultPath)
        out.append(
            ValidationResult(
                severity=severity,
                focus_node=str(report.value(result, SH.focusNode)),
                path=str(path) if isinstance(path, URIRef) else None,  # complex paths are left out
                message=str(message) if message is not None else "constraint not satisfied",
                shape=_shape_name(source, shapes) or str(report.value(result, SH.sourceConstraintComponent)),
                value=None if (value := report.value(result, SH.value)) is None else str(value),
            )
        )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    out.sort(key=lambda r: (order[r.severity], r.message, r.focus_node))
    return out


def validate(
    paths: Sequence[Path],
    *,
    include_warnings: bool = True,
    shapes: Sequence[Path] | None = None,
    ontology: Sequence[Path] | None = None,
) -> ValidationReport:
    """Validate the RDF files ``paths`` against the supplygraph shapes.

    ``shapes`` and ``ontology`` default to the bundled shapes and ontology
    files.  With ``include_warnings=False`` only violations are returned.
    Raises :class:`service.errors.RdfSyntaxError` when a file does not parse
    and :class:`ValueError` for an unknown file extension.
    """
    data = _QueryCachingGraph()
    for path in paths:
        _parse(data, Path(path))
    triples = len(data)
    # Mixed in by hand rather than via pyshacl's ont_graph, which is only merged when inferencing.
    data += _load(ONTOLOGY_FILES if ontology is None else ontology)
    shapes_graph = _load(SHAPES_FILES if shapes is None else shapes)
    _conforms, report_graph, _text_report = pyshacl.validate(
        data,
        shacl_graph=shapes_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
        inplace=True,  # the graph is ours and inference is off, so nothing is written to it
    )
    if not isinstance(report_graph, Graph):  # pyshacl returns, not raises, a broken shapes graph
        raise ValueError(f"invalid shapes: {report_graph}")
    results = _results(report_graph, shapes_graph)
    if not include_warnings:
        results = [r for r in results if r.severity == "Violation"]
    return ValidationReport(results, [str(p) for p in paths], triples)


def _short(iri: str | None) -> str:
    if iri is None:
        return "-"
    return short(iri, ("sg", "sgid", "sgsh"))


def format_report(report: ValidationReport) -> str:
    """Render ``report`` as text: a summary line, then one block per result."""
    lines = [
        f"{len(report.files)} file(s), {report.triples} triples: "
        f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s)"
        + ("" if report.results else " - conforms")
    ]
    for r in report.results:
        lines.append("")
        lines.append(f"{r.severity}: {r.message}")
        lines.append(f"  focus: {_short(r.focus_node)}")
        if r.path:
            lines.append(f"  path:  {_short(r.path)}")
        if r.value is not None:
            lines.append(f"  value: {_short(r.value)}")
        lines.append(f"  shape: {_short(r.shape)}")
    return "\n".join(lines) + "\n"
