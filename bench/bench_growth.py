"""How each figure users feel grows from 1M to 10M triples, with the goals of each.

Run: ``python -m bench.bench_growth --triples 1000000,10000000 --seconds 10``
(needs ``wrk``: ``apt-get install wrk``).

For each size, on the synthetic network of :mod:`bench.generate`:

* ``load_s``: bulk load into a fresh snapshot store, the index included
  (``index_s`` of it is the index build);
* ``update_s``: a one-triple SPARQL Update that touches what the index reads
  (a facility now also produces a product), published (goal: <= 1.5 s);
* ``dataset_s``: a 1,000-triple dataset loaded beside it, published (goal: <= 1.5 s);
* ``model_s``: what the writer then pays to store the new snapshot's
  analytics model, as ``supplygraph load`` does after publishing (and a
  server after its own write, in its warm-up): derived from the parent
  snapshot's model (``update_model_s`` after the update; ``full_model_s``
  the first one, built in full after the load); ``model_mb`` its size;
  ``model_exact`` whether each derived model equals a full build of its
  snapshot, array for array;
* ``exposure_s``: a server's first exposure question after that write (every
  product's exposure to China), reading the stored model;
  ``exposure_after_write_s`` adds ``model_s``: the answer to a question asked
  as the write is published, which waits for the writer's model (goal: <= 2 s);
* through ``supplygraph serve`` on that store, loaded by ``wrk`` with
  ``--clients`` connections: ``lookup_req_s`` (a product by id with its inputs
  and producers, random over all products) and ``dependents_p50_ms`` /
  ``dependents_p99_ms`` (the first page of 20 with paths, for a random pair
  of material class and country among 5 classes and 40 countries;
  goal: p99 <= 1 s at 10M);
* ``analytics_ready_s``: how long after its first request the server's
  analytics are ready (``/health``), the lookups and ``dependents`` being
  measured after that;
* ``serve_rss_mib``: the server's peak resident memory, and ``load_rss_mib``
  that of the process that loaded and asked the exposure question.

Each size runs in its own process, so peak memory is that size's.  The last
lines print each figure's growth from the smallest size to the largest.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.common import peak_rss_mib, process_peak_rss_mib, timed, tree_mib
from bench.generate import CLASSES, REAL_COUNTRIES, sizes, write
from ontology import vocab as v

GRAPH = v.GRAPH + "bench"
LOOKUP = {
    "query": "query Product($id: ID!) { product(id: $id) { id label stage inputs { item { label } share } "
    "producers(first: 5) { label } } }",
    "variables": '{"id": "' + v.ID + 'product/p{n}"}',
}
DEPENDENTS = (
    "query Dependents($country: String!, $class: ID!) { dependents(country: $country, materialClass: $class, "
    "first: 20) { totalCount edges { depth node { id label } path { length steps { via share entity { id label } } } "
    "} } }"
)
QUESTION_CLASSES = [name for name in CLASSES if name in ("rare-earths", "light-rare-earths", "heavy-rare-earths")]
QUESTION_CLASSES += ["battery-minerals", "critical-minerals"]
QUESTION_COUNTRIES = [code for code, _, _ in REAL_COUNTRIES] + [f"X{i:02d}" for i in range(36)]
GOALS = {"update_s": 1.5, "dataset_s": 1.5, "exposure_after_write_s": 2.0, "dependents_p99_ms": 1000.0}


def one_size(triples: int, workdir: Path) -> dict[str, Any]:
    """Load, write and ask the exposure question in this process; return its figures."""
    from service.analysis import prepare_model
    from service.analysis.context import analysis_for
    from service.analysis.exposure import exposure_all
    from service.analysis.model_file import MODEL
    from service.backend import artifact_builders
    from service.store import SnapshotStore

    source = workdir / "network.nt"
    written = write(source, triples)
    store = SnapshotStore(workdir / "store", builders=artifact_builders())

    def load(path: Path, graph: str) -> None:
        with store.write("bench growth") as writer:
            writer.load(path, "ntriples", graph)

    _, load_s = timed(lambda: load(source, GRAPH))
    index_s = _index_seconds(store)
    row: dict[str, Any] = {"triples": written, "load_s": round(load_s, 2), "index_s": round(index_s, 2)}
    # As `supplygraph load` does after publishing: the writer stores the model, so the next write derives its own.
    row["full_model_s"] = round(timed(lambda: prepare_model(store))[1], 2)

    def update() -> None:
        with store.write("bench growth update") as writer:
            triple = f"<{v.ID}facility/p0> <{v.PRODUCES}> <{v.ID}product/p2>"
            writer.update(f"INSERT DATA {{ GRAPH <{v.GRAPH}bench-extra> {{ {triple} }} }}")

    row["update_s"] = round(timed(update)[1], 2)
    row["update_model_s"] = round(timed(lambda: prepare_model(store))[1], 2)
    exact = _derived_equals_full(store)
    small = workdir / "small.nt"
    write(small, 1000, seed=7)
    row["dataset_s"] = round(timed(lambda: load(small, v.GRAPH + "bench-small"))[1], 2)
    # ... and after this write too: the model derived from the parent's, stored by the writer ...
    row["model_s"] = round(timed(lambda: prepare_model(store))[1], 2)
    row["model_exact"] = exact and _derived_equals_full(store)
    model = store.artifacts_dir(store.current_id()) / MODEL
    row["model_mb"] = round(tree_mib(model))
    # ... so a server's first exposure question reads it (a fresh view of the store, as another process has).
    reader = SnapshotStore(workdir / "store", builders=artifact_builders())
    country = v.ID + "country/CHN"
    row["exposure_s"] = round(timed(lambda: exposure_all(analysis_for(reader), country))[1], 2)
    row["exposure_after_write_s"] = round(row["model_s"] + row["exposure_s"], 2)
    row["load_rss_mib"] = round(peak_rss_mib())
    return row


def _derived_equals_full(store: Any) -> bool:
    """Whether the current snapshot's stored model equals a full build of its frames (said if not)."""
    from service.analysis import read_facts
    from service.analysis.model_file import read_model
    from service.analysis.network_build import build_network
    from service.analysis.network_delta import differences
    from service.index import index_for

    stored = read_model(store.artifacts_dir(store.current_id()))
    full = build_network(read_facts(index_for(store, store.open_current()).frames()))
    found = ["no stored model"] if stored is None else differences(stored, full)
    if found:
        print(f"derived model differs from a full build in {found}", file=sys.stderr)
    return not found


def _index_seconds(store: Any) -> float:
    directory = store.artifacts_dir(store.current_id())
    return float(json.loads((directory / "index" / "meta.json").read_text())["seconds"])


def _dependents_script() -> str:
    """A Lua ``request`` asking one of the questions of ``QUESTION_CLASSES`` x ``QUESTION_COUNTRIES`` at random."""
    paths = []
    for cls in QUESTION_CLASSES:
        for country in QUESTION_COUNTRIES:
            variables = json.dumps({"country": country, "class": v.ID + "class/" + cls})
            paths.append(f"/graphql?query={quote(DEPENDENTS, safe='')}&variables={quote(variables, safe='')}")
    table = ",\n".join(f'  "{p}"' for p in paths)
    return f"""
local paths = {{
{table}
}}
math.randomseed(7)
request = function()
  return wrk.format("GET", paths[math.random(1, #paths)], {{["Accept"] = "application/json"}})
end
"""


def served(row: dict[str, Any], workdir: Path, seconds: float, clients: int) -> dict[str, Any]:
    """Lookups and concurrent ``dependents`` through ``supplygraph serve`` on the store ``one_size`` left."""
    from bench.bench_graphql import run_graphql_wrk
    from bench.bench_sparql import lookup_script, ours

    _, products = sizes(row["triples"])
    with ours(workdir / "store", 2) as url:
        base = url.removesuffix("/sparql")
        port = base.rsplit(":", 1)[1]
        lookups = lookup_script("/graphql", LOOKUP, "application/json", products)
        run_graphql_wrk(base, lookups, 1, clients, workdir)  # warm-up: the snapshot opened, the index mapped
        row = row | {"analytics_ready_s": _analytics_ready(base)}  # measured after the server's own warm-up
        lookup = run_graphql_wrk(base, lookups, seconds, clients, workdir)
        dependents = run_graphql_wrk(base, _dependents_script(), seconds, clients, workdir)
        rss = _server_peak_rss(port)
    return row | {
        "lookup_req_s": round(lookup["rate"]),
        "lookup_p99_ms": lookup["p99_ms"],
        "dependents_req_s": round(dependents["rate"], 1),
        "dependents_p50_ms": dependents["p50_ms"],
        "dependents_p99_ms": dependents["p99_ms"],
        "serve_rss_mib": rss,
    }


def _analytics_ready(base: str, timeout: float = 900.0) -> float:
    """Seconds until ``/health`` says the analytics are ready (the server reading the stored model)."""
    import time

    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if httpx.get(base + "/health", timeout=30).json().get("analytics") == "ready":
            break
        time.sleep(0.2)
    return round(time.perf_counter() - started, 2)


def _server_peak_rss(port: str) -> int | None:
    """Peak RSS (MiB) of the ``supplygraph serve`` process listening on ``port``."""
    found = subprocess.run(["pgrep", "-f", f"serve --host 127.0.0.1 --port {port}"], capture_output=True, text=True)
    pids = found.stdout.split()
    return round(process_peak_rss_mib(int(pids[0]))) if pids else None


def _print(row: dict[str, Any]) -> None:
    for key, value in row.items():
        goal = GOALS.get(key)
        met = "" if goal is None else f"   (goal <= {goal:g}: {'met' if value <= goal else 'not met'})"
        print(f"{key:>18}: {value}{met}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--triples", default="1000000,10000000", help="comma-separated sizes")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each wrk run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--no-serve", action="store_true", help="skip the figures measured through a server")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)  # one size, in a child process
    parser.add_argument("--workdir", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one_size(args.one, args.workdir)))
        return
    rows = []
    for size in (int(s) for s in args.triples.split(",") if s):
        with tempfile.TemporaryDirectory(prefix="sg-bench-growth-") as tmp:
            child = [sys.executable, "-m", "bench.bench_growth", "--one", str(size), "--workdir", tmp]
            out = subprocess.run(child, capture_output=True, text=True, check=True).stdout
            row = json.loads(out.strip().splitlines()[-1])
            if not args.no_serve:
                row = served(row, Path(tmp), args.seconds, args.clients)
        _print(row)
        print(flush=True)
        rows.append(row)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        times = last["triples"] / first["triples"]
        print(f"growth from {first['triples']:,} to {last['triples']:,} triples (x{times:.1f}):")
        for key, value in last.items():
            if key != "triples" and isinstance(value, (int, float)) and first.get(key):
                print(f"{key:>18}: x{value / first[key]:.2f}")


if __name__ == "__main__":
    main()
