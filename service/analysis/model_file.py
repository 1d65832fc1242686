"""The analytics model of a snapshot, kept on disk beside its index.

Building the facts and the input-share network of a 10M-triple snapshot takes
about 40 s of pure Python, during which a server that builds it shares its
GIL with every request.  So the process that wrote a snapshot builds the
model once, after publishing it, and stores it in the snapshot's directory
(``analysis/model.pickle``); a server then reads it in a fraction of that
time.  The file is derived from the snapshot's own frames and added once,
atomically (a reader sees it whole or not at all), so the snapshot stays
immutable in every way that matters.  A missing, stale or unreadable file is
never an error: the model is then built from the frames, as before.

While a writer builds the model it holds ``analysis/building`` (its host and
process id); a server on the same host waits for the file instead of
building the same model beside it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import socket
import time
from collections.abc import Iterator
from pathlib import Path

from service.analysis.facts import Facts
from service.analysis.network import Network

FORMAT = 1
"""Bumped whenever ``Facts`` or ``Network`` change shape; files of other formats are ignored."""
MODEL = Path("analysis") / "model.pickle"
BUILDING = Path("analysis") / "building"
WAIT_SECONDS = 900.0
"""The longest a reader waits for a writer's build before building the model itself."""

log = logging.getLogger("supplygraph.analysis")


def read_model(directory: Path) -> Network | None:
    """The stored network (its facts inside) of the snapshot in ``directory``, or None if absent or unusable."""
    path = directory / MODEL
    try:
        with open(path, "rb") as handle:
            if pickle.load(handle) != FORMAT:
                return None
            network = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # a torn or foreign file: build from the frames instead
        log.warning("unreadable analytics model; building it from the frames", extra={"path": path.name})
        return None
    if not isinstance(network, Network) or not isinstance(network.facts, Facts):
        return None
    return network


def has_model(directory: Path) -> bool:
    """Whether the snapshot in ``directory`` has a stored model of this format (reads only its header)."""
    try:
        with open(directory / MODEL, "rb") as handle:
            return bool(pickle.load(handle) == FORMAT)
    except Exception:
        return False


def write_model(directory: Path, network: Network) -> bool:
    """Store ``network`` for the snapshot in ``directory``; False if the directory cannot be written."""
    path = directory / MODEL
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        with open(tmp, "wb") as handle:
            # The format first, alone, so a reader can check it without reading the model.
            pickle.dump(FORMAT, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(network, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False
    return True


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
