"""The real ``supplygraph serve`` process on the sample graph, started as ``make run`` starts it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.support.live import free_port, serve_process

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
    command = [*cli, "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)]
    environment = {**os.environ, "SUPPLYGRAPH_LOG_LEVEL": "warning", **env}
    with serve_process(command, f"http://127.0.0.1:{port}", cwd=ROOT, env=environment) as url:
        yield url
