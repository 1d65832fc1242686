"""A tiny run of the loader benchmark, so it keeps working; the full run is `python -m bench.bench_loaders`."""

from __future__ import annotations

from pathlib import Path

from bench.bench_loaders import measure


def test_bench_loaders_smoke(tmp_path: Path) -> None:
    row = measure(2_000, 500, tmp_path)
    assert row["rows"] == 2_000 and row["triples"] > 2_000 * 12
    assert row["loader_rows_per_s"] > 0 and row["raw_triples_per_s"] > 0 and row["loader_vs_raw"] > 0
    assert row["loader_peak_rss_mb"] > 0 and row["loader_vs_rdflib"] > 0
