"""Progress reporting for loads: a rich bar on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("supplygraph.load")

# Below this, a load is over before a bar would be worth drawing.
MIN_BYTES_FOR_BAR = 4 << 20


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a ``progress(done, total)`` callback, or None for small inputs."""
    if total < MIN_BYTES_FOR_BAR:
        yield None
        return
    if sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
        with Progress("[progress.description]{task.description}", *columns, transient=True) as bar:
            task = bar.add_task(label, total=total)

            def update(done: int, of: int) -> None:
                bar.update(task, completed=done, total=of or total)

            yield update
        return
    last = [0.0]
    started = time.monotonic()

    def log_line(done: int, of: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 5:
            last[0] = now
            rate = done / max(now - started, 1e-9)
            log.info("progress", extra={"task": label, "done": done, "total": of, "per_s": round(rate)})

    yield log_line
