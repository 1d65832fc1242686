"""Properties of the one statistics rule (service.analysis.statistics), on generated figures."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from ontology import vocab as v
from service.analysis.concentration import hhi
from service.analysis.facts import Statistic
from service.analysis.statistics import choose

MATERIAL = v.ID + "material/m"
COUNTRIES = [v.ID + f"country/C{n}" for n in range(6)]
WORLD, OTHER = v.ID + "country/WLD", v.ID + "country/OTHER"


@st.composite
def datasets(draw: st.DrawFn, name: str = "a", edition: str = "MCS2025") -> list[Statistic]:
    graph = v.GRAPH + name
    rows = [
        Statistic(f"{graph}/{n}", MATERIAL, country, 2024, v.MINING, draw(st.floats(0, 1e6)), None, edition, graph)
        for n, country in enumerate(draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=6, unique=True)))
    ]
    if draw(st.booleans()):
        rows.append(
            Statistic(f"{graph}/o", MATERIAL, OTHER, 2024, v.MINING, draw(st.floats(0, 1e5)), None, edition, graph)
        )
    if draw(st.booleans()):  # a world total, sometimes below the sum of the rows (rounding)
        rows.append(
            Statistic(f"{graph}/w", MATERIAL, WORLD, 2024, v.MINING, draw(st.floats(0, 3e6)), None, edition, graph)
        )
    return rows


@settings(max_examples=200, deadline=None)
@given(rows=datasets())
def test_shares_are_fractions_and_hhi_is_within_bounds(rows: list[Statistic]) -> None:
    selection = choose(rows, MATERIAL, aggregates={OTHER, WORLD})
    assert selection is not None
    shares = selection.shares()
    assert all(0 <= s <= 1 for s in shares.values())
    assert sum(shares.values()) + selection.other_share() <= 1 + 1e-9
    assert 0 <= hhi(list(shares.values())) <= 10_000 + 1e-6


@settings(max_examples=100, deadline=None)
@given(first=datasets("a", "MCS2025"), second=datasets("b", "MCS2026"))
def test_another_edition_does_not_change_an_answer_pinned_to_an_edition(
    first: list[Statistic], second: list[Statistic]
) -> None:
    loaded = {v.GRAPH + "a": "2026-01-01T00:00:00Z", v.GRAPH + "b": "2026-02-01T00:00:00Z"}
    pinned = choose(first, MATERIAL, edition="MCS2025", aggregates={OTHER, WORLD}, loaded=loaded)
    both = choose(first + second, MATERIAL, edition="MCS2025", aggregates={OTHER, WORLD}, loaded=loaded)
    assert pinned is not None and both is not None and pinned.shares() == both.shares()
    latest = choose(first + second, MATERIAL, aggregates={OTHER, WORLD}, loaded=loaded)
    assert latest is not None and latest.edition == "MCS2026" and latest.dataset == v.GRAPH + "b"


@settings(max_examples=100, deadline=None)
@given(rows=datasets("a"))
def test_reloading_a_dataset_under_a_second_name_never_changes_a_figure(rows: list[Statistic]) -> None:
    copy = [dataclasses.replace(s, stat=s.stat + "-copy", dataset=v.GRAPH + "copy") for s in rows]
    loaded = {v.GRAPH + "a": "2026-01-01T00:00:00Z", v.GRAPH + "copy": "2026-03-01T00:00:00Z"}
    alone = choose(rows, MATERIAL, aggregates={OTHER, WORLD}, loaded=loaded)
    twice = choose(rows + copy, MATERIAL, aggregates={OTHER, WORLD}, loaded=loaded)
    assert alone is not None and twice is not None
    assert twice.dataset == v.GRAPH + "copy"  # the most recently loaded, alone
    assert twice.shares() == alone.shares() and twice.total == alone.total
