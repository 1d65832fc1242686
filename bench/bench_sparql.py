"""SPARQL over HTTP: ``/sparql`` (worker pool with deadlines) vs ``oxigraph serve``, point lookups.

Run: ``python -m bench.bench_sparql --triples 200000 --seconds 10 --clients 8``.
Both servers run as separate processes on 127.0.0.1 over the same N-Triples
file (loaded into one named graph, both with a union default graph), and the
same asyncio httpx client drives them with ``--clients`` concurrent
connections, each sending GET point lookups of a random subject.  The ratio is
our requests/s over Oxigraph's (goal: >= 0.6).  The machine is shared, so
numbers are noisy: compare ratios from one run, not absolute rates.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.common import write_ntriples
from service.store import SnapshotStore

GRAPH = "https://w3id.org/supplygraph/graph/bench"
ROOT = Path(__file__).resolve().parent.parent
OXIGRAPH = Path(sys.executable).with_name("oxigraph")
QUERY = "SELECT ?p ?o WHERE {{ <https://w3id.org/supplygraph/id/facility/f{n}> ?p ?o }}"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up")


@contextlib.contextmanager
def _process(args: list[str], ready_url: str, env: dict[str, str] | None = None) -> Iterator[None]:
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(ready_url)
        yield
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def ours(store_dir: Path, workers: int) -> Iterator[str]:
    """Serve ``store_dir`` with uvicorn (one process; ``workers`` query workers); yield the endpoint URL."""
    port = _port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SUPPLYGRAPH_STORE": str(store_dir),
        "SUPPLYGRAPH_LOG_LEVEL": "warning",
        "SUPPLYGRAPH_SPARQL_WORKERS": str(workers),
        "SUPPLYGRAPH_MAX_CONCURRENT_QUERIES": "256",
        "SUPPLYGRAPH_MAX_QUERIES_PER_CLIENT": "256",  # every load client comes from 127.0.0.1
    }
    args = [sys.executable, "-m", "uvicorn", "--factory", "service.web.app:app_from_env"]
    args += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    with _process(args, f"http://127.0.0.1:{port}/health", env):
        yield f"http://127.0.0.1:{port}/sparql"


@contextlib.contextmanager
def oxigraph(location: Path) -> Iterator[str]:
    """``oxigraph serve`` over ``location`` with a union default graph; yield its query URL."""
    port = _port()
    args = [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    with _process(args, f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"):
        yield f"http://127.0.0.1:{port}/query"


async def _drive(url: str, subjects: int, seconds: float, clients: int) -> tuple[int, int]:
    """Send point lookups from ``clients`` concurrent connections for ``seconds``; return (ok, failed)."""
    headers = {"accept": "application/sparql-results+json"}
    ok = failed = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30, headers=headers) as client:

        async def worker(seed: int) -> None:
            nonlocal ok, failed
            rng = random.Random(seed)
            while time.monotonic() < stop:
                response = await client.get(url, params={"query": QUERY.format(n=rng.randrange(subjects))})
                if response.status_code == 200 and b'"bindings":[{' in response.content.replace(b" ", b""):
                    ok += 1
                else:
                    failed += 1

        await asyncio.gather(*(worker(i) for i in range(clients)))
    return ok, failed


def _rate(url: str, subjects: int, seconds: float, clients: int) -> float:
    started = time.perf_counter()
    ok, failed = asyncio.run(_drive(url, subjects, seconds, clients))
    if failed:
        raise RuntimeError(f"{failed} lookups failed at {url}")
    return ok / (time.perf_counter() - started)


def measure(
    triples: int, seconds: float, clients: int, workdir: Path, workers: int = 2, rounds: int = 5
) -> dict[str, Any]:
    """Load ``triples`` synthetic triples into both servers and compare point-lookup throughput.

    Both servers run at once and are measured in alternating rounds of
    ``seconds / rounds``, so a burst of load from elsewhere on the machine
    hits both sides alike; the rates are totals over all rounds.
    """
    data = workdir / "data.nt"
    written = write_ntriples(data, triples)
    subjects = max(1, written // 5)
    store = SnapshotStore(workdir / "ours")
    with store.write("bench") as writer:
        writer.load(data, "ntriples", GRAPH)
    location = workdir / "oxigraph"
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(location), "--file", str(data), "--graph", GRAPH],
        check=True,
        capture_output=True,
    )
    window = seconds / rounds
    mine: list[float] = []
    theirs: list[float] = []
    with oxigraph(location) as their_url, ours(workdir / "ours", workers) as our_url:
        for url in (their_url, our_url):  # warm-up: connections, caches, worker start
            _rate(url, subjects, min(0.5, window), clients)
        for _ in range(rounds):
            theirs.append(_rate(their_url, subjects, window, clients))
            mine.append(_rate(our_url, subjects, window, clients))
    ours_rate = sum(mine) / rounds
    their_rate = sum(theirs) / rounds
    return {
        "triples": written,
        "clients": clients,
        "ours_req_per_s": round(ours_rate, 1),
        "oxigraph_req_per_s": round(their_rate, 1),
        "ratio": round(ours_rate / their_rate, 3),
        "round_ratios": [round(m / t, 2) for m, t in zip(mine, theirs, strict=True)],
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point; prints one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="query worker processes of our server")
    parser.add_argument("--rounds", type=int, default=5, help="alternating measurement rounds")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-sparql-"))
    try:
        row = measure(args.triples, args.seconds, args.clients, workdir, args.workers, args.rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(row))


if __name__ == "__main__":
    main()
