"""The real ``supplygraph serve`` process on the sample graph, started as ``make run`` starts it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.support.live import free_port

ROOT = Path(__file__).parents[2]


@contextlib.contextmanager
def serve_sample(directory: Path, **env: str) -> Iterator[str]:
    """Load the sample graph into a store under ``directory``, serve it on a free loopback port, yield its URL.

    ``env`` adds ``SUPPLYGRAPH_*`` settings; raises :class:`RuntimeError` if the server does not come up.
    """
    store = directory / "store"
    cli = [sys.executable, "-m", "service.cli"]
    subprocess.run([*cli, "load", "--sample", "--if-empty", "--store", str(store)], check=True, cwd=ROOT, timeout=240)
    port = free_port()
    process = subprocess.Popen(
        [*cli, "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "SUPPLYGRAPH_LOG_LEVEL": "warning", **env},
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
            raise RuntimeError("supplygraph serve did not come up")
        yield url
    finally:
        process.terminate()
        process.wait(30)
