"""Warm-up builds each on-disk snapshot's analytics context once, in the background."""

from __future__ import annotations

import time
from pathlib import Path

from loaders.base import RdfLoader, run
from service.analysis import context
from service.analysis.warmup import warm, warm_state
from service.backend import artifact_builders
from service.store import MemoryStore, SnapshotStore

DATA = Path(__file__).parents[1] / "data"


def test_snapshot_is_warmed_once(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, builders=artifact_builders())
    run(store, "mini", RdfLoader([DATA / "mini.ttl"]))
    graph = store.open_current()
    assert warm_state(graph.snapshot_id) == "cold"
    assert warm(store, graph) is True
    assert warm_state(graph.snapshot_id) in ("warming", "ready")
    assert warm(store) is False  # the same snapshot is not built twice
    deadline = time.monotonic() + 30
    while warm_state(graph.snapshot_id) != "ready" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert graph in context._CACHE and warm_state(graph.snapshot_id) == "ready"


def test_memory_stores_are_not_warmed() -> None:
    assert warm(MemoryStore()) is False


def test_old_snapshots_analyses_are_let_go(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, builders=artifact_builders())
    graphs = []
    for name in ("one", "two", "three"):
        run(store, name, RdfLoader([DATA / "mini.ttl"]))  # each load publishes a new snapshot
        graphs.append(store.open_current())
        context.analysis_for(store, graphs[-1])
    # The current snapshot's and the one before stay; the oldest went (and its model with it).
    assert graphs[2] in context._CACHE and graphs[1] in context._CACHE
    assert graphs[0] not in context._CACHE and len(context._CACHE) <= context.CACHED_SNAPSHOTS
