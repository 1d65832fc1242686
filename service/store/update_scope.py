"""Which graphs a SPARQL Update can change, read from its text.

A snapshot's index is rebuilt only for the graphs a write changed (see
:mod:`service.store.journal`).  Oxigraph does not say what an update touched, but
the update's own text does, for the common forms: data blocks name their
graphs, templates name theirs (or take ``WITH``'s, or the default graph),
and graph management operations name their targets.  Anything that could
reach a graph not named in the text (a template's ``GRAPH ?g``, ``CLEAR
ALL``, ``DROP NAMED``) or that cannot be read makes the answer "any graph".
The parser is rdflib's, which follows the same SPARQL 1.1 grammar; an update
it rejects but Oxigraph accepts is simply treated as changing any graph.
"""

from __future__ import annotations

from typing import Any

from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.term import URIRef

DEFAULT: None = None
"""The default graph, in the sets returned by :func:`graphs_changed`."""

MAX_LENGTH = 256 * 1024  # longer updates (bulk INSERT DATA) are not worth parsing twice


class _AnyGraph(Exception):
    """The update may change a graph its text does not name."""


def graphs_changed(sparql: str, base_iri: str | None = None) -> set[str | None] | None:
    """The graphs ``sparql`` may change (None in the set: the default graph), or None for "any graph".

    >>> sorted(graphs_changed("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } }"))
    ['http://e/g']
    >>> graphs_changed("CLEAR ALL") is None
    True
    """
    if len(sparql) > MAX_LENGTH:
        return None
    try:
        update = translateUpdate(parseUpdate(sparql), base=base_iri)
    except Exception:  # any parser failure: nothing can be told
        return None
    changed: set[str | None] = set()
    try:
        for operation in update.algebra:
            changed |= _operation(operation)
    except _AnyGraph:
        return None
    return changed


def _graph(term: Any) -> str | None:
    if term == "DEFAULT" or term is None:
        return DEFAULT
    if isinstance(term, URIRef):
        return str(term)
    raise _AnyGraph  # a variable, NAMED, ALL


def _field(node: Any, key: str) -> Any:
    # rdflib's CompValue.get returns the key itself for a missing field.
    return node[key] if key in node else None  # noqa: SIM401 - .get would return the key


def _block(block: Any, default: str | None) -> set[str | None]:
    """Graphs of a data block or template: its GRAPH names, and ``default`` for bare triples."""
    if block is None:
        return set()
    graphs = {_graph(name) for name, quads in (_field(block, "quads") or {}).items() if quads}
    if _field(block, "triples"):
        graphs.add(default)
    return graphs


def _operation(op: Any) -> set[str | None]:
    name = op.name
    if name in ("InsertData", "DeleteData", "DeleteWhere"):
        return _block(op, DEFAULT)
    if name == "Modify":
        into = _graph(_field(op, "withClause"))
        return _block(_field(op, "delete"), into) | _block(_field(op, "insert"), into)
    if name == "Load":
        return {_graph(_field(op, "graphiri"))}
    if name in ("Clear", "Drop"):
        return {_graph(_field(op, "graphiri"))}
    if name == "Create":
        return set()
    if name in ("Add", "Copy"):
        return {_graph(op.graph[1])}
    if name == "Move":
        return {_graph(op.graph[0]), _graph(op.graph[1])}
    raise _AnyGraph
