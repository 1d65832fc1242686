"""Helpers shared by the benchmarks: timing, peak memory, synthetic N-Triples."""

from __future__ import annotations

import random
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Run ``fn`` and return its result and wall time in seconds."""
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_peak_rss_mib(pid: int) -> float:
    """Peak resident memory of another process so far (``VmHWM`` in /proc), in MiB; 0 if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_mib(path: Path) -> float:
    """Size of the files under ``path`` (a stored model, say), in MiB."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def write_ntriples(path: Path, triples: int, seed: int = 7) -> int:
    """Write ``triples`` synthetic N-Triples resembling entity data; return the count written."""
    rng = random.Random(seed)
    base = "https://w3id.org/supplygraph/id/"
    ns = "https://w3id.org/supplygraph/ns#"
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        i = 0
        while written < triples:
            s = f"<{base}facility/f{i}>"
            lines = [
                f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{ns}Facility> .\n",
                f'{s} <http://www.w3.org/2000/01/rdf-schema#label> "Facility {i}" .\n',
                f"{s} <{ns}locatedIn> <{base}country/C{rng.randrange(200)}> .\n",
                f"{s} <{ns}produces> <{base}material/m{rng.randrange(300)}> .\n",
                f'{s} <{ns}capacity> "{rng.randrange(1, 100000)}"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n',
            ]
            take = lines[: triples - written]
            out.writelines(take)
            written += len(take)
            i += 1
    return written
