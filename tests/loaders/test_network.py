"""The supply-network loader on the example folder, and the templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loaders.base import run
from loaders.network import COLUMNS
from loaders.registry import LoadOptions, loader_for
from service.errors import DataError
from service.store import MemoryStore

ROOT = Path(__file__).parents[2]
NETWORK = ROOT / "examples" / "network"
PREFIX = (
    "PREFIX sg: <https://w3id.org/supplygraph/ns#> PREFIX sgid: <https://w3id.org/supplygraph/id/> "
    "PREFIX unit: <http://qudt.org/vocab/unit/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
)


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    memory = MemoryStore()
    report = run(memory, "network", loader_for([NETWORK], None, LoadOptions()))
    assert report.rows_read == report.rows_loaded == 28 and report.rows_rejected == 0
    return memory


@pytest.mark.parametrize(
    "pattern",
    [
        "<https://w3id.org/supplygraph/id/facility/mt-weld> a sg:Facility ; sg:operatedBy sgid:firm%2Flynas",
        "<https://w3id.org/supplygraph/id/facility/mt-weld> sg:locatedIn <https://w3id.org/supplygraph/id/country/AUS>",
        "<https://w3id.org/supplygraph/id/facility/mt-weld> sg:capacity 12000.0 ; sg:capacityUnit unit:TONNE",
        "<https://w3id.org/supplygraph/id/facility/mountain-pass> sg:produces "
        "<https://w3id.org/supplygraph/id/material/rare-earths>, <https://w3id.org/supplygraph/id/material/ndpr-oxide>",
        "<https://w3id.org/supplygraph/id/material/rare-earths> a sg:Material ; sg:stage sg:Mining ; "
        "sg:hsCode <https://w3id.org/supplygraph/hs2022/253090>",
        "<https://w3id.org/supplygraph/id/product/ndfeb-magnet> a sg:Product ; sg:hasInput ?line . "
        "?line a sg:BOMLine ; sg:input <https://w3id.org/supplygraph/id/material/ndpr-metal> ; sg:share 0.31",
        "?rel a sg:SupplyRelationship ; sg:supplier <https://w3id.org/supplygraph/id/firm/jl-mag> ; "
        "sg:buyer <https://w3id.org/supplygraph/id/firm/example-motors> ; sg:share 0.6 ; "
        "sg:since '2022-01-01'^^xsd:date ; sg:illustrative true",
        "<https://w3id.org/supplygraph/id/facility/mt-weld> sg:suppliesTo "
        "<https://w3id.org/supplygraph/id/facility/lynas-malaysia>",
        "<https://w3id.org/supplygraph/id/firm/npm-silmet> sg:subsidiaryOf <https://w3id.org/supplygraph/id/firm/neo>",
    ],
)
def test_network_triples(store: MemoryStore, pattern: str) -> None:
    pattern = pattern.replace("sgid:firm%2Flynas", "<https://w3id.org/supplygraph/id/firm/lynas>")
    assert store.graph().ask(PREFIX + "ASK { " + pattern + " }"), pattern


def test_templates_match_the_loader(tmp_path: Path) -> None:
    for name, columns in COLUMNS.items():
        assert (ROOT / "loaders" / "templates" / name).read_text().strip() == ",".join(columns)
    shutil.copytree(ROOT / "loaders" / "templates", tmp_path / "empty")
    report = run(MemoryStore(), "empty", loader_for([tmp_path / "empty"], None, LoadOptions()))
    assert report.rows_read == 0 and report.triples == 0


def test_missing_column_is_reported(tmp_path: Path) -> None:
    (tmp_path / "firms.csv").write_text("id,name\nlynas,Lynas\n")
    with pytest.raises(DataError, match=r"firms\.csv:1 field 'country': column missing"):
        run(MemoryStore(), "n", loader_for([tmp_path], "network", LoadOptions()))
