"""A tiny run of the dependents benchmark, so it keeps working; full runs are `python -m bench.bench_dependents`."""

from __future__ import annotations

from pathlib import Path

from bench.bench_dependents import measure
from bench.generate import write


def test_generator_is_seeded_and_sized(tmp_path: Path) -> None:
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    count = write(first, 30_000, seed=3)
    write(second, 30_000, seed=3)
    assert first.read_bytes() == second.read_bytes()
    assert 25_000 < count < 36_000


def test_bench_dependents_smoke(tmp_path: Path) -> None:
    row = measure(10_000, tmp_path, deadline=60)
    assert row["graphql"]["total"] > 0 and row["graphql"]["page"] > 0
    assert row["oxigraph"]["killed"] or row["oxigraph"]["rows"] == row["graphql"]["total"]
    assert (
        row["index_s"] > 0
        and row["load_s"] > 0
        and row["rebuild_s"] > 0
        and row["update_rebuild_s"] > 0
        and row["labels_rebuild_s"] > 0
    )
