"""A damaged store is never served or written as if it were whole; it says what is wrong and how to recover."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from service.backend import artifact_builders
from service.cli import cli
from service.settings import Settings
from service.store import SnapshotStore, StoreDamaged
from service.web.app import create_app

DATA = b"<http://e/a> <http://e/p> <http://e/b> .\n"


def _store(tmp_path: Path, writes: int = 2) -> SnapshotStore:
    store = SnapshotStore(tmp_path / "store", keep=5, builders=artifact_builders())
    for n in range(writes):
        with store.write(f"write {n}") as writer:
            writer.load(DATA + f'<http://e/n{n}> <http://e/p> "{n}" .\n'.encode(), "ntriples", f"http://e/g{n}")
    return store


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "CURRENT is empty"),
        (b"\xff\xfe\x00garbage", "CURRENT is not text"),
        (b"../../etc", "CURRENT does not hold a snapshot id"),
        (b"20991231T000000000000-000099", "which is not in snapshots/"),
    ],
)
def test_a_damaged_pointer_stops_readers_and_writers(tmp_path: Path, content: bytes, words: str) -> None:
    store = _store(tmp_path)
    newest = store.current_id()
    (store.root / "CURRENT").write_bytes(content)
    with pytest.raises(StoreDamaged) as caught:
        store.open_current()
    assert words in caught.value.message and f"supplygraph store use {newest}" in caught.value.message
    before = sorted(p.name for p in store.snapshots_dir.iterdir())
    with pytest.raises(StoreDamaged), store.write("never") as writer:
        writer.load(DATA, "ntriples", "http://e/x")
    assert sorted(p.name for p in store.snapshots_dir.iterdir()) == before  # nothing started from empty
    assert str(tmp_path) not in caught.value.message  # no absolute path reaches a client


def test_a_missing_pointer_with_snapshots_is_damage_not_an_empty_store(tmp_path: Path) -> None:
    store = _store(tmp_path)
    (store.root / "CURRENT").unlink()
    with pytest.raises(StoreDamaged, match="CURRENT is missing but the store has snapshots"):
        store.current_id()


def test_store_use_repairs_and_verify_reports(tmp_path: Path) -> None:
    store = _store(tmp_path)
    newest = store.current_id()
    assert newest is not None
    (store.root / "CURRENT").write_text("")
    runner = CliRunner()
    verify = runner.invoke(cli, ["store", "verify", "--store", str(store.root)])
    assert verify.exit_code == 1 and "CURRENT: damaged" in verify.output and f"{newest}  intact" in verify.output
    used = runner.invoke(cli, ["store", "use", newest, "--store", str(store.root)])
    assert used.exit_code == 0, used.output
    assert store.current_id() == newest and store.open_current().triple_count() == 4
    assert runner.invoke(cli, ["store", "verify", "--store", str(store.root)]).exit_code == 0


def test_a_corrupt_meta_json_is_named_and_health_says_unavailable(tmp_path: Path) -> None:
    store = _store(tmp_path)
    current = store.current_id()
    (store.snapshot_dir(str(current)) / "meta.json").write_text('{"id": "x", "triples": -1')
    with pytest.raises(StoreDamaged, match=f"snapshots/{current}/meta.json is not valid JSON"):
        store.current_info()
    settings = Settings(store=str(store.root), log_level="warning", sparql_workers=1)
    with TestClient(create_app(settings, store)) as client:
        response = client.get("/health")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"
    assert str(tmp_path) not in response.text


def test_a_meta_json_that_contradicts_itself_is_damage(tmp_path: Path) -> None:
    store = _store(tmp_path)
    current = str(store.current_id())
    meta = store.snapshot_dir(current) / "meta.json"
    meta.write_text(meta.read_text().replace('"triples": 4', '"triples": 1'))  # fewer than its graphs hold
    with pytest.raises(StoreDamaged, match="contradicts itself"):
        store.info(current)


def test_a_truncated_index_file_makes_health_degraded(tmp_path: Path) -> None:
    store = _store(tmp_path)
    array = store.snapshot_dir(str(store.current_id())) / "index" / "node_kind.npy"
    array.write_bytes(array.read_bytes()[:-2])
    settings = Settings(store=str(store.root), log_level="warning", sparql_workers=1)
    with TestClient(create_app(settings, store)) as client:
        body = client.get("/health").json()
    assert body["status"] == "degraded" and any("index/node_kind.npy is" in p for p in body["problems"]), body


def test_gc_keeps_the_newest_intact_snapshot(tmp_path: Path) -> None:
    store = _store(tmp_path, writes=3)
    first = store.snapshots()[0].id
    store.use(first)  # an operator went back to the oldest snapshot
    latest = store.snapshots()[-1].id
    (store.snapshot_dir(latest) / "index" / "dep_ptr.npy").unlink()  # and the newest is damaged
    store.keep = 1
    store.gc()
    left = {s.id for s in store.snapshots()}
    assert first in left and len(left) >= 2  # the current one and the newest intact one survive


def test_snapshot_files_reach_the_disk_before_the_pointer_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.store.snapshots as snapshots

    store = _store(tmp_path, writes=1)
    seen: list[tuple[str, str | None]] = []
    real = snapshots.sync_tree

    def spy(path: Path) -> None:
        seen.append((path.name, store.current_id()))
        real(path)

    monkeypatch.setattr(snapshots, "sync_tree", spy)
    before = store.current_id()
    with store.write("synced") as writer:
        writer.load(DATA, "ntriples", "http://e/s")
    assert seen == [(str(store.current_id()), before)]  # synced while CURRENT still named the parent


def test_verify_count_finds_a_wrong_but_consistent_triple_count(tmp_path: Path) -> None:
    store = _store(tmp_path)
    current = str(store.current_id())
    meta = store.snapshot_dir(current) / "meta.json"
    meta.write_text(meta.read_text().replace('"triples": 4', '"triples": 9'))  # consistent with its graphs, wrong
    assert store.verify()[current] == []  # the cheap checks cannot see it
    assert "meta.json says 9 triples; the database holds 4" in " ".join(store.verify(count=True)[current])
    result = CliRunner().invoke(cli, ["store", "verify", "--count", "--store", str(store.root)])
    assert result.exit_code == 1 and "the database holds 4" in result.output


def test_kill_9_at_the_pointer_switch_leaves_the_previous_snapshot_current(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = tmp_path / "store"
    script = f"""
import os, signal
import service.store.snapshots as snapshots
from service.store import SnapshotStore
store = SnapshotStore({str(root)!r})
with store.write("first") as w:
    w.load(b"<http://e/a> <http://e/p> <http://e/b> .", "ntriples", "http://e/g")
real = snapshots.write_atomic
def dying(path, text):
    if path.name == "CURRENT":
        os.kill(os.getpid(), signal.SIGKILL)  # the snapshot is written and synced; the pointer never moves
    real(path, text)
snapshots.write_atomic = dying
with store.write("second") as w:
    w.load(b"<http://e/c> <http://e/p> <http://e/d> .", "ntriples", "http://e/g2")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == -9, done.stderr
    store = SnapshotStore(root)
    first = store.snapshots()[0].id
    assert store.current_id() == first and store.open_current().triple_count() == 1
    with store.write("after the crash") as writer:
        writer.load(DATA, "ntriples", "http://e/g3")
    assert store.current_id() != first and store.open_current().triple_count() == 2


def test_serve_refuses_to_start_on_a_damaged_store(tmp_path: Path) -> None:
    store = _store(tmp_path)
    (store.root / "CURRENT").write_text("")
    settings = Settings(store=str(store.root), log_level="warning", sparql_workers=1)
    with pytest.raises(StoreDamaged, match="CURRENT is empty"), TestClient(create_app(settings, store)):
        pass


@pytest.mark.parametrize(
    "path", ["/sparql?query=ASK%7B%7D", "/graphql?query=%7B__typename%7D", "/queries/controls_in_force?date=2025-01-01"]
)
def test_a_store_damaged_while_serving_answers_503(tmp_path: Path, path: str) -> None:
    store = _store(tmp_path)
    settings = Settings(store=str(store.root), log_level="warning", sparql_workers=1)
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
        (store.root / "CURRENT").write_text("")
        response = client.get(path, headers={"accept": "application/json"})
    assert response.status_code == 503, response.text
    assert "CURRENT is empty" in response.text and str(tmp_path) not in response.text
