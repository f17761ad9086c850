"""``store.workspace``: each user's saved searches and saved investigations.

Every read and write names its :class:`Owner` (principal id and tenant) and touches
only that owner's rows, so one user can neither see nor change another's, and an
id of someone else's row answers exactly like an absent one. The rows are the web
UI's working state: a search to run again, a graph layout to reopen. They hold ids
and layout, never graph data, and every entity an investigation names is read
through its owner's rights when it is opened.
"""

from __future__ import annotations

import json
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, delete, func, select, text, update

from intelgraph.errors import InvalidInput, NotFound
from intelgraph.model import from_us, to_us, utcnow
from intelgraph.store.reader import storable
from intelgraph.store.tables import investigations, saved_searches

if TYPE_CHECKING:
    from intelgraph.store.store import Store

MAX_NAME = 200
MAX_QUERY = 1_000
MAX_FILTER_BYTES = 64 * 1024
MAX_STATE_BYTES = 2 * 1024 * 1024
MAX_NODES = 20_000
MAX_SAVED_SEARCHES = 500  # per owner
MAX_INVESTIGATIONS = 100  # per owner: up to 200 MiB of state

# The saved state's own (error) codes, documented with the API's (api/graphql/errors.py).
WORKSPACE_CODES = {
    "name_invalid": "a saved search's or investigation's name is empty, longer than 200 "
    "characters, or holds control characters",
    "state_invalid": "an investigation's state is not a JSON object (or its nodes not a list)",
    "state_too_large": "an investigation's state is over 2 MiB as JSON or holds over 20,000 nodes",
    "workspace_full": "you have as many saved searches or investigations as one user may keep",
}


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose workspace: a principal (user, or API token) in its tenant."""

    tenant: str
    principal: str


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: str
    name: str
    query: str
    filter: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class InvestigationSummary:
    id: str
    name: str
    node_count: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Investigation:
    id: str
    name: str
    state: dict[str, Any]
    node_count: int
    created_at: datetime
    updated_at: datetime


def check_name(name: str, what: str) -> str:
    """The name without surrounding blanks: 1-200 characters, no control characters."""
    name = name.strip() if isinstance(name, str) else ""
    if not 1 <= len(name) <= MAX_NAME:
        raise InvalidInput(
            f"the name of a {what} must be 1 to {MAX_NAME} characters long, got {len(name)}",
            hint="give it a name" if not name else f"shorten the name to {MAX_NAME} characters",
            code="name_invalid",
        )
    if not storable(name):
        raise InvalidInput(
            f"the name of a {what} is not valid text (a NUL or a lone surrogate)",
            hint="use plain text for the name",
            code="name_invalid",
        )
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise InvalidInput(
            f"the name of a {what} must not hold control characters (tabs, line breaks, …)",
            hint="use plain text for the name",
            code="name_invalid",
        )
    return name


def _json(value: Any, what: str, *, limit: int, invalid: str, too_large: str) -> str:
    """``value`` as compact JSON text of at most ``limit`` UTF-8 bytes."""
    try:
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        size = len(body.encode("utf-8"))
    except (ValueError, TypeError, RecursionError, UnicodeEncodeError):
        raise InvalidInput(
            f"the {what} is not JSON that can be stored",
            hint="send plain JSON: no NaN or Infinity, no lone surrogates, no deep nesting",
            code=invalid,
        ) from None
    if size > limit:
        raise InvalidInput(
            f"the {what} is {size:,} bytes as JSON; at most {limit:,} are allowed",
            hint="save less: fewer nodes, or drop what the UI can compute again",
            details={"bytes": size, "allowed": limit},
            code=too_large,
        )
    return body


def check_search(name: str, query: str, filter: Any) -> tuple[str, str, str]:
    """(name, query, filter JSON) of a saved search, checked."""
    name = check_name(name, "saved search")
    if not isinstance(query, str) or len(query) > MAX_QUERY or not storable(query):
        raise InvalidInput(
            f"a saved search's query must be text of at most {MAX_QUERY:,} characters",
            hint="shorten the query",
        )
    value = {} if filter is None else filter
    if not isinstance(value, dict):
        raise InvalidInput(
            "a saved search's filter must be a JSON object (or null)",
            hint='send it as SearchFilterInput would take it, e.g. {"types": ["Person"]}',
        )
    body = _json(
        value, "filter", limit=MAX_FILTER_BYTES, invalid="invalid_input", too_large="invalid_input"
    )
    return name, query, body


def check_state(state: Any) -> tuple[str, int]:
    """(state JSON, node count) of an investigation, checked."""
    if not isinstance(state, dict):
        raise InvalidInput(
            f"an investigation's state must be a JSON object, got {_kind(state)}",
            hint='send an object such as {"nodes": [], "layout": "cose"}',
            code="state_invalid",
        )
    nodes = state.get("nodes", [])
    if not isinstance(nodes, list):
        raise InvalidInput(
            f"an investigation's state.nodes must be a list, got {_kind(nodes)}",
            hint='send the nodes as [{"id": …, "x": …, "y": …, "pinned": false}, …]',
            code="state_invalid",
        )
    if len(nodes) > MAX_NODES:
        raise InvalidInput(
            f"the investigation holds {len(nodes):,} nodes; at most {MAX_NODES:,} are allowed",
            hint="remove nodes, or split the investigation in two",
            details={"nodes": len(nodes), "allowed": MAX_NODES},
            code="state_too_large",
        )
    body = _json(
        state,
        "investigation's state",
        limit=MAX_STATE_BYTES,
        invalid="state_invalid",
        too_large="state_too_large",
    )
    return body, len(nodes)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {list: "a list", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def _full(what: str, allowed: int) -> InvalidInput:
    return InvalidInput(
        f"you already keep {allowed} {what}, as many as one user may",
        hint=f"delete {what} you no longer need",
        details={"allowed": allowed},
        code="workspace_full",
    )


class Workspace:
    """Saved searches and investigations, always of one owner."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- saved searches ----------------------------------------------------------------

    def saved_searches(self, owner: Owner) -> list[SavedSearch]:
        """The owner's saved searches by name."""
        with self._store._read_all() as connection:
            rows = connection.execute(
                select(saved_searches)
                .where(_mine(saved_searches, owner))
                .order_by(saved_searches.c.name, saved_searches.c.id)
            ).all()
        return [_search(row) for row in rows]

    def save_search(self, owner: Owner, name: str, query: str, filter: Any) -> SavedSearch:
        """Save (or, under a name the owner already uses, replace) a search."""
        name, query, body = check_search(name, query, filter)
        now = to_us(utcnow())
        table = saved_searches
        with self._store._write() as connection:
            same = and_(_mine(table, owner), table.c.name == name)
            new = connection.execute(select(table.c.id).where(same)).first() is None
            if new and _count(connection, table, owner) >= MAX_SAVED_SEARCHES:
                raise _full("saved searches", MAX_SAVED_SEARCHES)
            connection.execute(
                text(
                    "INSERT INTO saved_searches (id, tenant, owner, name, query, filter, "
                    "created_us, updated_us) VALUES (:id, :tenant, :owner, :name, :query, "
                    ":filter, :now, :now) ON CONFLICT (tenant, owner, name) DO UPDATE SET "
                    "query = excluded.query, filter = excluded.filter, "
                    "updated_us = excluded.updated_us"
                ),
                {
                    "id": f"search-{secrets.token_hex(8)}",
                    "tenant": owner.tenant,
                    "owner": owner.principal,
                    "name": name,
                    "query": query,
                    "filter": body,
                    "now": now,
                },
            )
            row = connection.execute(select(table).where(same)).one()
        return _search(row)

    def delete_search(self, owner: Owner, search_id: str) -> bool:
        """Whether the owner had a saved search of that id (now deleted)."""
        return self._delete(saved_searches, owner, search_id)

    # -- investigations ----------------------------------------------------------------

    def investigations(self, owner: Owner) -> list[InvestigationSummary]:
        """The owner's investigations, most recently saved first (without their state)."""
        table = investigations
        columns = (table.c.id, table.c.name, table.c.node_count)
        with self._store._read_all() as connection:
            rows = connection.execute(
                select(*columns, table.c.created_us, table.c.updated_us)
                .where(_mine(table, owner))
                .order_by(table.c.updated_us.desc(), table.c.id)
            ).all()
        return [
            InvestigationSummary(
                r.id, r.name, r.node_count, from_us(r.created_us), from_us(r.updated_us)
            )
            for r in rows
        ]

    def investigation(self, owner: Owner, investigation_id: str) -> Investigation | None:
        """The owner's investigation, or None when it is absent or someone else's."""
        if not storable(investigation_id):
            return None
        table = investigations
        with self._store._read_all() as connection:
            row = connection.execute(
                select(table).where(_mine(table, owner), table.c.id == investigation_id)
            ).first()
        return None if row is None else _investigation(row)

    def save_investigation(
        self, owner: Owner, investigation_id: str | None, name: str, state: Any
    ) -> Investigation:
        """Create an investigation (no id) or replace the name and state of one of the
        owner's; an id that is absent or someone else's is ``not_found``."""
        name = check_name(name, "investigation")
        body, nodes = check_state(state)
        now = to_us(utcnow())
        table = investigations
        with self._store._write() as connection:
            if investigation_id is None:
                if _count(connection, table, owner) >= MAX_INVESTIGATIONS:
                    raise _full("investigations", MAX_INVESTIGATIONS)
                investigation_id = f"inv-{secrets.token_hex(8)}"
                connection.execute(
                    table.insert().values(
                        id=investigation_id,
                        tenant=owner.tenant,
                        owner=owner.principal,
                        name=name,
                        state=body,
                        node_count=nodes,
                        created_us=now,
                        updated_us=now,
                    )
                )
            else:
                changed = (
                    storable(investigation_id)
                    and connection.execute(
                        update(table)
                        .where(_mine(table, owner), table.c.id == investigation_id)
                        .values(name=name, state=body, node_count=nodes, updated_us=now)
                    ).rowcount
                )
                if not changed:
                    raise NotFound(
                        f"no investigation {investigation_id!r}",
                        hint="list yours with the investigations query; save without an id "
                        "to create one",
                    )
            row = connection.execute(select(table).where(table.c.id == investigation_id)).one()
        return _investigation(row)

    def delete_investigation(self, owner: Owner, investigation_id: str) -> bool:
        """Whether the owner had an investigation of that id (now deleted)."""
        return self._delete(investigations, owner, investigation_id)

    def _delete(self, table: Any, owner: Owner, row_id: str) -> bool:
        if not storable(row_id):
            return False
        with self._store._write() as connection:
            deleted = connection.execute(
                delete(table).where(_mine(table, owner), table.c.id == row_id)
            ).rowcount
        return bool(deleted)


def _mine(table: Any, owner: Owner) -> Any:
    return and_(table.c.tenant == owner.tenant, table.c.owner == owner.principal)


def _count(connection: Connection, table: Any, owner: Owner) -> int:
    return int(
        connection.execute(
            select(func.count()).select_from(table).where(_mine(table, owner))
        ).scalar_one()
    )


def _search(row: Any) -> SavedSearch:
    return SavedSearch(
        id=row.id,
        name=row.name,
        query=row.query,
        filter=json.loads(row.filter),
        created_at=from_us(row.created_us),
        updated_at=from_us(row.updated_us),
    )


def _investigation(row: Any) -> Investigation:
    return Investigation(
        id=row.id,
        name=row.name,
        state=json.loads(row.state),
        node_count=row.node_count,
        created_at=from_us(row.created_us),
        updated_at=from_us(row.updated_us),
    )


__all__ = [
    "MAX_INVESTIGATIONS",
    "MAX_NODES",
    "MAX_SAVED_SEARCHES",
    "MAX_STATE_BYTES",
    "WORKSPACE_CODES",
    "Investigation",
    "InvestigationSummary",
    "Owner",
    "SavedSearch",
    "Workspace",
    "check_name",
    "check_search",
    "check_state",
]
