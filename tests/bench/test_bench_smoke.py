"""Tiny runs of the benchmarks, so they keep working; the full runs are `make bench`."""

from __future__ import annotations

from pathlib import Path

from bench.bench_load import measure


def test_bench_load_smoke(tmp_path: Path) -> None:
    row = measure(2_000, tmp_path)
    assert row["triples"] == 2_000
    assert row["raw_triples_per_s"] > 0 and row["loader_triples_per_s"] > 0
    assert row["ratio"] > 0


def test_bench_sparql_smoke(tmp_path: Path) -> None:
    import shutil

    import pytest

    from bench.bench_sparql import measure

    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk; .ci/run installs it): the HTTP load generator")

    row = measure(500, 0.5, 2, tmp_path, workers=1, rounds=1)
    assert row["ours_req_per_s"] > 0 and row["oxigraph_req_per_s"] > 0
    assert row["ratio"] > 0 and row["ours_2_processes_req_per_s"] > 0
    assert row["processes_2_vs_1"] == pytest.approx(row["ours_2_processes_req_per_s"] / row["ours_req_per_s"], abs=0.01)


def test_bench_graphql_smoke(tmp_path: Path) -> None:
    import shutil

    import pytest

    from bench.bench_graphql import measure

    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk; .ci/run installs it): the HTTP load generator")
    row = measure(500, 1, 2, tmp_path, rounds=1)
    assert row["graphql_req_per_s"] > 0 and row["oxigraph_sparql_req_per_s"] > 0 and row["ratio"] > 0
    assert row["two_processes_req_per_s"] > 0


def test_bench_growth_smoke(tmp_path: Path) -> None:
    import shutil

    import pytest

    from bench.bench_growth import one_size, served

    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk; .ci/run installs it): the HTTP load generator")
    row = served(one_size(20_000, tmp_path), tmp_path, 1, 2)
    assert row["triples"] > 15_000 and row["load_s"] > 0 and row["index_s"] > 0
    assert row["update_s"] > 0 and row["dataset_s"] > 0 and row["exposure_s"] >= 0
    assert row["exposure_after_write_s"] == pytest.approx(row["model_s"] + row["exposure_s"], abs=0.011)
    assert row["lookup_req_s"] > 0 and row["dependents_req_s"] > 0 and row["dependents_p99_ms"] > 0


def test_bench_remote_smoke(tmp_path: Path) -> None:
    from bench.bench_remote import measure

    row = measure(3_000, tmp_path, baci_rows=200)
    for side in ("embedded", "remote"):
        assert row[side]["load_s"] > 0 and row[side]["baci_load_s"] > 0
        assert row[side]["baci_rows"] == 200
    # The same data answers the same question on both sides.
    assert row["embedded"]["dependents_total"] == row["remote"]["dependents_total"]


def test_bench_caching_smoke(tmp_path: Path) -> None:
    import shutil

    import pytest

    from bench.bench_caching import measure

    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk; .ci/run installs it): the HTTP load generator")
    row = measure(500, 1, 2, tmp_path, lookups=20, rounds=1)
    assert row["lookups"] == 20
    assert row["sparql_200_req_per_s"] > 0 and row["sparql_304_req_per_s"] > 0 and row["sparql_ratio"] > 0
    assert row["graphql_200_req_per_s"] > 0 and row["graphql_304_req_per_s"] > 0
    assert row["stale_304_after_write"] == 0
