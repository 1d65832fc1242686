"""The analytics commands of the CLI, on the sample graph in a snapshot store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import cli


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("store") / "store")
    result = CliRunner().invoke(cli, ["load", "--sample", "--store", path])
    assert result.exit_code == 0, result.output
    return path


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_concentration_command(store: str) -> None:
    out = run("concentration", "rare-earths", "--year", "2024", "--stage", "Mining", "--store", store)
    # 270,000 t of 392,720 t: the rows sum above USGS's rounded world total, so the rule divides by the sum.
    assert "China" in out and "68.8%" in out and "HHI 4,954" in out and "sum of countries" in out


def test_commands_print_json(store: str) -> None:
    data = json.loads(run("exposure", "wind-turbine", "CHN", "--class", "rare-earths", "--json", "--store", store))
    assert 0 < data["share"] <= data["traced"] <= 1
    impact = run("impact", "cn-2025-18-medium-heavy-rare-earths", "--as-of", "2025-06-01", "--store", store)
    assert "in force" in impact and "Wind turbine" in impact
    assert "end products" in run("spof", "electric-vehicle", "--store", store)
    assert "shortfall" in run("alternatives", "rare-earths", "CHN", "--trusted-by", "USA", "--store", store)


def test_unknown_product_is_a_clean_error(store: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["exposure", "no-such-product", "CHN", "--store", store])
    assert result.exit_code == 1 and "PRODUCT: 'no-such-product' is not a known material or product" in result.output
