"""One smoke test against a real uvicorn server on 127.0.0.1, with a real HTTP client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_url(store: MemoryStore) -> Iterator[str]:
    port = free_port()
    settings = Settings(store=":memory:", log_level="warning", port=port)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_health_over_real_http(live_url: str, store: MemoryStore) -> None:
    response = httpx.get(live_url + "/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["snapshot"] == store.current_id()
