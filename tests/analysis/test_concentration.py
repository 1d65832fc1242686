"""Concentration and HHI on known shares, from statistics, trade flows and capacity."""

from __future__ import annotations

import pytest

from service.analysis.concentration import concentration, hhi
from service.analysis.spof import single_points_of_failure
from tests.support.analysis_graphs import CTRY, FAC, FIRM, ITEM, analysis_of, bom, facility

STATS = (
    "".join(
        f"[] a sg:ProductionStatistic ; sg:material i:ree ; sg:country c:{c} ; sg:year {y} ; sg:stage sg:Mining ;"
        f' sg:quantity {q} ; sg:edition "{e}" .\n'
        for c, y, q, e in [
            ("CHN", 2024, 60, "MCS2025"),
            ("USA", 2024, 30, "MCS2025"),
            ("OTHER", 2024, 10, "MCS2025"),
            ("WLD", 2024, 100, "MCS2025"),
            ("CHN", 2024, 99, "MCS2024"),  # an older edition's estimate of the same year is ignored
            ("CHN", 2023, 70, "MCS2025"),
        ]
    )
    + "c:OTHER a sg:CountryAggregate . c:WLD a sg:CountryAggregate .\n"
)


def test_hhi_of_known_shares() -> None:
    assert hhi([0.6, 0.3, 0.1]) == pytest.approx(3600 + 900 + 100)
    assert hhi([1.0]) == pytest.approx(10_000)


def test_concentration_from_statistics() -> None:
    result = concentration(analysis_of(STATS), ITEM + "ree", 2024, "Mining")
    assert [(s.who, s.share) for s in result.shares] == [(CTRY + "CHN", 0.6), (CTRY + "USA", 0.3)]
    assert result.total == 100 and result.total_reported
    assert result.other_share == pytest.approx(0.1)
    assert result.hhi == pytest.approx(3600 + 900)  # named countries only: a lower bound
    assert result.hhi_upper == pytest.approx(3600 + 900 + 100)
    assert "MCS2025" in result.basis


def test_latest_year_by_default() -> None:
    assert concentration(analysis_of(STATS), ITEM + "ree").year == 2024


def test_concentration_from_trade_flows() -> None:
    flows = "".join(
        f"[] a sg:TradeFlow ; sg:exporter c:{e} ; sg:importer c:{m} ;"
        f" sg:hsCode <https://w3id.org/supplygraph/hs2022/{hs}> ;"
        f" sg:year 2023 ; sg:valueUSD {v} .\n"
        for e, m, hs, v in [("CHN", "USA", "850511", 700), ("CHN", "DEU", "850511", 100), ("JPN", "USA", "850511", 200)]
    )
    text = flows + "i:magnet sg:hsCode <https://w3id.org/supplygraph/hs2022/850511> .\n"
    result = concentration(analysis_of(text), ITEM + "magnet", source="trade")
    assert result.year == 2023
    assert [(s.who, s.share) for s in result.shares] == [(CTRY + "CHN", 0.8), (CTRY + "JPN", 0.2)]
    assert result.hhi == pytest.approx(6400 + 400)


def test_concentration_by_firm_capacity() -> None:
    text = (
        facility("a", "ree", "CHN", 50, "big")
        + facility("b", "ree", "CHN", 25, "big")
        + facility("c", "ree", "AUS", 25, "small")
    )
    result = concentration(analysis_of(text), ITEM + "ree", source="capacity")
    assert [(s.who, s.share) for s in result.shares] == [(FIRM + "big", 0.75), (FIRM + "small", 0.25)]
    assert result.hhi == pytest.approx(5625 + 625)


def test_single_points_of_failure_ranked_by_dependent_end_products() -> None:
    text = (
        bom("car", ("motor", 1.0))
        + bom("drone", ("motor", 0.5), ("frame", 0.5))
        + bom("motor", ("magnet", 1.0))
        + facility("magnet-1", "magnet", "CHN", firm="m")
        + facility("motor-1", "motor", "JPN", firm="x")
        + facility("motor-2", "motor", "DEU", firm="x")
        + facility("frame-1", "frame", "USA")
        + facility("frame-2", "frame", "MEX")
    )
    found = single_points_of_failure(analysis_of(text), ITEM + "drone")
    assert [(s.item.rsplit("/", 1)[1], s.single, s.dependent_end_products) for s in found] == [
        ("magnet", ["facility", "firm", "country"], 2),
        ("motor", ["firm"], 2),
    ]
    assert found[0].facilities == [FAC + "magnet-1"]
    assert found[0].share == pytest.approx(0.5)
