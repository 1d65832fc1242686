"""Format detection from file names."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.registry import FACTORIES, detect

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("BACI_HS22_Y2023_V202501.csv", "baci"),
        ("BACI_HS22_V202501.zip", "baci"),
        ("BACI_HS92_V202401b.zip", "baci"),
        ("country_codes_V202501.csv", "baci"),
        ("COMTRADE-FINAL-CA1562023H6[2024-05-10].gz", "comtrade"),
        ("TradeData_1_15_2025_10_30_0.csv", "comtrade"),
        ("mcs2024-raree_world.csv", "usgs"),
        ("MCS2025_World_Data.csv", "usgs"),
        ("data.ttl", "rdf"),
    ],
)
def test_detect_by_name(name: str, fmt: str) -> None:
    assert detect([Path(name)]) == fmt
    assert fmt in FACTORIES


def test_detect_network_folder() -> None:
    assert detect([EXAMPLES / "network"]) == "network"


def test_unknown_names_ask_for_a_format() -> None:
    with pytest.raises(ValueError, match="pass --format"):
        detect([Path("exports.xlsx")])
