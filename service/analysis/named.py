"""The packaged named queries the analyses run (statistics, trade flows, export controls)."""

from __future__ import annotations

from service import catalog

_CATALOG: dict[str, catalog.NamedQuery] = {}


def named(name: str) -> str:
    """The text of query ``name`` from ``queries/`` (the catalogue is read once)."""
    if not _CATALOG:
        _CATALOG.update(catalog.load_catalog())
    return catalog.get(_CATALOG, name).text
