"""A snapshot's analytics model is stored once by its writer and read back by servers, same numbers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from loaders.base import RdfLoader, run
from loaders.sample import ONTOLOGY_FILES, SAMPLE_FILES
from ontology import vocab as v
from service.analysis import (
    Scenario,
    alternative_suppliers,
    context,
    prepare_model,
    read_facts,
    restriction_impact,
    run_scenario,
    single_points_of_failure,
)
from service.analysis.concentration import by_firm, concentration
from service.analysis.context import Analysis, analysis_for
from service.analysis.exposure import exposure, exposure_all
from service.analysis.facts import FIELDS, StoredFacts
from service.analysis.model_file import BUILDING, MODEL, read_model, wait_for_writer
from service.backend import artifact_builders
from service.index import index_for
from service.store import SnapshotStore

ROOT = Path(__file__).parents[2]
CHINA = v.ID + "country/CHN"
EV = v.ID + "product/electric-vehicle"
RARE_EARTHS = v.ID + "material/rare-earths"
NO_18 = v.ID + "control/cn-2025-18-medium-heavy-rare-earths"


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
    """The same model, and every analysis gives exactly the same answer on both."""
    assert a.network.keys == b.network.keys
    assert a.network.location == b.network.location
    assert a.network.countries == b.network.countries
    assert a.network.methods == b.network.methods
    assert a.network.issues == b.network.issues
    assert (a.network.matrix != b.network.matrix).nnz == 0
    assert (a.network.origin != b.network.origin).nnz == 0
    assert {f: getattr(a.facts, f) for f in FIELDS} == {f: getattr(b.facts, f) for f in FIELDS}
    assert np.array_equal(exposure_all(a, CHINA), exposure_all(b, CHINA))
    assert np.array_equal(exposure_all(a, CHINA, RARE_EARTHS), exposure_all(b, CHINA, RARE_EARTHS))
    assert exposure(a, EV, CHINA, paths=5) == exposure(b, EV, CHINA, paths=5)
    assert exposure(a, EV, CHINA, RARE_EARTHS) == exposure(b, EV, CHINA, RARE_EARTHS)
    assert concentration(a, RARE_EARTHS) == concentration(b, RARE_EARTHS)
    assert by_firm(a, RARE_EARTHS) == by_firm(b, RARE_EARTHS)
    assert single_points_of_failure(a, EV) == single_points_of_failure(b, EV)
    assert alternative_suppliers(a, RARE_EARTHS, CHINA) == alternative_suppliers(b, RARE_EARTHS, CHINA)
    on = date(2025, 12, 1)
    assert restriction_impact(a, on, control=NO_18) == restriction_impact(b, on, control=NO_18)
    scenario = Scenario(remove_countries=(CHINA,), cap_country=v.ID + "country/AUS", cap_share=0.1)
    assert run_scenario(a, scenario) == run_scenario(b, scenario)


def test_the_writer_stores_the_model_and_a_reader_gets_the_same_numbers(store: SnapshotStore) -> None:
    assert prepare_model(store) is True
    assert (_directory(store) / MODEL / "meta.json").is_file()
    assert prepare_model(store) is False  # stored already
    stored = read_model(_directory(store))
    assert stored is not None
    reader = SnapshotStore(store.location, builders=artifact_builders())  # a server's own view of the store
    read = analysis_for(reader)
    assert isinstance(read.facts, StoredFacts)  # read back, not built
    assert [f for f in FIELDS if f in dir(read.facts) and _is_set(read.facts, f)] == []  # no field read yet
    _same(read, _from_frames(store))


def _is_set(facts: StoredFacts, name: str) -> bool:
    try:
        object.__getattribute__(facts, name)
    except AttributeError:
        return False
    return True


def test_stored_facts_copy_into_plain_facts(store: SnapshotStore) -> None:
    prepare_model(store)
    stored = read_model(_directory(store))
    assert stored is not None
    copied = stored.facts.copy()
    assert type(copied) is not StoredFacts
    assert copied == read_facts(index_for(store, store.open_current()).frames())


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("meta.json", b""),
        ("meta.json", b"not json"),
        ("meta.json", b'{"format": 1}'),  # another format
        ("matrix_data.npy", b"torn"),
        ("facts/bom.pickle", b""),
    ],
)
def test_a_damaged_or_foreign_model_is_rebuilt_from_the_frames(store: SnapshotStore, name: str, damage: bytes) -> None:
    assert prepare_model(store) is True
    path = _directory(store) / MODEL / name
    path.write_bytes(damage)
    assert read_model(_directory(store)) is None
    reader = SnapshotStore(store.location, builders=artifact_builders())
    _same(analysis_for(reader), _from_frames(store))
    assert read_model(_directory(store)) is not None  # the reader stored what it built


def test_a_server_waits_for_a_live_writer_building_the_model(store: SnapshotStore) -> None:
    directory = _directory(store)
    (directory / BUILDING).parent.mkdir(exist_ok=True)
    # Another live process on this host (not our child, which would linger as a zombie) holds the marker.
    launched = time.monotonic()
    holder = subprocess.run(["sh", "-c", "sleep 1.5 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True)
    pid = int(holder.stdout)
    (directory / BUILDING).write_text(f"{socket.gethostname()} {pid}")
    assert wait_for_writer(directory) is None  # the holder died without writing a model
    # It returned because the holder died, having waited out its whole life. Timed from the launch, not
    # from the marker, since a busy machine may take any share of the 1.5 s before the marker is written.
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert time.monotonic() - launched >= 1.5


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
