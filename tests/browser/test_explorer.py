"""The explorer, GraphiQL, the named-query forms and the SPARQL page in a real browser, offline."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import quote

import httpx
import pytest

pytest.importorskip("playwright.sync_api", reason="browser tests skipped: playwright is not installed")

from playwright.sync_api import Page, expect

from ontology import vocab as v

RARE_EARTHS = v.ID + "material/rare-earths"
CONCENTRATION = """query($material: ID!) {
  concentration(material: $material, source: STATISTICS) { top { who { label } share } }
}"""


def ask_rare_earths_from_china(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Material or class").fill("rare earths")
    page.get_by_label("From country").fill("China")
    page.get_by_role("button", name="Show dependents").click()
    expect(page.locator("svg.paths")).to_be_visible()


def drawn_graph(page: Page) -> tuple[dict[str, str], dict[str, str], dict[str, set[str]]]:
    """The drawn nodes (IRI → label, IRI → kind) and links (from → to) as the SVG shows them."""
    labels: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for node in page.locator("svg.paths g.node").all():
        iri = node.get_attribute("data-id") or ""
        labels[iri] = node.locator("title").text_content() or ""
        kinds[iri] = node.get_attribute("data-kind") or ""
    links: dict[str, set[str]] = defaultdict(set)
    for edge in page.locator("svg.paths g.edge").all():
        links[edge.get_attribute("data-from") or ""].add(edge.get_attribute("data-to") or "")
    return labels, kinds, links


def test_rare_earths_from_china_are_drawn_back_to_a_chinese_facility(page: Page) -> None:
    ask_rare_earths_from_china(page)
    expect(page.locator("section.dependents h2")).to_contain_text("rely on Rare earths from China")
    labels, kinds, links = drawn_graph(page)
    china = next(iri for iri, label in labels.items() if label == "China" and kinds[iri] == "country")
    # China's links lead to facilities there, and from them to every end product asked about.
    first = links[china]
    assert first and all(kinds[f] in {"mine", "refinery", "metal", "maker", "assembly"} for f in first)
    reached, frontier = set(), set(first)
    while frontier:
        reached |= frontier
        frontier = {n for f in frontier for n in links[f]} - reached
    products = {labels[n] for n in reached if kinds[n] == "product"}
    assert {"Electric vehicle", "Wind turbine", "Hard disk drive"} <= products
    # Links carry their kind and share.
    expect(page.locator("svg.paths g.edge text").filter(has_text="SUPPLY").first).to_contain_text("50.0%")
    # The state is in the URL: the same view comes back from a shared link.
    shared = page.url
    page.goto("/")
    page.goto(shared)
    expect(page.locator("svg.paths g.node")).to_have_count(len(labels))


def test_search_filters_by_type_and_opens_a_result(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Label, notation or instrument").fill("rare earth")
    page.get_by_label("Type").select_option("FACILITY")
    page.get_by_role("button", name="Search").click()
    results = page.locator("ul.results li")
    expect(results.first).to_be_visible()
    assert {t.strip() for t in page.locator("ul.results .type").all_text_contents()} == {"Facility"}
    assert "type=FACILITY" in page.url
    expect(page.locator("main[data-ready=search]")).to_have_count(1)
    results.first.locator("a").click()
    expect(page).to_have_url(re.compile(r"#/entity\?id="))
    expect(page.locator("main[data-ready=entity] .type")).to_have_text("Facility")


def test_dependents_page_through_with_cursors(page: Page) -> None:
    ask_rare_earths_from_china(page)
    page.goto(page.url + "&first=3")
    items = page.locator(".dependent-list li a.entity")
    expect(items).to_have_count(3)
    first_page = items.all_text_contents()
    page.get_by_role("link", name="Next page »").click()
    expect(page.locator(".pager")).to_contain_text("First page")
    expect(items).to_have_count(3)
    assert not set(items.all_text_contents()) & set(first_page)


def test_a_controlled_item_is_marked_and_one_click_shows_the_control(page: Page) -> None:
    ask_rare_earths_from_china(page)
    mark = page.locator("svg.paths .control-mark").first
    expect(mark).to_be_visible()
    mark.click()
    detail = page.locator(".control-detail")
    expect(detail).to_be_visible()
    expect(detail.locator("a.entity").first).to_contain_text("China")


def test_a_node_opens_its_entity_page_by_mouse_and_by_keyboard(page: Page) -> None:
    ask_rare_earths_from_china(page)
    page.locator("svg.paths g.node", has_text="Wind turbine").click()
    expect(page.locator("main h1")).to_have_text("Wind turbine")
    expect(page.locator("main")).to_contain_text("Permanent-magnet wind-turbine generator")  # its input
    page.go_back()
    node = page.locator("svg.paths g.node[data-kind=country]")
    node.focus()
    page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_have_text("China")


@pytest.mark.parametrize(
    ("path", "heading", "section"),
    [
        ("country/CHN", "China", "Export controls it imposes"),
        ("firm/china-northern-rare-earth", "China Northern Rare Earth (Group) High-Tech Co., Ltd.", "Facilities"),
        ("facility/cnre-baotou-metal", "China Northern Rare Earth metal plant, Baotou", "Buyers"),
        ("product/electric-vehicle", "Electric vehicle", "Exposure"),
        ("class/rare-earths", "Rare earths", "Export controls over time"),
        ("control/cn-2025-18-medium-heavy-rare-earths", "China export licensing of seven", "Covers"),
        ("alliance/g7", "G7", "Members"),
    ],
)
def test_every_kind_of_entity_has_a_page(page: Page, path: str, heading: str, section: str) -> None:
    page.goto("/#/entity?id=" + quote(v.ID + path, safe=""))
    expect(page.locator("main h1")).to_contain_text(heading)
    expect(page.locator("main h2", has_text=section)).to_be_visible()
    expect(page.locator("main a.graphiql-link").first).to_have_attribute("href", re.compile(r"^/graphql\?q="))


def test_forms_are_labelled_and_the_graph_is_reached_by_keyboard(page: Page) -> None:
    ask_rare_earths_from_china(page)
    unlabelled = page.evaluate(
        """[...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
             .filter((e) => !e.labels.length && !e.getAttribute("aria-label")).map((e) => e.outerHTML)"""
    )
    assert unlabelled == []
    page.locator("svg.paths").scroll_into_view_if_needed()
    page.locator("a.graphiql-link").last.focus()
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('svg.paths g.node')"):
            break
    else:
        pytest.fail("Tab does not reach the graph's nodes")


def test_graphiql_opens_the_query_behind_a_view_and_runs_it(page: Page) -> None:
    ask_rare_earths_from_china(page)
    page.locator("a.graphiql-link").first.click()
    run = page.locator(".graphiql-execute-button")
    expect(run).to_be_visible()
    expect(page.locator(".graphiql-query-editor")).to_contain_text("dependents")
    run.click()
    expect(page.locator(".result-window")).to_contain_text('"totalCount": 7')


def test_the_bar_chart_shows_the_china_share_graphql_gives(page: Page, server: str) -> None:
    answer = httpx.post(
        server + "/graphql", json={"query": CONCENTRATION, "variables": {"material": RARE_EARTHS}}, timeout=60
    )
    top = answer.json()["data"]["concentration"]["top"]
    share = next(row["share"] for row in top if row["who"]["label"] == "China")
    page.goto("/#/entity?id=" + quote(RARE_EARTHS, safe=""))
    row = page.locator(".bar-row", has_text="China")
    expect(row).to_be_visible()
    assert float(row.get_attribute("data-share") or "nan") == share
    expect(row.locator(".bar-value")).to_have_text(f"{share:.1%}")  # as the CLI prints it
    expect(page.locator(".hhi")).to_contain_text("HHI")
    expect(page.locator(".timeline .tl-row").first).to_be_visible()


def test_a_product_page_shows_the_exposure_graphql_gives(page: Page, server: str) -> None:
    query = 'query($p: ID!) { exposure(product: $p, country: "CN") { share paths { contribution } } }'
    product = v.ID + "product/wind-turbine"
    answer = httpx.post(server + "/graphql", json={"query": query, "variables": {"p": product}}, timeout=60).json()
    exposure = answer["data"]["exposure"]
    page.goto("/#/entity?id=" + quote(product, safe=""))
    page.get_by_label("Exposure to country").fill("CN")
    page.get_by_role("button", name="Show exposure").click()
    expect(page.locator(".exposure-share")).to_have_text(f"{exposure['share'] * 100:.1f}%")
    paths = page.locator(".exposure-paths > li")
    expect(paths).to_have_count(len(exposure["paths"]))
    paths.first.locator("summary").click()
    expect(paths.first.locator(".chain li").last).to_contain_text("China")


def test_a_named_query_form_runs_and_offers_downloads(page: Page) -> None:
    page.goto("/queries")
    page.get_by_role("link", name="Top producing countries of a material").click()
    page.get_by_label("material").fill("rare-earths")
    page.get_by_label("year").fill("2024")
    page.get_by_role("button", name="Run").click()
    table = page.locator("#query-results table")
    expect(table).to_contain_text("China")
    csv = page.get_by_role("link", name="CSV").get_attribute("href") or ""
    assert "format=csv" in csv and "material=rare-earths" in csv
    assert "form" in page.url and "year=2024" in page.url  # the filled form is a shareable URL


def test_sparql_literals_show_their_language_beside_the_value(page: Page) -> None:
    query = 'SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = "en") } LIMIT 3'
    page.goto("/sparql?query=" + quote(query))
    cell = page.locator("#out td").first
    expect(cell.locator(".lang")).to_have_text("en")
    assert "@en" not in (cell.text_content() or "")


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "main[data-ready=home]"),
        ("/#/search?text=magnet", "ul.results li"),
        ("/#/entity?id=" + quote(RARE_EARTHS, safe=""), ".bar-row"),
        ("/queries", "table.catalogue"),
        ("/queries/top_producers?form&material=rare-earths&year=2024", "#query-results table"),
        ("/sparql", "#query"),
        ("/graphql", ".graphiql-execute-button"),
    ],
)
def test_pages_fit_a_phone_screen(page: Page, path: str, ready: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    expect(page.locator(ready).first).to_be_visible()
    # Wide content (the graph, result tables) scrolls inside its own frame, never the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_dependents_graph_fits_a_phone_screen(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    ask_rare_earths_from_china(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
