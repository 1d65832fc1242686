"""The named-query catalogue: ``queries/*.rq`` files, parsed and checked at startup.

Each file starts with header comments::

    # title: Suppliers of a firm
    # description: Firms and facilities that supply the given firm, with the item.
    # param: ?firm IRI  The buying firm
    # param: ?year integer = 2024  Optional parameters carry a default

The file stem is the query's name and URL slug.  Parameters are bound with
substitutions, never pasted into the text; each value is validated against
its declared type first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from ontology.vocab import XSD, stage_iri
from service.errors import BadRequest, NotFound
from service.store import IRI, Lit, is_absolute_iri

ENTITY_TYPES = ("country", "material", "item", "product", "firm", "facility", "control")
"""Parameter types naming an entity by code, short id or IRI, resolved by the door (:mod:`service.identifiers`)."""
PARAM_TYPES = ("IRI", "string", "integer", "decimal", "date", "boolean", "stage", *ENTITY_TYPES)

Resolver = Callable[["Param", str], str]
"""Turns an entity parameter's value into an IRI (or raises a :class:`BadRequest` naming it)."""
_PARAM = re.compile(r"^\?(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)(?:\s*=\s*(?P<default>\S+))?\s*(?P<help>.*)$")


@dataclass(frozen=True, slots=True)
class Param:
    """A declared query parameter."""

    name: str
    type: str
    default: str | None = None
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is None

    def bind(self, raw: str, resolve: Resolver | None = None) -> IRI | Lit:
        """Validate ``raw`` against the declared type and return the term to bind.

        Entity types take codes and short ids when the door gives a ``resolve``;
        without one they take absolute IRIs only.
        """
        value = raw.strip()
        if self.type in ENTITY_TYPES and resolve is not None:
            return IRI(resolve(self, value))
        try:
            if self.type == "stage":
                return IRI(stage_iri(value))
            if self.type == "IRI" or self.type in ENTITY_TYPES:
                if not is_absolute_iri(value):
                    raise ValueError("not an absolute IRI")
                return IRI(value)
            if self.type == "integer":
                return Lit(str(int(value)), XSD + "integer")
            if self.type == "decimal":
                float(value)
                return Lit(value, XSD + "decimal")
            if self.type == "date":
                return Lit(date.fromisoformat(value).isoformat(), XSD + "date")
            if self.type == "boolean":
                if value not in ("true", "false"):
                    raise ValueError("expected true or false")
                return Lit(value, XSD + "boolean")
        except ValueError as exc:
            raise BadRequest(f"parameter {self.name}: {value!r} is not a valid {self.type} ({exc})") from exc
        return Lit(value)


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """One ``.rq`` file of the catalogue."""

    name: str
    title: str
    description: str
    text: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    path: Path | None = None

    def bindings(self, raw: dict[str, str], resolve: Resolver | None = None) -> dict[str, IRI | Lit]:
        """Validated bindings for ``raw`` values; unknown or missing parameters are a 400."""
        known = {p.name for p in self.params}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise BadRequest(f"query {self.name} has no parameter {', '.join(unknown)}; it takes {sorted(known)}")
        out: dict[str, IRI | Lit] = {}
        for param in self.params:
            if param.name in raw:
                out[param.name] = param.bind(raw[param.name], resolve)
            elif param.default is not None:
                out[param.name] = param.bind(param.default, resolve)
            else:
                raise BadRequest(f"query {self.name} needs parameter {param.name} ({param.type})")
        return out


def parse(text: str, name: str, path: Path | None = None, *, require_title: bool = True) -> NamedQuery:
    """Parse the header of one query; raise :class:`ValueError` naming the problem.

    The catalogue's queries need a ``# title:``; an ad-hoc file (``require_title=False``) does not.
    """
    title = description = ""
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        key, _, rest = line.lstrip("#").strip().partition(":")
        rest = rest.strip()
        if key == "title":
            title = rest
        elif key == "description":
            description = (description + " " + rest).strip()
        elif key == "param":
            match = _PARAM.match(rest)
            if not match or match["type"] not in PARAM_TYPES:
                raise ValueError(f"{name}.rq:{number}: bad param line {rest!r}; types: {', '.join(PARAM_TYPES)}")
            params.append(Param(match["name"], match["type"], match["default"], match["help"].strip()))
    if not title and require_title:
        raise ValueError(f"{name}.rq: missing '# title:' header")
    return NamedQuery(name, title, description, text, tuple(params), path)


def load_catalog(directory: Path | None = None) -> dict[str, NamedQuery]:
    """Every query in ``directory`` (default: the packaged ``queries/``), by name."""
    if directory is None:
        directory = Path(str(resources.files("queries")))
    catalog = {}
    for path in sorted(directory.glob("*.rq")):
        catalog[path.stem] = parse(path.read_text(encoding="utf-8"), path.stem, path)
    return catalog


def get(catalog: dict[str, NamedQuery], name: str) -> NamedQuery:
    """A query by name, or :class:`NotFound` listing the known names."""
    if name not in catalog:
        raise NotFound(f"no query named {name!r}; known: {', '.join(sorted(catalog)) or 'none'}")
    return catalog[name]
