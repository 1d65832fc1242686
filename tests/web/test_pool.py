"""Runaway queries against a real server on a snapshot store: deadlines kill workers, health stays fast."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.store import MemoryStore, SnapshotStore
from tests.support.live import serve

GRAPH = "http://example.org/g"
P = "http://example.org/p"


def _chain_query(hops: int) -> str:
    # A naive multi-hop join over a random graph: each extra hop multiplies the work by ~10.
    pattern = " . ".join(f"?x{i} <{P}> ?x{i + 1}" for i in range(hops))
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"


RUNAWAY = _chain_query(8)  # minutes of work
SLOW = _chain_query(4)  # a few hundred milliseconds


def _dense_graph(nodes: int = 100, fanout: int = 10) -> bytes:
    rng = random.Random(1)
    lines = [
        f"<http://example.org/n{i}> <{P}> <http://example.org/n{rng.randrange(nodes)}> ."
        for i in range(nodes)
        for _ in range(fanout)
    ]
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def snapshot_store(tmp_path_factory: pytest.TempPathFactory) -> SnapshotStore:
    store = SnapshotStore(tmp_path_factory.mktemp("pool"))
    with store.write("dense graph") as writer:
        writer.load(_dense_graph(), "ntriples", GRAPH)
    return store


@pytest.fixture(scope="module")
def base(snapshot_store: SnapshotStore) -> Iterator[str]:
    with serve(snapshot_store, sparql_workers=2, query_timeout=1.0, max_query_timeout=30.0) as url:
        yield url


def _wait_for_queries_in_flight(url: str, count: int) -> None:
    """Wait until ``/metrics`` shows ``count`` SPARQL queries running or waiting (60 s at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"^supplygraph_sparql_queries_in_flight (\S+)$", httpx.get(url + "/metrics").text, re.M)
        if found and float(found[1]) == count:
            return
        time.sleep(0.01)
    raise AssertionError(f"/metrics never showed {count} queries in flight")


def test_runaway_queries_get_504_while_health_stays_fast(base: str) -> None:
    results: list[httpx.Response] = []
    health_times: list[float] = []
    graphql_times: list[float] = []
    done = threading.Event()

    def runaway() -> None:
        results.append(httpx.get(base + "/sparql", params={"query": RUNAWAY, "timeout": "1"}, timeout=30))

    def poll_health() -> None:
        with httpx.Client(base_url=base, timeout=5) as client:
            while not done.is_set():
                started = time.perf_counter()
                assert client.get("/health").status_code == 200
                health_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                answer = client.post("/graphql", json={"query": '{ country(code: "CN") { label } }'})
                assert answer.status_code == 200 and "errors" not in answer.json()
                graphql_times.append(time.perf_counter() - started)
                time.sleep(0.05)

    started = time.perf_counter()
    queries = [threading.Thread(target=runaway) for _ in range(3)]
    poller = threading.Thread(target=poll_health)
    poller.start()
    for thread in queries:
        thread.start()
    for thread in queries:
        thread.join(30)
    done.set()
    poller.join(10)
    elapsed = time.perf_counter() - started

    assert len(results) == 3
    for response in results:
        assert response.status_code == 504
        body = response.json()
        assert body["ok"] is False and body["status"] == 504
        assert "deadline" in body["error"]
    assert elapsed < 10, "the deadline must stop the queries, not wait for them"
    assert len(health_times) >= 5
    # A loop blocked by a runaway query would stall for the whole query (tens of
    # seconds without a deadline); bounds relative to the 1 s deadline prove it is
    # not, with room for a noisy two-core machine.
    assert max(health_times) < 1.0, f"health was slow: {max(health_times):.3f} s"
    assert len(graphql_times) >= 5
    assert max(graphql_times) < 2.0, f"GraphQL was slow: {max(graphql_times):.3f} s"

    # The pool replaced the killed workers and serves normal queries again.
    response = httpx.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }", "timeout": "20"}, timeout=30)
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_timeout_parameter_is_capped_and_validated(base: str) -> None:
    response = httpx.get(base + "/sparql", params={"query": "ASK {}", "timeout": "soon"})
    assert response.status_code == 400
    assert httpx.get(base + "/sparql", params={"query": "ASK {}", "timeout": "9999"}, timeout=30).status_code == 200


def test_workers_move_to_a_new_snapshot_without_dropping_queries(base: str, snapshot_store: SnapshotStore) -> None:
    slow: list[httpx.Response] = []
    thread = threading.Thread(
        target=lambda: slow.append(httpx.get(base + "/sparql", params={"query": SLOW, "timeout": "25"}, timeout=30))
    )
    thread.start()
    _wait_for_queries_in_flight(base, 1)  # the slow query is running on the old snapshot
    with snapshot_store.write("add a marker") as writer:
        writer.load(b'<http://example.org/marker> <http://example.org/p> "1" .', "ntriples", "http://example.org/h")
    thread.join(30)
    assert slow and slow[0].status_code == 200, slow[0].text if slow else "no response"
    marker = "ASK { <http://example.org/marker> ?p ?o }"
    for _ in range(2):  # both workers see the new snapshot
        response = httpx.get(base + "/sparql", params={"query": marker, "timeout": "20"}, timeout=30)
        assert response.json()["boolean"] is True
        assert response.headers["x-supplygraph-snapshot"] == snapshot_store.current_id()


def test_concurrency_cap_answers_429(tmp_path: Path) -> None:
    store = MemoryStore()
    with store.write() as writer:
        writer.load(_dense_graph(40, 5), "ntriples", GRAPH)
    # About a second of work here: a memory-mode query cannot be killed, so it must end on its own.
    query = _chain_query(7)
    with serve(store, sparql_workers=1, max_concurrent_queries=1, query_timeout=0.5) as url:
        held: list[httpx.Response] = []
        first = threading.Thread(
            target=lambda: held.append(httpx.get(url + "/sparql", params={"query": query, "timeout": "60"}, timeout=90))
        )
        first.start()
        # The second query is sent once the first holds the only slot, and not after a guess of when it does.
        _wait_for_queries_in_flight(url, 1)
        second = httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=10)
        first.join(90)
        assert second.status_code == 429
        assert second.json()["status"] == 429
        assert held and held[0].status_code == 200, held[0].text if held else "no response"
        # In memory mode the deadline still answers on time, with the same clean error.
        late = httpx.get(url + "/sparql", params={"query": query}, timeout=10)
        assert late.status_code == 504 and late.json()["status"] == 504
