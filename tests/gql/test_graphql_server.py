"""Smoke test: a real uvicorn server on 127.0.0.1, queried with the gql client over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXTransport

from service.store import MemoryStore
from tests.support.live import serve


@pytest.fixture
def server_url(store: MemoryStore) -> Iterator[str]:
    # The shared helper waits until uvicorn has started (and fails clearly if it does not), however slow the machine.
    with serve(store) as url:
        yield url + "/graphql"


def test_gql_client_against_uvicorn(server_url: str) -> None:
    # The first request builds the store's index: a generous timeout, as on a busy machine it is slow.
    client = Client(transport=HTTPXTransport(url=server_url, timeout=60), fetch_schema_from_transport=False)
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
