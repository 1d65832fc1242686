"""A real uvicorn server on 127.0.0.1 in a thread, for tests that need real HTTP and real clients."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from service.settings import Settings
from service.store import AnyStore
from service.web.app import create_app


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_app(app: Starlette, port: int) -> Iterator[str]:
    """Run ``app`` under uvicorn on ``port`` until the block exits; yield its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        raise RuntimeError("the test server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@contextlib.contextmanager
def serve(store: AnyStore, **settings: object) -> Iterator[str]:
    """Serve ``store`` with ``settings`` overrides on a free port; yield the base URL."""
    port = free_port()
    options = {"store": ":memory:", "log_level": "warning", "port": port, **settings}
    with serve_app(create_app(Settings(**options), store), port) as url:  # type: ignore[arg-type]
        yield url


@contextlib.contextmanager
def serve_process(command: list[str], url: str, **popen: Any) -> Iterator[str]:
    """Run a `supplygraph serve` ``command`` until the block exits; yield ``url`` once /health answers."""
    process = subprocess.Popen(command, **popen)
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
