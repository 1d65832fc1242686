"""Shared fixtures: settings, a real in-memory store loaded from tests/data, and a client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from starlette.testclient import TestClient

from service.backend import artifact_builders
from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app

DATA = Path(__file__).parent / "data"

# Generated examples are judged by what they show, never by how fast this machine makes them: Hypothesis's
# per-example deadline and its "generation is too slow" check fail on a busy shared machine, not on a bug.
hypothesis_settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("suite")


@pytest.fixture
def settings() -> Settings:
    return Settings(store=":memory:", log_level="warning")


@pytest.fixture
def store() -> MemoryStore:
    """An in-memory store with every ``tests/data/*.ttl`` file, one dataset each."""
    from loaders.base import RdfLoader, run

    memory = MemoryStore(artifact_builders())
    for path in sorted(DATA.glob("*.ttl")):
        run(memory, path.stem, RdfLoader([path]))
    return memory


@pytest.fixture
def client(settings: Settings, store: MemoryStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def sample_store() -> MemoryStore:
    """The bundled ontology and sample graph, loaded as ``make run`` loads them (read-only use)."""
    from loaders.base import RdfLoader, run
    from loaders.sample import ONTOLOGY_FILES, SAMPLE_FILES

    memory = MemoryStore(artifact_builders())
    run(memory, "ontology", RdfLoader(list(ONTOLOGY_FILES)))
    run(memory, "sample", RdfLoader(list(SAMPLE_FILES)))
    return memory
