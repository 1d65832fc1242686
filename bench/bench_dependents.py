"""``dependents`` through GraphQL on the index vs SPARQL property paths (Oxigraph, rdflib).

Run: ``python -m bench.bench_dependents --triples 1000000,10000000``.

For each size: generate a synthetic network (:mod:`bench.generate`), bulk-load
it into a SnapshotStore in a temporary directory, and report

* bulk-load time vs dependency-index build time (goal: index <= 25 % of load),
  and the rebuilds after a second, one-triple dataset, a labels-only dataset
  (nothing the index reads: the parent's index is linked) and a SPARQL Update
  of a small graph (other graphs reused);
* the question "which products rely on rare earths produced in China" asked
  through ``/graphql`` (total count plus the first page of 50 with paths,
  cold and warm) vs the same question as one SPARQL property-path query on
  the same store, run in a subprocess killed at ``--deadline`` seconds
  (reported as ">=" when killed; goal: >= 100x at 10M);
* the same SPARQL run by rdflib (parse + query) at ``--rdflib-triples``;
* peak memory (RSS) of this process and of the SPARQL subprocesses.

Numbers are wall-clock on a shared machine: treat them as noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import peak_rss_mib
from bench.generate import write
from ontology import vocab as v

CLASS = v.ID + "class/rare-earths"
COUNTRY = v.ID + "country/CHN"

# The index's semantics as one SPARQL query: items with a dependency path to a
# seed material produced in the country (by a facility or firm there, or by a
# production statistic), or to a buyer of a seed material from a supplier there.
SPARQL = """
PREFIX sg: <https://w3id.org/supplygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?x WHERE {
  {
    SELECT DISTINCT ?h WHERE {
      { ?h sg:formOf*/sg:materialClass/skos:broader* <CLASS> . ?f sg:produces ?h .
        ?f sg:locatedIn|sg:headquarteredIn <COUNTRY> . }
      UNION
      { ?h sg:formOf*/sg:materialClass/skos:broader* <CLASS> . ?s sg:material ?h ; sg:country <COUNTRY> . }
      UNION
      { ?r sg:buyer ?h ; sg:supplier ?f ; sg:item ?m . ?m sg:formOf*/sg:materialClass/skos:broader* <CLASS> .
        ?f sg:locatedIn|sg:headquarteredIn <COUNTRY> . }
    }
  }
  ?x (sg:hasInput/sg:input | ^sg:produces | ^sg:buyer/sg:supplier | ^sg:suppliesTo)+ ?h .
  ?x a sg:Product .
}
""".replace("<CLASS>", f"<{CLASS}>").replace("<COUNTRY>", f"<{COUNTRY}>")

# Only the bill-of-materials part of the question, hits first (5x faster than
# the naive order on Oxigraph).  It answers less, so its time is a lower bound.
SPARQL_BOM = """
PREFIX sg: <https://w3id.org/supplygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?x WHERE {
  {
    SELECT DISTINCT ?m WHERE {
      ?f sg:locatedIn|sg:headquarteredIn <COUNTRY> ; sg:produces ?m .
      ?m sg:formOf*/sg:materialClass/skos:broader* <CLASS> .
    }
  }
  ?m ^(sg:hasInput/sg:input)+ ?x .
  ?x a sg:Product .
}
""".replace("<CLASS>", f"<{CLASS}>").replace("<COUNTRY>", f"<{COUNTRY}>")

GRAPHQL = """
query($cls: ID!, $first: Int!) {
  dependents(materialClass: $cls, country: "CN", first: $first, maxDepth: 50) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { depth node { id label } path { steps { entity { id label } via share } } }
  }
}
"""

_OXIGRAPH_CHILD = """
import resource, sys, time
from service.store import SnapshotStore
graph = SnapshotStore(sys.argv[1]).open_current()
start = time.perf_counter()
rows = graph.select(sys.argv[2]).rows
print(len(rows), time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

_RDFLIB_CHILD = """
import resource, sys, time
import rdflib
start = time.perf_counter()
graph = rdflib.Graph()
graph.parse(sys.argv[1], format="nt")
parsed = time.perf_counter() - start
rows = list(graph.query(sys.argv[2]))
print(len(rows), time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, parsed)
"""


def _child(code: str, args: list[str], deadline: float) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; kill it at ``deadline`` seconds."""
    started = time.perf_counter()
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=deadline, check=True
        )
    except subprocess.TimeoutExpired:
        return {"killed": True, "seconds": time.perf_counter() - started}
    fields = out.stdout.split()
    result = {"killed": False, "rows": int(fields[0]), "seconds": float(fields[1]), "rss_mib": float(fields[2])}
    if len(fields) > 3:
        result["parse_seconds"] = float(fields[3])
    return result


def _graphql(root: Path) -> dict[str, Any]:
    from starlette.testclient import TestClient

    from service.backend import artifact_builders
    from service.settings import Settings
    from service.store import SnapshotStore
    from service.web.app import create_app

    store = SnapshotStore(root, builders=artifact_builders())
    settings = Settings(store=str(root), log_level="warning")
    timings = []
    with TestClient(create_app(settings, store)) as client:
        for _ in range(6):
            started = time.perf_counter()
            response = client.post("/graphql", json={"query": GRAPHQL, "variables": {"cls": CLASS, "first": 50}})
            timings.append(time.perf_counter() - started)
            body = response.json()
            if "errors" in body:
                raise RuntimeError(body["errors"])
    page = body["data"]["dependents"]
    last = page["edges"][-1]["path"]["steps"] if page["edges"] else []
    return {
        "total": page["totalCount"],
        "page": len(page["edges"]),
        "example": " -> ".join(s["entity"]["label"] for s in last),
        "cold": timings[0],
        "warm": statistics.median(timings[1:]),
    }


def measure(triples: int, workdir: Path, deadline: float, with_sparql: bool = True) -> dict[str, Any]:
    """Generate, load and query one size; return the figures."""
    from service.index.build import build_index
    from service.store import BuildInput, SnapshotStore

    data = workdir / f"net-{triples}.nt"
    written = write(data, triples)
    build_seconds: list[float] = []

    def timed_build(build: BuildInput) -> None:
        started = time.perf_counter()
        build_index(build)
        build_seconds.append(time.perf_counter() - started)

    root = workdir / f"store-{triples}"
    store = SnapshotStore(root, builders=[timed_build])
    with store.write("bench") as writer:
        loaded = writer.load(data, "ntriples", v.GRAPH + "bench")
    # A second, small dataset: its graph is read, every other graph's frames reused.
    extra = workdir / f"extra-{triples}.nt"
    extra.write_text(f"<{v.ID}product/kite> <{v.RDF_TYPE}> <{v.PRODUCT}> .\n")
    with store.write("bench, second dataset") as writer:
        writer.load(extra, "ntriples", v.GRAPH + "extra")
    # Labels only: nothing the index reads changes, so the parent's index is linked.
    labels = workdir / f"labels-{triples}.nt"
    labels.write_text(f'<{v.ID}product/kite> <{v.RDFS_LABEL}> "Kite" .\n')
    with store.write("bench, labels") as writer:
        writer.load(labels, "ntriples", v.GRAPH + "labels")
    # A SPARQL Update naming its graph: only that graph is rescanned.
    kite = f"<{v.ID}product/glider> a <{v.PRODUCT}>"  # something the index reads
    with store.write("bench, update") as writer:
        writer.update(f"INSERT DATA {{ GRAPH <{v.GRAPH}extra> {{ {kite} }} }}")
    row: dict[str, Any] = {
        "triples": written,
        "load_s": loaded.seconds,
        "index_s": build_seconds[0],
        "index_ratio": build_seconds[0] / loaded.seconds,
        "rebuild_s": build_seconds[1],
        "labels_rebuild_s": build_seconds[2],
        "update_rebuild_s": build_seconds[3],
        "graphql": _graphql(root),
    }
    if with_sparql:
        row["oxigraph_bom"] = _child(_OXIGRAPH_CHILD, [str(root), SPARQL_BOM], deadline)
        row["oxigraph"] = _child(_OXIGRAPH_CHILD, [str(root), SPARQL], deadline)
    row["peak_rss_mib"] = peak_rss_mib()
    return row


def rdflib_row(triples: int, workdir: Path, deadline: float) -> dict[str, Any]:
    """rdflib parse + the same SPARQL on a network of ``triples``, vs the index on the same data."""
    row = measure(triples, workdir, deadline, with_sparql=False)
    row["rdflib"] = _child(_RDFLIB_CHILD, [str(workdir / f"net-{triples}.nt"), SPARQL], deadline)
    return row


def _ratio(slow: dict[str, Any], fast: float) -> str:
    sign = ">= " if slow["killed"] else ""
    return f"{sign}{slow['seconds'] / fast:,.0f}x"


def _print(row: dict[str, Any]) -> None:
    gq = row["graphql"]
    print(f"-- {row['triples']:,} triples")
    print(
        f"   bulk load {row['load_s']:.1f} s ({row['triples'] / row['load_s']:,.0f} triples/s); "
        f"index build {row['index_s']:.2f} s = {row['index_ratio']:.0%} of load (goal <= 25%); "
        f"after adding a one-triple dataset {row['rebuild_s']:.2f} s, a labels-only dataset "
        f"{row['labels_rebuild_s']:.2f} s (index unchanged), a SPARQL Update of a small graph "
        f"{row['update_rebuild_s']:.2f} s"
    )
    print(
        f"   GraphQL dependents: {gq['total']:,} products, page of {gq['page']} with paths: "
        f"cold {gq['cold'] * 1000:.0f} ms, warm {gq['warm'] * 1000:.0f} ms"
    )
    if gq["example"]:
        print(f"   e.g. {gq['example']}")
    names = {
        "oxigraph_bom": "Oxigraph SPARQL, BOM part only (answers less; a lower bound)",
        "oxigraph": "Oxigraph SPARQL property paths, same question",
        "rdflib": "rdflib parse + SPARQL, same question",
    }
    for name, what in names.items():
        if name not in row:
            continue
        side = row[name]
        if side["killed"]:
            print(f"   {what}: killed at {side['seconds']:.0f} s; GraphQL (warm) is {_ratio(side, gq['warm'])} faster")
        else:
            same = "same count" if side["rows"] == gq["total"] else f"{side['rows']:,} rows"
            extra = f" (parse {side['parse_seconds']:.1f} s)" if "parse_seconds" in side else ""
            print(
                f"   {what}: {side['seconds']:.2f} s{extra}, {same}, peak RSS {side['rss_mib']:.0f} MiB; "
                f"GraphQL warm is {_ratio(side, gq['warm'])} faster, cold {_ratio(side, gq['cold'])}"
            )
    print(f"   peak RSS of the benchmark process so far: {row['peak_rss_mib']:.0f} MiB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="1000000", help="comma-separated sizes")
    parser.add_argument("--rdflib-triples", default="100000", help="sizes for the rdflib comparison (empty: skip)")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds before a SPARQL run is killed")
    parser.add_argument("--no-sparql", action="store_true", help="skip the Oxigraph SPARQL side")
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sg-bench-dependents-") as tmp:
        sparql = not args.no_sparql
        jobs = [
            (lambda size, tmp, deadline: measure(size, tmp, deadline, sparql), int(s))
            for s in args.triples.split(",")
            if s
        ]
        jobs += [(rdflib_row, int(s)) for s in args.rdflib_triples.split(",") if s]
        for job, size in jobs:
            row = job(size, Path(tmp), args.deadline)
            if args.json:
                print(json.dumps(row), flush=True)
            else:
                _print(row)
                sys.stdout.flush()


if __name__ == "__main__":
    main()
