"""Embedded store vs the same data on an external engine (``oxigraph serve``): load, disk, memory, queries.

Run: ``python -m bench.bench_remote --triples 1000000``.

Each side runs in its own interpreter, so peak memory is its own: the
embedded side loads the generated N-Triples into a snapshot store; the
remote side streams the same file through the Graph Store Protocol into a
local ``oxigraph serve`` and builds the index in a state directory.  Both
then answer, through the real app, SPARQL point lookups on ``/sparql`` and
a GraphQL ``dependents`` question.  Last, each side loads the same BACI
file (``--baci-rows`` flows, written by :func:`bench.bench_loaders.generate`)
through the BACI loader, as ``supplygraph load`` does.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import peak_rss_mib, process_peak_rss_mib
from bench.generate import write
from ontology import vocab as v
from service.store import IRI

GRAPH = v.GRAPH + "bench"
DEPENDENTS = (
    '{ dependents(materialClass: "rare-earths", country: "CN", first: 50) { totalCount edges { node { id } } } }'
)
LOOKUPS = 200


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _side(side: str, data: Path, work: Path, engine: str) -> dict[str, Any]:
    """Load ``data`` and query it on one side, then load the BACI release in ``work / "baci"``; runs in its own
    interpreter."""
    from starlette.testclient import TestClient

    from loaders.base import run
    from loaders.registry import LoadOptions, loader_for
    from service.backend import open_configured
    from service.settings import Settings
    from service.web.app import create_app

    env = {"store": str(work / side), "log_level": "warning", "remote_poll": 3600.0}
    if side == "remote":
        env |= {"sparql_endpoint": engine + "/query", "update_endpoint": engine + "/update"}
        env |= {"gsp_endpoint": engine + "/store", "endpoint_timeout": 600.0}
    settings = Settings(**env)  # type: ignore[arg-type]
    store = open_configured(settings)
    started = time.perf_counter()
    with store.write("bench") as writer:
        writer.load(data, "ntriples", GRAPH)
    load = time.perf_counter() - started
    current = store.current_id() or ""
    artifacts = store.artifacts_dir(current)
    index = _du(artifacts / "index") if artifacts is not None else 0
    graph = store.open_current()
    subjects = [r["s"].value for r in graph.select("SELECT ?s ?c WHERE { ?s a ?c }", {"c": IRI(v.FACILITY)}).rows]
    rng = random.Random(7)
    lookups, dependents = [], []
    with TestClient(create_app(settings, store)) as client:
        for subject in rng.sample(subjects, min(LOOKUPS, len(subjects))):
            query = f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}"
            t = time.perf_counter()
            client.get("/sparql", params={"query": query, "format": "json"}).raise_for_status()
            lookups.append(time.perf_counter() - t)
        for _ in range(4):
            t = time.perf_counter()
            body = client.post("/graphql", json={"query": DEPENDENTS}).json()
            dependents.append(time.perf_counter() - t)
            if "errors" in body:
                raise RuntimeError(body["errors"])
    # The same BACI file through the BACI loader on both sides: a data engineer's load, end to end.
    paths = sorted((work / "baci").glob("*.csv"))
    started = time.perf_counter()
    report = run(store, "baci", loader_for(paths, "baci", LoadOptions()))
    baci = time.perf_counter() - started
    return {
        "baci_load_s": round(baci, 2),
        "baci_rows": report.rows_loaded,
        "load_s": round(load, 2),
        "index_mib": round(index / 2**20, 1),
        "state_mib": round(_du(work / side) / 2**20, 1),
        "rss_mib": round(peak_rss_mib()),
        "lookup_ms_p50": round(statistics.median(lookups) * 1000, 2),
        "lookup_ms_p95": round(sorted(lookups)[int(len(lookups) * 0.95)] * 1000, 2),
        "dependents_cold_s": round(dependents[0], 3),
        "dependents_warm_s": round(statistics.median(dependents[1:]), 3),
        "dependents_total": body["data"]["dependents"]["totalCount"],
    }


def _child(side: str, data: Path, work: Path, engine: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_remote", "--side", side, str(data), str(work), engine],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"the {side} side failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def measure(triples: int, work: Path, baci_rows: int = 100_000) -> dict[str, Any]:
    """Both sides at one size, and the same BACI file of ``baci_rows`` flows loaded into each."""
    from bench.bench_loaders import generate
    from tests.support.live import free_port

    data = work / "data.nt"
    written = write(data, triples)
    generate(baci_rows, work / "baci")
    embedded = _child("embedded", data, work, "")
    binary = str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    location = work / "oxigraph"
    server = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        remote = _child("remote", data, work, f"http://127.0.0.1:{port}")
        remote["engine_rss_mib"] = round(process_peak_rss_mib(server.pid))
        remote["engine_disk_mib"] = round(_du(location) / 2**20, 1)
    finally:
        server.terminate()
        server.wait(30)
    return {"triples": written, "nt_mib": round(data.stat().st_size / 2**20, 1), "embedded": embedded, "remote": remote}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--baci-rows", type=int, default=100_000, help="flows in the BACI file loaded on both sides")
    parser.add_argument("--side", default=None, help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        data, work, engine = args.rest
        print(json.dumps(_side(args.side, Path(data), Path(work), engine)))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-remote-"))
    try:
        print(json.dumps(measure(args.triples, work, args.baci_rows), indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("POLARS_MAX_THREADS", "2")
    main()
