"""The BACI loader on the example release and the edge-case file, through the loader API."""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

import pytest

from loaders.base import run
from loaders.registry import LoadOptions, loader_for
from ontology import vocab as v
from service.store import IRI, MemoryStore, SnapshotStore

EXAMPLES = Path(__file__).parents[2] / "examples"
BACI = sorted((EXAMPLES / "baci").iterdir())
EDGE = [EXAMPLES / "edge" / "BACI_HS17_Y2021_V202401b.csv", EXAMPLES / "edge" / "country_codes_V202401b.csv"]
SG = v.NS
FLOW = "https://w3id.org/supplygraph/id/flow/"
PREFIX = f"PREFIX sg: <{SG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "


def _load(paths: list[Path], options: LoadOptions | None = None, store: MemoryStore | None = None) -> MemoryStore:
    store = store or MemoryStore()
    run(store, "baci", loader_for(paths, None, options or LoadOptions()))
    return store


def _flow(store: MemoryStore, key: str) -> dict[str, str]:
    rows = store.graph().select("SELECT ?f ?p ?o WHERE { ?f ?p ?o }", {"f": IRI(FLOW + key)}).rows
    return {str(r["p"].value).rsplit("#", 1)[-1]: str(r["o"].value) for r in rows}


def test_example_release_values_units_and_countries() -> None:
    store = _load(BACI)
    flow = _flow(store, "baci.baci-hs22-v202501-2023-156-842-850511")
    assert flow["valueUSD"] == "1234567"  # thousand USD -> USD, exactly
    assert flow["quantityTonnes"] == "89.1"
    assert flow["exporter"].endswith("/country/CHN") and flow["importer"].endswith("/country/USA")
    assert flow["hsCode"] == "https://w3id.org/supplygraph/hs2022/850511"
    assert (flow["hsVintage"], flow["year"], flow["period"]) == ("HS22", "2023", "2023")
    assert flow["dataset"] == "https://w3id.org/supplygraph/graph/baci"
    taiwan = _flow(store, "baci.baci-hs22-v202501-2023-490-842-850511")
    assert taiwan["exporter"].endswith("/country/TWN")
    assert "quantityTonnes" not in _flow(store, "baci.baci-hs22-v202501-2023-156-842-380110")  # empty q: missing
    assert "quantityTonnes" not in _flow(store, "baci.baci-hs22-v202501-2023-699-842-380110")  # NA q: missing
    g = store.graph()
    assert g.ask(PREFIX + 'ASK { ?c sg:tradeCode "490" ; sg:iso3 "TWN" ; a sg:Country }')
    assert g.ask(PREFIX + 'ASK { ?h skos:notation "850511" ; skos:prefLabel ?l ; skos:inScheme ?s }')


def test_provenance_and_identical_iris_on_reload(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path / "store")
    first = run(store, "baci", loader_for(BACI, None, LoadOptions()))
    triples = store.open_current().triple_count()
    again = run(store, "baci", loader_for(BACI, None, LoadOptions()))
    assert store.open_current().triple_count() == triples  # replaced, not added
    assert first.triples == again.triples and again.rows_read == again.rows_loaded == 27
    assert again.release == "BACI HS22 V202501" and len(again.checksums) == 4
    g = store.open_current()
    assert g.ask(PREFIX + 'ASK { GRAPH ?c { ?d sg:rowsLoaded 27 ; sg:release "BACI HS22 V202501" ; sg:checksum ?x } }')


def test_release_zip_is_read_like_its_csvs(tmp_path: Path) -> None:
    archive = tmp_path / "BACI_HS22_V202501.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in BACI:
            out.write(path, path.name)
        out.writestr("Readme.txt", "BACI release")
    from_zip, from_csv = _load([archive]).graph(), _load(BACI).graph()
    graph = "https://w3id.org/supplygraph/graph/baci"
    assert from_zip.dump("ntriples", graph) == from_csv.dump("ntriples", graph)


def test_edge_file_leading_zeros_old_header_and_padding() -> None:
    store = _load(EDGE)
    live_animals = _flow(store, "baci.baci-hs17-v202401b-2021-156-842-050400")
    assert live_animals["hsCode"].endswith("/hs2017/050400")  # leading zero kept
    taiwan = _flow(store, "baci.baci-hs17-v202401b-2021-490-842-850511")
    assert taiwan["exporter"].endswith("/country/TWN") and taiwan["valueUSD"] == "120003"
    assert taiwan["quantityTonnes"] == "8.5"  # padded numbers trimmed
    assert "quantityTonnes" not in _flow(store, "baci.baci-hs17-v202401b-2021-156-392-280530")
    legacy = _flow(store, "baci.baci-hs17-v202401b-2021-58-392-9999AA")
    assert legacy["exporter"].endswith("/country/BLX") and legacy["quantityTonnes"] == "0"  # Belgium-Luxembourg


@pytest.mark.parametrize(
    ("options", "rows"),
    [
        (LoadOptions(years=frozenset({2022})), 8),
        (LoadOptions(hs_prefixes=("2805", "2846")), 9),
        (LoadOptions(hs_prefixes=("2805.30",)), 4),
        (LoadOptions(countries=frozenset({"TWN"})), 1),
        (LoadOptions(years=frozenset({2023}), hs_prefixes=("8505",), countries=frozenset({"USA"})), 4),
    ],
)
def test_filters(options: LoadOptions, rows: int) -> None:
    report = run(MemoryStore(), "baci", loader_for(BACI, None, options))
    assert report.rows_loaded == rows


def test_progress_reports_bytes_up_to_the_total() -> None:
    calls: list[tuple[int, int]] = []
    run(MemoryStore(), "baci", loader_for(BACI, None, LoadOptions()), lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] > 0
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(calls))
