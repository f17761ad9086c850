"""Graph-shaped results: search hits, neighbour pages, paths and subgraphs.

Nodes and edges are resolved through the entity loader, so a page of fifty
neighbours costs one batched, policy-checked read however many fields the
client selects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import strawberry

from intelgraph.api.graphql.context import GraphQLContext, Info
from intelgraph.api.graphql.loaders import blocking
from intelgraph.api.graphql.paging import check_first, offset_cursor, offset_of
from intelgraph.api.graphql.types import Direction, Edge, Entity, PageInfo
from intelgraph.model import Classification
from intelgraph.store.facets import FacetCount as FacetCountModel
from intelgraph.store.facets import SearchFacets as SearchFacetsModel
from intelgraph.store.results import NeighborPage, encode_cursor
from intelgraph.store.results import Path as PathModel
from intelgraph.store.results import Subgraph as SubgraphModel
from intelgraph.store.search import PropertyMatch, SearchFilter


@strawberry.input(
    description="A property condition: the entity has a visible value of the property equal "
    "to the value, ignoring the case of A-Z (other letters must match as stored), or equal to "
    "the value's canonical form for the property's type."
)
class PropertyFilterInput:
    name: str = strawberry.field(description='A property name of the catalog, e.g. "country".')
    value: str


@strawberry.input(description="Structured conditions on a search; each one narrows it.")
class SearchFilterInput:
    types: list[str] | None = strawberry.field(
        default=None, description='Ontology types (subtypes included), e.g. ["Person"].'
    )
    sources: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only entities with a statement from one of these sources."
    )
    classifications: list[str] | None = strawberry.field(
        default=None, description="Only values at one of these levels (names or numbers)."
    )
    compartments: list[str] | None = strawberry.field(
        default=None, description="Only values carrying at least one of these compartments."
    )
    seen_after: datetime | None = strawberry.field(
        default=None, description="Observed on or after this time."
    )
    seen_before: datetime | None = strawberry.field(
        default=None, description="Observed on or before this time."
    )
    properties: list[PropertyFilterInput] | None = strawberry.field(
        default=None,
        description="Only entities that match every one of these property conditions (at "
        "most 20). A pii/sensitive value matches only where you may see it.",
    )

    def to_store(self) -> SearchFilter:
        return SearchFilter(
            properties=None
            if self.properties is None
            else [PropertyMatch(p.name, p.value) for p in self.properties],
            sources=None if self.sources is None else [str(s) for s in self.sources],
            seen_after=self.seen_after,
            seen_before=self.seen_before,
            classifications=None
            if self.classifications is None
            else [Classification.parse(c) for c in self.classifications],
            compartments=self.compartments,
        )


@strawberry.type
class SearchEdge:
    cursor: str
    score: float
    node: Entity


@strawberry.type(description="How many matches carry one value of a facet.")
class FacetCount:
    value: str = strawberry.field(
        description="What to put into SearchFilterInput to filter by it: a type name, a "
        "source id, a classification name or a compartment."
    )
    label: str = strawberry.field(description="The name to show, e.g. the source's name.")
    count: int


@strawberry.type(
    description="How the visible matches of a search (up to the totalCount cap) spread over "
    "types, sources, classifications and compartments; at most 50 values each, most "
    "frequent first."
)
class SearchFacets:
    types: list[FacetCount]
    sources: list[FacetCount]
    classifications: list[FacetCount]
    compartments: list[FacetCount]

    @classmethod
    def of(cls, model: SearchFacetsModel) -> SearchFacets:
        def counts(items: list[FacetCountModel]) -> list[FacetCount]:
            return [FacetCount(value=i.value, label=i.label, count=i.count) for i in items]

        return cls(
            types=counts(model.types),
            sources=counts(model.sources),
            classifications=counts(model.classifications),
            compartments=counts(model.compartments),
        )


@dataclass(frozen=True)
class _Asked:
    """What a search was asked, for its facets (resolved only when selected)."""

    query: str
    types: list[str] | None
    where: SearchFilter | None


@strawberry.type(description="A page of search hits, best first.")
class SearchConnection:
    edges: list[SearchEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Visible matches, counted up to a cap.")
    total_is_capped: bool = strawberry.field(description="There are more than totalCount.")
    asked: strawberry.Private[_Asked]

    @strawberry.field(
        description="Counts of the visible matches by type, source, classification and "
        "compartment (costs more than a page: ask only when you show them)."
    )
    async def facets(self, info: Info) -> SearchFacets:
        context = info.context
        asked = self.asked
        found = await blocking(
            lambda: context.platform.reads.search_facets(
                context.access, asked.query, schemata=asked.types, where=asked.where
            )
        )
        return SearchFacets.of(found)


async def search_connection(
    info: Info,
    query: str,
    where: SearchFilterInput | None,
    first: int,
    after: str | None,
) -> SearchConnection:
    context = info.context
    check_first(first)
    start = offset_of("search", after)
    asked = _Asked(
        query,
        where.types if where is not None else None,
        where.to_store() if where is not None else None,
    )
    page = await blocking(
        lambda: context.platform.reads.search(
            context.access,
            query,
            schemata=asked.types,
            first=first,
            after=after,
            where=asked.where,
        )
    )
    nodes = context.wrap([hit.entity for hit in page.hits])
    edges = [
        SearchEdge(cursor=offset_cursor("search", start + i + 1), score=hit.score, node=node)
        for i, (hit, node) in enumerate(zip(page.hits, nodes, strict=True))
    ]
    return SearchConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.next_cursor is not None,
            end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=start > 0,
        ),
        total_count=page.total,
        total_is_capped=page.total_is_capped,
        asked=asked,
    )


@strawberry.type(description="One edge of the start entity and the entity at its other end.")
class NeighborEdge:
    cursor: str
    direction: Direction
    edge_type: str
    edge_id: strawberry.ID
    node_id: strawberry.ID
    edge: Edge | None = strawberry.field(description="The relationship itself.")
    node: Entity | None = strawberry.field(description="The entity at the other end.")


@strawberry.type(description="A page of an entity's edges.")
class NeighborConnection:
    edges: list[NeighborEdge]
    page_info: PageInfo


async def neighbor_connection(context: GraphQLContext, page: NeighborPage) -> NeighborConnection:
    """The page with its entities and edges read in one guarded batch (plain fields
    after that: per-item async resolvers cost more than the read itself)."""
    wanted = list(
        dict.fromkeys([i.entity_id for i in page.items] + [i.edge_id for i in page.items])
    )
    found = await context.read_entities(wanted)
    edges = []
    for item in page.items:
        edge = found.get(item.edge_id)
        edges.append(
            NeighborEdge(
                cursor=encode_cursor("nb", {"e": item.edge_id, "o": item.direction == "out"}),
                direction=Direction(str(item.direction)),
                edge_type=item.edge_schema,
                edge_id=strawberry.ID(item.edge_id),
                node_id=strawberry.ID(item.entity_id),
                edge=edge if isinstance(edge, Edge) else None,
                node=found.get(item.entity_id),
            )
        )
    return NeighborConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.next_cursor is not None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


@strawberry.type(description="A path: entities from start to goal and the edges between them.")
class GraphPath:
    model: strawberry.Private[PathModel]

    @strawberry.field
    def hops(self) -> int:
        return self.model.hops

    @strawberry.field
    def node_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self.model.nodes]

    @strawberry.field
    def edge_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self.model.edges]

    @strawberry.field
    async def nodes(self, info: Info) -> list[Entity | None]:
        return await info.context.load_entities(list(self.model.nodes))

    @strawberry.field
    async def edges(self, info: Info) -> list[Entity | None]:
        return await info.context.load_entities(list(self.model.edges))


@strawberry.type
class SubgraphEdge:
    id: strawberry.ID
    edge_type: str
    source_id: strawberry.ID
    target_id: strawberry.ID

    @strawberry.field
    async def edge(self, info: Info) -> Entity | None:
        return await info.context.load_entity(str(self.id))


@strawberry.type(description="Entities and edges around some entities.")
class Subgraph:
    model: strawberry.Private[SubgraphModel]

    @strawberry.field
    def node_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self.model.nodes]

    @strawberry.field
    async def nodes(self, info: Info) -> list[Entity]:
        found = await info.context.load_entities(list(self.model.nodes))
        return [node for node in found if node is not None]

    @strawberry.field
    def edges(self) -> list[SubgraphEdge]:
        return [
            SubgraphEdge(
                id=strawberry.ID(e.id),
                edge_type=e.schema,
                source_id=strawberry.ID(e.source_id),
                target_id=strawberry.ID(e.target_id),
            )
            for e in self.model.edges
        ]

    @strawberry.field(description="The limit cut the subgraph short.")
    def truncated(self) -> bool:
        return self.model.truncated

    @strawberry.field(description="Asked-for ids that are absent or hidden from you.")
    def missing(self) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self.model.missing]


__all__ = [
    "FacetCount",
    "GraphPath",
    "NeighborConnection",
    "NeighborEdge",
    "PropertyFilterInput",
    "SearchConnection",
    "SearchEdge",
    "SearchFacets",
    "SearchFilterInput",
    "Subgraph",
    "SubgraphEdge",
    "neighbor_connection",
    "search_connection",
]
