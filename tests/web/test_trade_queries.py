"""The trade named queries on the example BACI and Comtrade data."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.base import run
from loaders.registry import LoadOptions, loader_for
from service.store import IRI, MemoryStore

ROOT = Path(__file__).parents[2]
HS = "https://w3id.org/supplygraph/hs2022/"
COUNTRY = "https://w3id.org/supplygraph/id/country/"


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    memory = MemoryStore()
    run(memory, "baci", loader_for(sorted((ROOT / "examples" / "baci").iterdir()), None, LoadOptions()))
    run(memory, "comtrade", loader_for(sorted((ROOT / "examples" / "comtrade").iterdir()), None, LoadOptions()))
    return memory


def _query(name: str) -> str:
    text = (ROOT / "queries" / f"{name}.rq").read_text()
    assert text.startswith("# title: ") and "# description: " in text and "# param: ?" in text
    return text


def test_top_exporters_ranks_with_shares_per_dataset(store: MemoryStore) -> None:
    rows = store.graph().select(_query("top_exporters"), {"hs": IRI(HS + "850511"), "year": 2023}).rows
    baci = [r for r in rows if str(r["dataset"].value).endswith("/baci")]
    assert [str(r["exporter"].value).removeprefix(COUNTRY) for r in baci] == ["CHN", "JPN", "TWN", "DEU"]
    assert str(baci[0]["valueUSD"].value) == "2981967" and str(baci[0]["label"].value) == "China"
    assert sum(float(str(r["share"].value)) for r in baci) == pytest.approx(1.0)
    assert float(str(baci[0]["share"].value)) == pytest.approx(2981967 / 3593017)
    comtrade = [r for r in rows if str(r["dataset"].value).endswith("/comtrade")]
    # Only China reports exports; its World total row is not added to its partner rows.
    assert [(str(r["exporter"].value).removeprefix(COUNTRY), str(r["valueUSD"].value)) for r in comtrade] == [
        ("CHN", "2981967.5")
    ]


def test_top_exporters_other_year(store: MemoryStore) -> None:
    rows = store.graph().select(_query("top_exporters"), {"hs": IRI(HS + "284690"), "year": 2022}).rows
    assert [str(r["exporter"].value).removeprefix(COUNTRY) for r in rows] == ["MMR", "CHN"]


def test_flows_between(store: MemoryStore) -> None:
    bindings = {"exporter": IRI(COUNTRY + "CHN"), "importer": IRI(COUNTRY + "USA"), "hs": IRI(HS + "850511")}
    rows = store.graph().select(_query("flows_between"), {**bindings, "year": 2023}).rows
    by_dataset = {(str(r["dataset"].value).rsplit("/", 1)[1], str(r.get("flowCode", IRI("")).value)): r for r in rows}
    assert set(by_dataset) == {("baci", ""), ("comtrade", "X"), ("comtrade", "M")}
    baci = by_dataset[("baci", "")]
    assert (str(baci["valueUSD"].value), str(baci["quantityTonnes"].value)) == ("1234567", "89.1")
    assert str(by_dataset[("comtrade", "M")]["netWeightKg"].value) == "90200"
    rows_2022 = store.graph().select(_query("flows_between"), {**bindings, "year": 2022}).rows
    assert [str(r["valueUSD"].value) for r in rows_2022] == ["1102118"]
