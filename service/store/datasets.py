"""What is in a store: snapshots, datasets and their provenance."""

from __future__ import annotations

from typing import Any

from ontology import vocab as V
from service.store.snapshots import AnyStore
from service.store.terms import IRI, Lit

_DATASETS = """
PREFIX sg: <https://w3id.org/supplygraph/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?catalog ?graph ?dataset ?loaded ?format ?triples
       (GROUP_CONCAT(DISTINCT ?source; separator=", ") AS ?sources) WHERE {
  GRAPH ?catalog {
    ?graph a sg:LoadedDataset ; dcterms:identifier ?dataset .
    OPTIONAL { ?graph prov:generatedAtTime ?loaded }
    OPTIONAL { ?graph sg:format ?format }
    OPTIONAL { ?graph sg:tripleCount ?triples }
    OPTIONAL { ?graph dcterms:source ?source }
  }
} GROUP BY ?catalog ?graph ?dataset ?loaded ?format ?triples ORDER BY ?dataset
"""


def describe(store: AnyStore) -> dict[str, Any]:
    """Snapshots, datasets (graph, source, triples, loaded at) and totals."""
    graph = store.open_current()
    rows = graph.select(_DATASETS, {"catalog": IRI(V.CATALOG_GRAPH)}).rows
    datasets = []
    for row in rows:
        count = row.get("triples")
        datasets.append(
            {
                "dataset": _text(row.get("dataset")),
                "graph": _text(row.get("graph")),
                "source": _text(row.get("sources")),
                "format": _text(row.get("format")),
                "triples": int(count.value) if isinstance(count, Lit) else None,
                "loaded": _text(row.get("loaded")),
            }
        )
    snapshots = [
        {"id": s.id, "created": s.created, "triples": s.triples, "note": s.note, "parent": s.parent}
        for s in store.snapshots()
    ]
    current = store.current_id()
    triples = next((s["triples"] for s in snapshots if s["id"] == current), None)
    return {
        "current": current,
        "triples": triples if triples is not None else graph.triple_count(),
        "snapshots": snapshots,
        "datasets": datasets,
    }


def _text(term: Any) -> str | None:
    return None if term is None else str(term.value)
