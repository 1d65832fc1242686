"""Shared fixtures: settings, an in-memory store loaded from tests/data, and a client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from service.app import create_app
from service.backend import artifact_builders
from service.settings import Settings
from service.store import MemoryStore

DATA = Path(__file__).parent / "data"


@pytest.fixture
def settings() -> Settings:
    return Settings(store=":memory:", log_level="warning")


@pytest.fixture
def store() -> MemoryStore:
    memory = MemoryStore(artifact_builders())
    with memory.write("tests") as writer:
        for path in sorted(DATA.glob("*.ttl")):
            writer.load(path, "turtle", f"https://w3id.org/supplygraph/graph/test-{path.stem}")
    return memory


@pytest.fixture
def client(settings: Settings, store: MemoryStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as test_client:
        yield test_client
