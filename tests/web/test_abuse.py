"""Abuse against the real server: each attack gets its status, changes nothing and never slows ``/health``.

Every case runs while a second client samples ``/health``; the case passes
when the attack got the expected status, ``CURRENT`` and the triple count are
what they were, and ``/health`` answered in under 100 ms at p99 throughout.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.graphql import nested_alliances
from tests.web.conftest import Served

JSON = {"content-type": "application/json"}


def _raw(served: Served, head: bytes, trickle: Iterable[bytes] = (), most: int = 100_000_000) -> int:
    """Send a raw request head, then more bytes until the server hangs up; the status it answered.

    The server must hang up within ``most`` bytes: a limit enforced only after
    the whole head is buffered would read all of it first.
    """
    host, port = served.url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        try:
            sock.sendall(head)
            for chunk in trickle:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server hung up on us: its answer is already in our receive buffer
        answer = sock.recv(4096)
    assert sent <= most, f"the server read {sent} bytes before refusing"
    return int(answer.split(b" ", 2)[1])


def _post_graphql(served: Served, query: str) -> httpx.Response:
    return httpx.post(served.url + "/graphql", json={"query": query}, timeout=30)


def _graphql_error(served: Served, query: str, words: str) -> int:
    response = _post_graphql(served, query)
    assert words in response.text, response.text[:300]
    return 400 if response.json().get("errors") else response.status_code


def _sparql(served: Served, words: str, token: str | None = None, **data: str) -> int:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(served.url + "/sparql", data=data, headers=headers, timeout=30)
    assert words in response.text, response.text[:300]
    return response.status_code


def _nested_update(levels: int) -> str:
    return (
        "INSERT DATA { GRAPH <http://e/g> "
        + "{" * levels
        + " <http://e/a> <http://e/p> <http://e/b> "
        + "}" * (levels + 1)
    )


_ENTITIES = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
    b'<rdf:Description rdf:about="http://e/x"><e:p>&b;</e:p></rdf:Description></rdf:RDF>'
)


def _streamed_body() -> Iterator[bytes]:
    for _ in range(100):
        yield b" " * 1_000_000


@dataclass(frozen=True)
class Abuse:
    name: str
    status: int
    attack: Callable[[Served], int]


ABUSES = [
    Abuse(
        "SERVICE to a loopback port",
        400,
        lambda s: _sparql(
            s, "SUPPLYGRAPH_SERVICE_ENDPOINTS", query="SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
        ),
    ),
    Abuse("GraphQL nested 9 levels", 400, lambda s: _graphql_error(s, nested_alliances(9), "cost")),
    Abuse(
        "declared 100 MB GraphQL body",
        413,
        lambda s: _raw(
            s,
            b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b"content-length: 100000000\r\n\r\n{",
        ),
    ),
    Abuse(
        "streamed 100 MB GraphQL body",
        413,
        lambda s: httpx.post(s.url + "/graphql", content=_streamed_body(), headers=JSON, timeout=60).status_code,
    ),
    Abuse(
        "a 100 MB header",
        431,
        lambda s: _raw(
            s, b"GET /health HTTP/1.1\r\nhost: x\r\nx-big: ", (b"y" * 100_000 for _ in range(1000)), most=20_000_000
        ),
    ),
    Abuse(
        "100,000 headers",
        431,
        lambda s: _raw(
            s, b"GET /health HTTP/1.1\r\nhost: x\r\n", (b"x-h: 1\r\n" * 1000 for _ in range(100)), most=20_000_000
        ),
    ),
    Abuse("101 small headers", 431, lambda s: _raw(s, b"GET /health HTTP/1.1\r\n" + b"x-h: 1\r\n" * 101 + b"\r\n")),
    Abuse(
        "an update nested 5,000 braces deep",
        400,
        lambda s: _sparql(s, "nests", token=s.token, update=_nested_update(5000)),
    ),
    Abuse(
        "an update without a token",
        401,
        lambda s: _sparql(s, "token", update="INSERT DATA { <http://e/a> <http://e/p> <http://e/b> }"),
    ),
    Abuse(
        "an update with a wrong token",
        403,
        lambda s: _sparql(s, "token", token="x" * 32, update="INSERT DATA { <http://e/a> <http://e/p> <http://e/b> }"),
    ),
    Abuse(
        "LOAD <file:…>",
        400,
        lambda s: _sparql(s, "supplygraph load", token=s.token, update="LOAD <file:///etc/passwd>"),
    ),
    Abuse(
        "RDF/XML entities",
        400,
        lambda s: (
            httpx.put(
                s.url + "/store",
                params={"graph": "http://e/g"},
                content=_ENTITIES,
                headers={"content-type": "application/rdf+xml", "authorization": f"Bearer {s.token}"},
                timeout=30,
            ).status_code
        ),
    ),
    Abuse(
        "invalid UTF-8 in a GraphQL string",
        400,
        lambda s: (
            httpx.post(
                s.url + "/graphql", content=b'{"query": "{ firm(id: \\"\xff\\") { label } }"}', headers=JSON
            ).status_code
        ),
    ),
    Abuse("a JSON null body", 400, lambda s: httpx.post(s.url + "/graphql", content=b"null", headers=JSON).status_code),
    Abuse("a lone surrogate id", 400, lambda s: _graphql_error(s, '{ firm(id: "urn:\\ud800") { label } }', "Unicode")),
    Abuse("concentration(top: -1)", 400, lambda s: _graphql_error(s, _concentration("rare-earths", "top: -1"), "top")),
    Abuse(
        "a javascript: IRI",
        400,
        lambda s: _graphql_error(s, _concentration("javascript:alert(1)", "top: 3"), "javascript"),
    ),
]


def _concentration(material: str, arguments: str) -> str:
    return f'{{ concentration(material: "{material}", {arguments}) {{ hhi }} }}'


class HealthSampler:
    """Times ``/health`` every 20 ms from its own client until stopped."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.timings: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self._stop.is_set() or len(self.timings) < 5:
                started = time.perf_counter()
                if client.get(self.url + "/health").status_code != 200:
                    self.failures += 1
                self.timings.append(time.perf_counter() - started)
                time.sleep(0.02)

    def __enter__(self) -> HealthSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def p99(self) -> float:
        ordered = sorted(self.timings)
        return ordered[max(0, int(len(ordered) * 0.99) - 1)]


@pytest.mark.parametrize("abuse", ABUSES, ids=[a.name for a in ABUSES])
def test_abuse_is_refused_changes_nothing_and_health_stays_fast(served: Served, abuse: Abuse) -> None:
    before = served.state()
    with HealthSampler(served.url) as health:
        status = abuse.attack(served)
    assert status == abuse.status
    assert served.state() == before
    assert health.failures == 0
    assert health.p99() < 0.1, sorted(health.timings)[-5:]
