"""Small writes published on a large store: the delta index build against a full rebuild, in one run.

Run: ``python -m bench.bench_small_writes --triples 10000000`` (``--workdir DIR``
keeps the generated store there and reuses it on the next run).

On the synthetic network of :mod:`bench.generate`, the growth bench's two
small writes (:mod:`bench.bench_growth`): a one-triple SPARQL Update into a
graph of its own and a 1,000-triple dataset beside it.  Each is published
twice from the same parent snapshot: with the index merged from the parent's
(``delta``) and with it rebuilt from every frame (``full``, the delta build
turned off).  Printed: each publish's seconds, the index build's phases and
the ratio full / delta, and whether the two indexes are byte-identical; then
the seconds the writer takes to derive the analytics model from the parent's
(``model_s``), and whether it equals a full build of the snapshot, array for
array.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_growth import GRAPH, _derived_equals_full
from bench.common import timed
from bench.generate import write
from ontology import vocab as v

GOAL_S = 1.5


def _index_meta(store: Any) -> dict[str, Any]:
    directory = store.artifacts_dir(store.current_id())
    return dict(json.loads((directory / "index" / "meta.json").read_text()))


def _index_files(store: Any) -> dict[str, bytes]:
    index = store.artifacts_dir(store.current_id()) / "index"
    return {p.name: p.read_bytes() for p in sorted(index.iterdir()) if p.is_file() and p.name != "meta.json"}


def _prepared(triples: int, workdir: Path) -> Path:
    """A store holding the network and its analytics model (made once per work directory)."""
    from service.analysis import prepare_model
    from service.backend import artifact_builders
    from service.store import SnapshotStore

    base = workdir / f"base-{triples}"
    if not (base / "CURRENT").is_file():
        shutil.rmtree(base, ignore_errors=True)
        source = workdir / f"network-{triples}.nt"
        write(source, triples)
        store = SnapshotStore(base, builders=artifact_builders())
        with store.write("bench small writes") as writer:
            writer.load(source, "ntriples", GRAPH)
        source.unlink()
    # As `supplygraph load` does after publishing: the analytics model stored, so each write derives its own.
    prepare_model(SnapshotStore(base, builders=artifact_builders()))
    return base


def measure(triples: int, workdir: Path) -> dict[str, Any]:
    """Publish each small write with the delta build and with a full build; return the figures."""
    from service.analysis import prepare_model
    from service.backend import artifact_builders
    from service.index import delta
    from service.store import SnapshotStore

    base = _prepared(triples, workdir)
    small = workdir / "small.nt"
    write(small, 1000, seed=7)
    writes: dict[str, Callable[[Any], None]] = {
        "update": lambda w: w.update(
            f"INSERT DATA {{ GRAPH <{v.GRAPH}bench-extra> {{ "
            f"<{v.ID}facility/p0> <{v.PRODUCES}> <{v.ID}product/p2> }} }}"
        ),
        "dataset": lambda w: w.load(small, "ntriples", v.GRAPH + "bench-small"),
    }
    row: dict[str, Any] = {"triples": triples}
    largest = delta.LARGEST_SHARE
    for name, change in writes.items():
        files = {}
        for way, share in (("full", 0.0), ("delta", largest)):
            # Each way starts from the same parent: a copy of the base store (hard links; snapshots are immutable).
            run = workdir / "run"
            shutil.rmtree(run, ignore_errors=True)
            subprocess.run(["cp", "-al", str(base), str(run)], check=True)
            store = SnapshotStore(run, builders=artifact_builders())
            delta.LARGEST_SHARE = share
            try:

                def publish(store: Any = store, change: Callable[[Any], None] = change) -> None:
                    with store.write("bench small writes") as writer:
                        change(writer)

                seconds = timed(publish)[1]
            finally:
                delta.LARGEST_SHARE = largest
            meta = _index_meta(store)
            assert meta["built"] == way, f"{name}: built {meta['built']}, expected {way}"
            row[f"{name}_{way}_s"] = round(seconds, 2)
            row[f"{name}_{way}_index_s"] = meta["seconds"]
            row[f"{name}_{way}_phases"] = meta["phases"]
            files[way] = _index_files(store)
            if way == "delta":  # the writer then derives the analytics model from the parent's
                row[f"{name}_model_s"] = round(timed(lambda store=store: prepare_model(store))[1], 2)
                row[f"{name}_model_exact"] = _derived_equals_full(store)
        row[f"{name}_ratio"] = round(row[f"{name}_full_s"] / row[f"{name}_delta_s"], 1)
        row[f"{name}_identical"] = files["full"] == files["delta"]
    shutil.rmtree(workdir / "run", ignore_errors=True)
    return row


def _print(row: dict[str, Any]) -> None:
    print(f"{row['triples']:,} triples")
    for name in ("update", "dataset"):
        delta_s = row[f"{name}_delta_s"]
        met = "met" if delta_s <= GOAL_S else "not met"
        print(
            f"  {name:>8}: published in {delta_s:.2f} s (index {row[f'{name}_delta_index_s']:.2f} s) against "
            f"{row[f'{name}_full_s']:.2f} s with a full rebuild: x{row[f'{name}_ratio']}, identical index: "
            f"{row[f'{name}_identical']}   (goal <= {GOAL_S:g} s: {met})"
        )
        print(f"            delta phases {row[f'{name}_delta_phases']}")
        print(f"            full phases  {row[f'{name}_full_phases']}")
        print(
            f"            analytics model derived in {row[f'{name}_model_s']:.2f} s, "
            f"equal to a full build: {row[f'{name}_model_exact']}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--triples", default="1000000", help="comma-separated sizes")
    parser.add_argument("--workdir", type=Path, default=None, help="keep (and reuse) the generated stores here")
    args = parser.parse_args(argv)
    for size in (int(s) for s in args.triples.split(",") if s):
        if args.workdir is not None:
            args.workdir.mkdir(parents=True, exist_ok=True)
            _print(measure(size, args.workdir))
        else:
            with tempfile.TemporaryDirectory(prefix="sg-bench-small-") as tmp:
                _print(measure(size, Path(tmp)))


if __name__ == "__main__":
    main()
