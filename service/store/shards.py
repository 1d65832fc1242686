"""Sorted, compressed N-Quads shards and a manifest, for an engine's own bulk loader.

``supplygraph load --output DIR`` loads into a scratch snapshot as usual (so
every loader, check and report is the same), then writes each dataset graph
here instead of into a store::

    DIR/manifest.json          datasets: graph, triples, shards (file, lines, sha256), checksum
    DIR/<n>-<k>.nq.gz          the graph's quads, sorted, at most ``lines`` per shard
    DIR/catalog.nt             the catalog description of the datasets (for ``catalog record``)

Sorted shards load fastest into engines that build sorted indexes (QLever,
Virtuoso's ``ld_dir`` + ``rdf_loader_run``), and give the same bytes for
the same data, so a checksum over them names the content.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from service.store.snapshot import Snapshot

SHARD_LINES = 1_000_000
MANIFEST = "manifest.json"


def write_shards(
    graph: Snapshot, datasets: dict[str, str], catalog: str, out: Path, lines: int = SHARD_LINES
) -> dict[str, Any]:
    """Write ``datasets`` (name -> graph IRI) of ``graph`` as shards under ``out``; the manifest written."""
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"format": 1, "catalog_graph": catalog, "datasets": {}}
    for n, (name, iri) in enumerate(sorted(datasets.items())):
        # A graph dumps as triples: each line gets the graph's name (validated by pyoxigraph).
        name_term = f" {ox.NamedNode(iri)} ."
        triples = graph.dump("ntriples", iri).decode().splitlines()
        quads = sorted(line.removesuffix(" .") + name_term for line in triples if line)
        digest = hashlib.sha256()
        shards = []
        for k, start in enumerate(range(0, len(quads), lines)):
            data = ("\n".join(quads[start : start + lines]) + "\n").encode()
            digest.update(data)
            path = out / f"{n:03d}-{k:04d}.nq.gz"
            # mtime=0: the same quads give the same bytes.
            with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
                zipped.write(data)
            shards.append({"file": path.name, "lines": min(lines, len(quads) - start)})
        manifest["datasets"][name] = {
            "graph": iri,
            "triples": len(quads),
            "shards": shards,
            "checksum": "sha256:" + digest.hexdigest(),
        }
    (out / "catalog.nt").write_bytes(graph.dump("ntriples", catalog) if catalog in graph.named_graphs() else b"")
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a shard directory; :class:`ValueError` if it is missing or of another format."""
    try:
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"{directory / MANIFEST}: cannot read the manifest ({type(exc).__name__})") from None
    if manifest.get("format") != 1:
        raise ValueError(f"{directory / MANIFEST}: not a manifest of this format")
    return manifest
