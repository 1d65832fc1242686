"""Loader benchmark: a BACI-shaped file to a queryable snapshot, against raw bulk_load and rdflib.

Run ``python -m bench.bench_loaders [--rows 1000000,5000000]``.  For each size
it generates a BACI-shaped CSV, then measures, each case in its own
subprocess (so peak RSS is that case's alone):

* ``loader``: ``loaders.base.run`` with the BACI loader, file -> published snapshot;
* ``convert``: the loader's rows -> N-Triples conversion alone, output discarded;
* ``raw``: ``Writer.load`` of the equivalent N-Triples file into a snapshot
  (the N-Triples are written beforehand, outside the timing);
* ``rdflib``: rdflib parsing the same N-Triples into a ``Graph`` on a
  subsample (``--rdflib-rows``, 100k by default), extrapolated per row.

Numbers are noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from service.store import SnapshotStore

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "baci"
COUNTRY_CODES = [36, 104, 156, 251, 276, 392, 410, 458, 490, 699, 704, 842]


def generate(rows: int, directory: Path) -> Path:
    """Write a BACI-shaped year file of ``rows`` distinct flows (plus the example country file)."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "country_codes_V202501.csv", directory)
    pairs = [(i, j) for i in COUNTRY_CODES for j in COUNTRY_CODES if i != j]
    path = directory / "BACI_HS22_Y2023_V202501.csv"
    with open(path, "w") as out:
        out.write("t,i,j,k,v,q\n")
        buffer = []
        for n in range(rows):
            i, j = pairs[n % len(pairs)]
            k = 10000 + n // len(pairs)
            q = "" if n % 50 == 0 else f"{(n % 997) * 0.37:.3f}"
            buffer.append(f"2023,{i},{j},{k:06d},{(n % 10007) * 1.013:.3f},{q}\n")
            if len(buffer) >= 100_000:
                out.write("".join(buffer))
                buffer.clear()
        out.write("".join(buffer))
    return directory


def _store(root: Path) -> SnapshotStore:
    # The service's store with its snapshot builders (the dependency index), as `supplygraph load` uses it.
    from service.backend import artifact_builders
    from service.store import SnapshotStore

    return SnapshotStore(root, builders=artifact_builders())


def case_loader(directory: Path, root: Path) -> dict[str, float]:
    from loaders.base import run
    from loaders.registry import LoadOptions, loader_for

    paths = sorted(directory.glob("*.csv"))
    started = time.perf_counter()
    report = run(_store(root), "bench", loader_for(paths, "baci", LoadOptions()))
    return {"seconds": time.perf_counter() - started, "rows": float(report.rows_loaded or 0), "triples": report.triples}


def write_ntriples(directory: Path, target: Path) -> int:
    """The N-Triples the loader would produce, written to ``target``; returns rows."""
    from loaders.baci import BaciLoader, find_files
    from loaders.base import Report
    from loaders.registry import LoadOptions
    from loaders.tabular import Rejects

    paths = sorted(directory.glob("*.csv"))
    loader = BaciLoader(paths, LoadOptions())
    report = Report("", "", paths, "baci", rows_read=0, rows_loaded=0)
    graph = "https://w3id.org/supplygraph/graph/bench"
    with open(target, "w") as out:
        for chunk in loader._chunks(find_files(paths), graph, report, Rejects(0, None), None):
            out.write(chunk)
    return report.rows_loaded or 0


def case_convert(directory: Path) -> dict[str, float]:
    """Rows to N-Triples only, output discarded: the loader's own time and memory, without the store."""
    from loaders.baci import BaciLoader, find_files
    from loaders.base import Report
    from loaders.registry import LoadOptions
    from loaders.tabular import Rejects

    paths = sorted(directory.glob("*.csv"))
    report = Report("", "", paths, "baci", rows_read=0, rows_loaded=0)
    started = time.perf_counter()
    size = 0
    for chunk in BaciLoader(paths, LoadOptions())._chunks(find_files(paths), "urn:g", report, Rejects(0, None), None):
        size += len(chunk)
    return {"seconds": time.perf_counter() - started, "rows": float(report.rows_loaded or 0), "bytes": size}


def case_raw(ntriples: Path, root: Path) -> dict[str, float]:
    started = time.perf_counter()
    with _store(root).write("raw") as writer:
        result = writer.load(ntriples, "ntriples", "https://w3id.org/supplygraph/graph/bench")
    return {"seconds": time.perf_counter() - started, "triples": result.triples}


def case_rdflib(ntriples: Path, lines: int) -> dict[str, float]:
    import itertools

    import rdflib

    with open(ntriples) as handle:
        text = "".join(itertools.islice(handle, lines))
    started = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(data=text, format="nt")
    return {"seconds": time.perf_counter() - started, "triples": len(graph)}


def _child(args: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "bench.bench_loaders", "--case", *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(rows: int, rdflib_rows: int, work: Path) -> dict[str, float]:
    """Run the three cases for one size; return rates, ratios and peak RSS."""
    directory = generate(rows, work / f"baci-{rows}")
    ntriples = work / f"baci-{rows}.nt"
    write_ntriples(directory, ntriples)
    convert = _child(["convert", str(directory)])
    loader = _child(["loader", str(directory), str(work / f"store-loader-{rows}")])
    raw = _child(["raw", str(ntriples), str(work / f"store-raw-{rows}")])
    per_row = loader["triples"] / rows
    rdf = _child(["rdflib", str(ntriples), str(int(rdflib_rows * per_row))])
    rdflib_rate = rdf["triples"] / rdf["seconds"]
    ntriples.unlink()
    return {
        "rows": rows,
        "triples": loader["triples"],
        "loader_rows_per_s": rows / loader["seconds"],
        "loader_triples_per_s": loader["triples"] / loader["seconds"],
        "loader_peak_rss_mb": loader["peak_rss_mb"],
        "convert_rows_per_s": rows / convert["seconds"],
        "convert_peak_rss_mb": convert["peak_rss_mb"],
        "raw_triples_per_s": raw["triples"] / raw["seconds"],
        "raw_peak_rss_mb": raw["peak_rss_mb"],
        "loader_vs_raw": (loader["triples"] / loader["seconds"]) / (raw["triples"] / raw["seconds"]),
        "rdflib_triples_per_s_extrapolated": rdflib_rate,
        "rdflib_peak_rss_mb_subsample": rdf["peak_rss_mb"],
        "loader_vs_rdflib": (loader["triples"] / loader["seconds"]) / rdflib_rate,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1000000,5000000", help="comma-separated file sizes in rows")
    parser.add_argument("--rdflib-rows", type=int, default=100_000, help="rows of the rdflib subsample")
    parser.add_argument("--case", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        kind, *rest = args.case
        if kind == "loader":
            result = case_loader(Path(rest[0]), Path(rest[1]))
        elif kind == "convert":
            result = case_convert(Path(rest[0]))
        elif kind == "raw":
            result = case_raw(Path(rest[0]), Path(rest[1]))
        else:
            result = case_rdflib(Path(rest[0]), int(rest[1]))
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="bench-loaders-") as tmp:
        for rows in (int(r) for r in args.rows.split(",")):
            result = measure(rows, min(args.rdflib_rows, rows), Path(tmp))
            print(
                f"{rows:>10,} rows  {result['triples']:>12,.0f} triples | "
                f"loader {result['loader_rows_per_s']:>9,.0f} rows/s {result['loader_triples_per_s']:>10,.0f} "
                f"triples/s rss {result['loader_peak_rss_mb']:.0f} MB (rows->N-Triples alone "
                f"{result['convert_rows_per_s']:,.0f} rows/s rss {result['convert_peak_rss_mb']:.0f} MB) "
                "| raw bulk_load "
                f"{result['raw_triples_per_s']:>10,.0f} triples/s rss {result['raw_peak_rss_mb']:.0f} MB | "
                f"loader/raw {result['loader_vs_raw']:.2f} | rdflib (extrapolated from "
                f"{min(args.rdflib_rows, rows):,} rows) {result['rdflib_triples_per_s_extrapolated']:,.0f} "
                f"triples/s, loader/rdflib {result['loader_vs_rdflib']:.1f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
