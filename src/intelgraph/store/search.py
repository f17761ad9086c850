"""Ranked, label-filtered, paged full-text search (FTS5 on SQLite, tsvector on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text

from intelgraph.errors import InvalidInput
from intelgraph.model import Labels, to_us
from intelgraph.store.labelsets import row_visible
from intelgraph.store.retractions import not_retracted
from intelgraph.store.textnorm import query_tokens

MAX_PAGE = 1000
COUNT_CAP = 10_000


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """Structured conditions on top of the text query; each narrows, none widens.

    ``sources``: entities with a statement from one of these source ids.
    ``seen_after`` / ``seen_before``: the observation window overlaps the range.
    ``classifications`` / ``compartments``: label sets at one of these levels,
    carrying at least one of these compartments.
    """

    sources: Sequence[str] | None = None
    seen_after: datetime | None = None
    seen_before: datetime | None = None
    classifications: Sequence[int] | None = None
    compartments: Sequence[str] | None = None

    def labels_match(self, labels: Labels) -> bool:
        if self.classifications is not None and labels.classification not in self.classifications:
            return False
        return self.compartments is None or not labels.compartments.isdisjoint(self.compartments)

    @property
    def narrows_labels(self) -> bool:
        return self.classifications is not None or self.compartments is not None


def _fts5_query(tokens: list[str]) -> str:
    quoted = [f'"{t}"' for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def _tsquery(tokens: list[str]) -> str:
    parts = [f"'{t}'" for t in tokens]
    parts[-1] += ":*"
    return " & ".join(parts)


def search_ids(
    connection: Connection,
    dialect: str,
    visible: frozenset[int],
    query: str,
    *,
    schemata: Sequence[str] | None = None,
    limit: int = 20,
    offset: int = 0,
    where_filter: SearchFilter | None = None,
) -> tuple[list[tuple[str, float]], int, bool]:
    """(entity id, score) best first for one page, the viewer's total hit count, and
    whether that count stopped at ``COUNT_CAP`` (there are more)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"page size must be between 1 and {MAX_PAGE}, got {limit}")
    tokens = query_tokens(query)
    if not visible:
        return [], 0, False
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    where = [row_visible("e", visible)]
    if schemata is not None:
        where.append("e.schema IN :schemata")
        params["schemata"] = list(schemata) or [""]
    if where_filter is not None:
        _filter_conditions(where_filter, where, params)
    if dialect == "sqlite":
        # bm25() only works in the full-text query itself, so rank in a subquery.
        prefix = (
            "WITH f AS MATERIALIZED (SELECT rowid AS rid, -bm25(entity_fts) AS score "
            "FROM entity_fts WHERE entity_fts MATCH :q) "
        )
        source = "f JOIN entities e ON e.row_id = f.rid"
        score = "f.score"
        params["q"] = _fts5_query(tokens)
    else:
        prefix = ""
        source = "entities e"
        where.insert(0, "e.search @@ to_tsquery('simple', :q)")
        score = "ts_rank(e.search, to_tsquery('simple', :q))"
        params["q"] = _tsquery(tokens)
    condition = " AND ".join(where)
    page_sql = text(
        f"{prefix}SELECT n.id, m.score FROM (SELECT e.nid AS nid, MAX({score}) AS score "
        f"FROM {source} WHERE {condition} GROUP BY e.nid) m JOIN nodes n ON n.nid = m.nid "
        "ORDER BY m.score DESC, n.id LIMIT :limit OFFSET :offset"
    )
    # Counting stops at COUNT_CAP so that a very common word costs no more than a page.
    count_sql = text(
        f"{prefix}SELECT COUNT(*) FROM (SELECT DISTINCT e.nid FROM {source} "
        f"WHERE {condition} LIMIT {COUNT_CAP + 1}) c"
    )
    for name in ("schemata", "sources"):
        if name in params:
            page_sql = page_sql.bindparams(bindparam(name, expanding=True))
            count_sql = count_sql.bindparams(bindparam(name, expanding=True))
    hits = [(row[0], float(row[1])) for row in connection.execute(page_sql, params)]
    total = int(connection.execute(count_sql, params).scalar_one())
    return hits, min(total, COUNT_CAP), total > COUNT_CAP


def _filter_conditions(found: SearchFilter, where: list[str], params: dict[str, Any]) -> None:
    if found.sources is not None:
        # statements are keyed (nid, id): the lookup by entity is an index seek
        where.append(
            "EXISTS (SELECT 1 FROM statements st WHERE st.nid = e.nid "
            "AND st.labelset_id = e.labelset_id AND st.source_id IN :sources "
            f"AND {not_retracted('st')})"
        )
        params["sources"] = list(found.sources) or [""]
    if found.seen_after is not None:
        where.append("e.last_seen_us >= :seen_after")
        params["seen_after"] = to_us(found.seen_after)
    if found.seen_before is not None:
        where.append("e.first_seen_us <= :seen_before")
        params["seen_before"] = to_us(found.seen_before)


__all__ = ["SearchFilter", "search_ids"]
