"""The caller's own workspace: saved searches and saved investigations.

Each field acts on the authenticated principal's rows only (``store.workspace``),
so another user's id answers exactly like an absent one. The rows are the UI's
working state, not graph data: saving one is not a policy decision and is not
logged in the ledger (the graph reads an investigation leads to are).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from intelgraph.api.graphql.context import Info
from intelgraph.api.graphql.loaders import blocking
from intelgraph.store.workspace import Investigation as InvestigationModel
from intelgraph.store.workspace import InvestigationSummary as SummaryModel
from intelgraph.store.workspace import Owner, Workspace
from intelgraph.store.workspace import SavedSearch as SavedSearchModel


@strawberry.type(description="A search you saved: its query and filter, to run again.")
class SavedSearch:
    id: strawberry.ID
    name: str
    query: str
    filter: JSON = strawberry.field(description="The SearchFilterInput, as saved.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, model: SavedSearchModel) -> SavedSearch:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            query=model.query,
            filter=JSON(model.filter),
            created_at=model.created_at,
            updated_at=model.updated_at,
        )


@strawberry.type(description="An investigation you saved: the graph as the web UI left it.")
class Investigation:
    id: strawberry.ID
    name: str
    state: JSON = strawberry.field(
        description='The UI\'s state, as saved: {"nodes": [{"id", "x", "y", "pinned"}, …], '
        '"layout": …, …}.'
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, model: InvestigationModel) -> Investigation:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            state=JSON(model.state),
            created_at=model.created_at,
            updated_at=model.updated_at,
        )


@strawberry.type(description="One of your investigations, without its state.")
class InvestigationSummary:
    id: strawberry.ID
    name: str
    created_at: datetime
    updated_at: datetime
    node_count: int = strawberry.field(description="How many nodes its state holds.")

    @classmethod
    def of(cls, model: SummaryModel) -> InvestigationSummary:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            created_at=model.created_at,
            updated_at=model.updated_at,
            node_count=model.node_count,
        )


def _mine(info: Info) -> tuple[Workspace, Owner]:
    principal = info.context.owner()
    return info.context.platform.store.workspace, Owner(principal.tenant, principal.id)


@strawberry.type
class WorkspaceQuery:
    @strawberry.field(description="Your saved searches, by name.")
    async def saved_searches(self, info: Info) -> list[SavedSearch]:
        workspace, owner = _mine(info)
        found = await blocking(lambda: workspace.saved_searches(owner))
        return [SavedSearch.of(item) for item in found]

    @strawberry.field(description="Your investigations, most recently saved first.")
    async def investigations(self, info: Info) -> list[InvestigationSummary]:
        workspace, owner = _mine(info)
        found = await blocking(lambda: workspace.investigations(owner))
        return [InvestigationSummary.of(item) for item in found]

    @strawberry.field(description="One of your investigations; null when absent or not yours.")
    async def investigation(self, info: Info, id: strawberry.ID) -> Investigation | None:
        workspace, owner = _mine(info)
        found = await blocking(lambda: workspace.investigation(owner, str(id)))
        return Investigation.of(found) if found is not None else None


@strawberry.type
class WorkspaceMutation:
    @strawberry.mutation(
        description="Save a search under a name (1-200 characters); a search you saved "
        "under the same name is replaced."
    )
    async def save_search(
        self, info: Info, name: str, query: str, filter: JSON | None = None
    ) -> SavedSearch:
        workspace, owner = _mine(info)
        saved: Any = filter
        found = await blocking(lambda: workspace.save_search(owner, name, query, saved))
        return SavedSearch.of(found)

    @strawberry.mutation(description="Delete one of your saved searches; false when none.")
    async def delete_saved_search(self, info: Info, id: strawberry.ID) -> bool:
        workspace, owner = _mine(info)
        return await blocking(lambda: workspace.delete_search(owner, str(id)))

    @strawberry.mutation(
        description="Save an investigation: without an id a new one, with the id of one of "
        "yours it replaces its name and state. The state is a JSON object of at most 2 MiB "
        "with at most 20,000 nodes."
    )
    async def save_investigation(
        self, info: Info, id: strawberry.ID | None = None, *, name: str, state: JSON
    ) -> Investigation:
        workspace, owner = _mine(info)
        wanted = None if id is None else str(id)
        value: Any = state
        found = await blocking(lambda: workspace.save_investigation(owner, wanted, name, value))
        return Investigation.of(found)

    @strawberry.mutation(description="Delete one of your investigations; false when none.")
    async def delete_investigation(self, info: Info, id: strawberry.ID) -> bool:
        workspace, owner = _mine(info)
        return await blocking(lambda: workspace.delete_investigation(owner, str(id)))


__all__ = [
    "Investigation",
    "InvestigationSummary",
    "SavedSearch",
    "WorkspaceMutation",
    "WorkspaceQuery",
]
