"""Scans of a snapshot's graphs as columnar frames, for the index builder.

A *frame* is the long table ``(name, s, o, scope)`` of the triples an index
needs: one ``name`` per predicate of a :class:`FrameSpec`, plus the instances
of its classes.  ``scope`` tells blank nodes apart: the store names them
uniquely (scope 0), while a parsed document's labels are only unique within
it (a random scope per document).  Each scan is a small SELECT serialized to TSV inside pyoxigraph
(Rust) and parsed by polars (Rust), so no Python object is made per triple;
this is several times faster than iterating :meth:`Snapshot.pairs`.  Scans run on
two threads because pyoxigraph releases the GIL while it evaluates and
serializes.

Terms keep their N-Triples spelling: ``<iri>``, ``_:blank``, ``"literal"^^<dt>``
(or a bare number, which SPARQL TSV allows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from ontology import vocab as v
from service.store import Snapshot


@dataclass(frozen=True, slots=True)
class FrameSpec:
    """Which triples the frames keep: ``predicates`` by frame name, and instances of ``types``."""

    predicates: Mapping[str, str]
    types: Sequence[str]
    type_name: str = "type"
    type_predicate: str = v.RDF_TYPE

    def __post_init__(self) -> None:
        if len(set(self.predicates.values())) != len(self.predicates) or self.type_name in self.predicates:
            raise ValueError("each frame needs its own predicate and name")

    @property
    def names(self) -> list[str]:
        return [*self.predicates, self.type_name]

    @property
    def name_dtype(self) -> pl.Enum:
        return pl.Enum(self.names)

    def queries(self) -> dict[str, str]:
        """One SELECT ?s ?o per frame name."""
        listed = " ".join(f"<{c}>" for c in sorted(self.types))
        typed = f"SELECT ?s ?o WHERE {{ VALUES ?o {{ {listed} }} ?s <{self.type_predicate}> ?o }}"
        return {name: pairs_query(p) for name, p in self.predicates.items()} | {self.type_name: typed}


def pairs_query(predicate: str) -> str:
    """Subject and object of every triple of ``predicate``."""
    return f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}"


STORE_SCOPE = 0


def frame_schema(spec: FrameSpec) -> dict[str, pl.DataType]:
    """Columns of a frame table."""
    return {"name": spec.name_dtype, "s": pl.String(), "o": pl.String(), "scope": pl.UInt64()}


def empty_frames(spec: FrameSpec) -> pl.DataFrame:
    """A frame table with no rows."""
    return pl.DataFrame(schema=frame_schema(spec))


def _frame(graph: Snapshot, query: str, graph_name: str | None) -> pl.DataFrame:
    dataset = [graph_name] if graph_name is not None else None
    body = graph.serialize(query, result_format="tsv", default_graph=dataset).body
    _, _, rest = body.partition(b"\n")
    if not rest.strip():
        return pl.DataFrame(schema={"s": pl.String, "o": pl.String})
    return pl.read_csv(
        rest, separator="\t", quote_char=None, has_header=False, new_columns=["s", "o"], infer_schema=False
    )


def scan(
    graph: Snapshot, spec: FrameSpec, graph_names: Sequence[str | None] = (None,)
) -> dict[str | None, pl.DataFrame]:
    """The frames of each of ``graph_names`` ("" the store's default graph, None the union of all graphs)."""
    queries = spec.queries()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            (g, name): pool.submit(_frame, graph, query, g) for g in graph_names for name, query in queries.items()
        }
        parts = {key: future.result() for key, future in futures.items()}
    result: dict[str | None, pl.DataFrame] = {}
    for g in graph_names:
        frames = [
            parts[g, name].select(
                pl.lit(name, spec.name_dtype).alias("name"), "s", "o", pl.lit(STORE_SCOPE, pl.UInt64).alias("scope")
            )
            for name in queries
        ]
        result[g] = pl.concat(frames)
    return result


def number(column: str) -> pl.Expr:
    """``column`` parsed as a float (typed or bare numeric literal); NaN when missing or not a number."""
    lexical = pl.col(column).str.extract(r'^"?([-+0-9.eE]+)', 1)
    return lexical.cast(pl.Float64, strict=False).fill_null(float("nan")).alias(column)
