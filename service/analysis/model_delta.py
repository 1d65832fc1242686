"""The analytics model of a snapshot derived from its parent's, after a write.

The writer of a snapshot stores its model (:func:`service.analysis.prepare_model`).
When the parent snapshot has one, the new model is derived from it: the frame
rows the write changed (:func:`service.index.frame_changes`) give the facts
to read again (:mod:`service.analysis.fact_patch`), and those the nodes to
expand again (:mod:`service.analysis.network_delta`).  The result equals a
full build of the snapshot's frames, array for array.  When the parent has
no usable model, or the change is large, the model is built in full.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from service.analysis.fact_patch import patch_facts
from service.analysis.facts import FIELDS, Facts
from service.analysis.model_file import link_model, read_model, write_model
from service.analysis.network import Network
from service.analysis.network_delta import derive_network
from service.index import SPEC, frame_changes, index_for
from service.store import AnyStore, Snapshot, SnapshotStore, StoreDamaged

LARGEST_CHANGE = 200_000
"""Changed frame rows beyond which a full build is cheaper than expanding so much again."""

log = logging.getLogger("supplygraph.analysis")


@dataclass(frozen=True)
class Derived:
    """A derived network (its facts inside), and the facts fields it shares with its parent's stored model."""

    network: Network
    parent: Path  # the parent snapshot's artifacts
    changed: dict[str, set[str]]  # by facts field, the keys whose entries changed
    unchanged: bool = False  # the write changed no frame row: the model is the parent's

    def write(self, directory: Path) -> bool:
        """Store the model in ``directory`` (a snapshot's artifacts), its facts as the parent's and what changed."""
        if self.unchanged and link_model(directory, self.parent):
            return True
        return write_model(directory, self.network, self.parent, self.changed)


def derived_model(store: AnyStore, graph: Snapshot, directory: Path) -> Derived | None:
    """The model of ``graph`` derived from its parent's stored model; None to build it in full."""
    parent_dir = _parent_dir(store, graph)
    if parent_dir is None:
        return None
    parent = read_model(parent_dir)
    if parent is None:
        return None
    started = time.perf_counter()
    changes = frame_changes(parent_dir, directory, SPEC)
    if changes is None or changes.height > LARGEST_CHANGE:
        return None
    if changes.height == 0:
        # The model is a function of the frames alone (facts read from them, the network built from
        # the facts), so a write that changed none of their rows (triples no frame keeps, say) keeps the
        # parent's model as it is.
        return Derived(parent, parent_dir, {}, unchanged=True)
    old = Facts(**{name: getattr(parent.facts, name) for name in FIELDS})
    patch = patch_facts(old, changes, index_for(store, graph).frames_where)
    network = derive_network(parent, old, patch)
    log.info(
        "analytics model derived from the parent's",
        extra={"rows_changed": changes.height, "seconds": round(time.perf_counter() - started, 3)},
    )
    return Derived(network, parent_dir, {name: patch.changed[name] for name in FIELDS})


def _parent_dir(store: AnyStore, graph: Snapshot) -> Path | None:
    if not graph.snapshot_id or not isinstance(store, SnapshotStore):
        return None
    try:
        parent = store.info(graph.snapshot_id).parent
    except StoreDamaged:
        return None  # no metadata to go by: build in full
    return store.artifacts_dir(parent) if parent else None
