"""A tiny run of the exposure benchmark, so it keeps working; the full run is `python -m bench.bench_exposure`."""

from __future__ import annotations

from pathlib import Path

from bench.bench_exposure import measure


def test_bench_exposure_smoke(tmp_path: Path) -> None:
    row = measure(3_000, tmp_path, repeat=1)
    assert row["triples"] > 1_000 and row["nodes"] > 0 and row["edges"] > 0
    assert row["bfs_s"] > 0 and row["exposure_s"] > 0 and row["ratio"] > 0
