"""Composition root: builds the ontology, store and services from settings.

Nothing else in the package wires components together; the CLI and the API
server ask this module for a ready :class:`Platform`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from intelgraph.config import Settings
from intelgraph.ledger.service import Ledger
from intelgraph.ontology import Ontology, default_ontology
from intelgraph.store import Store


@dataclass
class Platform:
    settings: Settings
    ontology: Ontology
    store: Store
    ledger: Ledger

    @classmethod
    def open(cls, settings: Settings, *, upgrade: bool = False) -> Platform:
        """Open the configured store; with ``upgrade`` create or migrate it first."""
        ontology = default_ontology()
        url = settings.resolved_database_url
        if upgrade:
            Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
            store = Store(url, ontology, cache_mb=settings.sqlite_cache_mb, check_schema=False)
            store.upgrade()
        else:
            store = Store(url, ontology, cache_mb=settings.sqlite_cache_mb)
        return cls.around(settings, store)

    @classmethod
    def around(cls, settings: Settings, store: Store) -> Platform:
        """Services built around an already open store."""
        ledger = Ledger(
            store,
            settings.data_dir,
            origin=settings.ledger_origin,
            signing_key=settings.signing_key(),
        )
        return cls(settings=settings, ontology=store.ontology, store=store, ledger=ledger)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


__all__ = ["Platform"]
