"""The GraphQL object types of schema v1 (their names are part of the contract).

Types wrap the store's frozen value types (``strawberry.Private`` fields) and
resolve related things through the operation's batched loaders, never through
the store directly, so every nested read is policy-checked and batched.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from intelgraph.api.graphql.context import Info
from intelgraph.api.graphql.paging import Page, page_of
from intelgraph.model import Classification, Labels, StoredStatement
from intelgraph.model import Entity as EntityModel
from intelgraph.model import Record as RecordModel
from intelgraph.model import Source as SourceModel
from intelgraph.store.authorities import AuthorityRow
from intelgraph.store.ingest_state import RunRow
from intelgraph.store.ledger_evidence import Evidence as EvidenceModel
from intelgraph.store.ledger_evidence import MemberProof
from intelgraph.store.ledger_log import StoredCheckpoint


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def classification_name(level: int) -> str:
    try:
        return Classification(level).name
    except ValueError:
        return str(level)


@strawberry.enum(description="Which edges of an entity to follow.")
class Direction(Enum):
    OUT = "out"
    IN = "in"
    BOTH = "both"


@strawberry.type(description="Relay paging state of a connection.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
    has_previous_page: bool = False
    start_cursor: str | None = None


@strawberry.type(description="Who may see a value: tenant, classification, compartments, …")
class LabelSet:
    tenant: str
    classification: int
    classification_name: str
    compartments: list[str]
    purposes: list[str]
    residency: str | None

    @classmethod
    def of(cls, labels: Labels) -> LabelSet:
        return cls(
            tenant=labels.tenant,
            classification=labels.classification,
            classification_name=classification_name(labels.classification),
            compartments=sorted(labels.compartments),
            purposes=sorted(labels.purposes),
            residency=labels.residency,
        )


@strawberry.type(description="A property withheld from you, and why. Its value is null.")
class Redaction:
    property: str
    reason: str


@strawberry.type(description="All visible values of one property.")
class PropertyValues:
    name: str
    values: list[str]


@strawberry.type(description="A named origin of data with its licence and retention.")
class Source:
    # Plain fields, filled once: resolver fields cost several times more per value.
    id: strawberry.ID
    name: str
    licence: str
    retention: str
    purposes: list[str]
    residency: str | None
    description: str
    labels: LabelSet

    @classmethod
    def of(cls, model: SourceModel) -> Source:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            licence=str(model.licence),
            retention=str(model.retention),
            purposes=sorted(model.purposes | model.labels.purposes),
            residency=model.residency,
            description=model.description,
            labels=LabelSet.of(model.labels),
        )


async def load_source(info: Info, source_id: str) -> Source | None:
    found = await info.context.loaders.source.load(source_id)
    return Source.of(found) if found is not None else None


@strawberry.type(description="One raw unit read from a source, stored by its SHA-256.")
class Record:
    model: strawberry.Private[RecordModel]

    @strawberry.field(description="The SHA-256 of the record's bytes.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.model.id)

    @strawberry.field
    def uri(self) -> str:
        return self.model.uri

    @strawberry.field(description="Where in the file: a line, row, sheet or JSON pointer.")
    def location(self) -> str:
        return self.model.location

    @strawberry.field
    def media_type(self) -> str:
        return self.model.media_type

    @strawberry.field(description="Size of the stored bytes.")
    def size(self) -> int:
        return len(self.model.content)

    @strawberry.field
    def run_id(self) -> str | None:
        return self.model.run_id

    @strawberry.field
    def labels(self) -> LabelSet:
        return LabelSet.of(self.model.labels)

    @strawberry.field
    async def source(self, info: Info) -> Source | None:
        return await load_source(info, self.model.source_id)


@strawberry.type(description="One value of one property of one entity, asserted by one record.")
class Statement:
    model: strawberry.Private[StoredStatement]
    id: strawberry.ID
    entity_id: strawberry.ID
    schema: str
    property: str
    value: str
    first_seen: datetime
    last_seen: datetime
    run_id: str | None
    record_id: str

    @classmethod
    def of(cls, model: StoredStatement) -> Statement:
        return cls(
            model=model,
            id=strawberry.ID(model.id),
            entity_id=strawberry.ID(model.entity_id),
            schema=model.schema,
            property=model.prop,
            value=model.value,
            first_seen=model.first_seen,
            last_seen=model.last_seen,
            run_id=model.run_id,
            record_id=model.record_id,
        )

    @strawberry.field
    def labels(self) -> LabelSet:
        return LabelSet.of(self.model.labels)

    @strawberry.field
    async def source(self, info: Info) -> Source | None:
        return await load_source(info, self.model.source_id)

    @strawberry.field
    async def record(self, info: Info) -> Record | None:
        found = await info.context.loaders.record.load(self.model.record_id)
        return Record(model=found) if found is not None else None


@strawberry.type
class StatementEdge:
    cursor: str
    node: Statement


@strawberry.type(description="A page of statements.")
class StatementConnection:
    edges: list[StatementEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[StoredStatement]) -> StatementConnection:
        return cls(
            edges=[
                StatementEdge(cursor=cursor, node=Statement.of(item)) for cursor, item in page.items
            ],
            page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.end),
            total_count=page.total,
        )


@strawberry.interface(
    description="Anything in the graph: a person, a company, a malware family, a payment… "
    "Concrete types (one per ontology type) add typed properties."
)
class Entity:
    model: strawberry.Private[EntityModel]
    # Plain fields, filled by NodeTypes.wrap (resolver fields cost several times more).
    id: strawberry.ID
    schema: str = strawberry.field(description="The ontology type's name, e.g. Person.")
    caption: str = strawberry.field(description="A human label built from the visible values.")
    first_observed: datetime | None = strawberry.field(
        description="Earliest observation among the visible statements."
    )
    last_observed: datetime | None = strawberry.field(
        description="Latest observation among the visible statements."
    )

    @classmethod
    def resolve_type(cls, obj: Any, _info: Any, _type: Any) -> str:
        """Every node is an instance of its generated type: its name is the answer
        (strawberry's generic lookup scans all the types for each node)."""
        name: str = obj.__strawberry_definition__.name
        return name

    @strawberry.field(description="The label sets of the statements you can see.")
    def labels(self) -> list[LabelSet]:
        return [LabelSet.of(labels) for labels in self.model.labels]

    @strawberry.field(description="Properties withheld by policy (their fields are null).")
    def redactions(self) -> list[Redaction]:
        return [
            Redaction(property=name, reason=reason)
            for name, reason in sorted(self.model.redactions.items())
        ]

    @strawberry.field(description="Every visible property and its values, untyped.")
    def properties(self) -> list[PropertyValues]:
        return [
            PropertyValues(name=name, values=list(values))
            for name, values in self.model.properties.items()
        ]

    @strawberry.field(description="The statements behind the values, with their sources.")
    async def provenance(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> StatementConnection:
        statements = await info.context.loaders.statements.load(self.model.id)
        return StatementConnection.of(page_of(statements, first=first, after=after))


@strawberry.interface(description="A relationship between two entities (itself an entity).")
class Edge(Entity):
    @strawberry.field
    def source_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.model.source_id) if self.model.source_id else None

    @strawberry.field
    def target_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.model.target_id) if self.model.target_id else None

    @strawberry.field(description="The entity the edge starts from (null if hidden from you).")
    async def source(self, info: Info) -> Entity | None:
        return await info.context.load_entity(self.model.source_id)

    @strawberry.field(description="The entity the edge points to (null if hidden from you).")
    async def target(self, info: Info) -> Entity | None:
        return await info.context.load_entity(self.model.target_id)


@strawberry.type(description="You: the principal this request runs as.")
class Viewer:
    id: str
    name: str
    tenant: str
    kind: str
    clearance: int
    clearance_name: str
    compartments: list[str]
    purposes: list[str]
    groups: list[str]
    admin: bool
    scopes: list[str]
    current_purpose: str | None
    authority: str | None


@strawberry.type(description="A signed checkpoint of the provenance ledger.")
class Checkpoint:
    model: strawberry.Private[StoredCheckpoint]

    @strawberry.field(description="Leaves covered.")
    def size(self) -> int:
        return self.model.size

    @strawberry.field(description="Merkle root hash, base64.")
    def root_hash(self) -> str:
        return b64(self.model.root)

    @strawberry.field
    def key_id(self) -> str:
        return self.model.key_id

    @strawberry.field(description="The signed note (C2SP signed-note format).")
    def note(self) -> str:
        return self.model.note

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at


@strawberry.type(description="A path inside a leaf: member position, leaf size, hashes.")
class MemberProofInfo:
    position: int
    size: int
    path: list[str]

    @classmethod
    def of(cls, proof: MemberProof) -> MemberProofInfo:
        return cls(position=proof.position, size=proof.size, path=[b64(h) for h in proof.path])


@strawberry.type(description="An ingest run: what read what, with which mapping, its totals.")
class IngestRun:
    model: strawberry.Private[RunRow]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.model.id)

    @strawberry.field
    def source_name(self) -> str | None:
        return self.model.source_name

    @strawberry.field
    async def source(self, info: Info) -> Source | None:
        return await load_source(info, self.model.source_id)

    @strawberry.field
    def connector(self) -> str:
        return self.model.connector

    @strawberry.field
    def status(self) -> str:
        return self.model.status

    @strawberry.field
    def started_at(self) -> datetime:
        return self.model.started_at

    @strawberry.field
    def finished_at(self) -> datetime | None:
        return self.model.finished_at

    @strawberry.field
    def mapping_hash(self) -> str | None:
        return self.model.mapping_hash

    @strawberry.field
    def inputs(self) -> list[str]:
        return list(self.model.inputs)

    @strawberry.field(description="Totals: records read, loaded, skipped, dead-lettered, …")
    def stats(self) -> JSON:
        return JSON(dict(self.model.stats))

    @strawberry.field
    def error(self) -> str | None:
        return self.model.error


@strawberry.type
class IngestRunEdge:
    cursor: str
    node: IngestRun


@strawberry.type(description="A page of ingest runs, newest first.")
class IngestRunConnection:
    edges: list[IngestRunEdge]
    page_info: PageInfo


@strawberry.type(description="A statement's evidence: record, source, run, ledger proofs.")
class Evidence:
    model: strawberry.Private[EvidenceModel]
    verified: bool = strawberry.field(description="The proofs check against the checkpoint.")
    problem: str | None = strawberry.field(description="Why they do not, when they do not.")

    @strawberry.field
    def statement(self) -> Statement:
        return Statement.of(self.model.statement)

    @strawberry.field(description="Null when the record itself is hidden from you.")
    def record(self) -> Record | None:
        return Record(model=self.model.record) if self.model.record is not None else None

    @strawberry.field
    def record_id(self) -> str:
        return self.model.record_id

    @strawberry.field
    def source(self) -> Source:
        return Source.of(self.model.source)

    @strawberry.field
    def run(self) -> IngestRun | None:
        return IngestRun(model=self.model.run) if self.model.run is not None else None

    @strawberry.field(description="Index of the ledger leaf that logged the statement.")
    def leaf_index(self) -> int:
        return self.model.leaf_index

    @strawberry.field(description="The leaf's bytes, base64.")
    def leaf(self) -> str:
        return b64(self.model.leaf)

    @strawberry.field
    def statement_proof(self) -> MemberProofInfo:
        return MemberProofInfo.of(self.model.statement_proof)

    @strawberry.field
    def record_proof(self) -> MemberProofInfo:
        return MemberProofInfo.of(self.model.record_proof)

    @strawberry.field(description="Inclusion proof of the leaf under the checkpoint, base64.")
    def leaf_proof(self) -> list[str]:
        return [b64(h) for h in self.model.leaf_proof]

    @strawberry.field
    def checkpoint(self) -> Checkpoint | None:
        found = self.model.checkpoint
        return Checkpoint(model=found) if found is not None else None


@strawberry.type(description="An authority binding: warrant, court order, consent or licence.")
class Authority:
    model: strawberry.Private[AuthorityRow]
    entity_ids: list[str] = strawberry.field(description="The covered entities you can see.")

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.model.id)

    @strawberry.field
    def kind(self) -> str:
        return self.model.kind

    @strawberry.field
    def issuer(self) -> str:
        return self.model.issuer

    @strawberry.field
    def reference(self) -> str:
        return self.model.reference

    @strawberry.field
    def purposes(self) -> list[str]:
        return sorted(self.model.purposes)

    @strawberry.field
    def licences(self) -> list[str]:
        return sorted(self.model.licences)

    @strawberry.field
    def holders(self) -> list[str]:
        return sorted(self.model.holders)

    @strawberry.field
    def not_before(self) -> datetime:
        return datetime.fromtimestamp(self.model.not_before, UTC)

    @strawberry.field
    def expires(self) -> datetime:
        return datetime.fromtimestamp(self.model.expires, UTC)

    @strawberry.field
    def revoked(self) -> bool:
        return self.model.revoked is not None

    @strawberry.field
    def created_by(self) -> str:
        return self.model.created_by


@strawberry.type
class OntologyProperty:
    name: str
    label: str
    type: str
    description: str
    privacy: str
    multiple: bool
    required: bool
    range: str | None


@strawberry.type
class OntologyType:
    name: str
    label: str
    plural: str
    description: str
    abstract: bool
    is_edge: bool
    extends: list[str]
    ancestors: list[str]
    edge_source: str | None
    edge_target: str | None
    properties: list[OntologyProperty]


@strawberry.type
class PropertyTypeInfo:
    name: str
    label: str
    description: str


@strawberry.type
class PrivacyClass:
    name: str
    description: str


@strawberry.type(description="The catalog: types, properties, edges and privacy classes.")
class OntologyInfo:
    version: str
    types: list[OntologyType]
    edges: list[OntologyType]
    property_types: list[PropertyTypeInfo]
    privacy_classes: list[PrivacyClass]


__all__ = [
    "Authority",
    "Checkpoint",
    "Direction",
    "Edge",
    "Entity",
    "Evidence",
    "IngestRun",
    "IngestRunConnection",
    "IngestRunEdge",
    "LabelSet",
    "MemberProofInfo",
    "OntologyInfo",
    "OntologyProperty",
    "OntologyType",
    "PageInfo",
    "PrivacyClass",
    "PropertyTypeInfo",
    "PropertyValues",
    "Record",
    "Redaction",
    "Source",
    "Statement",
    "StatementConnection",
    "StatementEdge",
    "Viewer",
    "b64",
    "classification_name",
]
