"""What the loaders write conforms to the supplygraph shapes (violations; warnings allowed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.base import run
from loaders.registry import LoadOptions, loader_for
from service.store import MemoryStore
from service.validate import validate

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples"
# Statistics point at commodity materials the sample graph defines.
MATERIALS = ROOT / "loaders" / "sample" / "materials.ttl"

DATASETS = {
    "baci": sorted((EXAMPLES / "baci").iterdir()),
    "baci-edge": [EXAMPLES / "edge" / "BACI_HS17_Y2021_V202401b.csv", EXAMPLES / "edge" / "country_codes_V202401b.csv"],
    "comtrade": sorted((EXAMPLES / "comtrade").iterdir()),
    "comtrade-edge": [EXAMPLES / "edge" / "COMTRADE-FINAL-CM4902023H6[2024-05-10].gz"],
    "usgs": sorted((EXAMPLES / "usgs").iterdir()),
    "usgs-edge": [EXAMPLES / "edge" / "MCS2025_World_Data.csv"],
    "network": [EXAMPLES / "network"],
}


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_loaded_examples_conform(name: str, tmp_path: Path) -> None:
    store = MemoryStore()
    report = run(store, name, loader_for(DATASETS[name], None, LoadOptions()))
    dump = tmp_path / f"{name}.nt"
    dump.write_bytes(store.graph().dump("ntriples", report.graph))
    result = validate([dump, MATERIALS] if name.startswith("usgs") else [dump], include_warnings=False)
    assert result.conforms, result.render()
