"""Exposure of every product to one country vs one dependents BFS, on a generated network.

``python -m bench.bench_exposure [--triples N] [--store DIR]`` generates a
layered supply network (mines, refineries, alloys, components, assemblies;
BOM lines, facilities, supply relationships) of about N triples, loads it into
a snapshot store (which builds the dependency index), then times:

* ``bfs``: :func:`service.paths.dependents` of every mined material produced
  in one country (one reverse breadth-first search over the whole network);
* ``exposure``: :func:`exposure_all`, the exposure of every node to that
  country (one sweep of ``(I - A)⁻¹ b``).

Both run on structures built once per snapshot (the index; the input-share
matrix and its levels), whose build times are printed separately.  The goal is
``ratio = exposure / bfs <= 2``.  Timings on a shared machine are noisy: the
best of ``--repeat`` runs is reported.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path
from typing import Any

from bench.common import timed

NS = "https://w3id.org/supplygraph/ns#"
ID = "https://w3id.org/supplygraph/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DEC = "http://www.w3.org/2001/XMLSchema#decimal"
STAGES = ("Mining", "Refining", "MetalAlloy", "Component", "Assembly")
LAYER_WEIGHTS = (0.1, 0.15, 0.2, 0.3, 0.25)
TRIPLES_PER_ITEM = 20  # measured average of what one item brings with it below


def write_network(path: Path, triples: int, countries: int = 60, seed: int = 11) -> dict[str, int]:
    """Write a layered network of about ``triples`` N-Triples; return counts."""
    rng = random.Random(seed)
    items = max(len(STAGES) * 4, triples // TRIPLES_PER_ITEM)
    layers = [
        [f"{ID}item/{s.lower()}-{k}" for k in range(max(4, int(items * w)))]
        for s, w in zip(STAGES, LAYER_WEIGHTS, strict=True)
    ]
    written = facilities = 0

    def t(s: str, p: str, o: str) -> str:
        return f"<{s}> <{p}> {o} .\n"

    with open(path, "w", encoding="utf-8") as out:
        out.write(t(f"{ID}class/generated", RDF_TYPE, f"<{NS}MaterialClass>"))
        for depth, layer in enumerate(layers):
            for item in layer:
                lines = [
                    t(item, RDF_TYPE, f"<{NS}{'Material' if depth < 3 else 'Product'}>"),
                    t(item, NS + "stage", f"<{NS}{STAGES[depth]}>"),
                ]
                if depth == 0:
                    lines.append(t(item, NS + "materialClass", f"<{ID}class/generated>"))
                inputs: list[str] = []
                if depth > 0:
                    inputs = rng.sample(layers[depth - 1], 3)
                    raw = [rng.random() + 0.1 for _ in inputs]
                    for k, (source, r) in enumerate(zip(inputs, raw, strict=True)):
                        line = f"{item}/line-{k}"
                        lines += [
                            t(item, NS + "hasInput", f"<{line}>"),
                            t(line, NS + "input", f"<{source}>"),
                            t(line, NS + "share", f'"{r / sum(raw):.6f}"^^<{DEC}>'),
                        ]
                for k in range(rng.choice((1, 2, 2, 3))):
                    fac = f"{item}/plant-{k}"
                    facilities += 1
                    lines += [
                        t(fac, RDF_TYPE, f"<{NS}Facility>"),
                        t(fac, NS + "produces", f"<{item}>"),
                        t(fac, NS + "locatedIn", f"<{ID}country/C{rng.randrange(countries)}>"),
                        t(fac, NS + "capacity", f'"{rng.randrange(1, 1000)}"^^<{DEC}>'),
                    ]
                    if inputs and rng.random() < 0.3:
                        rel = f"{fac}/supply"
                        supplier = f"{inputs[0]}/plant-0"
                        lines += [
                            t(rel, NS + "supplier", f"<{supplier}>"),
                            t(rel, NS + "buyer", f"<{fac}>"),
                            t(rel, NS + "item", f"<{inputs[0]}>"),
                            t(rel, NS + "share", f'"0.5"^^<{DEC}>'),
                        ]
                out.writelines(lines)
                written += len(lines)
    return {"triples": written, "items": sum(len(x) for x in layers), "facilities": facilities}


def measure(triples: int, directory: Path, repeat: int = 3, country: str = "C0") -> dict[str, Any]:
    """Generate, load and time both questions; return a row of figures."""
    from service.analysis.context import Analysis
    from service.analysis.exposure import exposure_all
    from service.analysis.facts import read_facts
    from service.backend import artifact_builders
    from service.index import index_for
    from service.paths import Question, dependents
    from service.store import SnapshotStore

    source = directory / "network.nt"
    counts = write_network(source, triples)
    store = SnapshotStore(directory / "store", builders=artifact_builders())
    _, load_s = timed(lambda: _load(store, source))
    graph = store.open_current()
    index, index_s = timed(lambda: index_for(store, graph))
    analysis, facts_s = timed(lambda: Analysis(read_facts(graph), graph))
    _, matrix_s = timed(lambda: analysis.solver)
    country_iri = f"{ID}country/{country}"
    node = index.lookup(country_iri)
    generated = index.lookup(f"{ID}class/generated")
    assert node is not None and generated is not None
    question = Question(country=node, classes=(generated,))
    bfs = min(timed(lambda: dependents(index, question, max_depth=50, first=1))[1] for _ in range(repeat))
    exp = min(timed(lambda: exposure_all(analysis, country_iri))[1] for _ in range(repeat))
    network = analysis.network
    return {
        **counts,
        "nodes": network.size,
        "edges": int(network.matrix.nnz),
        "load_s": round(load_s, 2),
        "index_s": round(index_s, 2),
        "facts_s": round(facts_s, 2),
        "matrix_s": round(matrix_s, 2),
        "bfs_s": round(bfs, 4),
        "exposure_s": round(exp, 4),
        "ratio": round(exp / bfs, 2) if bfs else float("inf"),
    }


def _load(store: Any, source: Path) -> None:
    with store.write("bench exposure") as writer:
        writer.load(source, "ntriples", "https://w3id.org/supplygraph/graph/bench")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--triples", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", type=Path, default=None, help="Work directory (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-exposure-") as tmp:
        row = measure(args.triples, args.store or Path(tmp), args.repeat)
    for key, value in row.items():
        print(f"{key:>12}: {value}")
    print(f"exposure of every node to one country took {row['ratio']}x one dependents BFS (goal: <= 2)")


if __name__ == "__main__":
    main()
