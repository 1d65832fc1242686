"""RDF terms as the rest of the service sees them, and their pyoxigraph spellings.

Only this package touches pyoxigraph; everything above it passes :class:`IRI`,
:class:`Lit` and :class:`BNode` values, and binds them into queries through
:func:`substitutions`, never by pasting text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import pyoxigraph as ox

from service.errors import BadRequest, QueryError


@dataclass(frozen=True, slots=True)
class IRI:
    """An IRI, as bound into queries or returned in results."""

    value: str

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class BNode:
    """A blank node returned in results."""

    value: str

    def __str__(self) -> str:
        return "_:" + self.value


_ABSOLUTE_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


def is_absolute_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI with no character that would break out of ``<…>`` in SPARQL."""
    return _ABSOLUTE_IRI.match(value) is not None


def check_iri(value: str, what: str = "IRI") -> str:
    """``value`` if :func:`is_absolute_iri`, else :class:`BadRequest` naming ``what``."""
    if not is_absolute_iri(value):
        raise BadRequest(f"{what}: {value!r} is not a valid absolute IRI")
    return value


def iri_list(iris: Iterable[str]) -> str:
    """``<a> <b> …`` for a VALUES block: each IRI checked by :func:`check_iri` first, so none can break out."""
    return " ".join(f"<{check_iri(i)}>" for i in iris)


XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = frozenset(
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "unsignedInt",
        "unsignedLong",
        "gYear",
    )
)
_FLOATS = frozenset(XSD + t for t in ("decimal", "double", "float"))


@dataclass(frozen=True, slots=True)
class Lit:
    """A literal: lexical value, datatype IRI and language tag."""

    value: str
    datatype: str | None = None
    language: str | None = None

    def to_python(self) -> str | int | float | bool:
        """The literal as a Python value (numbers, booleans; otherwise the text)."""
        dt = self.datatype
        try:
            if dt in _INTEGERS:
                return int(self.value)
            if dt in _FLOATS:
                return float(self.value)
        except ValueError:
            return self.value
        if dt == XSD + "boolean":
            return self.value in ("true", "1")
        return self.value


Term: TypeAlias = IRI | Lit | BNode
Row: TypeAlias = dict[str, Term]
Bindings: TypeAlias = Mapping[str, "IRI | Lit | str | int | float | bool"]


def to_ox(value: IRI | Lit | str | int | float | bool) -> ox.NamedNode | ox.Literal:
    if isinstance(value, IRI):
        return ox.NamedNode(value.value)
    if isinstance(value, Lit):
        if value.language:
            return ox.Literal(value.value, language=value.language)
        if value.datatype:
            return ox.Literal(value.value, datatype=ox.NamedNode(value.datatype))
        return ox.Literal(value.value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    return ox.Literal(value)


def from_ox(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.Literal):
        return Lit(term.value, term.datatype.value, term.language)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return Lit(str(term))


def substitutions(bindings: Bindings | None) -> dict[ox.Variable, Any] | None:
    if not bindings:
        return None
    try:
        return {ox.Variable(name): to_ox(value) for name, value in bindings.items()}
    except ValueError as exc:  # an invalid IRI or variable name
        raise QueryError(f"invalid binding: {exc}") from exc


def node_of(value: str) -> ox.NamedNode | ox.BlankNode:
    """A subject spelled as an IRI or ``_:label``."""
    return ox.BlankNode(value[2:]) if value.startswith("_:") else ox.NamedNode(value)


def object_of(term: Term) -> Any:
    """The pyoxigraph object term of ``term``."""
    if isinstance(term, BNode):
        return ox.BlankNode(term.value)
    return to_ox(term)
