"""``Query``: every read of schema v1, each through the guarded read API."""

from __future__ import annotations

from typing import Annotated

import strawberry

from intelgraph.api.graphql.context import Info
from intelgraph.api.graphql.graph import (
    GraphPath,
    NeighborConnection,
    SearchConnection,
    SearchFilterInput,
    Subgraph,
    neighbor_connection,
    search_connection,
)
from intelgraph.api.graphql.loaders import blocking, threaded
from intelgraph.api.graphql.paging import check_first, offset_cursor, offset_of, page_of
from intelgraph.api.graphql.types import (
    Authority,
    Checkpoint,
    Direction,
    Entity,
    Evidence,
    IngestRun,
    IngestRunConnection,
    IngestRunEdge,
    OntologyInfo,
    OntologyProperty,
    OntologyType,
    PageInfo,
    PrivacyClass,
    PropertyTypeInfo,
    Source,
    StatementConnection,
    Viewer,
    classification_name,
)
from intelgraph.errors import InvalidInput, NotFound
from intelgraph.ledger.merkle import ProofError
from intelgraph.ontology.proptypes import TYPES as PROPERTY_TYPES
from intelgraph.ontology.schema import Schema
from intelgraph.store.results import Direction as StoreDirection

MAX_IDS = 500
MAX_HOPS = 6
PRIVACY_CLASSES = (
    PrivacyClass(name="public", description="shown to anyone who may see the entity"),
    PrivacyClass(
        name="pii",
        description="personal data: shown only under an active authority that covers "
        "the entity for the request's purpose",
    ),
    PrivacyClass(
        name="sensitive",
        description="special-category data: same rule as pii, audited on every read",
    ),
)


def _ids(ids: list[strawberry.ID], what: str = "ids") -> list[str]:
    if len(ids) > MAX_IDS:
        raise InvalidInput(
            f"{what} holds {len(ids)} ids; at most {MAX_IDS} are allowed",
            hint="split the request into several",
        )
    return [str(i) for i in ids]


def _ontology_type(schema: Schema) -> OntologyType:
    return OntologyType(
        name=schema.name,
        label=schema.label,
        plural=schema.plural,
        description=schema.description,
        abstract=schema.abstract,
        is_edge=schema.is_edge,
        extends=list(schema.extends),
        ancestors=list(schema.ancestors),
        edge_source=schema.source_range,
        edge_target=schema.target_range,
        properties=[
            OntologyProperty(
                name=p.name,
                label=p.label,
                type=p.type.name,
                description=p.description,
                privacy=p.privacy,
                multiple=p.multiple,
                required=p.required,
                range=p.range,
            )
            for p in schema.properties.values()
        ],
    )


@strawberry.type
class Query:
    @strawberry.field(description="The principal this request runs as, and its rights.")
    def me(self, info: Info) -> Viewer:
        request = info.context.access
        principal = request.principal
        return Viewer(
            id=principal.id,
            name=principal.name,
            tenant=principal.tenant,
            kind=principal.kind,
            clearance=principal.clearance,
            clearance_name=classification_name(principal.clearance),
            compartments=sorted(principal.compartments),
            purposes=list(principal.purposes),
            groups=sorted(principal.groups),
            admin=principal.admin,
            scopes=sorted(principal.scopes),
            current_purpose=request.effective_purpose,
            authority=request.authority.id if request.authority else None,
        )

    @strawberry.field(description="One entity, or null when it is absent or hidden from you.")
    async def entity(self, info: Info, id: strawberry.ID) -> Entity | None:
        context = info.context
        try:
            found = await blocking(lambda: context.platform.reads.entity(context.access, str(id)))
        except NotFound:
            return None
        return context.wrap([found])[0]

    @strawberry.field(
        description="Entities by id, in the order asked; null for each absent or hidden one."
    )
    async def entities(self, info: Info, ids: list[strawberry.ID]) -> list[Entity | None]:
        return await info.context.load_entities(_ids(ids))

    @strawberry.field(
        description="Ranked full-text search with structured filters; a query without words "
        "browses what the filter keeps."
    )
    async def search(
        self,
        info: Info,
        query: str,
        filter: SearchFilterInput | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> SearchConnection:
        return await search_connection(info, query, filter, first, after)

    @strawberry.field(description="The edges of an entity and the entities at their other end.")
    async def neighbors(
        self,
        info: Info,
        id: strawberry.ID,
        direction: Direction = Direction.BOTH,
        edge_types: list[str] | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> NeighborConnection:
        context = info.context
        check_first(first)
        page = await threaded(
            lambda: context.platform.reads.neighbors(
                context.access,
                str(id),
                direction=StoreDirection(direction.value),
                edge_types=edge_types,
                limit=first,
                cursor=after,
            )
        )
        return await neighbor_connection(context, page)

    @strawberry.field(description="Shortest paths between two entities, fewest hops first.")
    async def paths(
        self,
        info: Info,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_hops: int = 3,
        first: int = 5,
        edge_types: list[str] | None = None,
        directed: bool = False,
    ) -> list[GraphPath]:
        context = info.context
        if not 1 <= max_hops <= MAX_HOPS:
            raise InvalidInput(f"maxHops must be between 1 and {MAX_HOPS}, got {max_hops}")
        check_first(first, largest=100)
        found = await threaded(
            lambda: context.platform.reads.paths(
                context.access,
                str(from_),
                str(to),
                max_hops=max_hops,
                limit=first,
                edge_types=edge_types,
                directed=directed,
            )
        )
        return [GraphPath(model=path) for path in found]

    @strawberry.field(description="The entities and edges around some entities, up to a limit.")
    async def subgraph(
        self,
        info: Info,
        ids: list[strawberry.ID],
        hops: int = 1,
        edge_types: list[str] | None = None,
        limit: int = 500,
    ) -> Subgraph:
        context = info.context
        wanted = _ids(ids)
        if not 0 <= hops <= 3:
            raise InvalidInput(f"hops must be between 0 and 3, got {hops}")
        check_first(limit, largest=500)
        found = await threaded(
            lambda: context.platform.reads.subgraph(
                context.access, wanted, hops=hops, edge_types=edge_types, limit=limit
            )
        )
        return Subgraph(model=found)

    @strawberry.field(description="The statements about an entity that you may see.")
    async def statements(
        self, info: Info, entity_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> StatementConnection:
        found = await info.context.loaders.statements.load(str(entity_id))
        return StatementConnection.of(page_of(found, first=first, after=after))

    @strawberry.field(
        description="A statement's record, source, run and ledger proofs under a signed "
        "checkpoint, checked on the server; null when absent or hidden."
    )
    async def evidence(self, info: Info, statement_id: strawberry.ID) -> Evidence | None:
        context = info.context
        platform, request = context.platform, context.access

        def read() -> Evidence | None:
            try:
                found = platform.ledger.evidence(platform.access.scope(request), str(statement_id))
            except NotFound:
                return None
            platform.access.reveal_statement(request, found.statement)
            try:
                found.check()
            except ProofError as exc:
                return Evidence(model=found, verified=False, problem=str(exc))
            return Evidence(model=found, verified=True, problem=None)

        return await blocking(read)

    @strawberry.field(description="The sources you may see.")
    async def sources(self, info: Info) -> list[Source]:
        context = info.context
        found = await blocking(lambda: context.platform.reads.sources(context.access))
        return [Source.of(source) for source in found]

    @strawberry.field(description="Ingest runs of sources you may see, newest first.")
    async def ingest_runs(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> IngestRunConnection:
        context = info.context
        check_first(first, largest=200)
        start = offset_of("runs", after)
        if start > 10_000:
            raise InvalidInput("ingestRuns pages only through the newest 10,000 runs")
        scope = context.platform.access.scope(context.access)
        found = await blocking(
            lambda: context.platform.store.ingest.runs(scope, limit=min(start + first + 1, 10_001))
        )
        chosen = found[start : start + first]
        edges = [
            IngestRunEdge(cursor=offset_cursor("runs", start + i + 1), node=IngestRun(model=run))
            for i, run in enumerate(chosen)
        ]
        more = len(found) > start + first
        return IngestRunConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
        )

    @strawberry.field(description="The catalog: types, properties, edges, privacy classes.")
    def ontology(self, info: Info) -> OntologyInfo:
        ontology = info.context.platform.ontology
        types = [_ontology_type(schema) for schema in ontology]
        return OntologyInfo(
            version=ontology.version,
            types=types,
            edges=[t for t in types if t.is_edge],
            property_types=[
                PropertyTypeInfo(name=t.name, label=t.label, description=t.description)
                for t in PROPERTY_TYPES.values()
            ],
            privacy_classes=list(PRIVACY_CLASSES),
        )

    @strawberry.field(description="The newest signed checkpoint of the provenance ledger.")
    async def ledger_checkpoint(self, info: Info) -> Checkpoint | None:
        store = info.context.platform.store
        found = await blocking(store.ledger.latest_checkpoint)
        return Checkpoint(model=found) if found is not None else None

    @strawberry.field(
        description="Authority bindings of your tenant: all of them for an admin, else "
        "those you hold."
    )
    async def authorities(self, info: Info, include_revoked: bool = False) -> list[Authority]:
        context = info.context
        principal = context.access.principal
        platform = context.platform

        def read() -> list[Authority]:
            rows = platform.store.authorities.listed(principal.tenant)
            if not include_revoked:
                rows = [row for row in rows if row.revoked is None]
            if not principal.admin:
                rows = [
                    row
                    for row in rows
                    if not row.holders
                    or principal.name in row.holders
                    or not row.holders.isdisjoint(principal.groups)
                ]
            covered = sorted({i for row in rows for i in row.entities})
            visible = set(platform.store.entities(platform.access.scope(context.access), covered))
            return [Authority(model=row, entity_ids=sorted(row.entities & visible)) for row in rows]

        return await blocking(read)


__all__ = ["MAX_IDS", "Query"]
