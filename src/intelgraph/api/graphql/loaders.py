"""Batched, per-operation loaders: one store read per kind of thing per tick.

A nested query over a hundred entities asks for their statements, sources and
records a hundred times each; the loaders collect those keys and make one
guarded read for each kind, so the number of SQL statements does not grow with
the number of entities (a test counts them). Every load goes through
:class:`~intelgraph.access.GuardedReads` with the operation's request, so a
loader can never return what the caller's own read would not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeVar

from anyio import to_thread
from strawberry.dataloader import DataLoader

from intelgraph.model import Entity, Record, Source, StoredStatement

if TYPE_CHECKING:
    from intelgraph.platform import Platform
    from intelgraph.policy.principal import AccessRequest

T = TypeVar("T")


# Whether store calls run on the event loop's thread (set per operation). Reads of an
# embedded SQLite store are short and mostly Python: handing them to threads only adds
# GIL contention (measured: fewer requests per second at 8 clients than at 1), while
# server worker processes give the parallelism. A networked PostgreSQL read waits on
# the network, so it goes to a thread and the loop serves others meanwhile.
INLINE: ContextVar[bool] = ContextVar("intelgraph_graphql_inline", default=False)


async def threaded(function: Callable[[], T]) -> T:
    """Always in a worker thread: graph reads can wait for the projection to load
    (seconds), which must not stop the event loop serving everyone else."""
    return await to_thread.run_sync(function)


async def blocking(function: Callable[[], T]) -> T:
    """Run a store call: inline for the embedded store, else in a worker thread."""
    if INLINE.get():
        return function()
    return await to_thread.run_sync(function)


class Loaders:
    def __init__(self, platform: Platform, request: AccessRequest, *, cache: bool = True) -> None:
        """``cache=False`` for WebSocket connections, which live longer than any data."""
        self.platform = platform
        self.request = request
        self.cache = cache
        self.entity: DataLoader[str, Entity | None] = DataLoader(self._entities, cache=cache)
        self.statements: DataLoader[str, list[StoredStatement]] = DataLoader(
            self._statements, cache=cache
        )
        self.record: DataLoader[str, Record | None] = DataLoader(self._records, cache=cache)
        self.source: DataLoader[str, Source | None] = DataLoader(self._sources, cache=cache)
        self._visible_sources: dict[str, Source] | None = None

    def prime(self, entities: Iterable[Entity]) -> None:
        """Entities a root resolver already read need not be read again."""
        if not self.cache:
            return
        for entity in entities:
            self.entity.prime(entity.id, entity)

    async def _entities(self, ids: Sequence[str]) -> list[Entity | None]:
        found = await blocking(lambda: self.platform.reads.entities(self.request, list(ids)))
        return [found.get(i) for i in ids]

    async def _statements(self, ids: Sequence[str]) -> list[list[StoredStatement]]:
        found = await blocking(lambda: self.platform.reads.statements_of(self.request, list(ids)))
        return [found.get(i, []) for i in ids]

    async def _records(self, ids: Sequence[str]) -> list[Record | None]:
        scope = self.platform.access.scope(self.request)
        found = await blocking(lambda: self.platform.store.records(scope, list(ids)))
        return [found.get(i) for i in ids]

    async def _sources(self, ids: Sequence[str]) -> list[Source | None]:
        if self._visible_sources is None or not self.cache:
            listed = await blocking(lambda: self.platform.reads.sources(self.request))
            self._visible_sources = {source.id: source for source in listed}
        return [self._visible_sources.get(i) for i in ids]


__all__ = ["INLINE", "Loaders", "blocking", "threaded"]
