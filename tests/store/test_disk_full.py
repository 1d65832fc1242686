"""A full disk: the write answers 507, names no server path, and the store stays as it was.

The disk is a small tmpfs; mounting one needs root, so the test is skipped (and says so) elsewhere.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from service.backend import artifact_builders
from service.settings import Settings
from service.store import SnapshotStore
from service.web.app import create_app

TOKEN = "a-long-enough-token-0123"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root), so the full-disk test does not run")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_answers_507_and_keeps_the_store(small_disk: Path) -> None:
    store = SnapshotStore(small_disk / "store", builders=artifact_builders())
    with store.write("first") as writer:
        writer.load(b"<http://e/a> <http://e/p> <http://e/b> .\n", "ntriples", "http://e/g")
    before = (store.current_id(), store.open_current().triple_count())
    body = "".join(f'<http://e/s{n}> <http://e/p> "{"x" * 60}{n}" .\n' for n in range(80_000)).encode()
    settings = Settings(store=str(store.root), log_level="warning", write_token=TOKEN, sparql_workers=1)
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as client:
        response = client.put(
            "/store",
            params={"graph": "http://e/big"},
            content=body,
            headers={"content-type": "application/n-triples", "authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 507, response.text
    assert str(small_disk) not in response.text and ".sst" not in response.text
    assert (store.current_id(), store.open_current().triple_count()) == before
