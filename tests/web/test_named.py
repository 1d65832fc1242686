"""Every named query parses, is documented, is typed and runs on the fixture graph, in every format."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ontology import vocab as v
from service.query_catalogue import PARAM_TYPES, load_catalog
from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app

ROOT = Path(__file__).parents[2]
FIXTURE = Path(__file__).parents[1] / "data" / "queries" / "fixture.ttl"
CATALOG = load_catalog(ROOT / "queries")
ID = v.ID

# Arguments for each query and a value its first row must contain.
CASES: dict[str, tuple[dict[str, str], str, str]] = {
    "suppliers_of": ({"firm": ID + "firm/magco"}, "supplier", ID + "firm/lynas"),
    "facilities_in_country": ({"country": ID + "country/CHN"}, "facility", ID + "facility/baotou"),
    "producers_of": ({"material": ID + "material/neodymium"}, "facility", ID + "facility/baotou"),
    "top_producers": ({"material": ID + "material/re-concentrate", "year": "2023"}, "share", "0.6"),
    "trade_flows": (
        {
            "hs": "https://w3id.org/supplygraph/hs2022/2805",
            "exporter": ID + "country/CHN",
            "importer": ID + "country/DEU",
        },
        "valueUSD",
        "990000",
    ),
    "controls_in_force": ({"date": "2025-12-15"}, "control", ID + "control-in-force"),
    "top_exporters": (
        {"hs": "https://w3id.org/supplygraph/hs2022/280530", "year": "2023"},
        "exporter",
        ID + "country/CHN",
    ),
    "flows_between": (
        {
            "exporter": ID + "country/CHN",
            "importer": ID + "country/DEU",
            "hs": "https://w3id.org/supplygraph/hs2022/280530",
            "year": "2022",
        },
        "flow",
        ID + "flow-2",
    ),
    "dependency_paths_sparql": (
        {"product": ID + "product/motor", "country": ID + "country/CHN"},
        "item",
        ID + "material/neodymium",
    ),
}


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    store = MemoryStore()
    with store.write() as writer:
        writer.load(FIXTURE, "turtle", "https://w3id.org/supplygraph/graph/fixture")
    with TestClient(create_app(Settings(store=":memory:", log_level="warning"), store)) as client:
        yield client


def test_every_query_has_a_case() -> None:
    assert set(CATALOG) == set(CASES)


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_query_header(name: str) -> None:
    query = CATALOG[name]
    assert query.title and query.description
    assert query.params, "every public query takes parameters"
    for param in query.params:
        assert param.type in PARAM_TYPES
        assert f"?{param.name}" in query.text.split("WHERE")[0], f"?{param.name} must be in the SELECT projection"


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_query_runs_on_the_fixture(api: TestClient, name: str) -> None:
    args, column, expected = CASES[name]
    response = api.get(f"/queries/{name}", params=args)
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert rows, f"{name} returned nothing"
    assert rows[0][column]["value"] == expected


def test_controls_respect_status_and_suspension(api: TestClient) -> None:
    def controls(day: str) -> set[str]:
        rows = api.get("/queries/controls_in_force", params={"date": day}).json()["results"]["bindings"]
        return {row["control"]["value"].rsplit("/", 1)[1] for row in rows}

    assert controls("2023-01-01") == set()
    assert controls("2025-01-01") == {"control-in-force", "control-suspended"}
    assert controls("2025-12-15") == {"control-in-force"}  # inside the suspension window
    assert controls("2026-11-27") == {"control-in-force", "control-suspended"}  # the window has ended


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_named_query_formats(api: TestClient, accept: str, media: str) -> None:
    args, _, _ = CASES["top_producers"]
    response = api.get("/queries/top_producers", params=args, headers={"accept": accept})
    assert response.headers["content-type"].split(";")[0] == media
    if media == "text/csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["share"] for r in rows] == ["0.6", "0.25", "0.15"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/queries/nope", {}, 404),
        ("/queries/suppliers_of", {}, 400),
        ("/queries/suppliers_of", {"firm": "not an iri"}, 400),
        ("/queries/suppliers_of", {"firm": ID + "firm/magco", "extra": "1"}, 400),
        ("/queries/top_producers", {"material": ID + "material/x", "year": "last"}, 400),
        ("/queries/controls_in_force", {"date": "2025-13-01"}, 400),
        ("/queries/suppliers_of", {"firm": ID + "firm/magco", "format": "turtle"}, 406),
        ("/queries/suppliers_of", {"firm": ID + "firm/magco", "timeout": "x"}, 400),
    ],
)
def test_named_query_errors(api: TestClient, path: str, params: dict[str, str], status: int) -> None:
    response = api.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.json()["status"] == status


def test_catalogue_listing(api: TestClient) -> None:
    listing = api.get("/queries").json()["queries"]
    assert [q["name"] for q in listing] == sorted(CATALOG)
    assert all(q["params"] and q["title"] for q in listing)
    page = api.get("/queries", headers={"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "controls_in_force" in page.text
    assert 'href="/queries/controls_in_force"' in page.text  # the form, not a request missing its parameters


def test_browsers_get_a_typed_form_and_programs_keep_their_answers(api: TestClient) -> None:
    html = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    form = api.get("/queries/top_producers", headers=html)
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    page = form.text
    assert 'name="material"' in page and "required" in page.split('name="material"', 1)[1].split(">", 1)[0]
    assert 'type="number" step="1" id="p-year"' in page
    assert '<select id="p-stage" name="stage"' in page and "<option selected>Mining</option>" in page
    assert 'src="/static/named-query.js"' in page
    # With the form flag the other parameters pre-fill it; without it a browser gets the results.
    args, _, _ = CASES["top_producers"]
    refill = api.get("/queries/top_producers", params={"form": "", **args}, headers=html).text
    assert f'value="{args["material"]}"' in refill
    answer = api.get("/queries/top_producers", params=args, headers=html)
    assert not answer.headers["content-type"].startswith("text/html")
    # Programs: the form flag is no parameter, and a missing one is still a 400.
    assert api.get("/queries/top_producers", params={"form": "", **args}).json()["results"]["bindings"]
    assert api.get("/queries/top_producers").status_code == 400


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_query_is_documented_in_the_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text()
    assert f"`{name}`" in readme.split("## Named queries", 1)[-1], f"add {name} to the README's Named queries table"
