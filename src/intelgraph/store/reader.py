"""Entity and statement reads, always restricted to the viewer's label sets."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, text

from intelgraph.model import Entity, Record, StoredStatement
from intelgraph.store.labelsets import LabelRegistry, in_clause, row_visible
from intelgraph.store.projection import caption_of, edge_endpoints, pick_schema
from intelgraph.store.retractions import not_retracted
from intelgraph.store.writer import from_us

if TYPE_CHECKING:
    from intelgraph.ontology import Ontology

_ENTITY_COLUMNS = "n.id, e.labelset_id, e.schema, e.properties, e.first_seen_us, e.last_seen_us"
_STATEMENT_COLUMNS = (
    "st.id, st.entity_id, st.schema, st.prop, st.value, st.source_id, st.record_id, "
    "st.run_id, st.labelset_id, st.first_seen_us, st.last_seen_us"
)


def storable(value: str) -> bool:
    """Whether ``value`` could be a stored id at all: ids never hold NUL (PostgreSQL
    cannot even compare one) and are valid UTF-8 (no lone surrogates). Reads answer
    other values as absent instead of failing in the driver."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def storable_ids(ids: Sequence[str]) -> list[str]:
    return [i for i in ids if isinstance(i, str) and storable(i)]


class EntityReader:
    def __init__(self, ontology: Ontology, labels: LabelRegistry) -> None:
        self.ontology = ontology
        self.labels = labels

    def entities(
        self,
        connection: Connection,
        visible: frozenset[int],
        ids: Sequence[str],
        *,
        with_statements: bool = False,
    ) -> dict[str, Entity]:
        """The visible entities among ``ids`` (others are simply absent)."""
        ids = storable_ids(ids)
        if not ids or not visible:
            return {}
        rows = connection.execute(
            text(
                f"SELECT {_ENTITY_COLUMNS} FROM entities e JOIN nodes n ON n.nid = e.nid "
                f"WHERE n.id IN :ids AND {row_visible('e', visible)}"
            ).bindparams(_expanding("ids")),
            {"ids": list(dict.fromkeys(ids))},
        ).all()
        grouped: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[row[0]].append(row)
        statements: dict[str, list[StoredStatement]] = defaultdict(list)
        if with_statements and grouped:
            for statement in self.statements(connection, visible, list(grouped)):
                statements[statement.entity_id].append(statement)
        return {
            entity_id: self._merge(entity_id, group, tuple(statements.get(entity_id, ())))
            for entity_id, group in grouped.items()
        }

    def _merge(
        self, entity_id: str, rows: list[Any], statements: tuple[StoredStatement, ...]
    ) -> Entity:
        schema = rows[0][2]
        properties: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            schema = pick_schema(self.ontology, schema, row[2])
            for prop, values in json.loads(row[3]).items():
                properties[prop].update(values)
        merged = {prop: sorted(values) for prop, values in sorted(properties.items())}
        ends = edge_endpoints(self.ontology, schema, merged)
        return Entity(
            id=entity_id,
            schema=schema,
            properties=merged,
            labels=tuple(sorted((self.labels.get(r[1]) for r in rows), key=lambda x: x.key())),
            caption=caption_of(self.ontology, schema, merged),
            first_seen=from_us(min(r[4] for r in rows)),
            last_seen=from_us(max(r[5] for r in rows)),
            statements=statements,
            source_id=ends[0] if ends else None,
            target_id=ends[1] if ends else None,
        )

    def records(
        self, connection: Connection, visible: frozenset[int], record_ids: Sequence[str]
    ) -> dict[str, Record]:
        """The visible records among ``record_ids``, by id."""
        record_ids = storable_ids(record_ids)
        if not record_ids or not visible:
            return {}
        rows = connection.execute(
            text(
                "SELECT id, source_id, run_id, uri, location, media_type, content, labelset_id "
                f"FROM records WHERE id IN :ids AND {in_clause('labelset_id', visible)}"
            ).bindparams(_expanding("ids")),
            {"ids": list(dict.fromkeys(record_ids))},
        ).all()
        return {
            row[0]: Record(
                source_id=row[1],
                run_id=row[2],
                uri=row[3],
                location=row[4],
                media_type=row[5],
                content=bytes(row[6]),
                labels=self.labels.get(row[7]),
            )
            for row in rows
        }

    def statements(
        self, connection: Connection, visible: frozenset[int], entity_ids: Sequence[str]
    ) -> list[StoredStatement]:
        """The visible, not retracted statements about ``entity_ids``."""
        entity_ids = storable_ids(entity_ids)
        if not entity_ids or not visible:
            return []
        rows = connection.execute(
            text(
                f"SELECT {_STATEMENT_COLUMNS} FROM statements st JOIN nodes n ON n.nid = st.nid "
                f"WHERE n.id IN :ids AND {in_clause('st.labelset_id', visible)} "
                f"AND {not_retracted('st')} ORDER BY st.entity_id, st.prop, st.value, st.id"
            ).bindparams(_expanding("ids")),
            {"ids": list(entity_ids)},
        ).all()
        return self._statements(rows)

    def statements_by_id(
        self, connection: Connection, visible: frozenset[int], statement_ids: Sequence[str]
    ) -> list[StoredStatement]:
        """The visible statements among ``statement_ids`` (found by the statement id index),
        retracted ones included: evidence must still prove what was once said (ask
        ``store.retractions`` whether it still stands)."""
        statement_ids = storable_ids(statement_ids)
        if not statement_ids or not visible:
            return []
        rows = connection.execute(
            text(
                f"SELECT {_STATEMENT_COLUMNS} FROM statements st "
                f"WHERE st.id IN :ids AND {in_clause('st.labelset_id', visible)} ORDER BY st.id"
            ).bindparams(_expanding("ids")),
            {"ids": list(dict.fromkeys(statement_ids))},
        ).all()
        return self._statements(rows)

    def _statements(self, rows: Sequence[Any]) -> list[StoredStatement]:
        return [
            StoredStatement(
                id=r[0],
                entity_id=r[1],
                schema=r[2],
                prop=r[3],
                value=r[4],
                source_id=r[5],
                record_id=r[6],
                run_id=r[7],
                labels=self.labels.get(r[8]),
                first_seen=from_us(r[9]),
                last_seen=from_us(r[10]),
            )
            for r in rows
        ]


def _expanding(name: str) -> Any:
    return bindparam(name, expanding=True)


__all__ = ["EntityReader"]
