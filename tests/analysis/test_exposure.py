"""Exposure by the Leontief inverse, on hand-built networks with every figure worked out by hand."""

from __future__ import annotations

import pytest

from service.analysis.exposure import exposure, exposure_all
from service.analysis.leontief import SingularNetwork
from tests.support.analysis_graphs import CLS, CTRY, FAC, ITEM, analysis_of, bom, facility

# A five-level chain P -> C -> A -> O -> M, with side inputs made in the USA.
CHAIN = (
    bom("P", ("C", 0.8), ("Y", 0.2))
    + bom("C", ("A", 0.5), ("Z", 0.5))
    + bom("A", ("O", 1.0))
    + bom("O", ("M", 0.6), ("W", 0.4))
    + facility("mine-cn", "M", "CHN", 3)
    + facility("mine-au", "M", "AUS", 1)
    + facility("y", "Y", "USA")
    + facility("z", "Z", "USA")
    + facility("w", "W", "USA")
    + "i:M sg:materialClass cls:rare-earths . cls:rare-earths skos:broader cls:critical .\n"
)


def test_five_level_chain_by_hand() -> None:
    analysis = analysis_of(CHAIN)
    result = exposure(analysis, ITEM + "P", CTRY + "CHN")
    # 0.8 (C) x 0.5 (A) x 1.0 (O) x 0.6 (M) x 3/4 (capacity share of the Chinese mine)
    assert result.share == pytest.approx(0.8 * 0.5 * 1.0 * 0.6 * 0.75)
    assert exposure(analysis, ITEM + "P", CTRY + "AUS").share == pytest.approx(0.8 * 0.5 * 0.6 * 0.25)
    assert exposure(analysis, ITEM + "P", CTRY + "USA").share == pytest.approx(0.2 + 0.8 * 0.5 + 0.8 * 0.5 * 0.4)
    assert result.traced == pytest.approx(1.0)
    assert analysis.network.methods[ITEM + "M"] == "capacity"
    assert analysis.network.methods[ITEM + "Y"] == "equal"
    top = result.paths[0]
    assert top.contribution == pytest.approx(0.18)
    assert [s.item.rsplit("/", 1)[1] for s in top.steps] == ["P", "C", "A", "O", "M", "M"]
    assert top.steps[-1].actor == FAC + "mine-cn" and top.steps[-1].country == CTRY + "CHN"
    assert sum(p.contribution for p in result.paths) == pytest.approx(result.share)


def test_material_class_filter_follows_broader() -> None:
    analysis = analysis_of(CHAIN)
    assert exposure(analysis, ITEM + "P", CTRY + "CHN", CLS + "critical").share == pytest.approx(0.18)
    assert exposure(analysis, ITEM + "P", CTRY + "USA", CLS + "rare-earths").share == 0.0


def test_one_solve_answers_every_node() -> None:
    analysis = analysis_of(CHAIN)
    x = exposure_all(analysis, CTRY + "CHN")
    assert x[analysis.item_node(ITEM + "C")] == pytest.approx(0.5 * 0.6 * 0.75)
    assert x[analysis.item_node(ITEM + "O")] == pytest.approx(0.6 * 0.75)


def test_cycle_is_solved_exactly() -> None:
    # X = 0.5 Y + 0.5 M ; Y = 0.2 X + 0.8 N  =>  x_X = 0.5 / (1 - 0.1)
    analysis = analysis_of(
        bom("X", ("Y", 0.5), ("M", 0.5))
        + bom("Y", ("X", 0.2), ("N", 0.8))
        + facility("m", "M", "CHN")
        + facility("n", "N", "USA")
    )
    assert not analysis.solver.acyclic
    assert exposure(analysis, ITEM + "X", CTRY + "CHN").share == pytest.approx(0.5 / 0.9)
    assert exposure(analysis, ITEM + "Y", CTRY + "CHN").share == pytest.approx(0.2 * 0.5 / 0.9)


def test_closed_cycle_is_an_error() -> None:
    analysis = analysis_of(bom("X", ("Y", 1.0)) + bom("Y", ("X", 1.0)))
    with pytest.raises(SingularNetwork):
        exposure(analysis, ITEM + "X", CTRY + "CHN")


def test_shares_not_summing_to_one_are_reported_not_normalised() -> None:
    analysis = analysis_of(bom("P", ("M", 0.3), ("N", 0.2)) + facility("m", "M", "CHN") + facility("n", "N", "USA"))
    result = exposure(analysis, ITEM + "P", CTRY + "CHN")
    assert result.share == pytest.approx(0.3)
    assert result.traced == pytest.approx(0.5)
    assert [(i.subject, i.kind) for i in result.issues] == [(ITEM + "P", "bom-sum")]


def test_supply_relationship_shares_route_the_buyer() -> None:
    # The magnet plant buys 70 % of its alloy from the Japanese supplier, the rest on the market,
    # where the alloy is made by two plants (equal split): one in China, one in Japan.
    analysis = analysis_of(
        bom("magnet", ("alloy", 1.0))
        + facility("plant", "magnet", "DEU")
        + facility("alloy-jp", "alloy", "JPN")
        + facility("alloy-cn", "alloy", "CHN")
        + "[] a sg:SupplyRelationship ; sg:supplier f:alloy-jp ; sg:buyer f:plant ; sg:item i:alloy ; sg:share 0.7 .\n"
    )
    assert exposure(analysis, ITEM + "magnet", CTRY + "CHN").share == pytest.approx(0.3 * 0.5)
    assert exposure(analysis, ITEM + "magnet", CTRY + "JPN").share == pytest.approx(0.7 + 0.3 * 0.5)


def test_statistics_give_the_origin_of_unsourced_materials() -> None:
    stats = "".join(
        f"[] a sg:ProductionStatistic ; sg:material i:ore ; sg:country c:{c} ; sg:year {y} ; sg:quantity {q} .\n"
        for c, y, q in [("CHN", 2023, 50), ("AUS", 2023, 50), ("CHN", 2024, 60), ("AUS", 2024, 20), ("WLD", 2024, 100)]
    )
    analysis = analysis_of(bom("P", ("ore", 1.0)) + stats)
    # Latest year, over the reported world total (the other 20 % has no named origin).
    assert exposure(analysis, ITEM + "P", CTRY + "CHN").share == pytest.approx(0.6)
    assert exposure(analysis, ITEM + "P", CTRY + "CHN").traced == pytest.approx(0.8)
    assert analysis.network.methods[ITEM + "ore"] == "statistics 2024"
