"""The files that say what a store holds: the ``CURRENT`` pointer and each snapshot's ``meta.json``.

They are read strictly: a pointer must name a snapshot directory by its id
(no path separators, no ``..``), and a ``meta.json`` must parse and agree
with its directory.  Anything else is a :class:`StoreError` that names the
file relative to the store and the newest intact snapshot, so that nothing
ever serves, or writes on top of, a store it misreads.  Messages never carry
absolute paths: they reach HTTP clients.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path

from service.errors import StoreError

SNAPSHOT_ID = re.compile(r"^\d{8}T\d{12}-\d{6}$")
"""A snapshot id: creation time (UTC, microseconds) and a sequence number, ``20261202T082011596904-000001``."""


@dataclass(slots=True)
class SnapshotInfo:
    """The metadata of one published snapshot."""

    id: str
    parent: str | None
    created: str
    note: str
    triples: int
    graphs: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def seq(self) -> int:
        return int(self.id.rsplit("-", 1)[1])


_FIELDS = {f.name for f in fields(SnapshotInfo)}


class StoreDamaged(StoreError):
    """A store file is missing, empty or corrupt; the message names it and the snapshot to fall back to."""


def read_meta(root: Path, snapshot_id: str) -> SnapshotInfo:
    """The ``meta.json`` of ``snapshot_id``; :class:`StoreDamaged` if it is missing or does not fit."""
    name = f"snapshots/{snapshot_id}/meta.json"
    try:
        data = json.loads((root / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreDamaged(f"{name} is missing") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StoreDamaged(f"{name} is not valid JSON ({type(exc).__name__})") from None
    required = {"id", "parent", "created", "note", "triples"}
    if not isinstance(data, dict) or not set(data) <= _FIELDS or not required <= set(data):
        raise StoreDamaged(f"{name} does not hold snapshot metadata")
    info = SnapshotInfo(**data)
    graphs = info.graphs if isinstance(info.graphs, dict) else None
    if (
        info.id != snapshot_id
        or not isinstance(info.triples, int)
        or info.triples < 0
        or graphs is None
        or not all(isinstance(n, int) and n >= 0 for n in graphs.values())
        or sum(graphs.values()) > info.triples
    ):
        raise StoreDamaged(f"{name} contradicts itself or its directory")
    return info


def read_pointer(root: Path) -> str | None:
    """The id ``CURRENT`` names; None when there is no ``CURRENT`` (and so no snapshot yet).

    :class:`StoreDamaged` when it is empty, not text, not a snapshot id, or
    names a snapshot that is not there.
    """
    try:
        raw = (root / "CURRENT").read_bytes()
    except FileNotFoundError:
        return None
    try:
        text = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise StoreDamaged("CURRENT is not text") from None
    if not text:
        raise StoreDamaged("CURRENT is empty")
    if not SNAPSHOT_ID.fullmatch(text):
        raise StoreDamaged("CURRENT does not hold a snapshot id")
    if not (root / "snapshots" / text / "db").is_dir():
        raise StoreDamaged(f"CURRENT names snapshot {text}, which is not in snapshots/")
    return text


def problems(root: Path, snapshot_id: str) -> list[str]:
    """What is wrong with a snapshot's files (empty when it looks intact): cheap checks, no counting."""
    found: list[str] = []
    directory = root / "snapshots" / snapshot_id
    try:
        read_meta(root, snapshot_id)
    except StoreDamaged as exc:
        found.append(exc.message)
    if not (directory / "db" / "CURRENT").is_file():  # RocksDB's own pointer
        found.append(f"snapshots/{snapshot_id}/db is not a database")
    index = directory / "index"
    try:
        meta = json.loads((index / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found.append(f"snapshots/{snapshot_id}/index/meta.json is missing or corrupt")
    else:
        found += [
            f"snapshots/{snapshot_id}/index/{name} is {problem}"
            for name, problem in _index_files(index, int(meta.get("nodes", -1)))
        ]
    return found


def _index_files(index: Path, nodes: int) -> list[tuple[str, str]]:
    """Index arrays that are missing or cut short (read from their ``.npy`` headers, not their data)."""
    import numpy as np

    found: list[tuple[str, str]] = []
    for name in ("nodes_off.npy", "node_kind.npy", "node_stage.npy", "dep_ptr.npy"):
        path = index / name
        try:
            with open(path, "rb") as handle:
                version = np.lib.format.read_magic(handle)
                read_header = (
                    np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                )
                shape, _, dtype = read_header(handle)
                needed = handle.tell() + int(np.prod(shape)) * np.dtype(dtype).itemsize
        except FileNotFoundError:
            found.append((name, "missing"))
            continue
        except (OSError, ValueError):
            found.append((name, "not an array"))
            continue
        if path.stat().st_size < needed:
            found.append((name, "truncated"))
        elif name in ("node_kind.npy", "node_stage.npy") and nodes >= 0 and shape != (nodes,):
            found.append((name, "of the wrong length"))
    return found


def newest_intact(root: Path) -> str | None:
    """The newest snapshot whose files look intact, if any."""
    directory = root / "snapshots"
    ids = sorted(
        (p.name for p in directory.iterdir() if SNAPSHOT_ID.fullmatch(p.name)) if directory.is_dir() else (),
        key=lambda i: int(i.rsplit("-", 1)[1]),
        reverse=True,
    )
    return next((i for i in ids if not problems(root, i)), None)


def damaged(root: Path, problem: str) -> StoreDamaged:
    """The error for a damaged store: the problem, and the snapshot to switch to."""
    fallback = newest_intact(root)
    hint = (
        f"; the newest intact snapshot is {fallback}: run `supplygraph store use {fallback}`"
        if fallback
        else "; no intact snapshot was found: run `supplygraph store verify`"
    )
    return StoreDamaged(problem + hint)


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so a reader sees the old or the new file, durably."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def sync_tree(path: Path) -> None:
    """fsync every file and directory under ``path``, then ``path`` itself, so a power loss cannot tear it."""
    walked = list(os.walk(path, topdown=False))
    # Files first, several at once (the disk takes them in one queue; fsync
    # releases the GIL), then each directory after what it holds.
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="fsync") as pool:
        list(pool.map(_fsync, (Path(d) / name for d, _, files in walked for name in files)))
    for directory, _subdirs, _files in walked:
        _fsync(Path(directory))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
