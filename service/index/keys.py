"""64-bit keys for RDF terms, so the index builder joins and counts integers, not strings.

A key is a hash of the term's spelling whose low bit says "is an IRI"; a
blank node's key also mixes in its frame row's ``scope`` (see
:mod:`service.index.scan`), so equal labels from different documents stay
different nodes.  Keys live only for one build: they are never stored.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl


def term_key(column: str, seed: int) -> pl.Expr:
    """A 64-bit key for each term of ``column``: a hash whose low bit says "is an IRI"; 0 for null.

    A blank node's key mixes in the frame's ``scope``, so equal labels from
    different documents stay different nodes, as they are in the store.
    """
    term = pl.col(column)
    scoped = term.hash(seed) ^ pl.when(term.str.starts_with("_:")).then(pl.col("scope")).otherwise(0)
    return ((scoped & _NOT_LOW_BIT) | term.str.starts_with("<").cast(pl.UInt64)).fill_null(0)


_NOT_LOW_BIT = (1 << 64) - 2


def is_iri(key: str) -> pl.Expr:
    """True where the key column ``key`` holds the key of an IRI."""
    return (pl.col(key) & 1) == 1


def keyed(frames: dict[str, pl.DataFrame], unkeyed_objects: Collection[str] = ()) -> dict[str, pl.DataFrame]:
    """``frames`` with integer keys ``sk``, ``ok`` beside the terms, under a seed free of collisions.

    Frames named in ``unkeyed_objects`` get no ``ok``: their objects are
    literals or a few IRIs compared as strings, and keying them would only
    cost time.

    Joining and counting on 64-bit keys instead of strings makes the build
    several times faster.  Two distinct terms could share a key, so the keys
    are checked against a second, independent hash; on the (astronomically
    unlikely) collision the next seed is tried.
    """
    for seed in range(1, 100):
        plans = [
            f.lazy().with_columns(
                sk=term_key("s", seed), **({} if n in unkeyed_objects else {"ok": term_key("o", seed)})
            )
            for n, f in frames.items()
        ]
        keyed = dict(zip(frames, pl.collect_all(plans), strict=True))  # all frames at once, on both cores
        if _collision_free(keyed, seed + 1000):
            return keyed
    raise RuntimeError("no collision-free term keys")  # pragma: no cover - needs ~2**63 terms


def _collision_free(keyed: dict[str, pl.DataFrame], check_seed: int) -> bool:
    # Two terms sharing a key almost surely differ in an independent hash, so
    # key and key-mixed-with-hash then have different numbers of values.
    mixed = [
        f.select(key=pl.col(k), mixed=pl.col(k) ^ pl.col(t).hash(check_seed))
        for f in keyed.values()
        for k, t in (("sk", "s"), ("ok", "o"))
        if k in f.columns
    ]
    counts = pl.concat(mixed).select(pl.col("key").n_unique(), pl.col("mixed").n_unique())
    return bool(counts.item(0, 0) == counts.item(0, 1))
