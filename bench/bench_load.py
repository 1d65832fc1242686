"""RDF load speed: ``supplygraph load`` (snapshot, provenance, artifacts) vs raw ``bulk_load``.

Run: ``python -m bench.bench_load --triples 1000000``.  Both sides load the same
N-Triples file into a fresh on-disk store in the same run; the ratio is
loader triples/s over raw triples/s (goal: >= 0.7).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import timed, write_ntriples

_RAW = """
import sys, time, pyoxigraph
start = time.perf_counter()
store = pyoxigraph.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=pyoxigraph.RdfFormat.N_TRIPLES,
                to_graph=pyoxigraph.NamedNode("https://w3id.org/supplygraph/graph/bench"))
store.flush()
print(time.perf_counter() - start)
"""

_LOADER = """
import sys, time
from pathlib import Path
from loaders.base import RdfLoader, run
from service.backend import artifact_builders
from service.store import SnapshotStore
start = time.perf_counter()
report = run(SnapshotStore(sys.argv[1], builders=artifact_builders()), "bench", RdfLoader([Path(sys.argv[2])]))
print(time.perf_counter() - start)
"""


def _child(code: str, *args: str) -> tuple[float, float]:
    """Run ``code`` in a fresh interpreter; return (seconds it printed, its peak RSS in MiB)."""
    wrapper = code + "\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    out = subprocess.run([sys.executable, "-c", wrapper, *args], check=True, capture_output=True, text=True)
    seconds, rss = out.stdout.split()[-2:]
    return float(seconds), float(rss)


def measure(triples: int, workdir: Path) -> dict[str, float]:
    """Load ``triples`` synthetic triples both ways and return the figures."""
    data = workdir / f"bench-{triples}.nt"
    _, _gen_s = timed(lambda: write_ntriples(data, triples))
    raw_s, raw_rss = _child(_RAW, str(workdir / f"raw-{triples}"), str(data))
    loader_s, loader_rss = _child(_LOADER, str(workdir / f"loader-{triples}"), str(data))
    return {
        "triples": triples,
        "raw_triples_per_s": round(triples / raw_s),
        "loader_triples_per_s": round(triples / loader_s),
        "ratio": round(raw_s / loader_s, 3),
        "raw_peak_rss_mib": round(raw_rss),
        "loader_peak_rss_mib": round(loader_rss),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", default="1000000", help="comma-separated sizes")
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sg-bench-load-") as tmp:
        for size in (int(s) for s in args.triples.split(",")):
            row = measure(size, Path(tmp))
            if args.json:
                print(json.dumps(row))
            else:
                print(
                    f"load {row['triples']:>10,} triples: raw bulk_load {row['raw_triples_per_s']:>9,}/s, "
                    f"supplygraph load {row['loader_triples_per_s']:>9,}/s, ratio {row['ratio']:.2f} (goal >= 0.70); "
                    f"peak RSS {row['raw_peak_rss_mib']:.0f} / {row['loader_peak_rss_mib']:.0f} MiB"
                )


if __name__ == "__main__":
    main()
