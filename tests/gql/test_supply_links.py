"""Suppliers and buyers through GraphQL: a shortcut that a supply relationship describes is not listed twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app

SG = "https://w3id.org/supplygraph/ns#"
ID = "https://w3id.org/supplygraph/id/"
DATA = f"""
@prefix sg: <{SG}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ID}facility/plant> a sg:Facility ; rdfs:label "Plant" .
<{ID}facility/mine> a sg:Facility ; rdfs:label "Mine" .
<{ID}facility/smelter> a sg:Facility ; rdfs:label "Smelter" .
<{ID}material/ore> a sg:Material ; rdfs:label "Ore" .
[] a sg:SupplyRelationship ; sg:supplier <{ID}facility/mine> ; sg:buyer <{ID}facility/plant> ;
   sg:item <{ID}material/ore> ; sg:share 0.6 .
<{ID}facility/mine> sg:suppliesTo <{ID}facility/plant> .
<{ID}facility/smelter> sg:suppliesTo <{ID}facility/plant> .
"""
QUERY = """{
  plant: facility(id: "%(id)sfacility/plant") { suppliers { partner { label } item { label } share } }
  mine: facility(id: "%(id)sfacility/mine") { supplies { partner { label } item { label } share } }
  smelter: facility(id: "%(id)sfacility/smelter") { supplies { partner { label } item { label } share } }
}""".replace("%(id)s", ID)


@pytest.fixture
def client() -> Iterator[TestClient]:
    store = MemoryStore()
    with store.write() as writer:
        writer.load(DATA.encode(), "turtle", ID + "graph")
    with TestClient(create_app(Settings(store=":memory:", log_level="warning"), store)) as test_client:
        yield test_client


def test_a_shortcut_described_by_a_relationship_is_listed_once_with_its_item(client: TestClient) -> None:
    data = client.post("/graphql", json={"query": QUERY}).json()["data"]
    assert data["plant"]["suppliers"] == [
        {"partner": {"label": "Mine"}, "item": {"label": "Ore"}, "share": 0.6},
        {"partner": {"label": "Smelter"}, "item": None, "share": None},
    ]
    assert data["mine"]["supplies"] == [{"partner": {"label": "Plant"}, "item": {"label": "Ore"}, "share": 0.6}]
    assert data["smelter"]["supplies"] == [{"partner": {"label": "Plant"}, "item": None, "share": None}]
