"""Limits every request meets, and the headers every HTML page carries."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from service.settings import Settings
from service.store import MemoryStore
from service.web.app import create_app


@pytest.fixture
def small(store: MemoryStore) -> Iterator[TestClient]:
    settings = Settings(store=":memory:", log_level="warning", max_body_bytes=1000)
    with TestClient(create_app(settings, store)) as client:
        yield client


def test_graphql_bodies_meet_the_body_cap(small: TestClient) -> None:
    big = '{"query": "{ __typename }", "padding": "' + "x" * 5000 + '"}'
    declared = small.post("/graphql", content=big, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and "limit of 1000" in declared.json()["error"]

    def chunks() -> Iterator[bytes]:
        yield big[:600].encode()
        yield big[600:].encode()

    streamed = small.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert small.post("/graphql", json={"query": "{ __typename }"}).json() == {"data": {"__typename": "Query"}}


def test_too_many_or_too_large_headers_are_refused(small: TestClient) -> None:
    many = {f"x-h{n}": "1" for n in range(150)}
    assert small.get("/health", headers=many).status_code == 431
    assert small.get("/health", headers={"x-big": "y" * 20_000}).status_code == 431
    assert small.get("/health").status_code == 200


@pytest.mark.parametrize("path", ["/", "/sparql", "/queries", "/queries/suppliers_of", "/graphql"])
def test_html_pages_carry_security_headers(small: TestClient, path: str) -> None:
    response = small.get(path, headers={"accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    # Scripts only from the service's own files: no inline script, no eval, no other host.
    assert "script-src 'self';" in policy
    scripts = re.findall(r"<script\b([^>]*)>", response.text)
    assert all(re.search(r'\bsrc="/static/', attrs) for attrs in scripts), scripts
    assert response.headers["x-frame-options"] == "DENY" and response.headers["x-content-type-options"] == "nosniff"
