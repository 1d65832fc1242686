"""The real ``supplygraph serve`` process, started as ``make run`` starts it, shared by the web tests that need it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.served import serve_sample

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
    directory = tmp_path_factory.mktemp("served")
    with serve_sample(directory, SUPPLYGRAPH_MAX_ROWS="2000", SUPPLYGRAPH_WRITE_TOKEN=WRITE_TOKEN) as url:
        yield Served(url, directory / "store", WRITE_TOKEN)


@pytest.fixture
def server(served: Served) -> str:
    """The served process's base URL."""
    return served.url
