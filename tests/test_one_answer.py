"""One question, one answer, through every door: GraphQL, the named queries and the CLI.

Each case is a real snapshot store: the bundled sample graph, alone or with a
second dataset of the same edition, or another edition.  Each question is
asked through every door that answers it, and the answers must agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from loaders.base import RdfLoader, run
from loaders.sample import ONTOLOGY_FILES, SAMPLE_FILES
from ontology import vocab as v
from service.backend import artifact_builders
from service.cli import cli
from service.settings import Settings
from service.store import SnapshotStore
from service.web.app import create_app

CN = v.ID + "country/CHN"
RARE_EARTHS = v.ID + "material/rare-earths"

# Figures a second dataset states for 2024 rare-earth mining, edition MCS2025 (the sample's own edition).
SAME_EDITION = {"CHN": 200000, "USA": 50000, "AUS": 50000, "WLD": 400000}
# A later edition (MCS2026) revising 2024.
LATER_EDITION = {"CHN": 300000, "MMR": 30000, "WLD": 360000}


def _statistics(dataset: str, edition: str, figures: dict[str, int]) -> str:
    lines = [f"@prefix sg: <{v.NS}> .", f"@prefix xsd: <{v.XSD}> ."]
    for code, quantity in figures.items():
        stat = f"<{v.ID}stat/{dataset}-{code}>"
        lines.append(
            f"{stat} a sg:ProductionStatistic ; sg:material <{RARE_EARTHS}> ; sg:country <{v.ID}country/{code}> ; "
            f'sg:year 2024 ; sg:stage sg:Mining ; sg:quantity "{quantity}"^^xsd:decimal ; '
            f'sg:unit <http://qudt.org/vocab/unit/TONNE> ; sg:edition "{edition}" .'
        )
    return "\n".join(lines) + "\n"


@dataclass
class Case:
    """A store and the CN share of 2024 rare-earth mining the rule must give in it."""

    root: Path
    store: SnapshotStore
    cn_share: float


def _case(tmp: Path, extra: dict[str, str]) -> SnapshotStore:
    store = SnapshotStore(tmp / "store", builders=artifact_builders())
    run(store, "ontology", RdfLoader(list(ONTOLOGY_FILES)))
    run(store, "sample", RdfLoader(list(SAMPLE_FILES)))
    for name, turtle in extra.items():
        path = tmp / f"{name}.ttl"
        path.write_text(turtle)
        run(store, name, RdfLoader([path]))
    return store


@pytest.fixture(scope="module", params=["sample", "same-edition", "later-edition"])
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "sample":
        store = _case(tmp, {})
        # The sample's MCS2025 figures: China 270,000 t; the rows sum to 392,720 t, above the rounded
        # world total of 390,000 t, so the rule divides by the sum.
        share = 270000 / 392720
    elif request.param == "same-edition":
        store = _case(tmp, {"usgs-b": _statistics("usgs-b", "MCS2025", SAME_EDITION)})
        share = 200000 / 400000  # the most recently loaded dataset of the latest edition
    else:
        store = _case(tmp, {"usgs-2026": _statistics("usgs-2026", "MCS2026", LATER_EDITION)})
        share = 300000 / 360000  # the latest edition
    yield Case(tmp, store, share)


def _app(store: SnapshotStore) -> TestClient:
    """The real app over ``store``, as a client (use it in a ``with`` block)."""
    return TestClient(create_app(Settings(store=str(store.root), log_level="warning"), store))


def _graphql(client: TestClient, query: str) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query})
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


def _cli(case: Case, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--store", str(case.store.root), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_china_share_of_rare_earth_mining_is_one_number(case: Case) -> None:
    with _app(case.store) as client:
        data = _graphql(
            client,
            '{ concentration(material: "rare-earths", year: 2024, stage: "mining") { shares: top { who { id } share } }'
            ' material(id: "rare-earths") { production(year: 2024) { country { id } stage share } } }',
        )
        named = client.get(
            "/queries/top_producers",
            params={"material": "rare-earths", "year": "2024", "stage": "mining", "format": "json"},
        ).json()
    answers = {
        "graphql concentration": next(s["share"] for s in data["concentration"]["shares"] if s["who"]["id"] == CN),
        "graphql production": next(
            f["share"] for f in data["material"]["production"] if f["country"]["id"] == CN and f["stage"] == "MINING"
        ),
        "named query": next(
            float(b["share"]["value"]) for b in named["results"]["bindings"] if b["country"]["value"] == CN
        ),
        "cli": next(
            s["share"]
            for s in _cli(case, "concentration", "rare-earths", "--year", "2024", "--stage", "Mining")["shares"]
            if s["who"] == CN
        ),
    }
    assert answers == pytest.approx(dict.fromkeys(answers, case.cn_share))


def test_exposure_is_one_number_whatever_the_country_code(case: Case) -> None:
    with _app(case.store) as client:
        graphql = {
            code: _graphql(client, f'{{ exposure(product: "electric-vehicle", country: "{code}") {{ share }} }}')[
                "exposure"
            ]["share"]
            for code in ("CN", "CHN", "156", "China")
        }
    cli_answers = {code: _cli(case, "exposure", "electric-vehicle", code)["share"] for code in ("CN", "CHN", "156")}
    assert graphql["CN"] > 0
    assert graphql | cli_answers == pytest.approx(dict.fromkeys(graphql | cli_answers, graphql["CN"]))


@pytest.mark.parametrize(
    ("day", "in_force"),
    [
        ("2025-11-09", True),  # No. 57 in force from its effective date, the day before its suspension
        ("2025-11-10", False),  # first day of the suspension [2025-11-10, 2026-11-10)
        ("2026-11-09", False),  # last day of the suspension
        ("2026-11-10", True),  # in force again on the suspension's end date
    ],
)
def test_controls_in_force_on_boundary_days_agree(case: Case, day: str, in_force: bool) -> None:
    control = v.ID + "control/cn-2025-57-medium-heavy-rare-earths"
    with _app(case.store) as client:
        named = client.get("/queries/controls_in_force", params={"date": day, "format": "json"}).json()
        listed = _graphql(client, f'{{ exportControls(inForceOn: "{day}", first: 100) {{ id }} }}')
        field = _graphql(client, f'{{ exportControls(first: 100) {{ id inForce(asOf: "{day}") }} }}')
    by_named = {b["control"]["value"] for b in named["results"]["bindings"]}
    by_list = {c["id"] for c in listed["exportControls"]}
    by_field = {c["id"] for c in field["exportControls"] if c["inForce"]}
    cli_report = _cli(case, "impact", "cn-2025-57-medium-heavy-rare-earths", "--as-of", day)
    assert by_named == by_list == by_field
    assert (control in by_named) is in_force
    assert cli_report["in_force"] is in_force


EXAMPLES = Path(__file__).parents[1] / "examples"
MAGNETS = "https://w3id.org/supplygraph/hs2022/850511"


def _second_release(tmp: Path) -> Path:
    """The 2023 example file as a later release (V202502) with China's exports doubled."""
    folder = tmp / "baci-v202502"
    folder.mkdir()
    rows = (EXAMPLES / "baci" / "BACI_HS22_Y2023_V202501.csv").read_text().splitlines()
    out = [rows[0]]
    for row in rows[1:]:
        t, i, j, k, value, q = row.split(",")
        out.append(",".join([t, i, j, k, str(float(value) * 2) if i == "156" else value, q]))
    (folder / "BACI_HS22_Y2023_V202502.csv").write_text("\n".join(out) + "\n")
    (folder / "country_codes_V202502.csv").write_text((EXAMPLES / "baci" / "country_codes_V202501.csv").read_text())
    return folder


@dataclass
class TradeCase:
    store: SnapshotStore
    dataset: str  # the dataset the rule must take the figures from


@pytest.fixture(scope="module", params=["two-baci-releases", "baci-and-comtrade"])
def trade_case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TradeCase]:
    from loaders.registry import LoadOptions, loader_for

    tmp = tmp_path_factory.mktemp(request.param)
    store = _case(tmp, {})
    run(store, "baci-a", loader_for([EXAMPLES / "baci"], None, LoadOptions()))  # a release folder
    if request.param == "two-baci-releases":
        run(store, "baci-b", loader_for([_second_release(tmp)], None, LoadOptions()))
        yield TradeCase(store, v.GRAPH + "baci-b")
    else:
        comtrade = sorted((EXAMPLES / "comtrade").glob("*.csv"))
        run(store, "comtrade", loader_for(comtrade, None, LoadOptions()))
        yield TradeCase(store, v.GRAPH + "comtrade")


def test_top_exporters_of_magnets_are_one_ranking(trade_case: TradeCase) -> None:
    store = trade_case.store
    with _app(store) as client:
        data = _graphql(
            client,
            '{ concentration(material: "850511", year: 2023, source: TRADE) { basis top { who { id } share } } }',
        )["concentration"]
        named = client.get("/queries/top_exporters", params={"hs": MAGNETS, "year": "2023", "format": "json"}).json()
    assert trade_case.dataset in data["basis"]
    graphql = {s["who"]["id"]: s["share"] for s in data["top"]}
    named_rows = {
        b["exporter"]["value"]: float(b["share"]["value"])
        for b in named["results"]["bindings"]
        if b.get("dataset", {}).get("value") == trade_case.dataset
    }
    cli_rows = {
        s["who"]: s["share"]
        for s in _cli(Case(store.root, store, 0.0), "concentration", "850511", "--year", "2023", "--source", "trade")[
            "shares"
        ]
    }
    assert graphql == pytest.approx(named_rows) and graphql == pytest.approx(cli_rows)
    assert sum(graphql.values()) == pytest.approx(1.0)  # one dataset, one direction: shares add up to 1
    for dataset_rows in _per_dataset_shares(named).values():
        assert sum(dataset_rows) == pytest.approx(1.0)


def _per_dataset_shares(named: dict[str, Any]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for b in named["results"]["bindings"]:
        out.setdefault(b.get("dataset", {}).get("value", ""), []).append(float(b["share"]["value"]))
    return out


def test_flows_between_two_countries_are_listed_once_per_dataset(trade_case: TradeCase) -> None:
    store = trade_case.store
    with _app(store) as client:
        named = client.get(
            "/queries/flows_between",
            params={"exporter": "CN", "importer": "US", "hs": MAGNETS, "year": "2023", "format": "json"},
        ).json()
    flows = [(b["dataset"]["value"], b["flow"]["value"]) for b in named["results"]["bindings"]]
    assert len(flows) == len(set(flows))
    datasets = [d for d, _ in flows]
    assert all(datasets.count(d) == 1 for d in datasets if "baci" in d)  # one BACI flow a dataset


def test_a_world_total_excluding_us_production_is_no_country(tmp_path: Path) -> None:
    """MCS2025 lithium: "World total (rounded), excluding U.S. production" is a world total, never a producer."""
    usgs = tmp_path / "MCS2025_World_Data.csv"
    rows = (EXAMPLES / "usgs" / "MCS2025_World_Data.csv").read_text().splitlines()
    lithium = [r for r in rows[1:] if r.startswith("MCS2025,Lithium")]
    lithium = [
        r.replace("World total (rounded),", '"World total (rounded), excluding U.S. production",') for r in lithium
    ]
    usgs.write_text("\n".join([rows[0], *lithium]) + "\n")
    store = _case(tmp_path, {})
    from loaders.registry import LoadOptions, loader_for

    run(store, "usgs-lithium", loader_for([usgs], None, LoadOptions()))
    answer = CliRunner().invoke(
        cli, ["concentration", "lithium", "--year", "2024", "--store", str(store.root), "--json"]
    )
    assert answer.exit_code == 0, answer.output
    result = json.loads(answer.output)
    assert all("WLD" not in s["who"] for s in result["shares"])
    assert result["total_reported"] and "WLD-EXCL-USA" in result["basis"]
    assert 0 <= result["hhi"] <= 10_000 and sum(s["share"] for s in result["shares"]) <= 1


def test_search_ranks_exact_and_prefix_matches_first_and_finds_instruments(case: Case) -> None:
    with _app(case.store) as client:
        data = _graphql(
            client,
            '{ rare: search(text: "rare earth", first: 3) { id } '
            'instrument: search(text: "Announcement No. 18", types: [EXPORT_CONTROL]) { id } }',
        )
    assert data["rare"][0]["id"] in {v.ID + "class/rare-earths", RARE_EARTHS}
    assert data["instrument"][0]["id"] == v.ID + "control/cn-2025-18-medium-heavy-rare-earths"


def test_an_ad_hoc_query_file_needs_no_catalogue_header(case: Case, tmp_path: Path) -> None:
    query = tmp_path / "mine.rq"
    query.write_text("SELECT ?country WHERE { ?country a <https://w3id.org/supplygraph/ns#Country> } LIMIT 3\n")
    result = CliRunner().invoke(cli, ["query", str(query), "--store", str(case.store.root)])
    assert result.exit_code == 0, result.output
    assert "(3 rows)" in result.output


def test_an_answer_pinned_to_an_edition_is_one_number(case: Case) -> None:
    """MCS2025's own figures, whatever later editions or datasets are loaded beside them."""
    sample = v.GRAPH + "sample"
    with _app(case.store) as client:
        data = _graphql(
            client,
            f'{{ concentration(material: "rare-earths", year: 2024, stage: "Mining", edition: "MCS2025", '
            f'dataset: "{sample}") {{ basis top {{ who {{ id }} share }} }} }}',
        )["concentration"]
        named = client.get(
            "/queries/top_producers",
            params={"material": "rare-earths", "year": "2024", "edition": "MCS2025", "dataset": sample},
            headers={"accept": "application/sparql-results+json"},
        ).json()
    cli_rows = _cli(
        case, "concentration", "rare-earths", "--year", "2024", "--edition", "MCS2025", "--dataset", "sample"
    )["shares"]
    expected = 270000 / 392720
    assert "MCS2025" in data["basis"] and sample in data["basis"]
    assert next(s["share"] for s in data["top"] if s["who"]["id"] == CN) == pytest.approx(expected)
    assert next(float(b["share"]["value"]) for b in named["results"]["bindings"] if b["country"]["value"] == CN) == (
        pytest.approx(expected)
    )
    assert next(s["share"] for s in cli_rows if s["who"] == CN) == pytest.approx(expected)


def _sample_iris(client: TestClient, cls: str) -> list[str]:
    """Every subject of type ``sg:cls`` in the store, through the SPARQL door."""
    query = f"SELECT DISTINCT ?s WHERE {{ ?s a <{v.NS}{cls}> }} ORDER BY ?s"
    response = client.post("/sparql", data={"query": query}, headers={"accept": "application/sparql-results+json"})
    return [b["s"]["value"] for b in response.json()["results"]["bindings"]]


def test_the_controls_covering_each_item_are_one_list(case: Case) -> None:
    """An item's own exportControls (the explorer marks items with them) are the list the coverage rule gives.

    Forms count (antimony concentrate under a control naming antimony), HS codes narrowed to named materials
    count (an NdFeB magnet holding dysprosium), and a technology control covers no item.
    """
    with _app(case.store) as client:
        materials = _sample_iris(client, "Material")
        products = _sample_iris(client, "Product")
        own = {
            item: [
                c["id"]
                for c in _graphql(
                    client, f'{{ entity(id: "{item}") {{ ... on Item {{ exportControls {{ id }} }} }} }}'
                )["entity"]["exportControls"]
            ]
            for item in materials + products
        }
        listed = {
            item: [
                c["id"]
                for c in _graphql(client, f'{{ exportControls(material: "{item}", first: 100) {{ id }} }}')[
                    "exportControls"
                ]
            ]
            for item in materials
        }
        controls = [c["id"] for c in _graphql(client, "{ exportControls(first: 100) { id } }")["exportControls"]]
    assert {i: own[i] for i in materials} == listed
    impact = {control: set(_cli(case, "impact", control)["covered"]) for control in controls}
    for item in materials + products:
        assert {c for c, covered in impact.items() if item in covered} <= set(own[item]), item
    control = v.ID + "control/"
    assert control + "cn-2024-46-us-ban" in own[v.ID + "material/antimony-concentrate"]
    assert control + "cn-2025-18-medium-heavy-rare-earths" in own[v.ID + "product/ndfeb-magnet"]
    assert control + "cn-2025-62-rare-earth-technologies" not in own[v.ID + "material/dysprosium"]


def test_a_country_a_trade_dataset_names_again_has_one_label(trade_case: TradeCase) -> None:
    """BACI names Taiwan "Other Asia, nes" and the US "USA", untagged; every door shows the English label."""
    store = trade_case.store
    with _app(store) as client:
        data = _graphql(
            client,
            '{ trade: concentration(material: "850511", year: 2023, source: TRADE) { top { who { id label } } } '
            'mined: concentration(material: "rare-earths", year: 2024, stage: "Mining", top: 50) '
            "{ top { who { id label } } } "
            'hs: concentration(material: "850511", year: 2023, source: TRADE) { material { id label } } }',
        )
        exporters = client.get("/queries/top_exporters", params={"hs": MAGNETS, "year": "2023", "format": "json"})
        producers = client.get(
            "/queries/top_producers", params={"material": "rare-earths", "year": "2024", "format": "json"}
        )
        shown = [(r["who"]["id"], r["who"]["label"]) for key in ("trade", "mined") for r in data[key]["top"]]
        shown.append((data["hs"]["material"]["id"], data["hs"]["material"]["label"]))
        shown += [(b["exporter"]["value"], b["label"]["value"]) for b in exporters.json()["results"]["bindings"]]
        shown += [(b["country"]["value"], b["countryLabel"]["value"]) for b in producers.json()["results"]["bindings"]]
        labels = {
            iri: _graphql(client, f'{{ entity(id: "{iri}") {{ label }} }}')["entity"]["label"] for iri, _ in shown
        }
    table = CliRunner().invoke(
        cli,
        [
            "concentration",
            "850511",
            "--year",
            "2023",
            "--source",
            "trade",
            "--dataset",
            "baci-a",
            "--store",
            str(store.root),
        ],
    )
    assert set(shown) == set(labels.items())
    assert labels[v.ID + "country/TWN"] == "Taiwan" and labels[v.ID + "country/USA"] == "United States"
    assert labels[MAGNETS].startswith("Permanent magnets")
    assert table.exit_code == 0 and "Taiwan" in table.output and "Other Asia" not in table.output, table.output
