"""``Mutation``: sessions, analyst claims and retractions, judgements, authorities,
exports and uploads. Every write is decided by policy and logged in the ledger by
the service it calls; nothing here writes to the store directly."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.file_uploads import Upload

from intelgraph.api.graphql.context import Info
from intelgraph.api.graphql.jobs import ExportJob, IngestJob, export_job, ingest_job
from intelgraph.api.graphql.loaders import blocking
from intelgraph.api.graphql.types import Authority, Statement
from intelgraph.api.jobs import JobRegistry
from intelgraph.auth.errors import Forbidden
from intelgraph.errors import IntelGraphError, InvalidInput, NotFound
from intelgraph.export.service import Selection
from intelgraph.ingest.claims import MAX_EVIDENCE, Claim, analyst_source, assert_claim
from intelgraph.ledger.service import judgement_entry, retraction_entry
from intelgraph.model import Decision, Judgement
from intelgraph.policy.principal import AccessRequest
from intelgraph.policy.resources import source_resource

MAX_UPLOAD = 256 << 20


@strawberry.type(description="A token pair from the embedded issuer.")
class TokenPair:
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


@strawberry.input(description="An analyst's claim about an entity.")
class StatementInput:
    entity_id: strawberry.ID
    property: str
    value: str
    justification: str = strawberry.field(description="Why you assert it (kept as a record).")
    evidence: Upload | None = strawberry.field(
        default=None, description="A file that supports it (multipart upload)."
    )
    evidence_base64: str | None = strawberry.field(
        default=None, description="The supporting file as base64, for clients without uploads."
    )
    evidence_name: str | None = None
    classification: str | None = strawberry.field(
        default=None, description="The claim's classification (default: the entity's)."
    )
    compartments: list[str] | None = strawberry.field(
        default=None, description="The claim's compartments (default: the entity's)."
    )


@strawberry.type(description="What a claim stored.")
class AssertResult:
    statement_id: strawberry.ID
    record_id: str
    evidence_id: str | None
    new: bool = strawberry.field(description="False when the same claim was already stored.")

    @strawberry.field
    async def statement(self, info: Info) -> Statement | None:
        found = await info.context.loaders.statements.load(self.entity_id)
        for item in found:
            if item.id == self.statement_id:
                return Statement.of(item)
        return None

    entity_id: strawberry.Private[str]


@strawberry.type(description="A retraction: the statement stays in the ledger, reads drop it.")
class Retraction:
    statement_id: strawberry.ID
    entity_id: strawberry.ID
    author: str
    reason: str
    created_at: datetime


@strawberry.enum(description="An entity-resolution decision.")
class JudgementDecision(Enum):
    SAME = "same"
    NOT_SAME = "not-same"
    UNSURE = "unsure"


@strawberry.type(description="An entity-resolution decision between two entities.")
class JudgementResult:
    id: strawberry.ID
    left_id: strawberry.ID
    right_id: strawberry.ID
    decision: str
    author: str
    reason: str
    created_at: datetime


@strawberry.input(description="An authority binding to create (admins only).")
class AuthorityInput:
    kind: str = strawberry.field(description="warrant, court-order, consent, licence, other.")
    issuer: str
    reference: str
    purposes: list[str]
    entity_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    licences: list[str] = strawberry.field(default_factory=list)
    holders: list[str] = strawberry.field(default_factory=list)
    days: float = 30.0


@strawberry.input(description="What to export: entities, a search's hits, or a subgraph.")
class SelectionInput:
    kind: str = strawberry.field(description="entities, search or subgraph.")
    ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    query: str | None = None
    hops: int = 1
    limit: int = 10_000


def _jobs(info: Info) -> JobRegistry:
    jobs = info.context.services.jobs
    if jobs is None:
        raise InvalidInput(
            "exports and uploads run as jobs of the server",
            hint="use `intelgraph export` / `intelgraph ingest` on the command line",
        )
    return jobs


def _require_write(info: Info) -> AccessRequest:
    """Writes are ingest decisions on the caller's analyst source (token scope
    ``ingest`` for API tokens; the tenant rule for everyone)."""
    context = info.context
    request = context.access
    principal = request.principal
    source = analyst_source(principal.name, principal.tenant)
    context.platform.access.require(request, "ingest", source_resource(source, source.id))
    return request


async def _evidence(data: StatementInput) -> tuple[bytes | None, str | None]:
    if data.evidence is not None and data.evidence_base64 is not None:
        raise InvalidInput("send the evidence once: as an upload or as base64, not both")
    if data.evidence is not None:
        upload = cast(Any, data.evidence)  # a starlette UploadFile over HTTP multipart
        content = await upload.read(MAX_EVIDENCE + 1)
        name = data.evidence_name or getattr(upload, "filename", None)
    elif data.evidence_base64 is not None:
        if len(data.evidence_base64) > (MAX_EVIDENCE * 4) // 3 + 4:
            raise InvalidInput(f"the evidence is larger than {MAX_EVIDENCE >> 20} MiB")
        try:
            content = base64.b64decode(data.evidence_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("evidenceBase64 is not valid base64") from None
        name = data.evidence_name
    else:
        return None, None
    if len(content) > MAX_EVIDENCE:
        raise InvalidInput(f"the evidence is larger than {MAX_EVIDENCE >> 20} MiB")
    return content, name


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Log in a local user; no token needed.")
    async def login(self, info: Info, username: str, password: str) -> TokenPair:
        service = info.context.services
        try:
            pair = await blocking(lambda: service.login(username, password))
        except IntelGraphError as exc:
            wait = exc.details.get("retryAfter") if exc.code == "rate_limited" else None
            if wait is not None:
                info.context.response_headers["Retry-After"] = str(wait)
            raise
        return TokenPair(**pair.to_dict())  # type: ignore[arg-type]  # keys are the fields

    @strawberry.mutation(description="Exchange a refresh token (single use) for a new pair.")
    async def refresh(self, info: Info, refresh_token: str) -> TokenPair:
        identity = info.context.platform.identity
        pair = await blocking(lambda: identity.refresh(refresh_token))
        return TokenPair(**pair.to_dict())  # type: ignore[arg-type]  # keys are the fields

    @strawberry.mutation(description="End your session: its tokens stop working at once.")
    async def logout(self, info: Info) -> bool:
        context = info.context
        principal = context.access.principal
        await blocking(lambda: context.platform.identity.logout(principal))
        return True

    @strawberry.mutation(
        description="Assert a statement of your own about an entity you can see; it is "
        "stored, hashed and logged like ingested data."
    )
    async def assert_statement(self, info: Info, input: StatementInput) -> AssertResult:
        context = info.context
        request = _require_write(info)
        platform = context.platform
        content, name = await _evidence(input)
        claim = Claim(
            author=request.principal.name,
            entity_id=str(input.entity_id),
            prop=input.property,
            value=input.value,
            justification=input.justification,
            evidence=content,
            evidence_name=name,
            classification=input.classification,
            compartments=None if input.compartments is None else tuple(input.compartments),
        )

        def write() -> AssertResult:
            result = assert_claim(platform.store, platform.access.scope(request), claim)
            return AssertResult(
                statement_id=strawberry.ID(result.statement_id),
                record_id=result.record_id,
                evidence_id=result.evidence_id,
                new=result.new,
                entity_id=result.entity_id,
            )

        return await blocking(write)

    @strawberry.mutation(
        description="Withdraw a statement (yours, or any you can see if you are an admin); "
        "it stays in the ledger, reads stop using it."
    )
    async def retract_statement(
        self, info: Info, statement_id: strawberry.ID, reason: str
    ) -> Retraction:
        context = info.context
        request = _require_write(info)
        platform = context.platform
        principal = request.principal

        def write() -> Retraction:
            scope = platform.access.scope(request)
            found = platform.store.evidence.evidence(scope, str(statement_id)).statement
            own = analyst_source(principal.name, principal.tenant).id
            if found.source_id != own and not principal.admin:
                raise Forbidden(
                    f"{principal.name} may retract only their own claims",
                    hint="ask an admin to retract statements from other sources",
                )
            made = platform.store.retractions.retract(
                scope,
                found.id,
                author=principal.name,
                reason=reason,
                ledger_entry_for=retraction_entry,
            )
            return Retraction(
                statement_id=strawberry.ID(made.statement_id),
                entity_id=strawberry.ID(made.entity_id),
                author=made.author,
                reason=made.reason,
                created_at=made.created_at,
            )

        return await blocking(write)

    @strawberry.mutation(
        description="Record an entity-resolution decision between two entities you can see."
    )
    async def judge(
        self,
        info: Info,
        a: strawberry.ID,
        b: strawberry.ID,
        decision: JudgementDecision,
        reason: str,
    ) -> JudgementResult:
        context = info.context
        request = _require_write(info)
        platform = context.platform
        if str(a) == str(b):
            raise InvalidInput("a judgement needs two different entities")
        if not reason.strip():
            raise InvalidInput("say why: a judgement needs a reason")

        def write() -> JudgementResult:
            seen = platform.reads.entities(request, [str(a), str(b)])
            for entity_id in (str(a), str(b)):
                if entity_id not in seen:
                    raise NotFound(f"entity {entity_id!r} not found")
            made = Judgement(
                left_id=str(a),
                right_id=str(b),
                decision=Decision(decision.value),
                author=request.principal.name,
                reason=reason.strip(),
                tenant=request.principal.tenant,
            )
            platform.store.put_judgement(made, ledger_entry=judgement_entry(made))
            return JudgementResult(
                id=strawberry.ID(made.id),
                left_id=strawberry.ID(made.left_id),
                right_id=strawberry.ID(made.right_id),
                decision=str(made.decision),
                author=made.author,
                reason=made.reason,
                created_at=made.created_at,
            )

        return await blocking(write)

    @strawberry.mutation(description="Create an authority binding (admins, fresh login).")
    async def create_authority(self, info: Info, input: AuthorityInput) -> Authority:
        context = info.context
        admin, request = context.platform.admin, context.access

        def write() -> Authority:
            row, _ = admin.grant_authority(
                request,
                kind=input.kind,
                issuer=input.issuer,
                reference=input.reference,
                purposes=input.purposes,
                entities=[str(i) for i in input.entity_ids],
                licences=input.licences,
                holders=input.holders,
                days=input.days,
            )
            return Authority(model=row, entity_ids=sorted(row.entities))

        return await blocking(write)

    @strawberry.mutation(description="Revoke an authority binding (admins, fresh login).")
    async def revoke_authority(self, info: Info, id: strawberry.ID) -> Authority:
        context = info.context
        admin, request = context.platform.admin, context.access

        def write() -> Authority:
            row, _ = admin.revoke_authority(request, str(id))
            return Authority(model=row, entity_ids=sorted(row.entities))

        return await blocking(write)

    @strawberry.mutation(
        description="Start a signed export of a selection; follow it with exportProgress "
        "and download it from /exports/{id}."
    )
    async def request_export(
        self,
        info: Info,
        selection: SelectionInput,
        format: str = "jsonl",
        purpose: str | None = None,
        authority: str | None = None,
    ) -> ExportJob:
        context = info.context
        request = context.access
        if purpose is not None or authority is not None:
            request = context.platform.access.request(
                request.principal,
                purpose=purpose if purpose is not None else request.purpose,
                authority=authority
                if authority is not None
                else (request.authority.id if request.authority else None),
            )
        chosen = Selection(
            selection.kind,
            tuple(str(i) for i in selection.ids),
            query=selection.query,
            hops=selection.hops,
            limit=selection.limit,
        )
        job = _jobs(info).submit_export(request, chosen, format)
        return export_job(job)

    @strawberry.mutation(
        description="Load an uploaded file (format from its extension, or `format`), "
        "optionally with a mapping (YAML text); follow it with ingestProgress."
    )
    async def upload_ingest(
        self,
        info: Info,
        file: Upload,
        mapping: str | None = None,
        format: str | None = None,
        source: str | None = None,
    ) -> IngestJob:
        context = info.context
        upload = cast(Any, file)  # a starlette UploadFile over HTTP multipart
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput(f"the upload is larger than {MAX_UPLOAD >> 20} MiB")
        filename = getattr(upload, "filename", None) or "upload"
        job = _jobs(info).submit_ingest(
            context.access,
            filename=filename,
            data=data,
            fmt=format,
            mapping=mapping,
            source=source,
        )
        return ingest_job(job)


__all__ = ["Mutation"]
