"""Ranked, label-filtered, paged full-text search (FTS5 on SQLite, tsvector on PostgreSQL).

A query without words but with a filter browses: every visible entity the filter
keeps, in the order the store first saw them, with score 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, text

from intelgraph.errors import InvalidInput
from intelgraph.model import Labels, to_us
from intelgraph.store.labelsets import row_visible
from intelgraph.store.retractions import not_retracted
from intelgraph.store.textnorm import fold, query_tokens

MAX_PAGE = 1000
COUNT_CAP = 10_000
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold_ascii(value: str) -> str:
    """Lower-case A-Z only: what SQLite's ``lower()`` and PostgreSQL's ``lower(… COLLATE
    "C")`` do, so that property filters compare the same on both backends."""
    return value.translate(_ASCII_LOWER)


def fold_sql(dialect: str, expression: str) -> str:
    """SQL for :func:`fold_ascii` of ``expression``."""
    return f"lower({expression})" if dialect == "sqlite" else f'lower({expression} COLLATE "C")'


@dataclass(frozen=True, slots=True)
class PropertyMatch:
    """An entity with a visible value of ``name`` equal to ``value``, ignoring the case of
    A-Z. With ``within``, values on rows of the ``private`` types (where the property is
    pii or sensitive) count only for those entity ids: the ones whose values policy shows.
    ``terms`` are the folded values to look for, filled in by the store."""

    name: str
    value: str
    private: frozenset[str] = frozenset()
    within: frozenset[str] | None = None
    terms: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """Structured conditions on top of the text query; each narrows, none widens.

    ``sources``: entities with a statement from one of these source ids.
    ``seen_after`` / ``seen_before``: the observation window overlaps the range.
    ``classifications`` / ``compartments``: label sets at one of these levels,
    carrying at least one of these compartments.
    ``properties``: every one of these property matches holds.
    """

    sources: Sequence[str] | None = None
    seen_after: datetime | None = None
    seen_before: datetime | None = None
    classifications: Sequence[int] | None = None
    compartments: Sequence[str] | None = None
    properties: Sequence[PropertyMatch] | None = None

    def labels_match(self, labels: Labels) -> bool:
        if self.classifications is not None and labels.classification not in self.classifications:
            return False
        return self.compartments is None or not labels.compartments.isdisjoint(self.compartments)

    @property
    def narrows_labels(self) -> bool:
        return self.classifications is not None or self.compartments is not None

    @property
    def narrows(self) -> bool:
        """Any condition at all: enough to browse without words."""
        return any(
            value is not None
            for value in (
                self.sources,
                self.seen_after,
                self.seen_before,
                self.classifications,
                self.compartments,
                self.properties,
            )
        )


@dataclass(frozen=True, slots=True)
class Matching:
    """The SQL that finds the matching ``entities`` rows (alias ``e``) of a query:
    ``{ctes}SELECT … FROM {source} WHERE {condition}``. ``score`` is None when browsing."""

    ctes: tuple[str, ...]
    source: str
    condition: str
    score: str | None
    params: dict[str, Any]
    expanding: tuple[str, ...]

    def with_clause(self, *more: str) -> str:
        ctes = (*self.ctes, *more)
        return f"WITH {', '.join(ctes)} " if ctes else ""

    def sql(self, statement: str) -> TextClause:
        clause = text(statement)
        for name in self.expanding:
            clause = clause.bindparams(bindparam(name, expanding=True))
        return clause


def _fts5_query(tokens: list[str]) -> str:
    quoted = [f'"{t}"' for t in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def _tsquery(tokens: list[str]) -> str:
    parts = [f"'{t}'" for t in tokens]
    parts[-1] += ":*"
    return " & ".join(parts)


def matching(
    dialect: str,
    visible: frozenset[int],
    query: str,
    *,
    schemata: Sequence[str] | None = None,
    where_filter: SearchFilter | None = None,
) -> Matching:
    """The rows of visible entities that match ``query`` and ``where_filter``; a query
    without words needs a filter (or types) and then browses."""
    words = fold(query).split()
    tokens = query_tokens(query) if words else []
    if not tokens and schemata is None and (where_filter is None or not where_filter.narrows):
        raise InvalidInput(
            "the search query has no words",
            hint="search for a name, number or keyword, or give a filter to browse",
        )
    params: dict[str, Any] = {}
    expanding: list[str] = []
    where = [row_visible("e", visible)]
    if schemata is not None:
        where.append("e.schema IN :schemata")
        params["schemata"] = list(schemata) or [""]
        expanding.append("schemata")
    if where_filter is not None:
        _filter_conditions(dialect, visible, where_filter, where, params, expanding)
    ctes: tuple[str, ...] = ()
    source = "entities e"
    score: str | None = None
    if tokens and dialect == "sqlite":
        # bm25() only works in the full-text query itself, so rank in a subquery.
        ctes = (
            "f AS MATERIALIZED (SELECT rowid AS rid, -bm25(entity_fts) AS score "
            "FROM entity_fts WHERE entity_fts MATCH :q)",
        )
        source = "f JOIN entities e ON e.row_id = f.rid"
        score = "f.score"
        params["q"] = _fts5_query(tokens)
    elif tokens:
        where.insert(0, "e.search @@ to_tsquery('simple', :q)")
        score = "ts_rank(e.search, to_tsquery('simple', :q))"
        params["q"] = _tsquery(tokens)
    return Matching(ctes, source, " AND ".join(where), score, params, tuple(expanding))


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
    found = matching(dialect, visible, query, schemata=schemata, where_filter=where_filter)
    if not visible:
        return [], 0, False
    params = {**found.params, "limit": limit, "offset": offset}
    head, source, condition = found.with_clause(), found.source, found.condition
    if found.score is None:
        # Browsing: first-stored order walks the (nid, labelset) index and stops early.
        page_sql = found.sql(
            f"{head}SELECT n.id, 0.0 FROM (SELECT DISTINCT e.nid AS nid FROM {source} "
            f"WHERE {condition} ORDER BY e.nid LIMIT :limit OFFSET :offset) m "
            "JOIN nodes n ON n.nid = m.nid ORDER BY m.nid"
        )
    else:
        page_sql = found.sql(
            f"{head}SELECT n.id, m.score FROM (SELECT e.nid AS nid, MAX({found.score}) AS score "
            f"FROM {source} WHERE {condition} GROUP BY e.nid) m JOIN nodes n ON n.nid = m.nid "
            "ORDER BY m.score DESC, n.id LIMIT :limit OFFSET :offset"
        )
    # Counting stops at COUNT_CAP so that a very common word costs no more than a page.
    count_sql = found.sql(
        f"{head}SELECT COUNT(*) FROM (SELECT DISTINCT e.nid FROM {source} "
        f"WHERE {condition} LIMIT {COUNT_CAP + 1}) c"
    )
    hits = [(row[0], float(row[1])) for row in connection.execute(page_sql, params)]
    total = int(connection.execute(count_sql, found.params).scalar_one())
    return hits, min(total, COUNT_CAP), total > COUNT_CAP


def _filter_conditions(
    dialect: str,
    visible: frozenset[int],
    found: SearchFilter,
    where: list[str],
    params: dict[str, Any],
    expanding: list[str],
) -> None:
    if found.sources is not None:
        # statements are keyed (nid, id): the lookup by entity is an index seek
        where.append(
            "EXISTS (SELECT 1 FROM statements st WHERE st.nid = e.nid "
            "AND st.labelset_id = e.labelset_id AND st.source_id IN :sources "
            f"AND {not_retracted('st')})"
        )
        params["sources"] = list(found.sources) or [""]
        expanding.append("sources")
    if found.seen_after is not None:
        where.append("e.last_seen_us >= :seen_after")
        params["seen_after"] = to_us(found.seen_after)
    if found.seen_before is not None:
        where.append("e.first_seen_us <= :seen_before")
        params["seen_before"] = to_us(found.seen_before)
    for i, match in enumerate(found.properties or ()):
        where.append(_property_condition(dialect, visible, match, i, params, expanding))


def _property_condition(
    dialect: str,
    visible: frozenset[int],
    match: PropertyMatch,
    i: int,
    params: dict[str, Any],
    expanding: list[str],
) -> str:
    """Entity-wide: any visible row of the entity holds the value. Correlated on the
    entity, so it reads only the statements of the candidates (the primary key starts
    with ``nid``): cheap after words or types, a walk over every visible entity when it
    is the only condition (an index on values would slow every ingest by a fifth)."""
    if not match.terms:
        return "1=0"
    names = {key: f"p{i}_{key}" for key in ("prop", "value", "private", "within")}
    params[names["prop"]] = match.name
    params[names["value"]] = sorted(set(match.terms))
    expanding.append(names["value"])
    conditions = [
        "st.nid = e.nid",
        f"st.prop = :{names['prop']}",
        f"{fold_sql(dialect, 'st.value')} IN :{names['value']}",
        not_retracted("st"),
        row_visible("v", visible),
    ]
    if match.within is not None and match.private:
        params[names["private"]] = sorted(match.private)
        expanding.append(names["private"])
        revealed = "1=0"
        if match.within:
            params[names["within"]] = sorted(match.within)
            expanding.append(names["within"])
            revealed = f"st.nid IN (SELECT w.nid FROM nodes w WHERE w.id IN :{names['within']})"
        conditions.append(f"(v.schema NOT IN :{names['private']} OR {revealed})")
    return (
        "EXISTS (SELECT 1 FROM statements st JOIN entities v ON v.nid = st.nid "
        f"AND v.labelset_id = st.labelset_id WHERE {' AND '.join(conditions)})"
    )


__all__ = [
    "COUNT_CAP",
    "Matching",
    "PropertyMatch",
    "SearchFilter",
    "fold_ascii",
    "fold_sql",
    "matching",
    "search_ids",
]
