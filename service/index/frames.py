"""Per-graph frames kept with each snapshot's index, so a write redoes only what it changed.

Layout, inside a snapshot's artifact directory::

    index/frames/manifest.json   format, frame names, and the file of each graph
    index/frames/<n>.parquet     one graph's frame table (Parquet, LZ4)

For a new snapshot, :func:`collect` takes each graph's frames from the
cheapest place that is exact (see :class:`service.store.journal.Changes`):

* a graph the write did not touch: the parent snapshot's file, hard-linked;
* a graph emptied and/or extended with N-Triples documents: the parent's
  frames (unless emptied) plus the documents, parsed (:mod:`service.index.parse`);
* anything else (the graphs a SPARQL Update names, Turtle, a quad format,
  no parent frames): a scan of that graph in the store (:mod:`service.index.scan`).

Frames are only ever derived from the snapshot's own triples, so the index is
the same whichever way they were obtained; tests compare the ways.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Collection
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl

from service.index.parse import parse_document
from service.index.scan import FrameSpec, empty_frames, scan
from service.store import BuildInput
from service.store.journal import DEFAULT_GRAPH, Document

FORMAT = 1
ROW_GROUP = 65_536  # rows per Parquet row group: small enough to skip, large enough to read fast
log = logging.getLogger("supplygraph.index")


class _Saved:
    """A snapshot's saved frames: the file of each graph, each read at most once."""

    def __init__(self, directory: Path, files: dict[str, str]) -> None:
        self.directory = directory
        self.files = files
        self._read: dict[str, pl.DataFrame] = {}

    def read(self, graph: str, spec: FrameSpec) -> pl.DataFrame:
        if graph not in self._read:
            self._read[graph] = _read(self.directory / self.files[graph], spec)
        return self._read[graph]


def _saved(artifacts: Path | None, spec: FrameSpec) -> _Saved | None:
    """The frames saved with a parent snapshot, if they exist and were made by this same spec."""
    if artifacts is None:
        return None
    directory = artifacts / "index" / "frames"
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    if manifest.get("format") != FORMAT or manifest.get("names") != spec.names:
        return None
    files = manifest.get("graphs", {})
    if not all((directory / name).is_file() for name in files.values()):
        return None
    return _Saved(directory, files)


def _plan(
    build: BuildInput, spec: FrameSpec
) -> tuple[dict[str, pl.DataFrame], dict[str, Path], list[str], _Saved | None]:
    """Frames known without scanning, files to reuse as they are, graphs to scan, and the parent's frames."""
    changes = build.changes
    # A write without a parent started from an empty store: nothing to reuse, nothing missing.
    parent = _Saved(Path(), {}) if build.parent is None else _saved(build.parent, spec)
    if changes is None or parent is None or changes.everything:
        return {}, {}, [DEFAULT_GRAPH, *build.snapshot.named_graphs()], parent
    reuse = {g: parent.directory / f for g, f in parent.files.items() if g not in changes.graphs}
    known: dict[str, pl.DataFrame] = {}
    rescan: list[str] = []
    for g, change in changes.graphs.items():
        kept = None if change.cleared or g not in parent.files else parent.read(g, spec)
        frames = None if change.opaque else _extended(kept, change.documents, spec)
        if frames is None:
            log.info("graph %s: not read from documents; scanning the store", g or "(default)")
            rescan.append(g)
        else:
            known[g] = frames
    return known, reuse, rescan, parent


def _extended(kept: pl.DataFrame | None, documents: list[Document], spec: FrameSpec) -> pl.DataFrame | None:
    """``kept`` plus the frames of ``documents``; None if one of them cannot be read."""
    parts = [] if kept is None else [kept]
    for document in documents:
        parsed = parse_document(document, spec)
        if parsed is None:
            return None
        parts.append(parsed)
    return pl.concat(parts) if parts else empty_frames(spec)


class Collected:
    """The frames of a snapshot, the saving of them, and where each graph's came from.

    ``unchanged`` says the frames are exactly the parent snapshot's, so its
    index can be reused as it is; :meth:`frames` merges them only when asked.
    ``reused`` are the files of the graphs the write did not touch, ``fresh``
    the new frames of the others, and :meth:`changed` their parent's frames.
    """

    def __init__(
        self,
        tables: list[Path | pl.DataFrame],
        spec: FrameSpec,
        saved: Future[None],
        routes: dict[str, str],
        unchanged: bool,
        parts: tuple[dict[str, Path], dict[str, pl.DataFrame], _Saved | None] = ({}, {}, None),
    ) -> None:
        self._tables = tables
        self.spec = spec
        self.saved = saved
        self.routes = routes  # graph ("" default) -> "reused", "read" or "scanned"
        self.unchanged = unchanged
        self.reused, self.fresh, self._parent = parts

    def changed(self) -> dict[str, pl.DataFrame] | None:
        """The parent snapshot's frames of every graph not reused, by graph; None without the parent's frames."""
        parent = self._parent
        if parent is None:
            return None
        graphs = (parent.files.keys() | self.fresh.keys()) - self.reused.keys()
        return {g: parent.read(g, self.spec) if g in parent.files else empty_frames(self.spec) for g in graphs}

    def frames(self, names: Collection[str] | None = None) -> dict[str, pl.DataFrame]:
        """Every frame over all graphs, by name (only ``names``, if given)."""
        return by_name(self._tables, self.spec, names)


def by_name(
    tables: list[Path | pl.DataFrame], spec: FrameSpec, names: Collection[str] | None = None
) -> dict[str, pl.DataFrame]:
    """The union of per-graph frame tables, one table per frame name."""
    wanted = spec.names if names is None else [n for n in spec.names if n in names]
    read = [_read(t, spec) if isinstance(t, Path) else t for t in tables]
    # Duplicates (a line twice in a document, a triple in two graphs) are
    # left to the readers: the index builder drops them from its integer rows.
    merged = pl.concat(read) if read else empty_frames(spec)
    merged = merged.filter(pl.col("name").is_in(wanted))
    parts = merged.partition_by("name", as_dict=True)
    found = {str(key[0]): part.drop("name") for key, part in parts.items()}
    empty = empty_frames(spec).drop("name")
    return {name: found.get(name, empty) for name in wanted}


def read_frames(index_dir: Path, spec: FrameSpec, names: Collection[str] | None = None) -> dict[str, pl.DataFrame]:
    """The frames saved with an index (``index_dir / "frames"``), over all graphs, by name.

    Raises :class:`ValueError` if they are missing or were made by another spec.
    Each row also says which ``graph`` it came from ("" the default graph).
    """
    return _frames(index_dir, spec, names, None)


def read_frames_where(index_dir: Path, spec: FrameSpec, keep: pl.Expr) -> dict[str, pl.DataFrame]:
    """The rows ``keep`` selects of the frames saved with an index, by name; filtered as the files are read.

    ``keep`` sees the columns ``name``, ``s``, ``o`` and ``scope``.
    """
    return _frames(index_dir, spec, None, keep)


def _frames(
    index_dir: Path, spec: FrameSpec, names: Collection[str] | None, keep: pl.Expr | None
) -> dict[str, pl.DataFrame]:
    saved = _saved(index_dir.parent, spec)
    if saved is None:
        raise ValueError(f"{index_dir}: no frames of this format")

    def one(path: Path) -> pl.DataFrame:
        if keep is None:
            return _read(path, spec)
        return pl.scan_parquet(path).filter(keep).collect().cast({"name": spec.name_dtype})

    tables: list[Path | pl.DataFrame] = [
        one(saved.directory / f).with_columns(graph=pl.lit(g, pl.String)) for g, f in saved.files.items()
    ]
    frames = by_name(tables, spec, names)
    return {n: f if "graph" in f.columns else f.with_columns(graph=pl.lit("", pl.String)) for n, f in frames.items()}


def collect(build: BuildInput, spec: FrameSpec, out: Path, compared: Collection[str] | None = None) -> Collected:
    """The frames of the new snapshot over all its graphs, and the saving of them.

    Each graph's frames are saved under ``out / "frames"`` for the next
    snapshot to reuse, on a background thread (polars writes outside the
    GIL) while the caller builds; call ``saved.result()`` before
    publishing.  The manifest is written last, so frames that were not all
    saved are never reused.  ``unchanged`` compares only the ``compared``
    frame names (all if None) with the parent's.
    """
    known, reuse, rescan, parent = _plan(build, spec)
    routes = dict.fromkeys(reuse, "reused") | dict.fromkeys(known, "read") | dict.fromkeys(rescan, "scanned")
    if rescan:
        known |= {g or DEFAULT_GRAPH: f for g, f in scan(build.snapshot, spec, rescan).items()}
    directory = out / "frames"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    files: dict[str, str] = {}
    tables: list[Path | pl.DataFrame] = []
    for n, (g, path) in enumerate(sorted(reuse.items())):
        files[g] = f"r{n}.parquet"
        link(path, directory / files[g])
        tables.append(path)
    to_write: list[tuple[pl.DataFrame, Path]] = []
    for n, (g, frame) in enumerate(sorted(known.items())):
        if not frame.is_empty():
            files[g] = f"g{n}.parquet"
            to_write.append((frame, directory / files[g]))
            tables.append(frame)

    def save() -> None:
        for frame, path in to_write:
            # Grouped by name, with each row group's range of names, so a
            # lookup of a few names' rows skips the rest of the file (a
            # delta build's lookups in untouched graphs, service.index.delta).
            by_name = frame.sort("name", maintain_order=True)
            by_name.write_parquet(path, compression="lz4", statistics=True, row_group_size=ROW_GROUP)
        manifest = {"format": FORMAT, "names": spec.names, "graphs": files}
        (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))

    saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="frames")
    saved = saver.submit(save)
    saver.shutdown(wait=False)
    unchanged = build.parent is not None and _same_as_parent(known, reuse, parent, spec, compared)
    return Collected(tables, spec, saved, routes, unchanged, (reuse, known, parent))


def _same_as_parent(
    known: dict[str, pl.DataFrame],
    reuse: dict[str, Path],
    parent: _Saved | None,
    spec: FrameSpec,
    compared: Collection[str] | None,
) -> bool:
    """True if every graph's ``compared`` frames equal the parent snapshot's (so the union, and the index, do too)."""
    if parent is None:
        return False

    def only(frame: pl.DataFrame) -> pl.DataFrame:
        return frame if compared is None else frame.filter(pl.col("name").is_in(list(compared)))

    for g in (known.keys() | parent.files.keys()) - reuse.keys():
        new = only(known.get(g, empty_frames(spec)))
        old = only(parent.read(g, spec) if g in parent.files else empty_frames(spec))
        if new.height != old.height or (new.height and _fingerprint(new) != _fingerprint(old)):
            return False
    return True


def _fingerprint(frame: pl.DataFrame) -> tuple[int, int]:
    """An order-free digest of a frame table: sums of two independent 64-bit row hashes.

    A blank node's scope counts; an IRI row's does not, so a document loaded
    again gives the same digest when it holds no blank nodes.
    """
    blank = pl.col("s").str.starts_with("_:") | pl.col("o").str.starts_with("_:")
    rows = pl.struct(pl.col("name").cast(pl.String), "s", "o", pl.when(blank).then(pl.col("scope")).otherwise(0))
    sums = frame.select(first=rows.hash(1).sum(), second=rows.hash(2).sum())  # sums wrap modulo 2**64
    return int(sums.item(0, 0)), int(sums.item(0, 1))


def _read(path: Path, spec: FrameSpec) -> pl.DataFrame:
    return pl.read_parquet(path).cast({"name": spec.name_dtype})


def link(source: Path, target: Path) -> None:
    """Hard-link ``source`` to ``target`` (copy across file systems)."""
    # Snapshots are immutable, so a hard link is a copy that costs nothing.
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
