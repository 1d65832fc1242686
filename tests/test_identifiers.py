"""What a code, short id or IRI names: one resolver for every door."""

from __future__ import annotations

from typing import Protocol

import pytest

from ontology import vocab as v
from service.errors import BadRequest
from service.identifiers import ITEMS, MATERIALS, Kind, UnknownIdentifier, dataset_iri, hs_iri, resolve
from service.index import index_for
from service.store import MemoryStore

CHN = v.ID + "country/CHN"


class Names(Protocol):
    def __call__(self, text: str, kinds: tuple[Kind, ...], argument: str = "arg") -> str: ...


@pytest.fixture(scope="module")
def names(sample_store: MemoryStore) -> Names:
    graph = sample_store.open_current()
    index = index_for(sample_store, graph)

    def name(text: str, kinds: tuple[Kind, ...], argument: str = "arg") -> str:
        return resolve(index, graph, text, kinds, argument)

    return name


@pytest.mark.parametrize("code", ["CN", "cn", "CHN", "156", "China", "china", CHN])
def test_every_spelling_of_china_names_china(names: Names, code: str) -> None:
    assert names(code, (Kind.COUNTRY,)) == CHN


def test_taiwan_by_its_trade_code(names: Names) -> None:
    assert names("490", (Kind.COUNTRY,)) == v.ID + "country/TWN"


@pytest.mark.parametrize(
    ("text", "kinds", "iri"),
    [
        ("gallium", MATERIALS, v.ID + "material/gallium"),  # the commodity before the class of the same id
        ("rare-earths", (Kind.MATERIAL_CLASS,), v.ID + "class/rare-earths"),
        ("class/gallium", MATERIALS, v.ID + "class/gallium"),
        ("electric-vehicle", ITEMS, v.ID + "product/electric-vehicle"),
        ("Electric-Vehicle", ITEMS, v.ID + "product/electric-vehicle"),
    ],
)
def test_short_ids(names: Names, text: str, kinds: tuple[Kind, ...], iri: str) -> None:
    assert names(text, kinds) == iri


@pytest.mark.parametrize(
    ("text", "kinds", "closest"),
    [
        ("galium", MATERIALS, "gallium"),
        ("XX", (Kind.COUNTRY,), None),
        ("electric-vehicel", ITEMS, "electric-vehicle"),
        (v.ID + "country/CHN", (Kind.PRODUCT,), None),  # a known IRI of another kind
    ],
)
def test_unknown_names_are_errors_naming_the_argument(
    names: Names, text: str, kinds: tuple[Kind, ...], closest: str | None
) -> None:
    with pytest.raises(UnknownIdentifier) as caught:
        names(text, kinds, "--material")
    assert caught.value.message.startswith("--material: ") and caught.value.status == 400
    if closest is not None:
        assert f"closest: {closest}" in caught.value.message


def test_malformed_iris_and_names(names: Names) -> None:
    with pytest.raises(BadRequest, match="not a valid absolute IRI"):
        names("http://bad iri", (Kind.COUNTRY,))
    with pytest.raises(BadRequest, match="empty"):
        names("  ", (Kind.COUNTRY,))
    with pytest.raises(BadRequest):
        dataset_iri("a b")


def test_hs_codes_and_datasets() -> None:
    assert hs_iri("850511") == hs_iri("hs:850511") == "https://w3id.org/supplygraph/hs2022/850511"
    assert hs_iri("https://w3id.org/supplygraph/hs2017/850511") == "https://w3id.org/supplygraph/hs2017/850511"
    assert hs_iri("gallium") is None
    assert dataset_iri("usgs-b") == v.GRAPH + "usgs-b"
