"""The analytics model of a snapshot, kept on disk beside its index as arrays.

Building the facts and the input-share network of a 10M-triple snapshot takes
tens of seconds, during which a server that builds it shares its GIL with
every request.  So the process that wrote a snapshot builds the model once,
after publishing it, and stores it in the snapshot's directory::

    analysis/model/meta.json           format, counts, countries, file sizes
    analysis/model/strings.blob        every actor, item, country and issue text, sorted (strings_off.npy)
    analysis/model/node_*.npy          per node: kind, and codes of its actor, item and location
    analysis/model/matrix_*.npy        A as CSR (indptr, indices, data); origin_*.npy the origin shares
    analysis/model/method_*.npy        how each item's origin or split was found; issue_*.npy the issues
    analysis/model/links_*.npy         the nodes each node's expansion found (zero shares too), as CSR
    analysis/model/occ_*.npy           the issues each node reported, by node (``issue_*`` keeps one of each)
    analysis/model/node_method.npy     how each market's origin or split was found (NONE for other nodes)
    analysis/model/levels.npy          the exposure solver's levels (absent when the network has a cycle)
    analysis/model/facts/<field>.pickle  each field of the facts, read only when an analysis needs it

A server maps the arrays read-only: no node becomes a Python object until a
question asks for it, so reading takes milliseconds and the pages are shared
by every process serving the snapshot.  The directory is derived from the
snapshot's own frames and added once, atomically (renamed into place whole),
so the snapshot stays immutable in every way that matters.  A missing, stale
or unreadable model is never an error: the model is then built from the
frames, as before.

While a writer builds the model it holds ``analysis/building`` (its host and
process id); a server on the same host waits for the model instead of
building the same one beside it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import shutil
import socket
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from service.analysis.fact_overlay import Overlay, apply, entries, too_large
from service.analysis.facts import FIELDS, Facts, StoredFacts
from service.analysis.network import Network, Occurrences
from service.analysis.strings import Strings

FORMAT = 4
"""Bumped whenever the stored arrays, ``Facts`` or ``Network`` change shape; models of other formats are ignored."""
MODEL = Path("analysis") / "model"
BUILDING = Path("analysis") / "building"
WAIT_SECONDS = 900.0
"""The longest a reader waits for a writer's build before building the model itself."""

_NODES = ("kind", "actor", "item", "place")
_CODES = ("method_item", "method_name", "issue_subject", "issue_kind", "issue_message")
_MATRICES = ("matrix", "origin", "links")
_OCCURRENCES = ("node", "subject", "kind", "message")

log = logging.getLogger("supplygraph.analysis")


def read_model(directory: Path) -> Network | None:
    """The stored network (its facts inside) of the snapshot in ``directory``, or None if absent or unusable."""
    path = directory / MODEL
    try:
        meta = json.loads((path / "meta.json").read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("unreadable analytics model; building it from the frames", extra={"path": str(path)})
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return None
    try:
        return _read(path, meta)
    except (OSError, ValueError, KeyError, TypeError):  # a damaged or foreign model: build from the frames
        log.warning("unreadable analytics model; building it from the frames", extra={"path": str(path)})
        return None


def _read(path: Path, meta: dict[str, Any]) -> Network:
    # Every file must be there at the size written: facts are read later, when a question needs them.
    for name, size in meta["sizes"].items():
        if (path / name).stat().st_size != size:
            raise ValueError(f"{name}: not the size written")

    def array(name: str) -> Any:
        return np.load(path / f"{name}.npy", mmap_mode="r")

    def matrix(name: str, columns: int) -> sp.csr_matrix:
        parts = (array(f"{name}_data"), array(f"{name}_indices"), array(f"{name}_indptr"))
        return sp.csr_matrix(parts, shape=(meta["nodes"], columns), copy=False)

    def read_field(name: str) -> Any:
        base = _load(path / "facts" / f"{name}.pickle")
        overlay = path / "facts" / f"{name}.overlay.pickle"
        return apply(name, base, _load(overlay)) if f"facts/{overlay.name}" in meta["sizes"] else base

    network = Network(
        facts=StoredFacts(read_field),
        strings=Strings.load(path, "strings"),
        matrix=matrix("matrix", meta["nodes"]),
        countries=list(meta["countries"]),
        origin=matrix("origin", len(meta["countries"])),
        **{name: array(f"node_{name}") for name in _NODES},
        **{name: array(name) for name in _CODES},
        links=matrix("links", meta["nodes"]),
        node_method=array("node_method"),
        occurrences=Occurrences(*(array(f"occ_{name}") for name in _OCCURRENCES)),
    )
    network.__dict__["levels"] = array("levels") if meta["acyclic"] else None
    return network


def has_model(directory: Path) -> bool:
    """Whether the snapshot in ``directory`` has a stored model of this format (reads only its meta)."""
    try:
        return bool(json.loads((directory / MODEL / "meta.json").read_text()).get("format") == FORMAT)
    except (OSError, ValueError, AttributeError):
        return False


def write_model(
    directory: Path, network: Network, parent: Path | None = None, changed: Mapping[str, set[str]] | None = None
) -> bool:
    """Store ``network`` for the snapshot in ``directory``; False if the directory cannot be written.

    ``changed`` gives, for each facts field, the keys whose entries differ
    from those of the model of the snapshot in ``parent``: each field is then
    stored as that model's base file, linked, with an overlay of the entries
    changed since (:mod:`service.analysis.fact_overlay`).
    """
    path = directory / MODEL
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / "facts").mkdir(parents=True)
        _write(tmp, network)
        if parent is None or changed is None:
            _write_facts(tmp / "facts", network.facts)
        else:
            _derive_facts(tmp / "facts", network.facts, parent / MODEL / "facts", changed)
        _write_meta(tmp, network)
        try:
            os.rename(tmp, path)  # whole or not at all: readers look for the directory
        except OSError:
            if read_model(directory) is not None:
                shutil.rmtree(tmp, ignore_errors=True)  # another process stored the same model first
                return True
            _discard(path)  # a damaged or foreign model, which no reader uses: replace it
            os.rename(tmp, path)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return False
    return True


def link_model(directory: Path, parent: Path) -> bool:
    """Store the model of the snapshot in ``parent`` as that of ``directory``, every file hard-linked.

    For a write that changed none of the frames the model is built from: the
    model is then the parent's, byte for byte, and linking costs no copy.
    False when a file cannot be linked (another file system); nothing is left behind.
    """
    source, path = parent / MODEL, directory / MODEL
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(source, tmp, copy_function=os.link)
        os.rename(tmp, path)  # whole or not at all, as write_model
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return read_model(directory) is not None  # another process may have stored it first
    return True


def _discard(path: Path) -> None:
    trash = path.with_name(f"{path.name}.{os.getpid()}.old")
    os.rename(path, trash)  # out of the readers' way at once, then deleted
    shutil.rmtree(trash, ignore_errors=True)


def _write(out: Path, network: Network) -> None:
    arrays: dict[str, Any] = {f"node_{name}": getattr(network, name) for name in _NODES}
    arrays |= {name: getattr(network, name) for name in _CODES}
    arrays["node_method"] = network.node_method
    occurrences = network.occurrences
    arrays |= {f"occ_{name}": getattr(occurrences, name) for name in _OCCURRENCES}
    for name in _MATRICES:
        found: sp.csr_matrix = getattr(network, name)
        arrays |= {f"{name}_data": found.data, f"{name}_indices": found.indices, f"{name}_indptr": found.indptr}
    level = network.levels
    if level is not None:
        arrays["levels"] = level
    for name, values in arrays.items():
        with open(out / f"{name}.npy", "wb") as handle:
            np.save(handle, np.asarray(values))
            _sync(handle)
    network.strings.save(out, "strings")


def _write_facts(out: Path, facts: Facts, names: Iterable[str] = FIELDS) -> None:
    for name in names:
        _dump(out / f"{name}.pickle", getattr(facts, name))


def _derive_facts(out: Path, facts: Facts, parent: Path, changed: Mapping[str, set[str]]) -> None:
    """Each field as the parent's base file, linked, and the overlay of entries changed since (whole if large)."""
    whole = []
    for name in FIELDS:
        base, overlay_path = f"{name}.pickle", parent / f"{name}.overlay.pickle"
        mine = out / overlay_path.name
        keys = changed.get(name, set())
        if not keys:  # snapshots are immutable, so a link is a free copy of the parent's files
            if not _linked(parent / base, out / base) or (overlay_path.is_file() and not _linked(overlay_path, mine)):
                whole.append(name)
            continue
        overlay: Overlay = _load(overlay_path) if overlay_path.is_file() else {}
        overlay |= entries(facts, name, keys)
        if too_large(overlay, getattr(facts, name)) or not _linked(parent / base, out / base):
            whole.append(name)
        else:
            _dump(mine, overlay)
    for name in whole:
        (out / f"{name}.overlay.pickle").unlink(missing_ok=True)
    _write_facts(out, facts, whole)


def _load(path: Path) -> Any:
    with open(path, "rb") as handle:
        return pickle.load(handle)


def _dump(path: Path, value: Any) -> None:
    path.unlink(missing_ok=True)  # never write through a link to a parent's file
    with open(path, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        _sync(handle)


def _write_meta(out: Path, network: Network) -> None:
    level = network.levels
    files = [p for p in out.rglob("*") if p.is_file()]
    meta = {
        "format": FORMAT,
        "nodes": network.size,
        "edges": int(network.matrix.nnz),
        "countries": network.countries,
        "acyclic": level is not None,
        "sizes": {str(p.relative_to(out)): p.stat().st_size for p in sorted(files)},
    }
    with open(out / "meta.json", "w") as handle:
        json.dump(meta, handle, indent=1)
        _sync(handle)


def _linked(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


def _sync(handle: Any) -> None:
    handle.flush()
    os.fsync(handle.fileno())


@contextlib.contextmanager
def building(directory: Path) -> Iterator[None]:
    """Mark the model of ``directory`` as being built by this process (best effort)."""
    marker = directory / BUILDING
    made = False
    try:
        marker.parent.mkdir(exist_ok=True)
        with open(marker, "x") as handle:
            handle.write(f"{socket.gethostname()} {os.getpid()}")
        made = True
    except OSError:
        pass  # another builder holds it, or the directory is read-only: build anyway
    try:
        yield
    finally:
        if made:
            with contextlib.suppress(OSError):
                marker.unlink()


def wait_for_writer(directory: Path, timeout: float = WAIT_SECONDS) -> Network | None:
    """If a live process on this host is building the model, wait for it; the model it wrote, or None."""
    if not _builder_alive(directory / BUILDING):
        return None  # nobody to wait for (the caller has just looked for the file)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _builder_alive(directory / BUILDING):
        time.sleep(0.5)
    return read_model(directory)


def _builder_alive(marker: Path) -> bool:
    try:
        host, pid_text = marker.read_text().split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return False
    if host != socket.gethostname():
        return False  # another machine's process: nothing here can tell whether it is alive
    if pid == os.getpid():
        return False  # this process is the builder: it reads the frames, not a file it has yet to write
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
