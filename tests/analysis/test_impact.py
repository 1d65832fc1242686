"""Export-control impact, scenarios and alternative suppliers, with every figure worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from service.analysis.alternatives import alternative_suppliers
from service.analysis.impact import restriction_impact
from service.analysis.scenario import Scenario, run_scenario
from tests.support.analysis_graphs import CTRY, FAC, FIRM, ITEM, analysis_of, bom, facility

CONTROL = "https://w3id.org/supplygraph/id/control/magnets"

# Motors are made in Japan and China (equal split); 40 % of a motor's input is magnets, made
# in China (capacity 3) and Japan (capacity 1).  China controls magnet exports, suspended for
# the second half of 2025.
NETWORK = (
    bom("motor", ("magnet", 0.4), ("copper", 0.6))
    + facility("plant-jp", "motor", "JPN", firm="jp-motors")
    + facility("plant-cn", "motor", "CHN", firm="cn-motors")
    + facility("mag-cn", "magnet", "CHN", 3)
    + facility("mag-jp", "magnet", "JPN", 1)
    + facility("cu-cl", "copper", "CHL")
    + f"""<{CONTROL}> a sg:ExportControl ; sg:imposedBy c:CHN ; sg:coversMaterial i:magnet ;
        sg:instrument "Announcement X" ; sg:status sg:Suspended ; sg:effective "2025-01-01"^^xsd:date ;
        sg:suspendedFrom "2025-06-01"^^xsd:date ; sg:suspendedUntil "2025-12-31"^^xsd:date .
"""
)


def _losses(report) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {p.product.rsplit("/", 1)[1]: p.lost_share for p in report.products}


def test_control_in_force_hits_foreign_buyers_only() -> None:
    report = restriction_impact(analysis_of(NETWORK), date(2025, 3, 1), control=CONTROL)
    assert report.in_force and report.status == "in force since 2025-01-01"
    # The Japanese plant loses the Chinese magnets: 0.4 x 3/4; the Chinese plant buys at home.
    # The motor market is half each: 0.5 x 0.3 + 0.5 x 0.
    assert _losses(report) == pytest.approx({"motor": 0.15})
    assert [(f.firm, f.lost_share) for f in report.firms] == [(FIRM + "jp-motors", pytest.approx(0.3))]
    assert report.products[0].inputs[0].item == ITEM + "magnet"
    assert report.products[0].inputs[0].lost_share == pytest.approx(0.75)
    assert report.covered == [ITEM + "magnet"]


def test_control_suspended_on_the_date() -> None:
    report = restriction_impact(analysis_of(NETWORK), date(2025, 7, 1), control=CONTROL)
    assert not report.in_force
    assert report.status == "suspended from 2025-06-01 until 2025-12-31"
    assert report.products == [] and report.firms == []
    assert report.at_risk is not None and _losses(report.at_risk) == pytest.approx({"motor": 0.15})


def test_control_back_in_force_after_the_suspension() -> None:
    assert restriction_impact(analysis_of(NETWORK), date(2026, 2, 1), control=CONTROL).in_force
    assert not restriction_impact(analysis_of(NETWORK), date(2024, 12, 31), control=CONTROL).in_force


def test_ad_hoc_control_with_targets() -> None:
    analysis = analysis_of(NETWORK)
    aimed_elsewhere = restriction_impact(
        analysis, date(2025, 3, 1), country=CTRY + "CHN", materials=[ITEM + "magnet"], targets=[CTRY + "USA"]
    )
    assert aimed_elsewhere.products == []
    at_japan = restriction_impact(
        analysis, date(2025, 3, 1), country=CTRY + "CHN", materials=[ITEM + "magnet"], targets=[CTRY + "JPN"]
    )
    assert _losses(at_japan) == pytest.approx({"motor": 0.15})


def test_scenario_remove_facility() -> None:
    report = run_scenario(analysis_of(NETWORK), Scenario(remove_facilities=(FAC + "mag-cn",)))
    # Every buyer, domestic or not, loses the plant's 3/4 of the magnets.
    assert _losses(report) == pytest.approx({"motor": 0.4 * 0.75})


def test_scenario_remove_country() -> None:
    report = run_scenario(analysis_of(NETWORK), Scenario(remove_countries=(CTRY + "CHN",)))
    # Half the motors came from the Chinese plant; the Japanese half loses the Chinese magnets.
    assert _losses(report) == pytest.approx({"motor": 0.5 + 0.5 * 0.4 * 0.75})


def test_scenario_cap_export_share() -> None:
    report = run_scenario(analysis_of(NETWORK), Scenario(cap_country=CTRY + "CHN", cap_share=0.5))
    # China supplies 3/4 of magnets; capped at 1/2, a third of its exports is cut: 0.4 x 0.75 x 1/3
    # for the Japanese plant.  China's half of motors is not above the cap.
    assert _losses(report) == pytest.approx({"motor": 0.5 * 0.4 * 0.75 / 3})


def test_scenario_leaves_the_network_alone() -> None:
    analysis = analysis_of(NETWORK)
    before = analysis.network.matrix.copy()
    run_scenario(analysis, Scenario(remove_countries=(CTRY + "CHN",)))
    assert (analysis.network.matrix != before).nnz == 0


ALTERNATIVES = (
    facility("mag-cn", "magnet", "CHN", 300)
    + facility("mag-jp", "magnet", "JPN", 100, "jp-mag")
    + facility("mag-de", "magnet", "DEU", 50)
    + "".join(
        f"[] a sg:ProductionStatistic ; sg:material i:magnet ; sg:country c:{c} ; sg:year 2024 ; sg:quantity {q} .\n"
        for c, q in [("CHN", 300), ("JPN", 80)]
    )
    + """c:USA sg:memberOf <https://w3id.org/supplygraph/id/alliance/quad> .
c:JPN sg:memberOf <https://w3id.org/supplygraph/id/alliance/quad> .
c:DEU sg:memberOf <https://w3id.org/supplygraph/id/alliance/eu> .
"""
)


def test_alternative_suppliers_among_allies() -> None:
    result = alternative_suppliers(analysis_of(ALTERNATIVES), ITEM + "magnet", CTRY + "CHN", CTRY + "USA")
    assert [a.facility for a in result.facilities] == [FAC + "mag-jp"]
    assert result.lost_volume == 300 and result.spare_capacity == 20  # Japan: 100 capacity - 80 produced
    assert result.shortfall == 280 and result.shortfall_share == pytest.approx(280 / 300)
    assert result.covered is False


def test_alternative_suppliers_anywhere() -> None:
    result = alternative_suppliers(analysis_of(ALTERNATIVES), ITEM + "magnet", CTRY + "CHN")
    assert {a.facility for a in result.facilities} == {FAC + "mag-jp", FAC + "mag-de"}
    # Germany has no production figure: all its 50 t are counted as spare, and the answer says so.
    assert result.spare_capacity == 70 and result.shortfall == 230
    assert any("no production figure" in n for n in result.notes)
