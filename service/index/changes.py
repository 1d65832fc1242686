"""The frame rows a snapshot changed, found from its own frames and its parent's, after publishing.

A graph the write did not touch keeps its parent's frame file, hard-linked
(:func:`service.index.frames.collect`), so comparing files by identity finds
the graphs to compare; only those are read.  The result is what a model
derived from the parent's (the analytics model, built by the writer after
publishing) has to account for.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl

from service.index.frames import FORMAT
from service.index.scan import FrameSpec, empty_frames

ON = ["name", "s", "o", "scope", "graph"]


def _manifest(artifacts: Path, spec: FrameSpec) -> dict[str, str] | None:
    """Graph -> frame file of the snapshot whose artifacts are in ``artifacts``; None if unusable."""
    directory = artifacts / "index" / "frames"
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("names") != spec.names:
        return None
    graphs = manifest.get("graphs")
    return {g: str(directory / f) for g, f in graphs.items()} if isinstance(graphs, dict) else None


def _same_file(a: str, b: str) -> bool:
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _rows(path: str | None, graph: str, spec: FrameSpec) -> pl.DataFrame:
    frame = pl.read_parquet(path) if path is not None else empty_frames(spec)
    blank = pl.col("s").str.starts_with("_:") | pl.col("o").str.starts_with("_:")
    # A blank node is told apart by its document's scope; an IRI row's scope does not count.
    return frame.cast({"name": pl.String}).with_columns(
        scope=pl.when(blank).then(pl.col("scope")).otherwise(0).cast(pl.UInt64), graph=pl.lit(graph, pl.String)
    )


def frame_changes(parent: Path, child: Path, spec: FrameSpec) -> pl.DataFrame | None:
    """Rows removed (``added`` false) and added (``added`` true) from ``parent``'s frames to ``child``'s.

    Both are snapshots' artifact directories.  Columns: ``name``, ``s``,
    ``o``, ``scope``, ``graph``, ``added``.  None if either has no frames of
    this spec.
    """
    old, new = _manifest(parent, spec), _manifest(child, spec)
    if old is None or new is None:
        return None
    parts = []
    for graph in sorted(old.keys() | new.keys()):
        before, after = old.get(graph), new.get(graph)
        if before is not None and after is not None and _same_file(before, after):
            continue
        was, now = _rows(before, graph, spec).unique(ON), _rows(after, graph, spec).unique(ON)
        parts.append(was.join(now, on=ON, how="anti").select(ON).with_columns(added=pl.lit(False)))
        parts.append(now.join(was, on=ON, how="anti").select(ON).with_columns(added=pl.lit(True)))
    if not parts:
        return _rows(None, "", spec).select(ON).with_columns(added=pl.lit(False)).clear()
    return pl.concat(parts).sort(ON)
