"""Hygiene checks: every query in tests/hygiene/ returns no rows over the ontology and the sample graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.sample import ONTOLOGY_FILES
from ontology.vocab import GRAPH
from service.store import MemoryStore, Snapshot

CHECKS = sorted((Path(__file__).parents[1] / "hygiene").glob("*.rq"))


@pytest.fixture
def graph(sample_store: MemoryStore) -> Snapshot:
    return sample_store.graph()


@pytest.mark.parametrize("check", CHECKS, ids=[c.stem for c in CHECKS])
def test_check_returns_no_rows(graph: Snapshot, check: Path) -> None:
    result = graph.select(check.read_text(encoding="utf-8"), max_rows=20)
    assert result.rows == [], f"{check.name}: {result.rows}"


@pytest.mark.parametrize("check", CHECKS, ids=[c.stem for c in CHECKS])
def test_check_has_title_and_description(check: Path) -> None:
    head = check.read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].startswith("# title: ") and head[1].startswith("# description: ")


def test_undeclared_term_check_catches_a_misspelling() -> None:
    store = MemoryStore()
    with store.write() as writer:
        for path in ONTOLOGY_FILES:
            writer.load(path, "turtle", GRAPH + "ontology", replace=False)
        writer.load(
            b"<https://w3id.org/supplygraph/id/firm/a> <https://w3id.org/supplygraph/ns#suppliesTO> "
            b"<https://w3id.org/supplygraph/id/firm/b> .",
            "ntriples",
            GRAPH + "bad",
        )
    query = (Path(__file__).parents[1] / "hygiene" / "undeclared_sg_terms.rq").read_text(encoding="utf-8")
    rows = store.graph().select(query).rows
    assert [str(r["term"]) for r in rows] == ["https://w3id.org/supplygraph/ns#suppliesTO"]
