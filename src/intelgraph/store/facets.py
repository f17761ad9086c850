"""Facets of a search: how many of its visible matches fall under each type, source,
classification and compartment.

Facets count what the search's filter would keep: the matching rows (an entity as
seen under one label set), so filtering by a facet's value finds the entities it
counted. They are computed over the same first ``COUNT_CAP`` matches that
``totalCount`` counts, and name only what the viewer may see: visible sources,
held compartments, levels of visible label sets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from intelgraph.model import Classification, Labels
from intelgraph.store import search
from intelgraph.store.retractions import not_retracted
from intelgraph.store.search import SearchFilter, matching

FACET_LIMIT = 50


@dataclass(frozen=True, slots=True)
class FacetCount:
    """``value`` is what a filter takes, ``label`` what a person reads."""

    value: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class SearchFacets:
    types: list[FacetCount]
    sources: list[FacetCount]
    classifications: list[FacetCount]
    compartments: list[FacetCount]

    @classmethod
    def empty(cls) -> SearchFacets:
        return cls([], [], [], [])


def classification_value(level: int) -> str:
    try:
        return Classification(level).name
    except ValueError:
        return str(level)


def search_facets(
    connection: Connection,
    dialect: str,
    visible: frozenset[int],
    query: str,
    *,
    schemata: Sequence[str] | None,
    where_filter: SearchFilter | None,
    labels_of: Callable[[int], Labels],
    pick_schema: Callable[[str, str], str],
    type_label: Callable[[str], str],
    source_names: Mapping[str, str],
    compartments_held: frozenset[str],
) -> SearchFacets:
    """One read: the matching rows of the first ``COUNT_CAP`` matches, each with the
    sources of its statements; counted per entity in Python (at most ``COUNT_CAP``)."""
    found = matching(dialect, visible, query, schemata=schemata, where_filter=where_filter)
    if not visible:
        return SearchFacets.empty()
    capped = f"m AS (SELECT DISTINCT e.nid AS nid FROM {found.source} WHERE {found.condition} "
    capped += f"LIMIT {search.COUNT_CAP})"
    rows = connection.execute(
        found.sql(
            f"{found.with_clause(capped)}SELECT e.nid, e.labelset_id, e.schema, st.source_id "
            f"FROM {found.source} JOIN m ON m.nid = e.nid "
            "LEFT JOIN statements st ON st.nid = e.nid AND st.labelset_id = e.labelset_id "
            f"AND {not_retracted('st')} WHERE {found.condition} "
            "GROUP BY e.nid, e.labelset_id, e.schema, st.source_id"
        ),
        found.params,
    ).all()
    schema_of: dict[int, str] = {}
    levels: dict[str, set[int]] = defaultdict(set)
    compartments: dict[str, set[int]] = defaultdict(set)
    sources: dict[str, set[int]] = defaultdict(set)
    for nid, labelset_id, schema, source_id in rows:
        current = schema_of.get(nid)
        schema_of[nid] = schema if current is None else pick_schema(current, schema)
        labels = labels_of(labelset_id)
        levels[classification_value(labels.classification)].add(nid)
        for compartment in labels.compartments & compartments_held:
            compartments[compartment].add(nid)
        if source_id is not None and source_id in source_names:
            sources[source_id].add(nid)
    types: dict[str, set[int]] = defaultdict(set)
    for nid, schema in schema_of.items():
        types[schema].add(nid)
    return SearchFacets(
        types=_top((name, type_label(name), len(nids)) for name, nids in types.items()),
        sources=_top((i, source_names[i], len(nids)) for i, nids in sources.items()),
        classifications=_top(
            (value, value.replace("_", " "), len(nids)) for value, nids in levels.items()
        ),
        compartments=_top((name, name, len(nids)) for name, nids in compartments.items()),
    )


def _top(counts: Iterable[tuple[str, str, int]]) -> list[FacetCount]:
    ordered = sorted(counts, key=lambda item: (-item[2], item[1], item[0]))
    return [FacetCount(value, label, count) for value, label, count in ordered[:FACET_LIMIT]]


__all__ = ["FACET_LIMIT", "FacetCount", "SearchFacets", "classification_value", "search_facets"]
