"""The HTTP shell: health, metrics, CORS, the error body, settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from service.errors import SupplyGraphError
from service.settings import SETTINGS, Settings
from service.store import MemoryStore
from service.web.app import create_app
from service.web.metrics import Metrics


def test_health_reports_snapshot_and_triples(client: TestClient, store: MemoryStore) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["snapshot"] == store.current_id()
    assert body["triples"] == store.open_current().triple_count() > 0


def test_landing_page_is_the_explorer_for_browsers_and_a_map_for_others(client: TestClient) -> None:
    assert "/graphql" in client.get("/").json()["endpoints"]
    assert "/graphql" in client.get("/", headers={"accept": "application/json"}).json()["endpoints"]
    page = client.get("/", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html") and page.headers["vary"] == "Accept"
    assert '<script type="module" src="/static/explorer/main.js">' in page.text
    script = client.get("/static/explorer/main.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


def test_metrics_count_requests(client: TestClient) -> None:
    client.get("/health")
    client.get("/health")
    text = client.get("/metrics").text
    assert 'supplygraph_http_requests_total{route="/health",method="GET",status="200"} 2' in text
    assert 'supplygraph_http_request_duration_seconds_count{route="/health"} 2' in text


def test_duration_buckets_count_every_request_at_or_below_their_bound() -> None:
    metrics = Metrics()
    for seconds in (0.001, 0.005, 0.02, 0.3, 100.0):
        metrics.observe("/sparql", "GET", 200, seconds)
    text = metrics.render()

    def bucket(le: str) -> int:
        return int(text.split(f'_bucket{{route="/sparql",le="{le}"}} ')[1].split()[0])

    assert [bucket(le) for le in ("0.005", "0.01", "0.025", "0.25", "0.5", "30.0", "+Inf")] == [2, 2, 3, 3, 4, 4, 5]
    assert 'supplygraph_http_request_duration_seconds_count{route="/sparql"} 5' in text


def test_cors_only_for_configured_origins(store: MemoryStore) -> None:
    settings = Settings(store=":memory:", log_level="warning", cors_origins="https://app.example")
    with TestClient(create_app(settings, store)) as client:
        allowed = client.get("/health", headers={"Origin": "https://app.example"})
        other = client.get("/health", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in other.headers


def test_error_body_shape(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error": "Not Found", "errors": ["Not Found"], "status": 404}


@pytest.mark.parametrize("error", [e for e in SupplyGraphError.__subclasses__() if e.__module__ == "service.errors"])
def test_every_error_class_has_a_status_and_body(error: type[SupplyGraphError]) -> None:
    if error.__name__ == "DataError":
        return
    exc = error("something went wrong")
    body = exc.body()
    assert set(body) == {"ok", "error", "errors", "status"}
    assert body["status"] == error.status and 400 <= error.status < 600


def test_settings_from_env_and_overrides() -> None:
    env = {"SUPPLYGRAPH_PORT": "9001", "SUPPLYGRAPH_GRAPHIQL": "false", "SUPPLYGRAPH_CORS_ORIGINS": "a, b"}
    settings = Settings.from_env({"host": "0.0.0.0"}, env=env)  # type: ignore[arg-type]
    assert (settings.port, settings.graphiql, settings.host) == (9001, False, "0.0.0.0")
    assert settings.cors_origin_list == ["a", "b"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SUPPLYGRAPH_PORT": "eighty"}, "SUPPLYGRAPH_PORT"),
        ({"SUPPLYGRAPH_PORT": "0"}, "SUPPLYGRAPH_PORT must be at least 1"),
        ({"SUPPLYGRAPH_QUERY_TIMEOUT": "500"}, "SUPPLYGRAPH_QUERY_TIMEOUT"),
        ({"SUPPLYGRAPH_LOG_FORMAT": "xml"}, "SUPPLYGRAPH_LOG_FORMAT"),
    ],
)
def test_bad_settings_fail_at_startup(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env=env)  # type: ignore[arg-type]


def test_settings_table_matches_dataclass() -> None:
    defaults = Settings()
    assert [s.name for s in SETTINGS] == list(Settings.__dataclass_fields__)
    for setting in SETTINGS:
        assert getattr(defaults, setting.name) == setting.default, setting.name


@pytest.mark.parametrize("token", ["short", "   ", "sixteen chars with spaces"])
def test_a_weak_or_blank_write_token_is_refused_at_startup(token: str) -> None:
    with pytest.raises(ValueError, match="SUPPLYGRAPH_WRITE_TOKEN must be at least 16 characters"):
        Settings.from_env(env={"SUPPLYGRAPH_WRITE_TOKEN": token})


def test_the_write_token_can_come_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("a-long-enough-token-0123\n")
    settings = Settings.from_env(env={"SUPPLYGRAPH_WRITE_TOKEN_FILE": str(path)})
    assert settings.write_token == "a-long-enough-token-0123"
    with pytest.raises(ValueError, match="SUPPLYGRAPH_WRITE_TOKEN_FILE"):
        Settings.from_env(env={"SUPPLYGRAPH_WRITE_TOKEN_FILE": str(tmp_path / "missing")})
