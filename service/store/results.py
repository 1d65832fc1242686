"""Query results: rows read into Python, or serialized for the wire with a row cap.

``QuerySolutions.serialize`` writes every solution; to stop at a cap without
buffering the rest, capped results are streamed by :class:`_ResultsWriter`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import pyoxigraph as ox

from service.store.terms import XSD, Row


@dataclass(slots=True)
class SelectResult:
    """Rows of a SELECT, capped at ``max_rows``; ``truncated`` says the cap was hit."""

    variables: list[str]
    rows: list[Row]
    truncated: bool = False


@dataclass(slots=True)
class Serialized:
    """A query result already serialized for the wire."""

    kind: str  # "select", "ask", "graph"
    body: bytes
    media_type: str
    truncated: bool = False
    rows: int = 0


class CappedSolutions:
    """Iterates at most ``cap`` solutions, then records that more existed."""

    def __init__(self, solutions: Any, cap: int | None) -> None:
        self.solutions = solutions
        self.cap = cap
        self.count = 0
        self.truncated = False

    @property
    def variables(self) -> Any:
        return self.solutions.variables

    def __iter__(self) -> Iterator[Any]:
        for solution in self.solutions:
            if self.cap is not None and self.count >= self.cap:
                self.truncated = True
                return
            self.count += 1
            yield solution


def serialize_capped(capped: CappedSolutions, out: IO[bytes], fmt: ox.QueryResultsFormat) -> None:
    # QuerySolutions.serialize writes every solution; to stop at the cap
    # without buffering the rest, capped results are written here instead.
    variables = list(capped.variables)
    writer = _ResultsWriter(out, fmt, variables)
    for solution in capped:
        writer.write(solution)
    writer.finish()


_KINDS = {
    ox.QueryResultsFormat.JSON: "json",
    ox.QueryResultsFormat.XML: "xml",
    ox.QueryResultsFormat.CSV: "csv",
    ox.QueryResultsFormat.TSV: "tsv",
}


class _ResultsWriter:
    """Streams SPARQL results (JSON, XML, CSV, TSV) for a capped iterator."""

    def __init__(self, out: IO[bytes], fmt: ox.QueryResultsFormat, variables: list[ox.Variable]) -> None:
        self.out = out
        self.fmt = fmt
        self.names = [v.value for v in variables]
        self.keys = [_quote(n) for n in self.names]
        self.first = True
        # Compared once here, not per row: comparing formats is a call into pyoxigraph.
        self.kind = _KINDS.get(fmt, "tsv")
        if self.kind == "json":
            head = json.dumps({"vars": self.names})
            out.write(('{"head":' + head + ',"results":{"bindings":[').encode())
        elif self.kind == "xml":
            out.write(b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
            for name in self.names:
                out.write(f'<variable name="{name}"/>'.encode())
            out.write(b"</head><results>")
        elif self.kind == "csv":
            out.write((",".join(self.names) + "\r\n").encode())
        else:
            out.write(("\t".join("?" + n for n in self.names) + "\n").encode())

    def write(self, solution: Any) -> None:
        # A solution iterates its values in the order of the variables (None when unbound):
        # three times cheaper than looking each one up by name.
        terms = tuple(solution)
        if self.kind == "json":
            # The text json.dumps gives the binding's dict, written without building the dict.
            pairs = zip(self.keys, terms, strict=True)
            fields = ", ".join([k + ": " + _json_term(t) for k, t in pairs if t is not None])
            self.out.write(("{" + fields + "}" if self.first else ",{" + fields + "}").encode())
        elif self.kind == "xml":
            self.out.write(b"<result>")
            for name, term in zip(self.names, terms, strict=True):
                if term is not None:
                    self.out.write(f'<binding name="{name}">{_xml_term(term)}</binding>'.encode())
            self.out.write(b"</result>")
        elif self.kind == "csv":
            self.out.write((",".join(_csv_term(t) for t in terms) + "\r\n").encode())
        else:
            self.out.write(("\t".join(_tsv_term(t) for t in terms) + "\n").encode())
        self.first = False

    def finish(self) -> None:
        if self.kind == "json":
            self.out.write(b"]}}")
        elif self.kind == "xml":
            self.out.write(b"</results></sparql>")


_quote = json.encoder.encode_basestring_ascii  # what json.dumps uses for a str (ensure_ascii)
_XSD_STRING = XSD + "string"


def _json_term(term: Any) -> str:
    """The SPARQL JSON object of ``term``, spelled as ``json.dumps`` spells it."""
    if isinstance(term, ox.NamedNode):
        return '{"type": "uri", "value": ' + _quote(term.value) + "}"
    if isinstance(term, ox.BlankNode):
        return '{"type": "bnode", "value": ' + _quote(term.value) + "}"
    if isinstance(term, ox.Literal):
        head = '{"type": "literal", "value": ' + _quote(term.value)
        if term.language:
            return head + ', "xml:lang": ' + _quote(term.language) + "}"
        if term.datatype.value != _XSD_STRING:
            return head + ', "datatype": ' + _quote(term.datatype.value) + "}"
        return head + "}"
    return '{"type": "triple", "value": ' + _quote(str(term)) + "}"


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f'<literal xml:lang="{term.language}">{_xml_escape(term.value)}</literal>'
        if term.datatype.value != XSD + "string":
            return f'<literal datatype="{_xml_escape(term.datatype.value)}">{_xml_escape(term.value)}</literal>'
        return f"<literal>{_xml_escape(term.value)}</literal>"
    return f"<literal>{_xml_escape(str(term))}</literal>"


_BARE = {
    XSD + "integer": re.compile(r"^[+-]?\d+$"),
    XSD + "decimal": re.compile(r"^[+-]?\d*\.\d+$"),
    XSD + "double": re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$"),
    XSD + "boolean": re.compile(r"^(true|false)$"),
}


def _tsv_term(term: Any) -> str:
    # Like the native writer: Turtle short forms for numbers and booleans.
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and not term.language:
        pattern = _BARE.get(term.datatype.value)
        if pattern is not None and pattern.match(term.value):
            return str(term.value)
    return str(term)


def _csv_term(term: Any) -> str:
    if term is None:
        return ""
    text = "_:" + term.value if isinstance(term, ox.BlankNode) else term.value
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return str(text)
