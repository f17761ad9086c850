"""``Subscription``: graph changes, ingest progress and export progress.

Every event is filtered for its subscriber: a change reaches a subscriber only
with the entities that subscriber may see (the label filter in SQL, then the
same redaction as reads), so a subscription reveals no more than polling would.
Long-lived subscriptions re-check their credential as they go and end when it
is revoked or expires.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from intelgraph.api.graphql.context import GraphQLContext, Info
from intelgraph.api.graphql.jobs import ExportJob, export_job
from intelgraph.api.graphql.loaders import blocking
from intelgraph.api.graphql.types import Entity
from intelgraph.api.hub import Overflow
from intelgraph.api.jobs import Job
from intelgraph.errors import InvalidInput, NotFound
from intelgraph.store.changes import Change

RUN_POLL_SECONDS = 1.0
JOB_TO_RUN_STATUS = {"queued": "running", "running": "running", "succeeded": "completed"}
JOB_POLL_SECONDS = 0.5
FINISHED = frozenset({"succeeded", "failed", "completed", "aborted", "interrupted"})


@strawberry.input(description="Which changes to receive; each condition narrows.")
class GraphChangeFilter:
    types: list[str] | None = strawberry.field(
        default=None, description="Only entities of these types (subtypes included)."
    )
    entity_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only these entities."
    )


@strawberry.type(description="Entities created, updated, merged or retracted that you may see.")
class GraphChange:
    kind: str = strawberry.field(
        description="created, updated, merged, retracted; bulk (a large load: refresh "
        "what you show); overflow (you read too slowly and missed some: refresh)."
    )
    seq: int = strawberry.field(description="Position in the change feed.")
    at: datetime
    entity_ids: list[strawberry.ID]
    count: int = strawberry.field(description="How many of the entities you may see.")
    entities: list[Entity]


@strawberry.type(description="Where an ingest run has got to.")
class IngestProgress:
    run_id: strawberry.ID
    status: str
    records_read: int
    records_loaded: int
    records_skipped: int
    dead_letters: int
    statements_written: int
    finished: bool


def _wanted(
    context: GraphQLContext, where: GraphChangeFilter | None
) -> tuple[set[str] | None, set[str] | None]:
    if where is None:
        return None, None
    types: set[str] | None = None
    if where.types is not None:
        ontology = context.platform.ontology
        types = set()
        for name in where.types:
            ontology.get(name)  # unknown names are refused, with suggestions
            types.update(ontology.descendants(name))
            types.add(name)
    ids = None if where.entity_ids is None else {str(i) for i in where.entity_ids}
    return types, ids


async def _visible_change(
    context: GraphQLContext,
    change: Change,
    types: set[str] | None,
    ids: set[str] | None,
) -> GraphChange | None:
    if change.kind == "bulk":
        return GraphChange(
            kind="bulk", seq=change.seq, at=change.at, entity_ids=[], count=0, entities=[]
        )
    wanted = [i for i in change.entity_ids if ids is None or i in ids]
    if not wanted:
        return None
    platform, request = context.platform, context.access
    scope = platform.access.scope(request)

    def read() -> list[Entity]:
        # One read under the label filter (no denied-read audit: the subscriber did
        # not ask for these ids), then the same redaction as every read.
        visible = platform.store.entities(scope, wanted)
        chosen = [visible[i] for i in wanted if i in visible]
        if types is not None:
            chosen = [entity for entity in chosen if entity.schema in types]
        return [context.nodes.wrap(e) for e in platform.access.redact(request, chosen)]

    entities = await blocking(read)
    if not entities:
        return None
    return GraphChange(
        kind=change.kind,
        seq=change.seq,
        at=change.at,
        entity_ids=[strawberry.ID(e.model.id) for e in entities],
        count=len(entities),
        entities=entities,
    )


def _progress(run_id: str, status: str, stats: dict[str, object]) -> IngestProgress:
    def number(*names: str) -> int:
        for name in names:
            value = stats.get(name)
            if isinstance(value, int):
                return value
        return 0

    return IngestProgress(
        run_id=strawberry.ID(run_id),
        status=status,
        records_read=number("records_read", "recordsRead"),
        records_loaded=number("records_loaded", "recordsLoaded"),
        records_skipped=number("records_skipped", "recordsSkipped"),
        dead_letters=number("dlq", "dead_letters"),
        statements_written=number("statements_written", "statementsWritten"),
        finished=status in FINISHED,
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Entities created, updated, merged or retracted, by anyone, that you "
        "may see; narrowed by the filter."
    )
    async def graph_changed(
        self, info: Info, filter: GraphChangeFilter | None = None
    ) -> AsyncGenerator[GraphChange, None]:
        context = info.context
        types, ids = _wanted(context, filter)
        async with context.services.hub.subscribe("graph") as events:
            async for event in events:
                await context.still_authorised()
                if isinstance(event, Overflow):
                    yield GraphChange(
                        kind="overflow",
                        seq=0,
                        at=datetime.now().astimezone(),
                        entity_ids=[],
                        count=event.dropped,
                        entities=[],
                    )
                    continue
                found = await _visible_change(context, event, types, ids)
                if found is not None:
                    yield found

    @strawberry.subscription(
        description="Progress of an ingest run you may see, until it finishes."
    )
    async def ingest_progress(
        self, info: Info, run_id: strawberry.ID
    ) -> AsyncGenerator[IngestProgress, None]:
        context = info.context
        platform = context.platform
        scope = platform.access.scope(context.access)
        wanted = str(run_id)
        run = await blocking(lambda: platform.store.ingest.run(scope, wanted))
        last = _progress(wanted, run.status, dict(run.stats))
        yield last
        if last.finished:
            return
        async with context.services.hub.subscribe(f"ingest:{wanted}") as events:
            iterator = events.__aiter__()
            while True:
                try:
                    event = await asyncio.wait_for(iterator.__anext__(), RUN_POLL_SECONDS)
                except TimeoutError:
                    event = None
                await context.still_authorised()
                if isinstance(event, Job):
                    # The run's own vocabulary (running, completed, failed), not the job's.
                    status = JOB_TO_RUN_STATUS.get(event.status, event.status)
                    current = _progress(
                        wanted, status, {**(event.detail or {}), **(event.result or {})}
                    )
                else:  # runs started elsewhere (CLI, push) are followed in the store
                    run = await blocking(lambda: platform.store.ingest.run(scope, wanted))
                    current = _progress(wanted, run.status, dict(run.stats))
                if current != last:
                    last = current
                    yield current
                if current.finished:
                    return

    @strawberry.subscription(description="Progress of one of your exports, until it finishes.")
    async def export_progress(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[ExportJob, None]:
        context = info.context
        jobs = context.services.jobs
        if jobs is None:
            raise InvalidInput("exports run only in the server")
        job = jobs.get(context.access, str(id))
        if job.kind != "export":
            raise NotFound(f"no export job {str(id)!r}", hint="ids come from requestExport")
        if not jobs.is_local(job.id):  # run by another server worker: follow its state file
            yield export_job(job)
            while not job.finished:
                await asyncio.sleep(JOB_POLL_SECONDS)
                await context.still_authorised()
                current = jobs.get(context.access, job.id)
                if current != job:
                    job = current
                    yield export_job(job)
            return
        async with context.services.hub.subscribe(f"job:{job.id}") as events:
            job = jobs.get(context.access, str(id))  # nothing missed before subscribing
            yield export_job(job)
            if job.status in FINISHED:
                return
            async for event in events:
                await context.still_authorised()
                if isinstance(event, Job):
                    yield export_job(event)
                    if event.status in FINISHED:
                        return


__all__ = ["GraphChange", "GraphChangeFilter", "IngestProgress", "Subscription"]
