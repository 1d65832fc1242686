"""What one write did to each graph, so artifacts can be rebuilt for just that.

A snapshot's artifacts (the dependency index) are derived from its triples.
Rebuilding them from a scan of the whole store costs time that grows with the
store, although a write usually replaces one dataset's graph and leaves every
other graph as it was.  :class:`Changes` is the writer's journal of that: per
graph, whether it was emptied, which N-Triples documents were added (an
artifact builder can read those directly instead of asking the store), and
whether it changed in a way only a rescan can tell.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_GRAPH = ""
"""Key of the store's default graph in :attr:`Changes.graphs`."""


@dataclass(frozen=True, slots=True)
class Document:
    """An N-Triples document added to a graph: a file (possibly gzipped) or bytes.

    A file is remembered with its size and modification time, so a file that
    changed after it was loaded is never read in its place.
    """

    path: Path | None = None
    data: bytes | None = None
    size: int = -1
    mtime_ns: int = -1

    @classmethod
    def of_file(cls, path: Path) -> Document:
        stat = path.stat()
        return cls(path=path, size=stat.st_size, mtime_ns=stat.st_mtime_ns)

    def unchanged(self) -> bool:
        """True if the document still reads as it did when it was loaded."""
        if self.path is None:
            return self.data is not None
        try:
            stat = os.stat(self.path)
        except OSError:
            return False
        return stat.st_size == self.size and stat.st_mtime_ns == self.mtime_ns


@dataclass(slots=True)
class GraphChange:
    """The changes to one graph, in order: maybe emptied, then documents added."""

    cleared: bool = False
    documents: list[Document] = field(default_factory=list)
    opaque: bool = False  # changed by something other than a document load


@dataclass(slots=True)
class Changes:
    """The journal of one write.  ``everything`` means any graph may have changed."""

    everything: bool = False
    graphs: dict[str, GraphChange] = field(default_factory=dict)

    def _of(self, graph: str | None) -> GraphChange:
        return self.graphs.setdefault(graph or DEFAULT_GRAPH, GraphChange())

    def cleared(self, graph: str | None) -> None:
        """``graph`` was emptied: nothing before this point survives in it."""
        self.graphs[graph or DEFAULT_GRAPH] = GraphChange(cleared=True)

    def added(self, graph: str | None, document: Document | None) -> None:
        """Triples were added to ``graph``: from an N-Triples ``document``, or from anything else if None."""
        change = self._of(graph)
        if document is None:
            change.opaque = True
        else:
            change.documents.append(document)

    def touched(self, graph: str | None) -> None:
        """``graph`` changed in a way only a rescan can tell (an update, a removal)."""
        self._of(graph).opaque = True

    def anything(self) -> None:
        """Any graph may have changed (a SPARQL Update, a quad-format load)."""
        self.everything = True
