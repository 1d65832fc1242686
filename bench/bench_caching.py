"""HTTP caching of GET answers: revalidating with ``If-None-Match`` (a 304) vs asking again (a 200).

Run: ``python -m bench.bench_caching --triples 200000 --seconds 10 --clients 8``.
One ``supplygraph serve`` process serves the synthetic data of
:mod:`bench.bench_sparql`.  For ``--lookups`` random facilities, the SPARQL
point lookup of ``bench_sparql`` and the GraphQL lookup of ``bench_graphql``
are each asked once (with httpx) to learn their ``ETag``.  Then ``wrk``
(``apt-get install wrk``) sends those same GET requests on ``--clients``
connections, in alternating rounds: without ``If-None-Match`` (every answer
must be a 200) and with the tag the server gave (every answer must be a
304).  The ratio is revalidations/s over answers/s.  This is measured apart
from the lookup ratios of ``bench_sparql`` and ``bench_graphql``, which no
cache answers.  Finally one triple is written, publishing a new snapshot, and
every old tag asked again must get a 200 with a new tag: a stale answer is
never confirmed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.bench_graphql import LOOKUP
from bench.bench_sparql import GRAPH, QUERY, alternate, ours, prepare_ours, run_wrk, wrk_rate
from service.backend import artifact_builders
from service.store import SnapshotStore

SPARQL_ACCEPT = "application/sparql-results+json"
GRAPHQL_ACCEPT = "application/json"
SCRIPT = """
local requests = {
%(requests)s
}
local accept = "%(accept)s"
local revalidate = %(revalidate)s
local expected = %(expected)d
local wrong = 0
math.randomseed(%(seed)d)
request = function()
  local r = requests[math.random(1, #requests)]
  local headers = {["Accept"] = accept}
  if revalidate then headers["If-None-Match"] = r[2] end
  return wrk.format("GET", r[1], headers)
end
response = function(status, headers, body)
  if status ~= expected then wrong = wrong + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("WRONG %%d\\n", wrong))
end
"""


def _paths(kind: str, facilities: list[int]) -> list[str]:
    """The GET paths of the SPARQL or GraphQL lookup of each facility number."""
    if kind == "sparql":
        return ["/sparql?" + urlencode({"query": QUERY.replace("{n}", str(n))}) for n in facilities]
    variables = LOOKUP["variables"]
    return [
        "/graphql?" + urlencode({"query": LOOKUP["query"], "variables": variables.replace("{n}", str(n))})
        for n in facilities
    ]


def _tags(base: str, paths: list[str], accept: str) -> list[str]:
    """The ETag the server gives each path (each answer must be a 200 with one)."""
    found = []
    with httpx.Client(base_url=base, headers={"Accept": accept}, timeout=60) as client:
        for path in paths:
            answer = client.get(path)
            if answer.status_code != 200 or "etag" not in answer.headers:
                raise RuntimeError(f"{path}: {answer.status_code} without an ETag")
            found.append(answer.headers["etag"])
    return found


def _rate(
    base: str,
    requests: list[tuple[str, str]],
    accept: str,
    revalidate: bool,
    seconds: float,
    clients: int,
    workdir: Path,
) -> float:
    """Requests/s from ``wrk`` asking ``requests`` at random; :class:`RuntimeError` if any status is not expected."""
    table = ",\n".join(f"  {{{json.dumps(path)}, {json.dumps(tag)}}}" for path, tag in requests)
    fields = {
        "requests": table,
        "accept": accept,
        "revalidate": "true" if revalidate else "false",
        "expected": 304 if revalidate else 200,
        "seed": random.randrange(1 << 30),
    }
    script = workdir / "caching.lua"
    script.write_text(SCRIPT % fields)
    out = run_wrk(base, script, seconds, clients)
    wrong = int(re.search(r"WRONG (\d+)", out).group(1))  # type: ignore[union-attr]
    if wrong:
        raise RuntimeError(f"{wrong} answers were not {fields['expected']}")
    return wrk_rate(out)


def _after_a_write(store_dir: Path, base: str, requests: list[tuple[str, str]], accept: str) -> int:
    """Publish a new snapshot, then ask with every old tag; how many got a 304 (must be 0)."""
    store = SnapshotStore(store_dir, builders=artifact_builders())
    with store.write("bench caching") as writer:
        writer.update(f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}#x> <{GRAPH}#p> "new" }} }}')
    stale = 0
    with httpx.Client(base_url=base, headers={"Accept": accept}, timeout=60) as client:
        for path, tag in requests:
            answer = client.get(path, headers={"If-None-Match": tag})
            if answer.status_code != 200 or answer.headers.get("etag") == tag:
                stale += 1
    return stale


def measure(
    triples: int, seconds: float, clients: int, workdir: Path, lookups: int = 2_000, rounds: int = 5
) -> dict[str, Any]:
    """Answers/s vs revalidations/s for SPARQL and GraphQL lookups on one server; stale tags after a write."""
    written, _ = prepare_ours(triples, workdir)
    subjects = max(1, written // 5)
    facilities = random.Random(7).sample(range(subjects), min(lookups, subjects))
    row: dict[str, Any] = {"triples": written, "clients": clients, "lookups": len(facilities)}
    with ours(workdir / "ours", 1) as url:
        base = url.removesuffix("/sparql")
        asked = {}
        for kind, accept in (("sparql", SPARQL_ACCEPT), ("graphql", GRAPHQL_ACCEPT)):
            paths = _paths(kind, facilities)
            asked[kind] = (list(zip(paths, _tags(base, paths, accept), strict=True)), accept)

        def probe(kind: str, revalidate: bool) -> Any:
            requests, accept = asked[kind]
            return lambda s: _rate(base, requests, accept, revalidate, s, clients, workdir)

        kinds = ("sparql", "graphql")
        results = alternate([probe(k, r) for k in kinds for r in (False, True)], seconds, rounds)
        for i, kind in enumerate(kinds):
            full, revalidated = sum(results[2 * i]) / rounds, sum(results[2 * i + 1]) / rounds
            row[f"{kind}_200_req_per_s"] = round(full, 1)
            row[f"{kind}_304_req_per_s"] = round(revalidated, 1)
            row[f"{kind}_ratio"] = round(revalidated / full, 2)
        requests, accept = asked["sparql"]
        row["stale_304_after_write"] = _after_a_write(workdir / "ours", base, requests[:200], accept)
    return row


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point; prints one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--lookups", type=int, default=2_000, help="distinct requests, each asked once for its tag")
    parser.add_argument("--rounds", type=int, default=5, help="alternating measurement rounds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="supplygraph-bench-") as tmp:
        row = measure(args.triples, args.seconds, args.clients, Path(tmp), args.lookups, args.rounds)
    print(json.dumps(row))


if __name__ == "__main__":
    main()
