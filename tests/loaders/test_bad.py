"""Bad input: one crafted file per failure class, strict and lenient, and random corruptions.

Every failure must name file, line and field, and leave the store exactly as
it was: same current snapshot, same triples.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.base import run
from loaders.registry import LoadOptions, loader_for
from service.errors import DataError, RdfSyntaxError
from service.store import MemoryStore, SnapshotStore

BAD = Path(__file__).parents[1] / "data" / "bad"
EXAMPLES = Path(__file__).parents[2] / "examples"

# case folder -> (format, file the message names, line, field, words of the message)
CASES = {
    "baci-columns": ("baci", "BACI_HS22_Y2023_V202501.csv", 3, None, "expected 6 columns, got 5"),
    "baci-number": ("baci", "BACI_HS22_Y2023_V202501.csv", 3, "v", "value is not a non-negative number: '12x4.5'"),
    "baci-country": ("baci", "BACI_HS22_Y2023_V202501.csv", 3, "i", "country code not in the country file: '999'"),
    "baci-hscode": ("baci", "BACI_HS22_Y2023_V202501.csv", 3, "k", "not a 6-character HS code: '85051'"),
    "baci-quantity": ("baci", "BACI_HS22_Y2023_V202501.csv", 3, "q", "quantity is not a non-negative number: '-1'"),
    "baci-encoding": ("baci", "BACI_HS22_Y2023_V202501.csv", 3, None, "not valid utf-8"),
    "baci-header": ("baci", "BACI_HS22_Y2023_V202501.csv", 1, None, "expected the header t,i,j,k,v,q"),
    "comtrade-columns": ("comtrade", "TradeData_1_15_2025_10_30_0.csv", 4, None, "expected 47 columns, got 45"),
    "comtrade-number": ("comtrade", "TradeData_1_15_2025_10_30_0.csv", 3, "primaryValue", "not a non-negative number"),
    "comtrade-flowcode": ("comtrade", "TradeData_1_15_2025_10_30_0.csv", 3, "flowCode", "unknown flow code: 'Q'"),
    "comtrade-truncated-gzip": ("comtrade", "COMTRADE-FINAL-CA1562023H6[2024-05-10].gz", None, None, "truncated"),
    "comtrade-header": ("comtrade", "TradeData_1_15_2025_10_30_0.csv", 1, "primaryValue", "not a Comtrade+ header"),
    "usgs-country": ("usgs", "MCS2025_World_Data.csv", 4, "Country", "unknown country name: 'Atlantis'"),
    "usgs-number": ("usgs", "MCS2025_World_Data.csv", 4, "PROD_EST_ 2024", "not a number: 'about 20'"),
    "usgs-unit": ("usgs", "MCS2025_World_Data.csv", 4, "UNIT_MEAS", "unknown unit of measure: 'pounds'"),
    "usgs-missing-estimate": ("usgs", "MCS2025_World_Data.csv", 1, "PROD_EST_2024", "missing column of the MCS"),
    "usgs-no-production": ("usgs", "mcs2024-raree_world.csv", 1, None, "no production columns"),
    "network-reference": ("network", "supply.csv", 6, "supplier", "no such firm or facility: 'vacuumschmelze'"),
    "network-share": ("network", "bom.csv", 3, "share", "not a share between 0 and 1: '31'"),
}


def _paths(case: str, fmt: str) -> list[Path]:
    folder = BAD / case
    return [folder] if fmt == "network" else sorted(folder.iterdir())


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> SnapshotStore:
    """A snapshot store holding an earlier load of the BACI example."""
    store = SnapshotStore(tmp_path_factory.mktemp("store"))
    run(store, "baci-example", loader_for(sorted((EXAMPLES / "baci").iterdir()), "baci", LoadOptions()))
    return store


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_aborts_and_leaves_the_store_unchanged(case: str, loaded_store: SnapshotStore) -> None:
    fmt, file, line, field, words = CASES[case]
    before = (loaded_store.current_id(), loaded_store.open_current().triple_count())
    with pytest.raises(DataError) as caught:
        run(loaded_store, "baci-example", loader_for(_paths(case, fmt), fmt, LoadOptions()))
    error = caught.value
    assert file in error.source and words in error.message
    if line is not None:
        assert error.line == line and f":{line}" in error.message
    assert error.field == field
    assert (loaded_store.current_id(), loaded_store.open_current().triple_count()) == before


def test_max_errors_loads_good_rows_and_writes_rejects(tmp_path: Path) -> None:
    source = tmp_path / "BACI_HS22_Y2023_V202501.csv"
    good = "2023,156,842,850511,1234.567,89.1\n2023,156,392,850511,760.0,55.6\n"
    source.write_text("t,i,j,k,v,q\n" + good + "2023,999,842,850511,1,1\n2023,156,842,85051,1,1\n")
    paths = [source, EXAMPLES / "baci" / "country_codes_V202501.csv"]
    rejects = tmp_path / "rejects.csv"
    store = MemoryStore()
    report = run(store, "lenient", loader_for(paths, "baci", LoadOptions(max_errors=2, rejects=rejects)))
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (4, 2, 2)
    assert report.rejects_file == rejects
    rows = list(csv.DictReader(rejects.read_text().splitlines()))
    assert [(r["line"], r["field"]) for r in rows] == [("4", "i"), ("5", "k")]
    assert "country code not in the country file" in rows[0]["problem"]
    assert store.graph().ask("ASK { ?f <https://w3id.org/supplygraph/ns#rowsRejected> 2 }"), (
        "the rejected count is in the provenance"
    )
    before = store.current_id()
    with pytest.raises(DataError, match="more than 1 bad rows"):
        run(store, "lenient", loader_for(paths, "baci", LoadOptions(max_errors=1, rejects=rejects)))
    assert store.current_id() == before


# (format, file to corrupt, companion files)
FUZZ_TARGETS = [
    ("baci", EXAMPLES / "baci" / "BACI_HS22_Y2023_V202501.csv", [EXAMPLES / "baci" / "country_codes_V202501.csv"]),
    ("comtrade", EXAMPLES / "comtrade" / "TradeData_1_15_2025_10_30_0.csv", []),
    ("usgs", EXAMPLES / "usgs" / "MCS2025_World_Data.csv", []),
    ("usgs", EXAMPLES / "usgs" / "mcs2024-raree_world.csv", []),
]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.sampled_from(FUZZ_TARGETS),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 3), st.binary(min_size=0, max_size=3)), min_size=1, max_size=4
    ),
    gz=st.booleans(),
    cut=st.integers(0, 40),
)
def test_random_corruptions_raise_only_data_errors(
    tmp_path_factory: pytest.TempPathFactory,
    target: tuple[str, Path, list[Path]],
    edits: list[tuple[float, int, bytes]],
    gz: bool,
    cut: int,
) -> None:
    fmt, valid, companions = target
    data = valid.read_bytes()
    for where, drop, insert in edits:
        at = int(where * len(data))
        data = data[:at] + insert + data[at + drop :]
    if gz:  # the same rows gzipped, and the stream cut short by a few bytes
        data = gzip.compress(data)
        data = data[: max(0, len(data) - cut)]
    folder = tmp_path_factory.mktemp("fuzz")
    name = valid.name + (".gz" if gz and fmt != "usgs" else "")
    (folder / name).write_bytes(data)
    store = MemoryStore()
    run(store, "earlier", loader_for([EXAMPLES / "network"], "network", LoadOptions()))
    before = (store.current_id(), store.graph().triple_count())
    try:
        run(store, "fuzz", loader_for([folder / name, *companions], fmt, LoadOptions()))
    except (DataError, RdfSyntaxError):
        assert (store.current_id(), store.graph().triple_count()) == before


@pytest.mark.parametrize("case", ["usgs-missing-estimate", "usgs-no-production"])
def test_header_errors_are_file_errors_whatever_max_errors_says(case: str, loaded_store: SnapshotStore) -> None:
    before = (loaded_store.current_id(), loaded_store.open_current().triple_count())
    with pytest.raises(DataError) as caught:
        run(loaded_store, "usgs", loader_for(_paths(case, "usgs"), "usgs", LoadOptions(max_errors=100)))
    assert caught.value.line == 1
    assert (loaded_store.current_id(), loaded_store.open_current().triple_count()) == before
