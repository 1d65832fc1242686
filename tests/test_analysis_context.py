"""The per-snapshot analysis context: built once, shared by concurrent first requests."""

from __future__ import annotations

import gc
import threading

from service.analysis.context import Analysis, analysis_for
from service.store import Graph, MemoryStore
from tests.analysis_graphs import PREFIXES, bom, facility

NETWORK = bom("phone", ("magnet", 1.0)) + facility("mine", "magnet", "CHN") + facility("plant", "phone", "JPN")


def _graph() -> Graph:
    store = MemoryStore()
    with store.write("test") as writer:
        writer.load((PREFIXES + NETWORK).encode(), "turtle", "https://w3id.org/supplygraph/graph/test")
    return store.open_current()


def test_concurrent_first_requests_share_one_build() -> None:
    reference = _graph()
    analysis_for(reference)
    one_build = reference.query_count
    graph = _graph()
    found: list[Analysis] = []
    start = threading.Barrier(4)

    def request() -> None:
        start.wait()
        found.append(analysis_for(graph))

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 4 and all(a is found[0] for a in found)
    assert 0 < graph.query_count < 2 * one_build  # one build's scans, not one per request
    assert analysis_for(graph) is found[0]
    assert found[0].network.item_node("https://w3id.org/supplygraph/id/item/phone") is not None


def test_each_snapshot_gets_its_own_context() -> None:
    first, second = _graph(), _graph()
    assert analysis_for(first) is not analysis_for(second)


def test_garbage_collector_is_back_on_after_a_build() -> None:
    assert gc.isenabled()
    analysis_for(_graph())
    assert gc.isenabled()
