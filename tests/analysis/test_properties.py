"""Properties of exposure on generated acyclic networks (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.analysis.exposure import exposure_all
from tests.support.analysis_graphs import CTRY, ITEM, analysis_of, bom, facility

COUNTRIES = ("AAA", "BBB", "CCC")


@dataclass(frozen=True)
class Plant:
    name: str
    item: int
    country: str
    capacity: int | None


@dataclass(frozen=True)
class Net:
    boms: dict[int, list[tuple[int, float]]]
    plants: list[Plant]

    def turtle(self, without: str | None = None) -> str:
        text = "".join(bom(f"i{p}", *((f"i{i}", s) for i, s in lines)) for p, lines in self.boms.items())
        return text + "".join(
            facility(p.name, f"i{p.item}", p.country, p.capacity) for p in self.plants if p.name != without
        )

    def by_paths(self, item: int, country: str, without: str | None = None) -> float:
        """Exposure by enumerating every path (the recursion visits each path once)."""
        plants = [p for p in self.plants if p.item == item and p.name != without]
        if plants:
            caps = [p.capacity for p in plants]
            total = sum(c for c in caps if c is not None)
            weights = [c / total for c in caps] if None not in caps else [1 / len(plants)] * len(plants)  # type: ignore[operator]
            return sum(w * self.site(p, country, without) for w, p in zip(weights, plants, strict=True))
        return sum(s * self.by_paths(i, country, without) for i, s in self.boms.get(item, []))

    def site(self, plant: Plant, country: str, without: str | None) -> float:
        if plant.item in self.boms:
            return sum(s * self.by_paths(i, country, without) for i, s in self.boms[plant.item])
        return 1.0 if plant.country == country else 0.0


@st.composite
def networks(draw: st.DrawFn) -> Net:
    size = draw(st.integers(2, 7))
    boms: dict[int, list[tuple[int, float]]] = {}
    for item in range(1, size):
        inputs = draw(st.lists(st.integers(0, item - 1), max_size=3, unique=True))
        if inputs:
            raw = draw(st.lists(st.integers(1, 10), min_size=len(inputs), max_size=len(inputs)))
            scale = draw(st.sampled_from([1.0, 0.8]))  # some BOMs deliberately short of 1
            boms[item] = [(i, scale * r / sum(raw)) for i, r in zip(inputs, raw, strict=True)]
    plants = []
    for item in range(size):
        for k in range(draw(st.integers(0 if item in boms else 1, 2))):
            country = draw(st.sampled_from(COUNTRIES))
            capacity = draw(st.one_of(st.none(), st.integers(1, 9)))
            plants.append(Plant(f"p{item}x{k}", item, country, capacity))
    return Net(boms, plants)


@settings(max_examples=40, deadline=None)
@given(networks(), st.sampled_from(COUNTRIES))
def test_exposure_matches_path_enumeration_and_is_a_share(net: Net, country: str) -> None:
    analysis = analysis_of(net.turtle())
    x = exposure_all(analysis, CTRY + country)
    for item in {*net.boms, *(p.item for p in net.plants)}:
        node = analysis.item_node(f"{ITEM}i{item}")
        assert -1e-12 <= x[node] <= 1 + 1e-9
        assert x[node] == pytest.approx(net.by_paths(item, country), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(networks(), st.data())
def test_removing_a_supplier_in_the_country_never_raises_exposure(net: Net, data: st.DataObject) -> None:
    primary = [p for p in net.plants if p.item not in net.boms]
    plant = data.draw(st.sampled_from(primary))
    before_analysis = analysis_of(net.turtle())
    before = exposure_all(before_analysis, CTRY + plant.country)
    after_analysis = analysis_of(net.turtle(without=plant.name))
    after = exposure_all(after_analysis, CTRY + plant.country)
    for item in net.boms:
        old = before[before_analysis.item_node(f"{ITEM}i{item}")]
        new = after[after_analysis.item_node(f"{ITEM}i{item}")]
        assert new <= old + 1e-9
