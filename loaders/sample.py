"""File lists for ``supplygraph load --sample``: the ontology and the bundled sample graph.

The ontology files (``ontology/supply.ttl`` and the SKOS code lists) go into
the ``ontology`` dataset; the sample Turtle files under ``loaders/sample/``
into the ``sample`` dataset.  Shapes are not data and are not listed.

Example::

    >>> from loaders.sample import ONTOLOGY_FILES, SAMPLE_FILES
    >>> [p.name for p in ONTOLOGY_FILES][:1]
    ['supply.ttl']
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

_ROOT: Final = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR: Final = _ROOT / "ontology"
SHAPES_DIR: Final = ONTOLOGY_DIR / "shapes"
SAMPLE_DIR: Final = Path(__file__).resolve().parent / "sample"

ONTOLOGY_FILES: Final[list[Path]] = sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(
    (ONTOLOGY_DIR / "codelists").glob("*.ttl")
)
SAMPLE_FILES: Final[list[Path]] = sorted(SAMPLE_DIR.glob("*.ttl"))
SHAPES_FILES: Final[list[Path]] = sorted(SHAPES_DIR.glob("*.shapes.ttl"))
