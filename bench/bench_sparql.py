"""SPARQL over HTTP: ``/sparql`` (worker pool with deadlines) vs ``oxigraph serve``, point lookups.

Run: ``python -m bench.bench_sparql --triples 200000 --seconds 10 --clients 8``.
Both servers run as separate processes on 127.0.0.1 over the same N-Triples
file (loaded into one named graph, both with a union default graph).  The load
comes from ``wrk`` (Debian package ``wrk``: ``apt-get install wrk``), never from
a Python client, which saturates before a fast server does: ``--clients``
connections on 2 threads, each request a GET point lookup of a random subject
among all of them (so no cache answers for the server), chosen by a Lua script.
Every answer must be a 200.  The ratio is our requests/s over Oxigraph's; the
same is measured for ``supplygraph serve --workers 2`` (two server processes
sharing the port and the memory-mapped snapshot) against one process.  The
machine is shared, so numbers are noisy: compare ratios from one run, not
absolute rates.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from bench.common import write_ntriples
from service.backend import artifact_builders
from service.store import SnapshotStore

GRAPH = "https://w3id.org/supplygraph/graph/bench"
ROOT = Path(__file__).resolve().parent.parent
OXIGRAPH = Path(sys.executable).with_name("oxigraph")
T = TypeVar("T")
QUERY = "SELECT ?p ?o WHERE { <https://w3id.org/supplygraph/id/facility/f{n}> ?p ?o }"


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
def ours(store_dir: Path, workers: int, processes: int = 1) -> Iterator[str]:
    """Serve ``store_dir`` with ``supplygraph serve`` (``processes`` server processes, each with ``workers`` query
    workers); yield the endpoint URL."""
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
    # Started as `make run` starts it: `supplygraph serve` (uvicorn, uvloop, the bounded HTTP protocol).
    args = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", str(processes)]
    with _process(args, f"http://127.0.0.1:{port}/health", env):
        yield f"http://127.0.0.1:{port}/sparql"


@contextlib.contextmanager
def oxigraph(location: Path) -> Iterator[str]:
    """``oxigraph serve`` over ``location`` with a union default graph; yield its query URL."""
    port = _port()
    args = [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    with _process(args, f"http://127.0.0.1:{port}/query?query=ASK%7B%7D"):
        yield f"http://127.0.0.1:{port}/query"


WRK_SCRIPT = """
local subjects = %(subjects)d
local path = "%(path)s"
math.randomseed(%(seed)d)
request = function()
  local n = math.random(0, subjects - 1)
  return wrk.format("GET", path .. "%(before)s" .. n .. "%(after)s", {["Accept"] = "%(accept)s"})
end
"""


def lookup_script(path: str, params: dict[str, str], accept: str, subjects: int) -> str:
    """The Lua of ``WRK_SCRIPT`` asking ``path?<params>``, where ``{n}`` (once, in one value) is a random subject."""
    encoded = "&".join(f"{name}={quote(value.replace('{n}', chr(0)), safe='')}" for name, value in params.items())
    before, after = encoded.split("%00")
    fields = {"subjects": subjects, "path": path, "seed": random.randrange(1 << 30), "accept": accept}
    return WRK_SCRIPT % (fields | {"before": f"?{before}", "after": after})


def wrk_binary() -> str:
    """The ``wrk`` executable; :class:`SystemExit` saying how to get it when it is missing."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (Debian), then run the benchmark again")
    return found


def run_wrk(base: str, script: Path, seconds: float, clients: int) -> str:
    """``wrk`` with ``script`` against ``base`` on ``clients`` connections (two threads at most); its output."""
    command = [wrk_binary(), f"-t{min(2, clients)}", f"-c{clients}", f"-d{max(1, round(seconds))}s", "-s", str(script)]
    return subprocess.run([*command, base], capture_output=True, text=True, check=True).stdout


def wrk_rate(out: str) -> float:
    """The requests per second in ``wrk``'s output."""
    found = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no rate in wrk's output: {out[-500:]!r}")
    return float(found.group(1))


def _rate(url: str, subjects: int, seconds: float, clients: int, workdir: Path) -> float:
    """Requests per second ``wrk`` gets from ``url``; :class:`RuntimeError` if any answer is not a 200."""
    host, _, path = url.removeprefix("http://").partition("/")
    script = workdir / "lookups.lua"
    script.write_text(lookup_script("/" + path, {"query": QUERY}, "application/sparql-results+json", subjects))
    out = run_wrk(f"http://{host}", script, seconds, clients)
    errors = [line for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    if errors:
        raise RuntimeError(f"{url}: {'; '.join(errors)}")
    return wrk_rate(out)


def prepare_ours(triples: int, workdir: Path) -> tuple[int, Path]:
    """The synthetic data written to ``workdir / "data.nt"`` and loaded into our store ``workdir / "ours"``.

    Returns the triples written and the N-Triples file.  ``wrk`` is looked for
    first, so a missing one is said before any work.
    """
    wrk_binary()
    data = workdir / "data.nt"
    written = write_ntriples(data, triples)
    store = SnapshotStore(workdir / "ours", builders=artifact_builders())  # as `supplygraph load` does
    with store.write("bench") as writer:
        writer.load(data, "ntriples", GRAPH)
    return written, data


def prepare(triples: int, workdir: Path) -> tuple[int, int, Path]:
    """The same synthetic data in our store (``workdir / "ours"``) and Oxigraph's: (triples, subjects, its location).

    ``wrk`` is looked for first, so a missing one is said before any work.
    """
    written, data = prepare_ours(triples, workdir)
    location = workdir / "oxigraph"
    subprocess.run(
        [str(OXIGRAPH), "load", "--location", str(location), "--file", str(data), "--graph", GRAPH],
        check=True,
        capture_output=True,
    )
    return written, max(1, written // 5), location


@contextlib.contextmanager
def side_by_side(workdir: Path, location: Path, workers: int) -> Iterator[tuple[str, str, str]]:
    """Oxigraph on ``location``, and ``supplygraph serve`` with one and two processes on ``workdir / "ours"``, all
    running at once; yield their SPARQL endpoint URLs.  The two processes share the snapshot's memory-mapped files."""
    with (
        oxigraph(location) as theirs,
        ours(workdir / "ours", workers) as one,
        ours(workdir / "ours", workers, processes=2) as two,
    ):
        yield theirs, one, two


def alternate(probes: Sequence[Callable[[float], T]], seconds: float, rounds: int) -> list[list[T]]:
    """Each probe's results over ``rounds`` rounds of ``seconds / rounds``, the probes taking turns in each round.

    A probe takes the seconds to run for.  Each runs for one second first, to
    warm connections, caches and workers up.  Taking turns means a burst of
    load from elsewhere on the machine hits every server alike.
    """
    for probe in probes:
        probe(1)
    results: list[list[T]] = [[] for _ in probes]
    for _ in range(rounds):
        for out, probe in zip(results, probes, strict=True):
            out.append(probe(seconds / rounds))
    return results


def measure(
    triples: int, seconds: float, clients: int, workdir: Path, workers: int = 2, rounds: int = 5
) -> dict[str, Any]:
    """Load ``triples`` synthetic triples into both servers and compare point-lookup throughput.

    The servers are measured in alternating rounds (:func:`alternate`); the
    rates are means over the rounds.
    """
    written, subjects, location = prepare(triples, workdir)

    def probe(url: str) -> Callable[[float], float]:
        return lambda s: _rate(url, subjects, s, clients, workdir)

    with side_by_side(workdir, location, workers) as urls:
        theirs, mine, pair = alternate([probe(url) for url in urls], seconds, rounds)
    ours_rate = sum(mine) / rounds
    pair_rate = sum(pair) / rounds
    their_rate = sum(theirs) / rounds
    return {
        "triples": written,
        "clients": clients,
        "ours_req_per_s": round(ours_rate, 1),
        "oxigraph_req_per_s": round(their_rate, 1),
        "ratio": round(ours_rate / their_rate, 3),
        "round_ratios": [round(m / t, 2) for m, t in zip(mine, theirs, strict=True)],
        "ours_2_processes_req_per_s": round(pair_rate, 1),
        "ratio_2_processes": round(pair_rate / their_rate, 3),
        "processes_2_vs_1": round(pair_rate / ours_rate, 2),
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
