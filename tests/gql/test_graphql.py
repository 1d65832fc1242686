"""The GraphQL API over the fixture network, through the real app and TestClient."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from strawberry.printer import print_schema

from ontology import vocab as v
from service.cli import cli
from service.gql.schema import make_schema
from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app

ID = v.ID
RARE_EARTHS = ID + "class/rare-earths"
SG = v.NS

DEPENDENTS = """
query($cls: ID, $mat: ID, $country: String!, $first: Int!, $after: String, $stage: [Stage!], $all: Boolean! = false) {
  dependents(materialClass: $cls, material: $mat, country: $country, first: $first, after: $after, stage: $stage,
             includeAllItems: $all) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor depth node { id label } path { steps { entity { id } via item { id } } } }
  }
}
"""


def gql(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [e["node"]["id"].rsplit("/", 1)[1] for e in body["data"]["dependents"]["edges"]]


# Each link kind and the SPARQL that proves it exists in the data.
LINK_CHECKS = {
    "BOM": "ASK { ?a <{sg}hasInput>/<{sg}input> ?b }",
    "PRODUCED_BY": "ASK { ?b <{sg}produces> ?a }",
    "SUPPLY": "ASK { { ?r <{sg}buyer> ?a ; <{sg}supplier> ?b } UNION { ?b <{sg}suppliesTo> ?a } }",
    "LOCATED_IN": "ASK { ?a <{sg}locatedIn> ?b }",
    "OPERATED_BY": "ASK { ?a <{sg}operatedBy> ?b }",
    "HEADQUARTERED_IN": "ASK { ?a <{sg}headquarteredIn> ?b }",
    "STATISTIC": "ASK { ?s <{sg}material> ?a ; <{sg}country> ?b }",
}


def test_dependents_of_chinese_rare_earths_have_real_paths(client: TestClient, store: MemoryStore) -> None:
    body = gql(client, DEPENDENTS, cls=RARE_EARTHS, country="CN", first=50)
    assert "errors" not in body
    found = ids(body)
    assert sorted(found) == sorted(
        [
            "drone-motor",
            "ndfeb-magnet",
            "polishing-powder",
            "ev-motor",
            "hard-disk-drive",
            "wind-turbine",
            "electric-vehicle",
        ]
    )
    assert body["data"]["dependents"]["totalCount"] == 7
    graph = store.graph()
    for edge in body["data"]["dependents"]["edges"]:
        steps = edge["path"]["steps"]
        assert steps[0]["entity"]["id"] == edge["node"]["id"] and steps[0]["via"] is None
        assert steps[-1]["entity"]["id"] == ID + "country/CHN"
        for before, after in itertools.pairwise(steps):
            # The IRIs come from the fixture, so writing them into the test query is safe.
            query = LINK_CHECKS[after["via"]].replace("{sg}", SG)
            query = query.replace("?a", f"<{before['entity']['id']}>").replace("?b", f"<{after['entity']['id']}>")
            assert graph.ask(query), (before, after)
    # Depth orders the page: direct users first, the electric vehicle (3 BOM levels) last.
    depths = [e["depth"] for e in body["data"]["dependents"]["edges"]]
    assert depths == sorted(depths) and found[-1] == "electric-vehicle"


def test_dependents_supply_route_names_the_item(client: TestClient) -> None:
    body = gql(client, DEPENDENTS, cls=RARE_EARTHS, country="CHN", first=50)
    drone = next(e for e in body["data"]["dependents"]["edges"] if e["node"]["id"].endswith("drone-motor"))
    vias = [s["via"] for s in drone["path"]["steps"]]
    assert vias == [None, "PRODUCED_BY", "SUPPLY", "LOCATED_IN"]
    assert drone["path"]["steps"][2]["item"]["id"] == ID + "material/ndpr-oxide"


def test_dependents_filters(client: TestClient) -> None:
    mining = gql(client, DEPENDENTS, cls=RARE_EARTHS, country="156", first=50, stage=["MINING"])
    assert ids(mining) == ["polishing-powder"]
    light = gql(client, DEPENDENTS, cls=ID + "class/light-rare-earths", country="CN", first=50)
    assert "hard-disk-drive" in ids(light) and len(ids(light)) == 7  # NdPr oxide and cerium still reach them
    heavy_us = gql(client, DEPENDENTS, cls=ID + "class/heavy-rare-earths", country="US", first=50)
    assert ids(heavy_us) == []
    samarium = gql(client, DEPENDENTS, mat=ID + "material/samarium", country="US", first=50)
    assert ids(samarium) == ["smco-actuator"]
    items = gql(client, DEPENDENTS, cls=RARE_EARTHS, country="CN", first=50, all=True)
    assert "ndfeb-alloy" in ids(items) and items["data"]["dependents"]["totalCount"] == 8


def test_dependents_pagination_with_cursors(client: TestClient) -> None:
    everything = ids(gql(client, DEPENDENTS, cls=RARE_EARTHS, country="CN", first=50))
    seen: list[str] = []
    after = None
    for _ in range(10):
        body = gql(client, DEPENDENTS, cls=RARE_EARTHS, country="CN", first=3, after=after)
        page = body["data"]["dependents"]
        assert page["totalCount"] == 7
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += ids(body)
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == everything


def test_dependency_paths_are_distinct_and_shortest_first(client: TestClient) -> None:
    query = """{ dependencyPaths(product: "@EV", country: "CN", materialClass: "@RE", maxPaths: 5) {
        length steps { entity { id } via } } }"""
    query = query.replace("@EV", ID + "product/electric-vehicle").replace("@RE", RARE_EARTHS)
    paths = gql(client, query)["data"]["dependencyPaths"]
    assert len(paths) == 3
    assert [p["length"] for p in paths] == sorted(p["length"] for p in paths)
    ends = {p["steps"][-2]["entity"]["id"] for p in paths}
    assert ends == {ID + "facility/ganzhou", ID + "facility/baotou"}
    assert all(p["steps"][0]["entity"]["id"] == ID + "product/electric-vehicle" for p in paths)


@pytest.mark.parametrize("code", ["CN", "cn", "CHN", "156", ID + "country/CHN"])
def test_country_by_any_code(client: TestClient, code: str) -> None:
    body = gql(client, "query($c: String!) { country(code: $c) { label iso2 iso3 isoNumeric tradeCode } }", c=code)
    assert body["data"]["country"] == {
        "label": "China",
        "iso2": "CN",
        "iso3": "CHN",
        "isoNumeric": "156",
        "tradeCode": "156",
    }


def test_entities(client: TestClient) -> None:
    query = """{
      country(code: "US") { alliances { label members { iso2 } } firms { label } }
      firm(id: "%(id)sfirm/jp-magnetics-us") { owner { label } country { iso3 } }
      facility(id: "%(id)sfacility/baotou") { capacity location { iso2 } operator { label } suppliers { partner { id } }
                                              supplies { partner { label } item { label } share } }
      material(id: "%(id)smaterial/ndpr-oxide") { classHierarchy { label } formOf { hsCodes { code } }
                                                 exportControls { label } }
      dy: material(id: "%(id)smaterial/dysprosium") { exportControls { instrument status imposedBy { iso2 } } }
      ce: material(id: "%(id)smaterial/cerium") { production { country { iso3 } year share quantity stage } }
      product(id: "%(id)sproduct/ndfeb-magnet") { inputs { item { label } share } usedIn { item { label } }
                                                dependents { label } producers { label } }
      missing: product(id: "%(id)sproduct/none") { label }
      search(text: "RARE", types: [MATERIAL_CLASS]) { label }
    }""".replace("%(id)s", ID)
    body = gql(client, query)
    assert "errors" not in body, body
    data = body["data"]
    assert data["country"]["alliances"][0]["label"] == "Group of Seven"
    assert {m["iso2"] for m in data["country"]["alliances"][0]["members"]} == {"US", "JP"}
    assert data["firm"] == {"owner": {"label": "JP Magnetics"}, "country": {"iso3": "USA"}}
    assert data["facility"]["capacity"] == 60000 and data["facility"]["location"]["iso2"] == "CN"
    assert data["facility"]["supplies"] == [
        {"partner": {"label": "Drone motor plant"}, "item": {"label": "NdPr oxide"}, "share": 0.8}
    ]
    assert [c["label"] for c in data["material"]["classHierarchy"]] == [
        "Light rare earths",
        "Rare earths",
        "Critical minerals",
    ]
    assert data["material"]["formOf"]["hsCodes"] == [{"code": "280530"}]
    assert data["dy"]["exportControls"][0]["status"] == "InForce"
    assert data["dy"]["exportControls"][0]["imposedBy"]["iso2"] == "CN"
    china = next(p for p in data["ce"]["production"] if p["country"]["iso3"] == "CHN")
    assert china == {"country": {"iso3": "CHN"}, "year": 2023, "share": 0.9, "quantity": 180000, "stage": "MINING"}
    assert {d["label"] for d in data["product"]["dependents"]} == {
        "EV traction motor",
        "Wind turbine",
        "Hard disk drive",
        "Electric vehicle",
    }
    assert data["missing"] is None
    # A prefix match ranks before substrings; within a rank, by the text matched.
    assert [s["label"] for s in data["search"]] == ["Rare earths", "Heavy rare earths", "Light rare earths"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('{ product(id: "http://bad iri") { label } }', "not a valid absolute IRI"),
        ('{ dependents(country: "CN") { totalCount } }', "give material or materialClass"),
        (
            '{ dependents(country: "XX", materialClass: "@RE") { totalCount } }',
            "country: 'XX' is not a known country",
        ),
        (
            '{ dependents(country: "CN", material: "@IDproduct/nope") { totalCount } }',
            "product/nope is not a known material or product",
        ),
        (
            '{ dependents(country: "CN", materialClass: "@RE", after: "!!") { totalCount } }',
            "cursor",
        ),
        (
            '{ dependents(country: "CN", materialClass: "@RE", first: 101) { totalCount } }',
            "first must",
        ),
        (
            '{ dependents(country: "CN", materialClass: "@RE", maxDepth: 0) { totalCount } }',
            "maxDepth",
        ),
        ('{ search(text: "a") { label } }', "at least 2"),
        ('{ country(code: "CN") { facilities(first: 0) { label } } }', "first must"),
    ],
)
def test_client_mistakes_are_clear_errors(client: TestClient, query: str, message: str) -> None:
    body = gql(client, query.replace("@RE", RARE_EARTHS).replace("@ID", ID))
    assert message in body["errors"][0]["message"], body
    assert body["errors"][0]["message"] != "Unexpected error."


def test_limits_reject_deep_wide_and_long_queries(client: TestClient) -> None:
    deep = '{ country(code: "CN") { ' + "facilities { operator { " * 7 + "id" + " } }" * 7 + " } }"
    body = gql(client, deep)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    aliases = "{ " + " ".join(f'a{i}: country(code: "CN") {{ label }}' for i in range(31)) + " }"
    assert "aliases found" in gql(client, aliases)["errors"][0]["message"]
    tokens = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    assert "more than 2000 tokens" in gql(client, tokens)["errors"][0]["message"]


def test_entity_by_any_iri_has_its_most_specific_type(client: TestClient) -> None:
    query = """query($a: ID!, $b: ID!, $c: ID!) {
      a: entity(id: $a) { __typename label } b: entity(id: $b) { __typename } c: entity(id: $c) { label } }"""
    data = gql(client, query, a=RARE_EARTHS, b=ID + "facility/baotou", c=ID + "nothing/here")["data"]
    assert data["a"]["__typename"] == "MaterialClass"
    assert data["b"] == {"__typename": "Facility"}
    assert data["c"] is None


def test_get_and_graphiql(client: TestClient, settings: Settings, store: MemoryStore) -> None:
    response = client.get("/graphql", params={"query": '{ country(code: "JP") { label } }'})
    assert response.json() == {"data": {"country": {"label": "Japan"}}}
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" in page.text.lower()
    # Offline: every script and style the page names is served by the service itself.
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert all(client.get(a).status_code == 200 for a in assets)
    with TestClient(create_app(settings.replace(graphiql=False), store)) as plain:
        assert plain.get("/graphql", headers={"Accept": "text/html"}).status_code == 404


def _big_store(products: int) -> MemoryStore:
    from service.backend import artifact_builders

    lines = [
        f'<{ID}country/CHN> a <{SG}Country> ; <{SG}iso2> "CN" .',
        f"<{ID}class/rare-earths> a <{SG}MaterialClass> .",
        f"<{ID}material/nd> a <{SG}Material> ; <{SG}materialClass> <{ID}class/rare-earths> .",
    ]
    for i in range(products):
        lines += [
            f'<{ID}product/p{i}> a <{SG}Product> ; <http://www.w3.org/2000/01/rdf-schema#label> "P{i}" ;'
            f" <{SG}hasInput> [ <{SG}input> <{ID}material/nd> ] .",
            f"<{ID}facility/f{i}> a <{SG}Facility> ; <{SG}produces> <{ID}product/p{i}>, <{ID}material/nd> ;"
            f" <{SG}locatedIn> <{ID}country/CHN> .",
        ]
    memory = MemoryStore(artifact_builders())
    with memory.write() as writer:
        writer.load("\n".join(lines).encode(), "turtle", "https://w3id.org/supplygraph/graph/big")
    return memory


def test_a_page_costs_a_constant_number_of_store_queries(settings: Settings) -> None:
    memory = _big_store(60)
    query = """query($first: Int!) { dependents(materialClass: "@RE", country: "CN", first: $first) {
        edges { node { label producers { label ... on Facility { location { label iso2 } } } }
                path { steps { entity { label } } } } } }""".replace("@RE", RARE_EARTHS)
    counts = []
    with TestClient(create_app(settings, memory)) as client:
        gql(client, query, first=1)  # the country codes are read once per snapshot, by the first request
        for first in (5, 50):
            before = memory.graph().query_count
            body = gql(client, query, first=first)
            assert len(body["data"]["dependents"]["edges"]) == first
            counts.append(memory.graph().query_count - before)
    assert counts[0] == counts[1] <= 5, counts


def test_schema_file_is_current() -> None:
    committed = (Path(__file__).parents[1] / "schema.graphql").read_text()
    assert print_schema(make_schema(Settings())).strip() == committed.strip(), "run: supplygraph export-schema"


def test_export_schema_command() -> None:
    result = CliRunner().invoke(cli, ["export-schema"])
    assert result.exit_code == 0 and "type Query" in result.output


def test_examples_in_docs_run(client: TestClient) -> None:
    text = (Path(__file__).parents[2] / "docs" / "graphql.md").read_text()
    examples = [block.split("```", 1)[0] for block in text.split("```graphql\n")[1:]]
    assert len(examples) == 3
    for example in examples:
        body = gql(client, example)
        assert "errors" not in body, body
    first = gql(client, examples[0])["data"]["dependents"]
    assert first["totalCount"] == 7


def test_unexpected_failures_are_masked(tmp_path: Path, settings: Settings) -> None:
    from service.backend import artifact_builders
    from service.store import SnapshotStore

    store = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    with store.write() as writer:
        writer.load(
            Path(__file__).parents[1] / "data" / "network.ttl", "turtle", "https://w3id.org/supplygraph/graph/n"
        )
    snapshot = store.current_id()
    assert snapshot is not None
    (store.snapshot_dir(snapshot) / "index" / "dep_ptr.npy").unlink()  # a damaged artifact
    with TestClient(create_app(settings.replace(store=str(tmp_path / "store")), store)) as client:
        body = gql(client, '{ product(id: "https://w3id.org/supplygraph/id/product/charger") { label } }')
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "dep_ptr" not in str(body)
