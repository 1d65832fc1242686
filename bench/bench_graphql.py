"""GraphQL entity lookups over HTTP, against Oxigraph's SPARQL point lookup on the same data.

Run: ``python -m bench.bench_graphql --triples 200000 --seconds 10 --clients 8``.
The same synthetic data as ``bench_sparql`` is served by ``supplygraph``'s
app (one uvicorn process) and by ``oxigraph serve``; ``wrk`` (``apt-get
install wrk``) sends, on ``--clients`` connections, GET ``/graphql`` lookups
of a random facility among all of them: id, label, country, and two short
neighbour lists (what it produces, who supplies it).  A Lua callback counts
answers holding GraphQL errors; any makes the run fail.  Oxigraph answers the
SPARQL point lookup of ``bench_sparql`` for the same facilities.  Printed:
both rates, their ratio, wrk's latency percentiles for ours, and the rate of
``supplygraph serve --workers 2`` against one process.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.bench_sparql import _rate, alternate, lookup_script, prepare, run_wrk, side_by_side, wrk_rate

LOOKUP = {
    "query": "query Facility($id: ID!) "
    "{ facility(id: $id) { id label location { label } produces { label } suppliers { partner { label } } } }",
    "variables": '{"id": "https://w3id.org/supplygraph/id/facility/f{n}"}',
}
"""A facility by id with label, country and two short neighbour lists, as a front end asks: one document, the id
a variable (``{n}`` is a random facility)."""
CHECKS = """
local errors = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("GRAPHQL_ERRORS %d\\n", errors))
  io.write(string.format("P50_MS %.2f\\n", latency:percentile(50) / 1000))
  io.write(string.format("P99_MS %.2f\\n", latency:percentile(99) / 1000))
end
"""


def run_graphql_wrk(base: str, requests_lua: str, seconds: float, clients: int, workdir: Path) -> dict[str, float]:
    """Run ``wrk`` with ``requests_lua`` (a Lua ``request`` function) plus ``CHECKS`` against ``base``.

    Returns the rate and wrk's p50/p99 in ms; :class:`RuntimeError` if any answer failed or held GraphQL errors.
    """
    script = workdir / "graphql.lua"
    script.write_text(requests_lua + CHECKS)
    out = run_wrk(base, script, seconds, clients)
    errors = int(re.search(r"GRAPHQL_ERRORS (\d+)", out).group(1))  # type: ignore[union-attr]
    if errors:
        raise RuntimeError(f"{errors} GraphQL requests failed")
    rate = wrk_rate(out)
    p50 = float(re.search(r"P50_MS ([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = float(re.search(r"P99_MS ([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {"rate": rate, "p50_ms": p50, "p99_ms": p99}


def _graphql_rate(base: str, subjects: int, seconds: float, clients: int, workdir: Path) -> dict[str, float]:
    return run_graphql_wrk(
        base, lookup_script("/graphql", LOOKUP, "application/json", subjects), seconds, clients, workdir
    )


def measure(triples: int, seconds: float, clients: int, workdir: Path, rounds: int = 5) -> dict[str, Any]:
    """Serve the same data from Oxigraph, from one ``supplygraph serve`` process and from two; compare lookups.

    The three servers are measured in alternating rounds
    (:func:`bench.bench_sparql.alternate`); rates are means over the rounds
    and latencies are the worst round's.
    """
    written, subjects, location = prepare(triples, workdir)
    with side_by_side(workdir, location, 1) as (their_url, our_url, pair_url):
        theirs, mine, two = alternate(
            [
                lambda s: {"rate": _rate(their_url, subjects, s, clients, workdir)},
                lambda s: _graphql_rate(our_url.removesuffix("/sparql"), subjects, s, clients, workdir),
                lambda s: _graphql_rate(pair_url.removesuffix("/sparql"), subjects, s, clients, workdir),
            ],
            seconds,
            rounds,
        )
    rate = sum(r["rate"] for r in mine) / rounds
    pair_rate = sum(r["rate"] for r in two) / rounds
    their_rate = sum(r["rate"] for r in theirs) / rounds
    return {
        "triples": written,
        "clients": clients,
        "graphql_req_per_s": round(rate, 1),
        "graphql_p50_ms": max(r["p50_ms"] for r in mine),
        "graphql_p99_ms": max(r["p99_ms"] for r in mine),
        "oxigraph_sparql_req_per_s": round(their_rate, 1),
        "ratio": round(rate / their_rate, 3),
        "two_processes_req_per_s": round(pair_rate, 1),
        "two_processes_ratio": round(pair_rate / rate, 2),
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point; prints one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="alternating measurement rounds")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-graphql-"))
    try:
        row = measure(args.triples, args.seconds, args.clients, workdir, args.rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(row))


if __name__ == "__main__":
    main()
