"""Smoke test: a real uvicorn server on 127.0.0.1, queried with the gql client over HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXTransport

from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server_url(settings: Settings, store: MemoryStore) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(create_app(settings, store), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_gql_client_against_uvicorn(server_url: str) -> None:
    client = Client(transport=HTTPXTransport(url=server_url), fetch_schema_from_transport=False)
    request = GraphQLRequest(
        """
        query ChineseRareEarths($country: String!) {
          dependents(materialClass: "https://w3id.org/supplygraph/id/class/rare-earths", country: $country, first: 2) {
            totalCount
            edges { node { label } path { steps { entity { label } via } } }
            pageInfo { hasNextPage endCursor }
          }
        }
        """,
        variable_values={"country": "CN"},
    )
    with client as session:
        result = session.execute(request)
    page = result["dependents"]
    assert page["totalCount"] == 7 and page["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["label"] for e in page["edges"]] == ["Drone motor", "NdFeB magnet"]
    assert page["edges"][0]["path"]["steps"][-1]["entity"]["label"] == "China"
