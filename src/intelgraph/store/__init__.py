"""The statement store: one API over SQLite (embedded) and PostgreSQL."""

from intelgraph.store.results import (
    Direction,
    Neighbor,
    NeighborPage,
    Path,
    SearchHit,
    SearchPage,
    Subgraph,
    SubgraphEdge,
)
from intelgraph.store.store import Store, StoreStats, open_store
from intelgraph.store.writer import WriteResult

__all__ = [
    "Direction",
    "Neighbor",
    "NeighborPage",
    "Path",
    "SearchHit",
    "SearchPage",
    "Store",
    "StoreStats",
    "Subgraph",
    "SubgraphEdge",
    "WriteResult",
    "open_store",
]
