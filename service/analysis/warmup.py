"""Builds a new snapshot's analytics context in the background, before anyone asks.

The first analytics request on a large snapshot otherwise pays for reading the
facts and building the network (about a minute at 10M triples).  The service
starts that work in a daemon thread the first time it sees each snapshot.
Only on-disk snapshots are warmed: in-memory stores are small, and tests count
their queries.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from service.analysis.context import analysis_for
from service.store import AnyStore, Snapshot

log = logging.getLogger("supplygraph.warmup")
_seen: set[str] = set()
_ready: set[str] = set()
_lock = threading.Lock()


def warm(store: AnyStore, graph: Snapshot | None = None) -> bool:
    """Start building the analytics context of ``graph`` (default: the current snapshot) unless done.

    Returns whether a build started.
    """
    graph = graph if graph is not None else store.open_current()
    if graph.path is None or graph.snapshot_id is None:
        return False
    with _lock:
        if graph.snapshot_id in _seen:
            return False
        _seen.add(graph.snapshot_id)
    threading.Thread(target=_build, args=(store, graph), name=f"warm-{graph.snapshot_id}", daemon=True).start()
    return True


def _build(store: AnyStore, graph: Snapshot) -> None:
    started = time.perf_counter()
    try:
        analysis = analysis_for(store, graph)
    except Exception:  # a broken snapshot must not kill the server; requests will report it
        log.exception("analytics warm-up failed", extra={"snapshot": graph.snapshot_id})
        return
    try:
        _ = analysis.solver  # the exposure solver's levels (or factorization) too: seconds at 10M triples
    except Exception:  # a network with a closed cycle has no solver; exposure requests report it
        log.warning("no exposure solver for this snapshot", extra={"snapshot": graph.snapshot_id}, exc_info=True)
    # The model is millions of long-lived objects; left to the cyclic collector, every full
    # collection walks them all again, a pause of seconds at 10M triples in the middle of
    # requests.  Frozen, collections skip them; reference counting still frees the model
    # when its snapshot is dropped.
    gc.freeze()
    with _lock:
        _ready.add(graph.snapshot_id or "")
    log.info("analytics ready", extra={"snapshot": graph.snapshot_id, "s": round(time.perf_counter() - started, 2)})


def warm_state(snapshot_id: str | None) -> str:
    """``ready`` once the snapshot's analytics are built or read, ``warming`` while they are, else ``cold``.

    While a large snapshot warms, its analytics requests wait and every other
    request shares the CPU with the warm-up: operators (and benchmarks) can
    tell from ``/health``.
    """
    with _lock:
        if snapshot_id in _ready:
            return "ready"
        return "warming" if snapshot_id in _seen else "cold"
