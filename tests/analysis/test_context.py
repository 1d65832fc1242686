"""The per-snapshot analysis context: built once, shared by concurrent first requests."""

from __future__ import annotations

import gc
import threading

from service.analysis.context import Analysis, analysis_for
from service.store import MemoryStore
from tests.support.analysis_graphs import PREFIXES, bom, facility

NETWORK = bom("phone", ("magnet", 1.0)) + facility("mine", "magnet", "CHN") + facility("plant", "phone", "JPN")


def _store() -> MemoryStore:
    store = MemoryStore()
    with store.write("test") as writer:
        writer.load((PREFIXES + NETWORK).encode(), "turtle", "https://w3id.org/supplygraph/graph/test")
    return store


def test_concurrent_first_requests_share_one_build() -> None:
    reference = _store()
    analysis_for(reference)
    one_build = reference.open_current().query_count
    store = _store()
    graph = store.open_current()
    found: list[Analysis] = []
    start = threading.Barrier(4)

    def request() -> None:
        start.wait()
        found.append(analysis_for(store))

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 4 and all(a is found[0] for a in found)
    assert 0 < graph.query_count < 2 * one_build  # one build's scans, not one per request
    assert analysis_for(store) is found[0]
    assert found[0].network.item_node("https://w3id.org/supplygraph/id/item/phone") is not None


def test_each_snapshot_gets_its_own_context() -> None:
    first, second = _store(), _store()
    assert analysis_for(first) is not analysis_for(second)


def test_garbage_collector_is_back_on_after_a_build() -> None:
    assert gc.isenabled()
    analysis_for(_store())
    assert gc.isenabled()
