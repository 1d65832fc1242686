"""A real external engine on 127.0.0.1, and remote stores over it.

``oxigraph serve`` by default (the ``oxigraph`` package is a test
dependency); ``SUPPLYGRAPH_TEST_ENGINE=virtuoso`` runs the same tests against
Virtuoso (``make test-engines``).  The engine runs once per session with a
temporary database; each test starts from an engine without the tests'
graphs and a fresh local state directory.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.config import Environ

from service.backend import open_configured
from service.settings import Settings
from service.store import RemoteStore
from tests.remote.engines import Engine, oxigraph, oxigraph_binary, virtuoso


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The running engine; skipped, with the reason, when its binary is missing."""
    name = os.environ.get("SUPPLYGRAPH_TEST_ENGINE", "oxigraph")
    directory = tmp_path_factory.mktemp(name)
    if name == "virtuoso":
        binary = shutil.which("virtuoso-t")
        if binary is None or shutil.which("isql-vt") is None:
            pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource, or make test-engines)")
        with virtuoso(binary, directory) as running:
            yield running
        return
    found = oxigraph_binary()
    if found is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    with oxigraph(found, directory) as running:
        yield running


@pytest.fixture
def remote_settings(engine: Engine, tmp_path: Path) -> Settings:
    """Settings for an emptied engine and a fresh state directory (no polling delay)."""
    engine.empty()
    overrides = {"store": str(tmp_path / "state"), "remote_poll": 0.0, "log_level": "warning"}
    return Settings.from_env(overrides, env=Environ(engine.env()))


@pytest.fixture
def remote(remote_settings: Settings) -> Iterator[RemoteStore]:
    """A remote store over the emptied engine."""
    store = open_configured(remote_settings)
    assert isinstance(store, RemoteStore)
    yield store
    store.close()
