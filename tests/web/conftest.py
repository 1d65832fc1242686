"""The real ``supplygraph serve`` process, started as ``make run`` starts it, shared by the web tests that need it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.live import free_port

ROOT = Path(__file__).parents[2]
WRITE_TOKEN = "served-write-token-0123456789"


@dataclass(frozen=True)
class Served:
    """A running server: its base URL, its store directory and the write token it accepts."""

    url: str
    store: Path
    token: str

    def state(self) -> tuple[str, int]:
        """What must not change under abuse: the ``CURRENT`` pointer and the triple count."""
        triples = httpx.get(self.url + "/health", timeout=10).json()["triples"]
        return (self.store / "CURRENT").read_text(), triples


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``make run``'s commands (sample loaded, uvicorn with uvloop), a row cap of 2,000 and a write token."""
    store = tmp_path_factory.mktemp("served") / "store"
    cli = [sys.executable, "-m", "service.cli"]
    subprocess.run([*cli, "load", "--sample", "--if-empty", "--store", str(store)], check=True, cwd=ROOT, timeout=240)
    port = free_port()
    env = {
        **os.environ,
        "SUPPLYGRAPH_MAX_ROWS": "2000",
        "SUPPLYGRAPH_LOG_LEVEL": "warning",
        "SUPPLYGRAPH_WRITE_TOKEN": WRITE_TOKEN,
    }
    process = subprocess.Popen(
        [*cli, "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("supplygraph serve did not come up")
        yield Served(url, store, WRITE_TOKEN)
    finally:
        process.terminate()
        process.wait(30)


@pytest.fixture
def server(served: Served) -> str:
    """The served process's base URL."""
    return served.url
