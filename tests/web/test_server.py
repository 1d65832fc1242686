"""One smoke test against a real uvicorn server on 127.0.0.1, with a real HTTP client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from service.store import MemoryStore
from tests.support.live import serve


@pytest.fixture
def live_url(store: MemoryStore) -> Iterator[str]:
    # The shared helper waits until uvicorn has started (and fails clearly if it does not), however slow the machine.
    with serve(store) as url:
        yield url


def test_health_over_real_http(live_url: str, store: MemoryStore) -> None:
    response = httpx.get(live_url + "/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["snapshot"] == store.current_id()
