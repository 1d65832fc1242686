"""Predicate scans of a snapshot as columnar frames, for the index builder.

Each scan is a one-pattern SELECT serialized to TSV inside pyoxigraph (Rust)
and parsed by polars (Rust), so no Python object is made per triple: this is
several times faster than iterating :meth:`Graph.pairs`, and it is what keeps
the index build a small fraction of the bulk load.  Scans run on two threads
because pyoxigraph releases the GIL while it evaluates and serializes.

Terms keep their N-Triples spelling: ``<iri>``, ``_:blank``, ``"literal"^^<dt>``
(or a bare number, which SPARQL TSV allows).
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from service.store import Graph

_SCAN = "SELECT ?s ?o WHERE { ?s <PREDICATE> ?o }"
_TYPED = "SELECT ?s ?o WHERE { VALUES ?o { CLASSES } ?s a ?o }"


def _frame(graph: Graph, query: str) -> pl.DataFrame:
    body = graph.serialize(query, result_format="tsv").body
    if body.count(b"\n") <= 1:
        return pl.DataFrame({"s": [], "o": []}, schema={"s": pl.String, "o": pl.String})
    frame = pl.read_csv(body, separator="\t", quote_char=None, has_header=True, infer_schema=False)
    return frame.rename({frame.columns[0]: "s", frame.columns[1]: "o"})


def scan(graph: Graph, predicates: Mapping[str, str], classes: list[str]) -> dict[str, pl.DataFrame]:
    """Frames ``s, o`` for each named predicate, plus ``"type"`` for instances of ``classes``.

    The predicate and class IRIs are the builder's own constants, never client input.
    """
    queries = {name: _SCAN.replace("PREDICATE", iri) for name, iri in predicates.items()}
    queries["type"] = _TYPED.replace("CLASSES", " ".join(f"<{c}>" for c in classes))
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_frame, graph, query) for name, query in queries.items()}
        return {name: future.result() for name, future in futures.items()}


def iris_only(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Rows whose ``columns`` are IRIs, with the angle brackets removed."""
    for column in columns:
        frame = frame.filter(pl.col(column).str.starts_with("<"))
        frame = frame.with_columns(pl.col(column).str.strip_prefix("<").str.strip_suffix(">"))
    return frame


def strip_iri(column: str) -> pl.Expr:
    """An expression removing the brackets of IRIs in ``column`` (blank nodes stay ``_:x``)."""
    return pl.col(column).str.strip_prefix("<").str.strip_suffix(">")


def numbers(frame: pl.DataFrame, column: str = "o") -> pl.DataFrame:
    """``column`` parsed as a float (typed or bare numeric literal); NaN when not a number."""
    lexical = pl.col(column).str.extract(r'^"?([-+0-9.eE]+)', 1)
    return frame.with_columns(lexical.cast(pl.Float64, strict=False).fill_null(float("nan")).alias(column))
