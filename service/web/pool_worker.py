"""The child side of the query pool: one process, one pipe, one query at a time.

A worker opens the snapshot store read-only and serves jobs until its pipe
closes.  Each job runs on the snapshot that is current when the job starts
(``open_current`` re-reads the pointer and reuses the opened database until
it moves), so a load never interrupts a query already running.  The parent
kills a worker whose query overruns its deadline; nothing here needs to
cooperate with that.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from service.errors import SupplyGraphError
from service.store import IRI, AnyStore, Lit, Serialized, Snapshot, SnapshotStore
from service.web.federation import service_endpoints
from service.web.lexer import lex


@dataclass(frozen=True, slots=True)
class Job:
    """One query to run: text, formats, bindings, row cap and dataset."""

    query: str
    result_format: str = "json"
    graph_format: str = "turtle"
    bindings: dict[str, IRI | Lit] | None = None
    max_rows: int | None = None
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    base_iri: str | None = None
    union_default: bool = True


# Replies are tuples so that they pickle small and fast:
#   ("ok", Serialized, snapshot_id) | ("error", status, message) | ("ready", snapshot_id)
Reply = tuple[Any, ...]
PING = "ping"
NICE = 5


def run_job(graph: Snapshot, job: Job) -> Serialized:
    """Run ``job`` on ``graph`` (shared by the process and thread pools)."""
    return graph.serialize(
        job.query,
        result_format=job.result_format,
        graph_format=job.graph_format,
        bindings=job.bindings,
        max_rows=job.max_rows,
        default_graph=job.default_graph,
        named_graphs=job.named_graphs,
        base_iri=job.base_iri,
        union_default=job.union_default,
    )


def answer(store: AnyStore, job: Job) -> Reply:
    """``job`` run on the current snapshot of ``store``, as the reply a worker sends.

    ``("ok", result, snapshot id)``, or the error reply of whatever failed,
    opening the snapshot included.  Shared by the workers, the thread pool and
    the lookups the server answers itself, so all give the same answers.
    """
    try:
        graph = store.open_current()
        return ("ok", run_job(graph, job), graph.snapshot_id)
    except BaseException as exc:  # every failure becomes a reply, as a worker's does
        return error_reply(exc, job)


def error_reply(exc: BaseException, job: object = None) -> Reply:
    """The reply for a failed job: the error's status, or 400 for an evaluation error on bad input.

    A failure in a query that calls SERVICE is summarised the same way whatever
    happened remotely (refused, timed out, an error page): echoing it would let
    a client map the network the server sees.  An OSError's text can name
    server files: only its kind is given.
    """
    if isinstance(exc, SupplyGraphError):
        return ("error", exc.status, exc.message)
    if isinstance(exc, SyntaxError):
        return ("error", 400, f"query failed: {exc}")
    if isinstance(job, Job) and service_endpoints(lex(job.query)):
        return ("error", 502, "the SERVICE endpoint did not answer with results")
    if isinstance(exc, (ValueError, TypeError, RuntimeError)):
        # Evaluation errors caused by the query itself (e.g. a bad cast).
        return ("error", 400, f"query failed: {exc}")
    if isinstance(exc, OSError):
        return ("error", 503, f"store unavailable ({type(exc).__name__})")
    return ("error", 500, f"query failed: {type(exc).__name__}")


def main(conn: Connection, root: str) -> None:
    """Serve jobs from ``conn`` against the snapshot store at ``root`` until the pipe closes."""
    # Ctrl-C in a terminal reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A lower priority keeps the server's event loop (health checks, GraphQL,
    # the pipes of the other workers) ahead of long queries on a busy machine,
    # and stops a woken worker from preempting the loop mid-write.
    os.nice(NICE)
    store = SnapshotStore(root)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job != PING:
            reply = answer(store, job)
        else:
            try:
                reply = ("ready", store.open_current().snapshot_id)
            except BaseException as exc:  # a store that cannot be opened is the parent's to report
                reply = error_reply(exc, job)
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return
