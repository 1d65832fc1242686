"""The input-share matrix of a supply network: nodes, the matrix A and origin shares.

Nodes are of three kinds:

* ``item``: the market for an item.  Its demand is split among the facilities
  producing it (:func:`producer_weights`); with no producer it follows the
  item's bill of materials; with neither it is *primary* and its origin comes
  from production statistics.
* ``site``: a facility producing an item.  Its demand follows the item's BOM
  shares, each input sourced from the facility's (or its operator's) supply
  relationships by their shares, the remainder from the input's market.  A
  site of an item without a BOM is primary production in its country.
* ``firm``: a firm named as supplier.  Its demand is split among its
  facilities producing the item; with none, the firm's headquarters country
  is taken as the origin.

``A[n, m]`` is the share of node ``n``'s requirement met by node ``m``.
Shares that do not add up to 1 are kept as they are and reported in
``issues``; missing shares split what is left equally, and are reported too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from service.analysis.facts import Facts, Record
from service.analysis.leontief import levels
from service.analysis.strings import NONE, Codes, Strings
from service.index import unique, unique_first

ITEM, SITE, FIRM = 0, 1, 2
KINDS = ("item", "site", "firm")
TOLERANCE = 1e-6

NodeKey = tuple[int, str, str]  # (kind, actor or "", item)


@dataclass(frozen=True, slots=True)
class Issue(Record):
    """A data problem found while building the matrix (reported, never silently fixed)."""

    subject: str
    kind: str  # "bom-sum", "supply-sum", "missing-share"
    message: str


class Occurrences:
    """Issues as each node reports them: node ids (sorted), and codes of subject, kind and message."""

    def __init__(
        self,
        node: npt.NDArray[np.int64],
        subject: npt.NDArray[np.int32],
        kind: npt.NDArray[np.int32],
        message: npt.NDArray[np.int32],
    ) -> None:
        self.node, self.subject, self.kind, self.message = node, subject, kind, message

    def distinct(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """One issue per subject and kind, the first reported in node order, sorted by subject and kind."""
        pair = self.subject.astype(np.int64) * (int(self.kind.max(initial=0)) + 1) + self.kind
        _, first = unique_first(pair)  # sorted by (subject, kind); the first occurrence of each
        return self.subject[first], self.kind[first], self.message[first]


@dataclass(eq=False)
class Network:
    """Nodes, the input-share matrix and origins of one set of facts.

    Nodes are held as arrays: a kind, and codes into one table of strings for
    the actor, the item and the location of each, so a stored model is read
    back by mapping its files (``model_file.py``).  The Python views (``keys``,
    ``location``, ``methods``, ``issues``) are made on first use.
    """

    facts: Facts
    strings: Strings
    kind: npt.NDArray[np.int8]  # ITEM, SITE or FIRM
    actor: Codes  # the facility or firm of a site or firm node; NONE for a market
    item: Codes
    place: Codes  # country of a site (or a firm's headquarters when used as origin); NONE if unknown
    matrix: sp.csr_matrix  # A, nodes x nodes
    countries: list[str]
    origin: sp.csr_matrix  # nodes x countries: primary-production shares
    method_item: Codes  # with method_name: how each item's origin or split was found
    method_name: Codes
    issue_subject: Codes  # with issue_kind and issue_message: one issue per subject and kind, sorted by them
    issue_kind: Codes
    issue_message: Codes
    links: sp.csr_matrix  # the nodes each node's expansion found, zero shares included (kept for incremental builds)
    node_method: Codes  # per node: how a market's origin or split was found; NONE for sites and firms
    occurrences: Occurrences  # the issues as each node reported them

    @property
    def size(self) -> int:
        return len(self.kind)

    @cached_property
    def keys(self) -> list[NodeKey]:
        """(kind, actor or "", item) of every node."""
        names = [*self.strings.all, ""]  # code NONE (-1) is the last: ""
        actors = [names[a] for a in self.actor.tolist()]
        return list(zip(self.kind.tolist(), actors, self.node_items(), strict=True))

    @cached_property
    def location(self) -> list[str | None]:
        """The country of every node, if it has one."""
        names: list[str | None] = [*self.strings.all, None]
        return [names[c] for c in self.place.tolist()]

    @cached_property
    def methods(self) -> dict[str, str]:
        """How each item's origin or split was found."""
        names = self.strings.all
        return {names[i]: names[m] for i, m in zip(self.method_item.tolist(), self.method_name.tolist(), strict=True)}

    @cached_property
    def issues(self) -> list[Issue]:
        """Data problems found while building the matrix."""
        return self._issues(np.arange(len(self.issue_subject)))

    def _issues(self, which: npt.NDArray[np.int64]) -> list[Issue]:
        get = self.strings.__getitem__ if len(which) < 1000 else self.strings.all.__getitem__
        columns = (self.issue_subject[which], self.issue_kind[which], self.issue_message[which])
        return [Issue(get(s), get(k), get(m)) for s, k, m in zip(*(c.tolist() for c in columns), strict=True)]

    def issues_about(self, nodes: npt.NDArray[Any]) -> list[Issue]:
        """The issues whose subject is the actor or the item of one of ``nodes``, by subject and kind."""
        subjects = unique(np.concatenate([self.actor[nodes], self.item[nodes]]))
        if subjects.size and subjects[0] == NONE:  # a market's actor is ""
            empty = self.strings.find("")
            subjects = subjects if empty is None else np.append(subjects, empty)
        return self._issues(np.flatnonzero(np.isin(self.issue_subject, subjects)))

    def key(self, node: int) -> NodeKey:
        """(kind, actor or "", item) of ``node``."""
        return int(self.kind[node]), self.strings.get(int(self.actor[node])) or "", self.strings[int(self.item[node])]

    def country(self, node: int) -> str | None:
        """The country of ``node``, if it has one."""
        return self.strings.get(int(self.place[node]))

    def method(self, item: str) -> str | None:
        """How ``item``'s origin or split was found."""
        if "methods" in self.__dict__:
            return self.methods.get(item)
        code = self.strings.find(item)
        found = np.flatnonzero(self.method_item == code) if code is not None else np.empty(0, dtype=np.int64)
        return self.strings[int(self.method_name[found[0]])] if len(found) else None

    @cached_property
    def _item_nodes(self) -> npt.NDArray[np.int64]:
        markets = np.flatnonzero(self.kind == ITEM)
        found = np.full(len(self.strings), -1, dtype=np.int64)
        found[self.item[markets]] = markets
        return found

    def item_node(self, item: str) -> int | None:
        """The market node of ``item``, if the network has it."""
        code = self.strings.find(item)
        node = -1 if code is None else int(self._item_nodes[code])
        return None if node < 0 else node

    @cached_property
    def levels(self) -> npt.NDArray[np.int64] | None:
        """The solver's levels of the matrix (None if it has a cycle); stored with a stored model."""
        return levels(self.matrix)

    def node_items(self) -> list[str]:
        """The item of every node."""
        if "keys" in self.__dict__:
            return [k[2] for k in self.keys]
        names = self.strings.all
        return [names[i] for i in self.item.tolist()]
