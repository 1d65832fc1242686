"""The USGS MCS loader: both layouts, names, withheld values, units, and consistent shares."""

from __future__ import annotations

from pathlib import Path

from loaders.base import run
from loaders.registry import LoadOptions, loader_for
from service.store import MemoryStore

EXAMPLES = Path(__file__).parents[2] / "examples"
LAYOUT_2024 = [EXAMPLES / "usgs" / "mcs2024-raree_world.csv", EXAMPLES / "usgs" / "mcs2024-galli_world.csv"]
LAYOUT_2025 = [EXAMPLES / "usgs" / "MCS2025_World_Data.csv"]
EDGE = [EXAMPLES / "edge" / "MCS2025_World_Data.csv"]
PREFIX = "PREFIX sg: <https://w3id.org/supplygraph/ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
STATS = (
    PREFIX + "SELECT ?country ?year ?quantity ?unit ?estimated ?stage ?edition ?type WHERE { "
    "?s a sg:ProductionStatistic ; sg:material ?m ; sg:country ?c ; sg:year ?year ; sg:estimated ?estimated ; "
    "sg:edition ?edition ; sg:statType ?type ; sg:quantity ?quantity ; sg:unit ?unit ; sg:stage ?stage . "
    "BIND (STRAFTER(STR(?c), '/country/') AS ?country) FILTER (?m = ?material) }"
)


def _stats(store: MemoryStore, material: str) -> dict[tuple[str, int], dict[str, str]]:
    query = STATS.replace("?material", f"<https://w3id.org/supplygraph/id/material/{material}>")
    out = {}
    for row in store.graph().select(query).rows:
        key = (str(row["country"].value), int(str(row["year"].value)))
        out[key] = {k: str(v.value) for k, v in row.items()}
    return out


def _load(paths: list[Path], options: LoadOptions | None = None) -> MemoryStore:
    store = MemoryStore()
    run(store, "usgs", loader_for(paths, None, options or LoadOptions()))
    return store


def test_2024_layout_units_years_and_aggregates() -> None:
    store = _load(LAYOUT_2024)
    ree = _stats(store, "rare-earths")
    china = ree[("CHN", 2023)]
    assert china["quantity"] == "240000" and china["unit"] == "http://qudt.org/vocab/unit/TONNE"
    assert china["estimated"] == "true" and ree[("CHN", 2022)]["estimated"] == "false"
    assert china["stage"] == "https://w3id.org/supplygraph/ns#Mining" and china["edition"] == "MCS2024"
    assert ree[("MMR", 2023)]["quantity"] == "38000"  # Burma
    assert ree[("WLD", 2023)]["quantity"] == "350000" and ("OTHER", 2023) in ree
    gallium = _stats(store, "gallium")
    assert gallium[("CHN", 2023)]["quantity"] == "600000"
    assert gallium[("CHN", 2023)]["unit"] == "http://qudt.org/vocab/unit/KiloGM"
    assert gallium[("KOR", 2022)]["quantity"] == "2000"
    assert ("USA", 2023) not in gallium  # W (withheld): missing, so no statistic
    primary = gallium[("CHN", 2022)]
    assert primary["stage"].endswith("#Refining") and primary["type"] == "Primary production"
    g = store.graph()
    assert g.ask(PREFIX + "ASK { <https://w3id.org/supplygraph/id/country/WLD> a sg:CountryAggregate }")


def test_2025_layout_commodities_units_and_stages() -> None:
    store = _load(LAYOUT_2025)
    lithium = _stats(store, "lithium")  # "Lithium " with a trailing space
    assert lithium[("AUS", 2023)]["quantity"] == "91700" and lithium[("AUS", 2024)]["estimated"] == "true"
    copper = _stats(store, "copper")
    assert copper[("CHL", 2023)]["quantity"] == "5250000"  # thousand metric tons -> tonnes
    assert copper[("COD", 2024)]["quantity"] == "3300000"  # Congo (Kinshasa)
    assert copper[("CHN", 2023)]["stage"] == "https://w3id.org/supplygraph/ns#Refining"
    assert _stats(store, "gallium")[("CHN", 2024)]["unit"] == "http://qudt.org/vocab/unit/KiloGM"


def test_edge_file_footnotes_withheld_and_bounds() -> None:
    store = _load(EDGE)
    germanium = _stats(store, "germanium")
    assert ("USA", 2023) not in germanium  # "United States1", W
    assert germanium[("CHN", 2023)]["quantity"] == "95000"
    assert germanium[("CHN", 2023)]["estimated"] == "true"  # e prefix
    assert germanium[("CHN", 2024)]["quantity"] == "100000"  # ">100,000"
    assert germanium[("RUS", 2024)]["quantity"] == "5000"  # "<5000"
    # NA, XX, Very small, Large, a dash and an empty cell are all missing, not zero.
    assert not {("KOR", 2023), ("KOR", 2024), ("PRK", 2023), ("PRK", 2024), ("IND", 2023)} & set(germanium)
    india = "<https://w3id.org/supplygraph/id/country/IND>"
    assert not store.graph().ask(PREFIX + f"ASK {{ {india} ?p ?o }}")  # only missing values: not described
    tungsten = _stats(store, "tungsten")
    assert ("WLD-EXCL-USA", 2023) in tungsten and tungsten[("OTHER", 2024)]["quantity"] == "3500"


def _shares(store: MemoryStore, year: int) -> dict[str, float]:
    stats = _stats(store, "rare-earths")
    world = float(stats[("WLD", year)]["quantity"])
    return {c: float(s["quantity"]) / world for (c, y), s in stats.items() if y == year and c != "WLD"}


def test_2024_and_2025_layouts_give_the_same_shares_for_2023() -> None:
    old, new = _shares(_load(LAYOUT_2024), 2023), _shares(_load(LAYOUT_2025), 2023)
    assert old.keys() == new.keys() and len(old) == 11
    for country, share in old.items():
        assert abs(share - new[country]) < 1e-12, country
    assert round(new["CHN"], 3) == 0.686


def test_filters_years_and_countries_keep_aggregates() -> None:
    options = LoadOptions(years=frozenset({2024}), countries=frozenset({"CHN"}))
    stats = _stats(_load(LAYOUT_2025, options), "rare-earths")
    assert set(stats) == {("CHN", 2024), ("WLD", 2024), ("OTHER", 2024)}


RESERVES = (
    PREFIX + "SELECT ?country ?year ?quantity ?unit ?lower WHERE { ?s a sg:ReservesEstimate ; sg:material ?m ; "
    "sg:country ?c ; sg:year ?year ; sg:quantity ?quantity ; sg:unit ?unit . OPTIONAL { ?s sg:lowerBound ?lower } "
    "BIND (STRAFTER(STR(?c), '/country/') AS ?country) FILTER (?m = ?material) }"
)


def _reserves(store: MemoryStore, material: str) -> dict[tuple[str, int], dict[str, str]]:
    query = RESERVES.replace("?material", f"<https://w3id.org/supplygraph/id/material/{material}>")
    return {
        (str(r["country"].value), int(str(r["year"].value))): {k: str(v.value) for k, v in r.items()}
        for r in store.graph().select(query).rows
    }


def test_reserves_are_kept_with_their_bounds(tmp_path: Path) -> None:
    store = MemoryStore()
    run(store, "usgs", loader_for(LAYOUT_2025, None, LoadOptions()))
    china = _reserves(store, "rare-earths")[("CHN", 2024)]
    assert china["quantity"] == "44000000" and china["unit"].endswith("/TONNE") and "lower" not in china
    assert ("WLD", 2024) not in _reserves(store, "rare-earths")  # world rows are totals, not reserves of a country
    bounded = tmp_path / "MCS2025_World_Data.csv"
    header = (EXAMPLES / "usgs" / "MCS2025_World_Data.csv").read_text().splitlines()[0]
    bounded.write_text(
        header + '\nMCS2025,Rare earths,Vietnam,"Mine production, rare-earth-oxide equivalent",metric tons,'
        '"1,000","1,200",,,,,">90,000,000",\n'
        'MCS2025,Rare earths,India,"Mine production, rare-earth-oxide equivalent",metric tons,'
        '"2,900","2,900",,,,,Large,\n'
    )
    store = MemoryStore()
    run(store, "bounded", loader_for([bounded], None, LoadOptions()))
    found = _reserves(store, "rare-earths")
    assert found[("VNM", 2024)]["quantity"] == "90000000" and found[("VNM", 2024)]["lower"] == "true"
    assert ("IND", 2024) not in found  # "Large": not quantified, no figure made up
