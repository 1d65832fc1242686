"""What every resolver finds in ``info.context``: the snapshot, its index and the request's loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.types import Info as _Info

from service.analysis.context import Analysis, analysis_for
from service.errors import BadRequest, NotFound
from service.gql.dataloaders import Loaders
from service.identifiers import Kind, UnknownIdentifier, resolve
from service.index import DependencyIndex, index_for, loaded_index
from service.settings import Settings
from service.store import AnyStore, Snapshot


class InputError(BadRequest):
    """A client mistake (bad IRI, unknown code, page too large): shown as is, never masked."""


@dataclass(slots=True)
class Context:
    """Per-request context.  One snapshot is read for the whole request, so answers agree."""

    settings: Settings
    store: AnyStore
    graph: Snapshot
    loaders: Loaders
    _index: DependencyIndex | None = field(default=None)
    _analysis: Analysis | None = field(default=None)

    async def index(self) -> DependencyIndex:
        """The dependency index of this request's snapshot (loaded once, cached per snapshot)."""
        if self._index is None:
            # Opened once per snapshot: after the first request, no thread hand-off is needed.
            found = loaded_index(self.graph)
            self._index = found if found is not None else await asyncio.to_thread(index_for, self.store, self.graph)
        return self._index

    async def analysis(self) -> Analysis:
        """The analytics of this request's snapshot (built once per snapshot, cached), read in a worker thread."""
        if self._analysis is None:
            self._analysis = await asyncio.to_thread(analysis_for, self.store, self.graph)
        return self._analysis

    async def resolve(self, text: str, kinds: Sequence[Kind], argument: str) -> str:
        """The IRI an argument names (code, short id or IRI); an :class:`InputError` naming the argument if none."""
        index = await self.index()
        try:
            return resolve(index, self.graph, str(text), kinds, argument, suggest=False)
        except UnknownIdentifier:
            # The suggestions scan the store's names: off the event loop.
            try:
                await asyncio.to_thread(resolve, index, self.graph, str(text), kinds, argument)
            except (BadRequest, NotFound) as exc:
                raise InputError(exc.message) from exc
            raise  # pragma: no cover - the same call cannot succeed the second time
        except (BadRequest, NotFound) as exc:
            raise InputError(exc.message) from exc

    async def find(self, text: str, kinds: Sequence[Kind], argument: str) -> str | None:
        """Like :meth:`resolve`, but None for a well-formed name that names nothing (root lookups answer null)."""
        index = await self.index()
        try:
            return resolve(index, self.graph, str(text), kinds, argument, suggest=False)
        except UnknownIdentifier:
            return None
        except BadRequest as exc:
            raise InputError(exc.message) from exc

    def page_size(self, first: int) -> int:
        """``first`` if it is between 1 and ``max_page_size``, else an :class:`InputError`."""
        if not 1 <= first <= self.settings.max_page_size:
            raise InputError(f"first must be between 1 and {self.settings.max_page_size}, got {first}")
        return first


MAX_DEPTH = 50
"""The deepest dependency search a client may ask for."""


def depth_limit(max_depth: int) -> int:
    """``max_depth`` if it is between 1 and :data:`MAX_DEPTH`, else an :class:`InputError`."""
    if not 1 <= max_depth <= MAX_DEPTH:
        raise InputError(f"maxDepth must be between 1 and {MAX_DEPTH}, got {max_depth}")
    return max_depth


Info = _Info[Context, None]
