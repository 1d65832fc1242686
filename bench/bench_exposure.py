"""Exposure of every product to one country vs one dependents BFS, on a generated network.

``python -m bench.bench_exposure [--triples N] [--store DIR]`` generates the
synthetic network of :mod:`bench.generate` (about N triples), loads it into a
snapshot store (which builds the dependency index), then times:

* ``bfs``: :func:`service.index.search.dependents` of rare earths produced in China,
  the question of ``bench_dependents`` (one reverse breadth-first search);
* ``exposure``: :func:`exposure_all`, the exposure of every node (every
  product included) to China (one sweep of ``(I - A)⁻¹ b``).

Both run on structures built once per snapshot (the index; the input-share
matrix and its levels), whose build times are printed separately:
``network_s`` is building the model (reading the facts and building the
matrix), ``stored_s`` what the writer pays after publishing to build and
store it (:func:`prepare_model`), ``read_s`` what a server's first analytics
request pays instead (:func:`analysis_for` reading the stored model), and
``levels_s`` the solver's levels (stored with the model, so only mapped and
split into sweeps), ``first_s`` the whole of a server's first exposure
question (reading the model, the solver, one solve), and ``model_mb`` the
stored model on disk.  The goal is ``ratio = exposure / bfs <= 2``.  Timings
on a shared machine are noisy: the best of ``--repeat`` runs is reported.

With ``--store DIR``, a store left in ``DIR`` by an earlier run is used
again (its stored model is dropped first, so the writer builds it anew):
generating and loading 10M triples takes minutes.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.common import timed, tree_mib
from bench.generate import write
from ontology import vocab as v

CLASS = v.ID + "class/rare-earths"
COUNTRY = v.ID + "country/CHN"


def measure(triples: int, directory: Path, repeat: int = 3) -> dict[str, Any]:
    """Generate, load and time both questions; return a row of figures."""
    from service.analysis import prepare_model, read_facts
    from service.analysis.context import Analysis, analysis_for
    from service.analysis.exposure import exposure_all
    from service.analysis.model_file import MODEL
    from service.backend import artifact_builders
    from service.index import index_for
    from service.index.search import Question, dependents
    from service.store import SnapshotStore

    source = directory / "network.nt"
    store = SnapshotStore(directory / "store", builders=artifact_builders())
    load_s = None
    if store.current_id() is None or not source.is_file():
        written = write(source, triples)
        load_s = round(timed(lambda: _load(store, source))[1], 2)
    else:
        with open(source, "rb") as lines:
            written = sum(1 for _ in lines)
    graph = store.open_current()
    model_dir = store.artifacts_dir(graph.snapshot_id or "") / MODEL
    shutil.rmtree(model_dir, ignore_errors=True)
    index, index_s = timed(lambda: index_for(store, graph))
    # Built from the frames in memory: what a server paid on its first analytics request of a snapshot.
    _, network_s = timed(lambda: Analysis(read_facts(index.frames()), graph).network)
    # What the writer now pays after publishing (the same build, then stored beside the index) ...
    _, stored_s = timed(lambda: prepare_model(store))
    # ... and what a server's first analytics request pays instead: reading the stored model.
    reader = SnapshotStore(directory / "store", builders=artifact_builders())
    analysis, read_s = timed(lambda: analysis_for(reader, reader.open_current()))
    _, levels_s = timed(lambda: analysis.solver)
    first_s = read_s + levels_s + timed(lambda: exposure_all(analysis, COUNTRY))[1]
    node, cls = index.lookup(COUNTRY), index.lookup(CLASS)
    assert node is not None and cls is not None
    question = Question(country=node, classes=(cls,))
    bfs = min(timed(lambda: dependents(index, question, max_depth=50, first=1))[1] for _ in range(repeat))
    exp = min(timed(lambda: exposure_all(analysis, COUNTRY))[1] for _ in range(repeat))
    network = analysis.network
    return {
        "triples": written,
        "nodes": network.size,
        "edges": int(network.matrix.nnz),
        "load_s": load_s,
        "index_s": round(index_s, 2),
        "network_s": round(network_s, 2),
        "stored_s": round(stored_s, 2),
        "read_s": round(read_s, 2),
        "read_vs_build": round(read_s / network_s, 3) if network_s else None,
        "levels_s": round(levels_s, 2),
        "first_s": round(first_s, 2),
        "model_mb": round(tree_mib(model_dir)),
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
