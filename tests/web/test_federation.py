"""SERVICE is refused unless its endpoint is allowed: the server never fetches a URL a client names."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app
from service.web.federation import service_endpoints
from service.web.lexer import lex


@pytest.mark.parametrize(
    ("text", "endpoints"),
    [
        ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", ["http://x/sparql"]),
        ("select * { service silent <http://x/> { ?s ?p ?o } }", ["http://x/"]),
        ("SELECT * { SERVICE ?where { ?s ?p ?o } }", [None]),
        ('SELECT * { ?s ?p "SERVICE <http://x/>" }  # SERVICE <http://y/>', []),
        ("SELECT * { ?s <http://e/SERVICE> ?o }", []),
        ("SELECT ?SERVICE { ?SERVICE ?p ?o }", []),
    ],
)
def test_service_calls_are_found_where_sparql_sees_them(text: str, endpoints: list[str | None]) -> None:
    assert service_endpoints(lex(text)) == endpoints


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local port that records any connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(3)
    seen: list[bytes] = []

    def accept() -> None:
        try:
            conn, _ = server.accept()
            seen.append(conn.recv(100))
            conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    server.close()
    thread.join(5)


def test_service_is_refused_by_default_and_nothing_is_fetched(
    store: MemoryStore, listener: tuple[int, list[bytes]]
) -> None:
    port, seen = listener
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    with TestClient(create_app(Settings(store=":memory:", log_level="warning"), store)) as client:
        response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SUPPLYGRAPH_SERVICE_ENDPOINTS" in response.json()["error"] and str(port) not in response.json()["error"]
    assert seen == []


def test_an_allowed_prefix_lets_service_through(store: MemoryStore) -> None:
    settings = Settings(store=":memory:", log_level="warning", service_endpoints="http://127.0.0.1:9/")
    with TestClient(create_app(settings, store)) as client:
        allowed = client.get("/sparql", params={"query": "SELECT * { SERVICE SILENT <http://127.0.0.1:9/x> {} }"})
        other = client.get("/sparql", params={"query": "SELECT * { SERVICE <http://10.0.0.1/x> { ?s ?p ?o } }"})
    assert allowed.status_code == 200  # SILENT: the unreachable endpoint gives no rows, not an error
    assert other.status_code == 400 and "not allowed" in other.json()["error"]


def test_service_failures_look_the_same_whatever_the_remote_did(store: MemoryStore) -> None:
    """A closed port and a server answering an error page give one summary: no port map, no remote body."""
    import http.server

    class ErrorPage(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(500)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(b"<h1>internal admin console, secret=42</h1>")

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    remote = http.server.HTTPServer(("127.0.0.1", 0), ErrorPage)
    threading.Thread(target=remote.serve_forever, daemon=True).start()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()  # nothing listens there
    settings = Settings(store=":memory:", log_level="warning", service_endpoints="http://127.0.0.1:")
    try:
        with TestClient(create_app(settings, store)) as client:
            answers = [
                client.get(
                    "/sparql", params={"query": f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}"}
                )
                for port in (closed_port, remote.server_address[1])
            ]
    finally:
        remote.shutdown()
        remote.server_close()
    assert {a.status_code for a in answers} == {502}
    assert {a.json()["error"] for a in answers} == {"the SERVICE endpoint did not answer with results"}
    assert all("secret" not in a.text for a in answers)
