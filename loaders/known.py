"""Ids the bundled code lists and sample graph already define, so loaders link to them instead of redefining.

Read by pattern from the Turtle files (subjects written as ``prefix:id`` at
the start of a line), which keeps this free of an RDF parser.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


@cache
def known_ids(relative: str, prefix: str) -> frozenset[str]:
    """Local ids of the subjects ``<prefix>:<id>`` declared in a bundled Turtle file (empty if absent)."""
    try:
        text = (_ROOT / relative).read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(re.findall(rf"^{re.escape(prefix)}:([A-Za-z0-9._-]+)\s*$", text, re.MULTILINE))


def material_classes() -> frozenset[str]:
    """Material classes of ``ontology/codelists/material_classes.ttl`` (``id/class/<id>``)."""
    return known_ids("ontology/codelists/material_classes.ttl", "sgc")


def facility_types() -> frozenset[str]:
    """Facility types of ``ontology/codelists/facility_types.ttl`` (``id/facility-type/<id>``)."""
    return known_ids("ontology/codelists/facility_types.ttl", "sgft")


def sample_materials() -> frozenset[str]:
    """Commodity-level materials the sample graph defines (``id/material/<slug>``)."""
    return known_ids("loaders/sample/materials.ttl", "material")
