"""A real Oxigraph server (``oxigraph serve``) on 127.0.0.1, and remote stores over it.

The server runs once per session with a temporary database; each test
starts from an empty engine (``CLEAR ALL``) and a fresh local state directory.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.config import Environ

from service.backend import open_configured
from service.settings import Settings
from service.store import RemoteStore
from tests.support.live import free_port


def _oxigraph() -> str | None:
    found = Path(sys.executable).parent / "oxigraph"
    return str(found) if found.is_file() else shutil.which("oxigraph")


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running ``oxigraph serve``; skipped (with the reason) when the binary is missing."""
    binary = _oxigraph()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph serve did not come up")
        yield url
    finally:
        process.terminate()
        process.wait(30)


def engine_env(engine: str) -> dict[str, str]:
    """The environment that points supplygraph at ``engine``."""
    return {
        "SUPPLYGRAPH_SPARQL_ENDPOINT": engine + "/query",
        "SUPPLYGRAPH_UPDATE_ENDPOINT": engine + "/update",
        "SUPPLYGRAPH_GSP_ENDPOINT": engine + "/store",
    }


@pytest.fixture
def remote_settings(engine: str, tmp_path: Path) -> Settings:
    """Settings for an emptied engine and a fresh state directory (no polling delay)."""
    httpx.post(engine + "/update", data={"update": "CLEAR ALL"}, timeout=30).raise_for_status()
    overrides = {"store": str(tmp_path / "state"), "remote_poll": 0.0, "log_level": "warning"}
    return Settings.from_env(overrides, env=Environ(engine_env(engine)))


@pytest.fixture
def remote(remote_settings: Settings) -> Iterator[RemoteStore]:
    """A remote store over the emptied engine."""
    store = open_configured(remote_settings)
    assert isinstance(store, RemoteStore)
    yield store
    store.close()
