"""The named queries the analyses run (trade flows, export controls): ``queries/analytics/*.rq``.

They use the catalogue's format and checks but are not part of the public
``/queries`` catalogue.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from service import query_catalogue as catalogue

_CATALOG: dict[str, catalogue.NamedQuery] = {}


def named(name: str) -> str:
    """The text of query ``name`` from ``queries/analytics/`` (read once)."""
    if not _CATALOG:
        _CATALOG.update(catalogue.load_catalog(Path(str(resources.files("queries"))) / "analytics"))
    return catalogue.get(_CATALOG, name).text
