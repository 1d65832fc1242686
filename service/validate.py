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

import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyshacl
from rdflib import Graph, Node, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from loaders.sample import ONTOLOGY_FILES, SHAPES_FILES
from ontology.vocab import ID, short
from service.errors import RdfSyntaxError
from service.store import IRI, Lit, ReadableGraph, Term, check_syntax, iri_list, is_absolute_iri, rdf_format_for

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
    constraint: str = ""  # the SHACL constraint component, e.g. sh:ClassConstraintComponent


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
    check_syntax(path)  # the store's parser names file:line:column
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


_TYPES = "SELECT ?s ?p ?o WHERE { VALUES ?s { %s } ?s ?p ?o FILTER(?p = <" + str(RDF.type) + ">) }"
Triples = Callable[[list[str]], Iterable[tuple[str, str, Term]]]
"""Reads the (subject, predicate, object) triples of a batch of subject IRIs from a store."""


def _from_store(data: Graph, iris: set[URIRef], store: ReadableGraph) -> None:
    """Mix in what ``store`` says of ``iris`` (every triple), then the types of what that refers to."""
    _describe(data, iris, lambda subjects: store.outgoing(subjects)[0])
    known = set(data.subjects(RDF.type, None))

    def types(subjects: list[str]) -> Iterable[tuple[str, str, Term]]:
        values = iri_list(subjects)
        return ((row["s"].value, row["p"].value, row["o"]) for row in store.select(_TYPES % values).rows)

    _describe(data, {o for o in data.objects() if isinstance(o, URIRef) and o not in known}, types)


def _describe(data: Graph, iris: set[URIRef], triples: Triples, batch: int = 500) -> None:
    # Only absolute IRIs are asked about: none has a character that could close the <...> of VALUES.
    ordered = [str(i) for i in sorted(iris) if is_absolute_iri(str(i))]
    for start in range(0, len(ordered), batch):
        for subject, predicate, obj in triples(ordered[start : start + batch]):
            node: Node = URIRef(obj.value) if isinstance(obj, IRI) else _literal(obj)
            data.add((URIRef(subject), URIRef(predicate), node))


def _literal(term: object) -> Node:
    from rdflib import Literal

    if isinstance(term, Lit):
        return Literal(term.value, lang=term.language, datatype=None if term.language else term.datatype)
    return Literal(str(term))


# Constraints that fail for an undescribed value because its type is unknown (sh:class, alone or in sh:or...).
_TYPE_CONSTRAINTS = {
    str(SH.ClassConstraintComponent),
    str(SH.OrConstraintComponent),
    str(SH.XoneConstraintComponent),
    str(SH.NodeConstraintComponent),
}


def _entity(iri: str) -> bool:
    """An entity other files or datasets may describe; code-list concepts (classes, stages...) are all known."""
    return iri.startswith(ID) and not iri.startswith(ID + "class/")


def _unresolved(result: ValidationResult, described: set[Node]) -> ValidationResult:
    """A class violation whose value the data does not describe at all: a warning (it may be loaded elsewhere)."""
    if result.severity != "Violation" or result.value is None or result.constraint not in _TYPE_CONSTRAINTS:
        return result
    if URIRef(result.value) in described or not _entity(result.value):
        return result
    note = " (not described in these files; pass --store to check it against a loaded store)"
    return dataclasses.replace(result, severity="Warning", message=result.message + note)


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
                constraint=str(report.value(result, SH.sourceConstraintComponent) or ""),
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
    store: ReadableGraph | None = None,
) -> ValidationReport:
    """Validate the RDF files ``paths`` against the supplygraph shapes.

    ``shapes`` and ``ontology`` default to the bundled shapes and ontology
    files.  Only the files' own nodes are reported on.  An entity the files
    refer to but do not describe is looked up in ``store`` (a loaded
    snapshot: its types are mixed in); without a store, a class constraint
    that fails only for want of its description is a warning, not a
    violation.  With ``include_warnings=False`` only violations are returned.
    Raises :class:`service.errors.RdfSyntaxError` naming file, line and column
    when a file does not parse, and :class:`ValueError` for an unknown file
    extension.
    """
    data = _QueryCachingGraph()
    for path in paths:
        _parse(data, Path(path))
    triples = len(data)
    own = set(data.subjects())
    typed = set(data.subjects(RDF.type, None))
    nodes = own | {o for o in data.objects() if isinstance(o, URIRef)}
    if store is not None:
        # What the files mention without saying what it is (a bare reference, or a shortcut such as
        # sg:suppliesTo on an entity described elsewhere).
        _from_store(data, {n for n in nodes if isinstance(n, URIRef) and n not in typed}, store)
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
    described = set(data.subjects(RDF.type, None))
    results = [_unresolved(r, described) for r in _results(report_graph, shapes_graph) if URIRef(r.focus_node) in own]
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
