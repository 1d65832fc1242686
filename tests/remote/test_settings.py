"""The external engine's settings: checked at startup, credentials from the environment or a file."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from starlette.config import Environ

from service.backend import open_configured
from service.errors import StoreError
from service.settings import Settings
from service.store import EndpointConfig, RemoteStore, SnapshotStore
from tests.remote.engines import Engine


def _settings(**env: str) -> Settings:
    return Settings.from_env(env=Environ({f"SUPPLYGRAPH_{k.upper()}": v for k, v in env.items()}))


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"sparql_endpoint": "ftp://e/q"}, "SUPPLYGRAPH_SPARQL_ENDPOINT"),
        ({"update_endpoint": "http://e/u"}, "SUPPLYGRAPH_UPDATE_ENDPOINT"),
        ({"sparql_endpoint": "http://e/q", "endpoint_timeout": "0"}, "SUPPLYGRAPH_ENDPOINT_TIMEOUT"),
        ({"endpoint_auth_file": "/nonexistent/secret"}, "SUPPLYGRAPH_ENDPOINT_AUTH_FILE"),
    ],
)
def test_bad_engine_settings_fail_at_startup_naming_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        _settings(**env)


def test_credentials_come_from_a_file_and_pick_the_scheme(tmp_path: Path) -> None:
    secret = tmp_path / "auth"
    secret.write_text("reader:s3cret\n")
    settings = _settings(sparql_endpoint="http://127.0.0.1:9/q", endpoint_auth_file=str(secret))
    assert settings.endpoint_auth == "reader:s3cret"
    basic = EndpointConfig("http://e/q", auth=settings.endpoint_auth).headers()
    assert basic == {"Authorization": "Basic " + base64.b64encode(b"reader:s3cret").decode()}
    assert EndpointConfig("http://e/q", auth="t0ken").headers() == {"Authorization": "Bearer t0ken"}


def test_no_endpoint_keeps_the_embedded_store(tmp_path: Path) -> None:
    assert isinstance(open_configured(Settings(store=str(tmp_path / "s"))), SnapshotStore)


def test_an_unreachable_engine_is_a_503_not_a_crash(tmp_path: Path) -> None:
    store = open_configured(Settings(store=str(tmp_path / "s"), sparql_endpoint="http://127.0.0.1:9/query"))
    assert isinstance(store, RemoteStore)
    with pytest.raises(StoreError, match="cannot be reached") as caught:
        store.current_id()
    assert caught.value.status == 503
    store.close()


def test_the_engine_sees_the_credentials(engine: Engine, remote_settings: Settings) -> None:
    seen: list[str] = []

    def record(request: httpx.Request) -> None:
        seen.append(request.headers.get("authorization", ""))

    store = open_configured(remote_settings.replace(endpoint_auth="a-bearer-token"))
    assert isinstance(store, RemoteStore)
    store.endpoint._client.event_hooks["request"].append(record)
    store.current_id()
    assert seen and set(seen) == {"Bearer a-bearer-token"}
    store.close()
