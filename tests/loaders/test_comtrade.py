"""The Comtrade+ loader: annual CSV export, and the gzipped monthly edge-case bulk file."""

from __future__ import annotations

from pathlib import Path

from loaders.base import run
from loaders.registry import LoadOptions, loader_for
from service.store import IRI, MemoryStore

EXAMPLES = Path(__file__).parents[2] / "examples"
ANNUAL = [EXAMPLES / "comtrade" / "TradeData_1_15_2025_10_30_0.csv"]
MONTHLY = [EXAMPLES / "edge" / "COMTRADE-FINAL-CM4902023H6[2024-05-10].gz"]
FLOW = "https://w3id.org/supplygraph/id/flow/"
PREFIX = "PREFIX sg: <https://w3id.org/supplygraph/ns#> "


def _flow(store: MemoryStore, key: str) -> dict[str, str]:
    rows = store.graph().select("SELECT ?f ?p ?o WHERE { ?f ?p ?o }", {"f": IRI(FLOW + key)}).rows
    return {str(r["p"].value).rsplit("#", 1)[-1]: str(r["o"].value) for r in rows}


def test_annual_exports_imports_and_totals() -> None:
    store = MemoryStore()
    report = run(store, "comtrade", loader_for(ANNUAL, None, LoadOptions()))
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (10, 8, 0)  # two World rows skipped
    export = _flow(store, "comtrade-h6-a-2023-156-x-842-850511")
    assert export["exporter"].endswith("/CHN") and export["importer"].endswith("/USA")
    assert export["reporter"].endswith("/CHN") and export["flowCode"] == "X"
    assert (export["valueUSD"], export["netWeightKg"], export["hsVintage"]) == ("1234567", "89100", "H6")
    mirror = _flow(store, "comtrade-h6-a-2023-842-m-156-850511")  # the import side: partner exports
    assert mirror["exporter"].endswith("/CHN") and mirror["importer"].endswith("/USA")
    re_export = _flow(store, "comtrade-h6-a-2023-156-rx-392-280530")
    assert re_export["flowCode"] == "RX" and re_export["exporter"].endswith("/CHN")
    assert _flow(store, "comtrade-h6-a-2023-156-x-0-850511") == {}  # partner World: the partners' sum
    total = _flow(store, "comtrade-h6-a-2023-842-m-392-total")
    assert total["aggregate"] == "true" and total["hsCode"].endswith("/hs2022/TOTAL") and "netWeightKg" not in total
    assert "aggregate" not in export


def test_monthly_gzip_taiwan_breakdowns_and_areas() -> None:
    store = MemoryStore()
    report = run(store, "monthly", loader_for(MONTHLY, None, LoadOptions()))
    assert (report.rows_read, report.rows_loaded) == (8, 5)  # two breakdowns and the World row are skipped
    january = _flow(store, "comtrade-h6-m-202301-490-x-842-850511")
    assert january["exporter"].endswith("/country/TWN") and january["period"] == "202301"
    assert january["year"] == "2023" and january["valueUSD"] == "10050.5"
    assert "netWeightKg" not in _flow(store, "comtrade-h6-m-202302-490-x-842-850511")  # empty: missing
    assert _flow(store, "comtrade-h6-m-202301-490-x-0-850511") == {}
    trout = _flow(store, "comtrade-h6-m-202301-842-m-156-030211")
    assert trout["hsCode"].endswith("/hs2022/030211")
    nes = _flow(store, "comtrade-h6-m-202301-842-m-899-811292")  # "Areas, nes": not a country, left unstated
    assert "exporter" not in nes and nes["importer"].endswith("/country/USA")
    g = store.graph()
    assert g.ask(PREFIX + 'ASK { ?c a sg:Country ; sg:iso3 "TWN" ; sg:tradeCode "490" }')


def test_filters_apply_to_comtrade() -> None:
    only_rare_earth = LoadOptions(hs_prefixes=("2805",))
    assert run(MemoryStore(), "c", loader_for(ANNUAL, None, only_rare_earth)).rows_loaded == 2
    only_japan = LoadOptions(countries=frozenset({"JPN"}))
    assert run(MemoryStore(), "c", loader_for(ANNUAL, None, only_japan)).rows_loaded == 4
    assert run(MemoryStore(), "c", loader_for(MONTHLY, None, LoadOptions(years=frozenset({2022})))).rows_loaded == 0


def test_a_partner_total_marked_is_aggregate_is_the_flow_and_its_breakdowns_are_skipped(tmp_path: Path) -> None:
    lines = ANNUAL[0].read_text().splitlines()
    header = lines[0].split(",")
    row = next(line for line in lines[1:] if ",X,Export,842,USA," in line and ",850511," in line)
    total = row.rsplit(",", 1)[0] + ",true"  # Comtrade marks totals over breakdowns isAggregate
    by_sea = total.split(",")
    by_sea[header.index("motCode")] = "2100"  # a mode-of-transport breakdown of the same trade
    by_sea[header.index("primaryValue")] = "1000000.0"
    source = tmp_path / "TradeData_1_1_2025_0_0_0.csv"
    source.write_text("\n".join([lines[0], total, ",".join(by_sea)]) + "\n")
    store = MemoryStore()
    run(store, "comtrade", loader_for([source], None, LoadOptions()))
    flow = _flow(store, "comtrade-h6-a-2023-156-x-842-850511")
    assert flow["valueUSD"] == "1234567" and "aggregate" not in flow  # counted, once
    count = store.graph().select(PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?f a sg:TradeFlow }").rows[0]["n"]
    assert str(count.value) == "1"
