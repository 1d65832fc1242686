"""A tiny run of the small-writes benchmark; full run: `python -m bench.bench_small_writes`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_small_writes import measure
from service.index import delta


def test_bench_small_writes_smoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # At this size the 1,000-triple dataset is a large change, built in full unless allowed.
    monkeypatch.setattr(delta, "LARGEST_SHARE", float("inf"))
    row = measure(30_000, tmp_path)
    for name in ("update", "dataset"):
        assert row[f"{name}_identical"], f"{name}: the delta build's index differs from a full build's"
        assert row[f"{name}_delta_s"] > 0 and row[f"{name}_full_s"] > 0 and row[f"{name}_ratio"] > 0
        assert "delta rows" in row[f"{name}_delta_phases"] and "keys" in row[f"{name}_full_phases"]
