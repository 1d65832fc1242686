"""Builds the :class:`Network` of a set of facts: nodes found from the items outwards, then the matrix.

Each node is expanded on its own (:mod:`service.analysis.expand`); the
network is every node found from the items, numbered in one canonical order
(kind, then actor, then item, as strings), so a network built in full and
one derived from its parent's (:mod:`service.analysis.model_delta`) number
their nodes alike and store the same arrays.
"""

from __future__ import annotations

from collections.abc import Container

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from service.analysis.expand import FactsLookup, Lookup, Row, expand
from service.analysis.facts import Facts
from service.analysis.network import ITEM, Issue, Network, NodeKey, Occurrences
from service.analysis.strings import NONE, Strings
from service.index import unique

IntArray = npt.NDArray[np.int64]


def build_network(facts: Facts) -> Network:
    """Build the input-share matrix and origins of ``facts``."""
    lookup = FactsLookup(facts)
    return assemble(facts, expand_all(lookup, [(ITEM, "", i) for i in sorted(facts.items())]))


def expand_all(lookup: Lookup, start: list[NodeKey], known: Container[NodeKey] | None = None) -> dict[NodeKey, Row]:
    """The rows of ``start`` and of every node found from them, except those in ``known``."""
    rows: dict[NodeKey, Row] = {}
    skip: Container[NodeKey] = known if known is not None else set()
    todo = list(start)
    while todo:
        key = todo.pop()
        if key in rows:
            continue
        row = rows[key] = expand(lookup, key)
        todo.extend(k for k in row.found if k not in rows and k not in skip)
    return rows


def assemble(facts: Facts, rows: dict[NodeKey, Row]) -> Network:
    """The network whose nodes are the keys of ``rows``, each with its row."""
    keys = list(rows)
    values = list(rows.values())
    strings = Strings.of(texts_of(keys, values))
    code = strings.code_of
    kind = np.fromiter((k[0] for k in keys), dtype=np.int8, count=len(keys))
    actor = np.fromiter((code(k[1]) if k[1] else NONE for k in keys), dtype=np.int32, count=len(keys))
    item = np.fromiter((code(k[2]) for k in keys), dtype=np.int32, count=len(keys))
    order, final = canonical(kind, actor, item)
    ids = dict(zip(keys, final.tolist(), strict=True))
    size = len(keys)

    def csr(rows_: list[int], cols: list[int], vals: list[float], columns: int) -> sp.csr_matrix:
        found = sp.csr_matrix((vals, (rows_, cols)), shape=(size, columns), dtype=np.float64)
        found.sum_duplicates()  # no duplicates: this sorts each row's columns
        return found

    e_src: list[int] = []
    e_dst: list[int] = []
    e_val: list[float] = []
    l_src: list[int] = []
    l_dst: list[int] = []
    o_src: list[int] = []
    o_country: list[str] = []
    o_val: list[float] = []
    for key, row in rows.items():
        me = ids[key]
        if row.edges:
            e_src.extend([me] * len(row.edges))
            e_dst.extend([ids[t] for t in row.edges])
            e_val.extend(row.edges.values())
        if row.found:
            l_src.extend([me] * len(row.found))
            l_dst.extend([ids[t] for t in row.found])
        if row.origin:
            o_src.extend([me] * len(row.origin))
            o_country.extend(row.origin)
            o_val.extend(row.origin.values())
    countries = sorted(set(o_country))
    col = {c: i for i, c in enumerate(countries)}
    links = link_matrix(np.asarray(l_src, dtype=np.int64), np.asarray(l_dst, dtype=np.int64), size)
    place = np.fromiter((NONE if r.location is None else code(r.location) for r in values), np.int32, len(keys))
    method = np.fromiter((NONE if r.method is None else code(r.method) for r in values), np.int32, len(keys))
    occurrences = [(ids[k], i) for k, row in rows.items() for i in row.issues]
    occurrences.sort(key=lambda o: o[0])  # stable: a node's issues stay in the order reported
    occ = Occurrences(
        np.fromiter((n for n, _ in occurrences), np.int64, len(occurrences)),
        *(strings.codes([getattr(i, f) for _, i in occurrences]) for f in ("subject", "kind", "message")),
    )
    return finish(
        facts,
        strings,
        (kind[order], actor[order], item[order], place[order], method[order]),
        (csr(e_src, e_dst, e_val, size), csr(o_src, [col[c] for c in o_country], o_val, len(countries)), links),
        countries,
        occ,
    )


def canonical(
    kind: npt.NDArray[np.int8], actor: npt.NDArray[np.int32], item: npt.NDArray[np.int32]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The canonical order of nodes (by kind, actor code, item code), and each node's place in it."""
    order = np.lexsort((item, actor, kind))
    final = np.empty(len(kind), dtype=np.int64)
    final[order] = np.arange(len(kind))
    return order, final


def link_matrix(sources: npt.NDArray[np.int64], targets: npt.NDArray[np.int64], size: int) -> sp.csr_matrix:
    """The 0/1 matrix of which node found which, each pair once."""
    return pairs_matrix(unique(sources * max(size, 1) + targets), size)


def pairs_matrix(pairs: npt.NDArray[np.int64], size: int) -> sp.csr_matrix:
    """The 0/1 matrix of ``pairs``: sorted, distinct codes ``source * size + target``."""
    width = max(size, 1)
    return sp.csr_matrix((np.ones(len(pairs), dtype=np.int8), (pairs // width, pairs % width)), shape=(size, size))


def finish(
    facts: Facts,
    strings: Strings,
    nodes: tuple[
        npt.NDArray[np.int8], npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32]
    ],
    matrices: tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix],
    countries: list[str],
    occ: Occurrences,
) -> Network:
    """The network of nodes in canonical order, with its parts."""
    kind, actor, item, place, method = nodes
    matrix, origin, links = matrices
    items = np.flatnonzero(method != NONE)
    subject, issue_kind, message = occ.distinct()
    return Network(
        facts,
        strings,
        kind,
        actor,
        item,
        place,
        matrix,
        countries,
        origin,
        item[items],
        method[items],
        subject,
        issue_kind,
        message,
        links,
        method,
        occ,
    )


def texts_of(keys: list[NodeKey], rows: list[Row]) -> set[str]:
    """Every string the nodes ``keys`` with their ``rows`` name: actors, items, places, methods, issues."""
    found = {s for _, actor, item in keys for s in (actor, item) if s}
    for row in rows:
        if row.location is not None:
            found.add(row.location)
        if row.method is not None:
            found.add(row.method)
        found.update(s for i in row.issues for s in (i.subject, i.kind, i.message))
    return found


__all__ = [
    "Issue",
    "Occurrences",
    "assemble",
    "build_network",
    "canonical",
    "expand_all",
    "finish",
    "link_matrix",
    "pairs_matrix",
    "texts_of",
]
