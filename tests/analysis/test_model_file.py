"""A snapshot's analytics model is stored once by its writer and read back by servers, same numbers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from loaders.base import RdfLoader, run
from loaders.sample import ONTOLOGY_FILES, SAMPLE_FILES
from ontology import vocab as v
from service.analysis import context, prepare_model, read_facts
from service.analysis.context import Analysis, analysis_for
from service.analysis.exposure import exposure_all
from service.analysis.model_file import BUILDING, MODEL, read_model, wait_for_writer
from service.backend import artifact_builders
from service.index import index_for
from service.store import SnapshotStore

ROOT = Path(__file__).parents[2]
CHINA = v.ID + "country/CHN"


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    loaded = SnapshotStore(tmp_path / "store", builders=artifact_builders())
    run(loaded, "ontology", RdfLoader(list(ONTOLOGY_FILES)))
    run(loaded, "sample", RdfLoader(list(SAMPLE_FILES)))
    return loaded


def _directory(store: SnapshotStore) -> Path:
    found = store.artifacts_dir(store.current_id() or "")
    assert found is not None
    return found


def _from_frames(store: SnapshotStore) -> Analysis:
    graph = store.open_current()
    return Analysis(read_facts(index_for(store, graph).frames()), graph)


def _same(a: Analysis, b: Analysis) -> None:
    assert a.network.keys == b.network.keys
    assert (a.network.matrix != b.network.matrix).nnz == 0
    assert np.allclose(exposure_all(a, CHINA), exposure_all(b, CHINA))
    assert a.facts == b.facts


def test_the_writer_stores_the_model_and_a_reader_gets_the_same_numbers(store: SnapshotStore) -> None:
    assert prepare_model(store) is True
    assert (_directory(store) / MODEL).is_file()
    assert prepare_model(store) is False  # stored already
    stored = read_model(_directory(store))
    assert stored is not None
    reader = SnapshotStore(store.location, builders=artifact_builders())  # a server's own view of the store
    _same(analysis_for(reader), _from_frames(store))


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x63."])  # empty, garbage, another format
def test_a_damaged_or_foreign_model_is_rebuilt_from_the_frames(store: SnapshotStore, damage: bytes) -> None:
    path = _directory(store) / MODEL
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(damage)
    assert read_model(_directory(store)) is None
    reader = SnapshotStore(store.location, builders=artifact_builders())
    _same(analysis_for(reader), _from_frames(store))
    assert read_model(_directory(store)) is not None  # the reader stored what it built


def test_a_server_waits_for_a_live_writer_building_the_model(store: SnapshotStore) -> None:
    directory = _directory(store)
    (directory / BUILDING).parent.mkdir(exist_ok=True)
    # Another live process on this host (not our child, which would linger as a zombie) holds the marker.
    holder = subprocess.run(["sh", "-c", "sleep 1.5 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True)
    (directory / BUILDING).write_text(f"{socket.gethostname()} {holder.stdout.strip()}")
    started = time.monotonic()
    assert wait_for_writer(directory) is None  # the holder died without writing a model
    assert time.monotonic() - started >= 1.0  # waited while the holder lived


@pytest.mark.parametrize("marker", ["{host} {own}", "{host} 999999999", "elsewhere 1", "garbage"])
def test_no_wait_for_this_process_a_dead_one_or_an_unreadable_marker(store: SnapshotStore, marker: str) -> None:
    directory = _directory(store)
    (directory / BUILDING).parent.mkdir(exist_ok=True)
    (directory / BUILDING).write_text(marker.format(host=socket.gethostname(), own=os.getpid()))
    started = time.monotonic()
    assert wait_for_writer(directory) is None
    assert time.monotonic() - started < 1


def test_cli_load_leaves_a_stored_model(tmp_path: Path) -> None:
    target = tmp_path / "store"
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "load", "--sample", "--store", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert "analytics model ready" in done.stderr
    store = SnapshotStore(target)
    assert read_model(_directory(store)) is not None
    context._CACHE.clear()
