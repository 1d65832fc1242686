"""Query pools with real deadlines: persistent worker processes that are killed when late.

pyoxigraph evaluates a query inside one native call that cannot be
interrupted, so the only reliable way to stop a runaway query is to stop the
process running it.  :class:`ProcessPool` keeps ``size`` long-lived workers
(``spawn`` context, one pipe each, the snapshot kept open between jobs), hands
each job to an idle worker and waits on the pipe with the event loop.  When
the deadline passes first, the worker gets SIGKILL, a replacement is started
in the background and the client gets :class:`QueryTimeout` (504): never a
truncated 200.  The event loop never blocks on a query, so ``/health`` and
``/graphql`` keep answering while workers are killed.

:class:`ThreadPool` serves ``:memory:`` stores, which cannot be shared with
another process.  Its deadline still answers the client with a 504 on time,
but the thread keeps computing until the query ends: threads cannot be killed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Protocol

from service.errors import QueryTimeout, StoreError, SupplyGraphError, TooManyRequests
from service.store import AnyStore, Serialized
from service.web import pool_worker
from service.web.pool_worker import PING, Job, Reply

log = logging.getLogger("supplygraph.pool")

READY_TIMEOUT = 120.0  # seconds a new worker may take to import and open the snapshot


class _Failed(SupplyGraphError):
    """A worker's error reply, re-raised in the server with the worker's status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status  # type: ignore[misc]  # per-instance status mirrors the worker's


def raise_reply(reply: Reply) -> tuple[Serialized, str | None]:
    """The result and snapshot of an ``ok`` reply; an error reply raised with the worker's status."""
    if reply[0] == "ok":
        return reply[1], reply[2]
    raise _Failed(int(reply[1]), str(reply[2]))


class QueryPool(Protocol):
    """What the endpoints need from a pool."""

    in_flight: int
    timeouts: int

    async def run(self, job: Job, timeout: float) -> tuple[Serialized, str | None]: ...

    async def close(self) -> None: ...


@dataclass(slots=True, eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection


class _Admission:
    """Counts queries running or waiting and refuses new ones beyond the cap (429)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0
        self.timeouts = 0

    @contextlib.contextmanager
    def admit(self) -> Iterator[None]:
        """Count one query in for the duration of the block; :class:`TooManyRequests` when full."""
        if self.in_flight >= self.limit:
            raise TooManyRequests(f"{self.in_flight} queries are running or waiting (limit {self.limit}); retry later")
        self.in_flight += 1
        try:
            yield None
        finally:
            self.in_flight -= 1


class ProcessPool(_Admission):
    """``size`` worker processes over the snapshot store at ``root``."""

    def __init__(self, root: str, size: int, limit: int) -> None:
        super().__init__(limit)
        self.root = root
        self.size = size
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def start(self) -> None:
        """Start the workers; return once they are ready (first query pays no start-up)."""
        await asyncio.gather(*(self._add() for _ in range(self.size)))

    async def _add(self) -> None:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=pool_worker.main, args=(child, self.root), daemon=True)
        await asyncio.to_thread(process.start)
        child.close()
        worker = _Worker(process, parent)
        self._all.add(worker)
        try:
            parent.send(PING)
            reply = await self._receive(worker, READY_TIMEOUT)
            if reply[0] != "ready":
                raise StoreError(f"query worker failed to start: {reply[2]}")
        except BaseException:
            await self._kill(worker)
            raise
        if self._closed:
            await self._kill(worker)
            return
        self._idle.put_nowait(worker)

    def _replace(self) -> None:
        if self._closed:
            return
        task = asyncio.get_running_loop().create_task(self._add())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _kill(self, worker: _Worker) -> None:
        self._all.discard(worker)
        with contextlib.suppress(OSError):
            worker.process.kill()
        worker.conn.close()
        await asyncio.to_thread(worker.process.join, 5)

    async def _receive(self, worker: _Worker, timeout: float) -> Reply:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await asyncio.wait_for(ready, timeout)
        finally:
            loop.remove_reader(fd)
            # Some event loops (uvloop) leave a watched descriptor non-blocking, and
            # Connection.recv() then fails with EAGAIN partway through a long message.
            os.set_blocking(fd, True)
        try:
            # The first bytes are here; the rest of a large result follows, read off the loop.
            reply: Reply = await asyncio.to_thread(worker.conn.recv)
        except (EOFError, OSError) as exc:
            raise StoreError("the query worker died (out of memory?); it has been replaced") from exc
        return reply

    async def run(self, job: Job, timeout: float) -> tuple[Serialized, str | None]:
        """Run ``job`` in a worker; :class:`QueryTimeout` if it is not done within ``timeout`` seconds.

        The deadline covers waiting for a free worker as well as running.
        """
        with self.admit():
            deadline = time.monotonic() + timeout
            try:
                worker = await asyncio.wait_for(self._idle.get(), timeout)
            except TimeoutError:
                self.timeouts += 1
                raise QueryTimeout(f"query deadline of {timeout:g} s passed while waiting for a worker") from None
            healthy = False
            try:
                os.set_blocking(worker.conn.fileno(), True)  # see _receive
                worker.conn.send(job)
                reply = await self._receive(worker, max(0.0, deadline - time.monotonic()))
                healthy = True
            except TimeoutError:
                self.timeouts += 1
                raise QueryTimeout(f"query deadline of {timeout:g} s passed; the query was stopped") from None
            finally:
                if healthy:
                    self._idle.put_nowait(worker)
                else:
                    # Late, dead or abandoned by a client that went away: the worker
                    # may still be computing, so it is killed and replaced.
                    await asyncio.shield(self._kill(worker))
                    self._replace()
            return raise_reply(reply)

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for worker in list(self._all):
            await self._kill(worker)


class ThreadPool(_Admission):
    """Runs queries on an in-memory store in threads; deadlines answer on time but cannot kill."""

    def __init__(self, store: AnyStore, size: int, limit: int) -> None:
        super().__init__(limit)
        self.store = store
        self._executor = concurrent.futures.ThreadPoolExecutor(size, thread_name_prefix="sparql")

    async def run(self, job: Job, timeout: float) -> tuple[Serialized, str | None]:
        """Run ``job`` in a thread; :class:`QueryTimeout` after ``timeout`` seconds."""
        with self.admit():
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(self._executor, pool_worker.answer, self.store, job)
            try:
                reply = await asyncio.wait_for(future, timeout)
            except TimeoutError:
                self.timeouts += 1
                raise QueryTimeout(
                    f"query deadline of {timeout:g} s passed (in-memory store: the query finishes in the background)"
                ) from None
            return raise_reply(reply)

    async def close(self) -> None:
        """Stop accepting work; running threads finish on their own."""
        self._executor.shutdown(wait=False, cancel_futures=True)


async def open_pool(store: AnyStore, size: int, limit: int) -> QueryPool:
    """A started pool for ``store``: processes for a snapshot store, threads for memory."""
    if store.location is not None:
        pool = ProcessPool(store.location, size, limit)
        await pool.start()
        return pool
    return ThreadPool(store, size, limit)
