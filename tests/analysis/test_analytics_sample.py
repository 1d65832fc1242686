"""The analytics through GraphQL on the bundled sample graph (ontology + loaders/sample)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from ontology import vocab as v
from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app

ROOT = Path(__file__).parents[2]
ID = v.ID
NO_18 = ID + "control/cn-2025-18-medium-heavy-rare-earths"


@pytest.fixture(scope="module")
def sample(sample_store: MemoryStore) -> MemoryStore:
    return sample_store


@pytest.fixture(scope="module")
def client(sample: MemoryStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=":memory:", log_level="warning"), sample)) as test_client:
        yield test_client


def gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_rare_earth_mine_concentration_2024(client: TestClient, sample: MemoryStore) -> None:
    data = gql(
        client,
        f"""query {{ concentration(material: "{ID}material/rare-earths", year: 2024, stage: "Mining", top: 3) {{
             year source basis total totalReported hhi hhiUpper otherShare top {{ who {{ id }} amount share }} }} }}""",
    )["concentration"]
    # The figures the graph carries: every MCS2025 row for rare earths, mine production, 2024.
    rows = (
        sample.open_current()
        .select(
            f"""PREFIX sg: <https://w3id.org/supplygraph/ns#>
        SELECT ?country ?q WHERE {{ ?s sg:material <{ID}material/rare-earths> ; sg:year 2024 ; sg:stage sg:Mining ;
                                      sg:edition "MCS2025" ; sg:country ?country ; sg:quantity ?q }}"""
        )
        .rows
    )
    quantities = {str(r["country"]).rsplit("/", 1)[1]: float(r["q"].value) for r in rows}  # type: ignore[union-attr]
    world = quantities.pop("WLD")
    other = quantities.pop("OTHER", 0.0)
    # USGS rounds its world total (390,000 t) below the sum of the country rows (392,720 t): the rule then
    # divides by the sum, so the shares add up to 1 and the HHI stays within 0..10,000, and says so.
    rows_sum = sum(quantities.values()) + other
    assert world < rows_sum
    assert data["total"] == rows_sum and not data["totalReported"]
    assert data["top"][0]["who"]["id"] == ID + "country/CHN"
    assert data["top"][0]["share"] == pytest.approx(quantities["CHN"] / rows_sum)
    assert data["hhi"] == pytest.approx(sum((100 * q / rows_sum) ** 2 for q in quantities.values()))
    assert data["otherShare"] == pytest.approx(other / rows_sum)
    assert data["source"] == "STATISTICS" and "MCS2025" in data["basis"] and "sum of countries" in data["basis"]


def test_announcement_18_hits_magnet_based_end_products(client: TestClient) -> None:
    data = gql(
        client,
        """query($c: ID!) { restrictionImpact(control: $c, asOf: "2025-06-01") {
             description inForce status covered { id }
             endProducts { product { id label } lostShare inputs { item { id } lostShare } }
             firms { firm { id } lostShare } } }""",
        c=NO_18,
    )["restrictionImpact"]
    assert data["inForce"] and data["description"].startswith("MOFCOM/GAC Announcement No. 18 (2025)")
    ends = {p["product"]["id"].rsplit("/", 1)[1] for p in data["endProducts"]}
    assert {"wind-turbine", "hard-disk-drive", "electric-vehicle"} <= ends
    assert all(0 < p["lostShare"] <= 1 for p in data["endProducts"])
    assert ID + "material/dysprosium-oxide" in {c["id"] for c in data["covered"]}


def test_exposure_with_paths(client: TestClient) -> None:
    data = gql(
        client,
        """query($p: ID!, $c: ID) { exposure(product: $p, country: "CN", materialClass: $c) {
             share traced paths { contribution origin steps { kind item { label } supplier { id } country { id } } }
             issues { kind } } }""",
        p=ID + "product/wind-turbine",
        c=ID + "class/rare-earths",
    )["exposure"]
    assert 0 < data["share"] <= data["traced"] <= 1
    assert data["paths"] and data["paths"][0]["steps"][-1]["country"]["id"] == ID + "country/CHN"
    assert data["share"] >= sum(p["contribution"] for p in data["paths"]) - 1e-9


def test_unknown_product_is_a_clear_error(client: TestClient) -> None:
    response = client.post(
        "/graphql", json={"query": '{ exposure(product: "electric-vehicel", country: "CN") { share } }'}
    )
    message = response.json()["errors"][0]["message"]
    assert message.startswith("product: 'electric-vehicel' is not a known material or product")
    assert "closest: electric-vehicle" in message


def test_single_points_alternatives_and_scenario(client: TestClient) -> None:
    data = gql(
        client,
        f"""query {{
          singlePointsOfFailure(product: "{ID}product/electric-vehicle", first: 5) {{
            item {{ id }} single dependentEndProducts share }}
          alternativeSuppliers(material: "{ID}material/rare-earths", excludeCountry: "CN", trustedBy: "US") {{
            lostVolume spareCapacity shortfall shortfallShare covered facilities {{ facility {{ id }} capacity }} }}
          scenario(input: {{removeCountries: ["CN"]}}) {{ description endProducts {{ product {{ id }} lostShare }} }}
        }}""",
    )
    assert data["singlePointsOfFailure"] and all(s["single"] for s in data["singlePointsOfFailure"])
    alternatives = data["alternativeSuppliers"]
    assert alternatives["lostVolume"] > 0 and alternatives["covered"] is False
    assert alternatives["shortfall"] == pytest.approx(alternatives["lostVolume"] - alternatives["spareCapacity"])
    assert data["scenario"]["endProducts"]


def _readme_graphql_blocks() -> list[str]:
    import re

    return re.findall(r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


@pytest.mark.parametrize("block", _readme_graphql_blocks())
def test_readme_graphql_examples_answer_on_the_sample(client: TestClient, block: str) -> None:
    data = gql(client, block)
    assert data and all(value is not None for value in data.values())


def test_alternatives_include_producers_known_only_from_statistics(client: TestClient) -> None:
    data = gql(
        client,
        """{ alternativeSuppliers(material: "gallium", excludeCountry: "CN") {
             unit lostVolume countries { country { id } capacity production } notes } }""",
    )["alternativeSuppliers"]
    by_statistics = [c for c in data["countries"] if c["capacity"] is None]
    assert by_statistics and all(c["production"] > 0 for c in by_statistics)
    assert ID + "country/CHN" not in {c["country"]["id"] for c in data["countries"]}
    assert data["unit"].startswith("http://qudt.org/vocab/unit/") and data["lostVolume"] > 0
    assert any("no listed facility" in note for note in data["notes"])


def test_scenario_materials_limit_a_removed_country(client: TestClient) -> None:
    whole = gql(client, '{ scenario(input: {removeCountries: ["CN"]}) { endProducts { product { id } lostShare } } }')
    gallium = gql(
        client,
        '{ scenario(input: {removeCountries: ["CN"], materials: ["gallium"]}) {'
        " description covered { id } endProducts { product { id } lostShare } } }",
    )["scenario"]
    lost = {p["product"]["id"]: p["lostShare"] for p in whole["scenario"]["endProducts"]}
    limited = {p["product"]["id"]: p["lostShare"] for p in gallium["endProducts"]}
    assert "gallium" in gallium["description"].lower() and "only" in gallium["description"]
    ev = ID + "product/electric-vehicle"
    assert limited[ev] < lost[ev] / 10  # only its gallium inputs (power electronics), not its magnets
    assert set(limited) < set(lost)
    assert all("gallium" in c["id"] or "gan" in c["id"] for c in gallium["covered"])


def test_controls_cover_what_they_name_not_whole_headings(client: TestClient) -> None:
    """No. 18 names seven elements: their forms and the magnets holding them, never NdPr metal."""

    def covered(control: str, day: str = "2025-06-01") -> set[str]:
        query = f'{{ restrictionImpact(control: "{control}", asOf: "{day}") {{ covered {{ id }} }} }}'
        return {c["id"] for c in gql(client, query)["restrictionImpact"]["covered"]}

    no_18 = covered("cn-2025-18-medium-heavy-rare-earths")
    assert ID + "material/dysprosium-oxide" in no_18 and ID + "product/ndfeb-magnet" in no_18
    assert ID + "material/ndpr-metal" not in no_18 and ID + "material/ndpr-oxide" not in no_18
    no_57 = covered("cn-2025-57-medium-heavy-rare-earths", "2025-11-09")
    assert no_57 != no_18 and not (no_57 & {ID + "material/dysprosium-oxide", ID + "material/ndpr-metal"})
    assert covered("cn-2025-62-rare-earth-technologies", "2025-11-09") == set()  # know-how, not goods


def test_an_ad_hoc_control_on_the_gallium_commodity_covers_its_forms(client: TestClient) -> None:
    report = gql(
        client,
        '{ restrictionImpact(country: "CN", materials: ["gallium"]) {'
        " inForce covered { id } endProducts { lostShare } } }",
    )["restrictionImpact"]
    assert report["inForce"] and ID + "material/gallium-metal" in {c["id"] for c in report["covered"]}
    assert report["endProducts"]
