"""``store.identity``: users, groups, login sessions, refresh tokens and API tokens.

Only hashes of secrets are stored. A session is one login: its access tokens
name it (``sid``) and every request checks it, so logout or disabling a user
takes effect at once, not when the access token expires. Refresh tokens are
single-use; presenting a used one again revokes the whole session, because
only a thief or a replay would do that.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from intelgraph.errors import Conflict, InvalidInput, NotFound
from intelgraph.store.engine import raw_cursor
from intelgraph.store.tables import (
    api_tokens,
    auth_sessions,
    group_members,
    groups,
    refresh_tokens,
    users,
)

if TYPE_CHECKING:
    from intelgraph.store.store import Store

_MAX_LIST = 10_000


@dataclass(frozen=True, slots=True)
class UserRow:
    """A stored user with its access attributes and group names."""

    id: str
    name: str
    tenant: str
    clearance: int = 0
    compartments: frozenset[str] = frozenset()
    purposes: tuple[str, ...] = ()
    admin: bool = False
    active: bool = True
    display_name: str | None = None
    email: str | None = None
    external_id: str | None = None
    password_hash: str | None = None
    groups: frozenset[str] = frozenset()
    created: int = 0  # epoch seconds
    updated: int = 0
    version: int = 1


@dataclass(frozen=True, slots=True)
class GroupRow:
    id: str
    tenant: str
    name: str
    external_id: str | None = None
    members: tuple[str, ...] = ()  # user ids
    created: int = 0
    updated: int = 0
    version: int = 1


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: str
    user_id: str
    auth_time: int
    expires: int
    revoked: int | None = None
    revoked_reason: str | None = None

    def live_at(self, now: int) -> bool:
        return self.revoked is None and now < self.expires


@dataclass(frozen=True, slots=True)
class ApiTokenRow:
    id: str
    user_id: str
    name: str
    scopes: frozenset[str]
    created: int
    expires: int
    revoked: int | None = None
    last_used: int | None = None

    def live_at(self, now: int) -> bool:
        return self.revoked is None and now < self.expires


@dataclass(frozen=True, slots=True)
class UserChanges:
    """Fields to change on a user; ``None`` leaves a field as it is."""

    name: str | None = None
    tenant: str | None = None
    clearance: int | None = None
    compartments: frozenset[str] | None = None
    purposes: tuple[str, ...] | None = None
    admin: bool | None = None
    active: bool | None = None
    display_name: str | None = None
    email: str | None = None
    external_id: str | None = None
    password_hash: str | None = None
    clear: frozenset[str] = field(default_factory=frozenset)  # optional fields to null

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in (
            "name",
            "tenant",
            "clearance",
            "admin",
            "active",
            "display_name",
            "email",
            "external_id",
            "password_hash",
        ):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.compartments is not None:
            out["compartments"] = json.dumps(sorted(self.compartments))
        if self.purposes is not None:
            out["purposes"] = json.dumps(list(self.purposes))
        for name in self.clear & {"display_name", "email", "external_id", "password_hash"}:
            out[name] = None
        return out


def new_id() -> str:
    return secrets.token_hex(16)


def _now() -> int:
    return int(time.time())


class IdentityLog:
    """Users, groups, sessions and tokens of one store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def version(self) -> int | None:
        """Bumped by database triggers on any change to users, groups, memberships,
        sessions or API tokens (migration 0007): authentication caches by it. ``None``
        when the counter is missing (a wiped ``meta``): then nothing may be cached."""
        with self._store._read_all() as connection:
            cursor = raw_cursor(connection)
            cursor.execute("SELECT value FROM meta WHERE key = 'identity_version'")
            row = cursor.fetchone()
        return int(row[0]) if row else None

    # -- users ---------------------------------------------------------------------

    def add_user(self, user: UserRow) -> UserRow:
        now = _now()
        row = {
            "id": user.id,
            "name": user.name,
            "tenant": user.tenant,
            "clearance": user.clearance,
            "compartments": json.dumps(sorted(user.compartments)),
            "purposes": json.dumps(list(user.purposes)),
            "admin": user.admin,
            "active": user.active,
            "display_name": user.display_name,
            "email": user.email,
            "external_id": user.external_id,
            "password_hash": user.password_hash,
            "created_us": now * 1_000_000,
            "updated_us": now * 1_000_000,
            "version": 1,
        }
        with self._store._write() as connection:
            if connection.execute(select(users.c.id).where(users.c.name == user.name)).first():
                raise Conflict(f"a user named {user.name!r} exists", hint="choose another name")
            connection.execute(insert(users).values(**row))
        return self.user(user.id)

    def user(self, user_id: str) -> UserRow:
        found = self._users(users.c.id == user_id)
        if not found:
            raise NotFound(f"no user with id {user_id!r}")
        return found[0]

    def user_by_name(self, name: str) -> UserRow:
        found = self._users(users.c.name == name)
        if not found:
            raise NotFound(f"no user named {name!r}", hint="see `intelgraph users list`")
        return found[0]

    def find_user(self, name: str) -> UserRow | None:
        found = self._users(users.c.name == name)
        return found[0] if found else None

    def users(
        self,
        *,
        tenant: str | None = None,
        name: str | None = None,
        external_id: str | None = None,
        user_id: str | None = None,
        offset: int = 0,
        limit: int = _MAX_LIST,
    ) -> list[UserRow]:
        conditions = []
        if user_id is not None:
            conditions.append(users.c.id == user_id)
        if tenant is not None:
            conditions.append(users.c.tenant == tenant)
        if name is not None:
            conditions.append(users.c.name == name)
        if external_id is not None:
            conditions.append(users.c.external_id == external_id)
        return self._users(and_(True, *conditions), offset=offset, limit=limit)

    def _users(self, condition: Any, *, offset: int = 0, limit: int = _MAX_LIST) -> list[UserRow]:
        query = select(users).where(condition).order_by(users.c.name).offset(offset).limit(limit)
        with self._store._read_all() as connection:
            rows = connection.execute(query).all()
            names = _group_names(connection, [row.id for row in rows])
        return [_user(row, names.get(row.id, frozenset())) for row in rows]

    def update_user(
        self, user_id: str, changes: UserChanges, *, expected_version: int | None = None
    ) -> UserRow:
        """Change a user; deactivating it revokes its sessions in the same transaction."""
        values = changes.values()
        with self._store._write() as connection:
            current = connection.execute(select(users).where(users.c.id == user_id)).first()
            if current is None:
                raise NotFound(f"no user with id {user_id!r}")
            if expected_version is not None and current.version != expected_version:
                raise Conflict(
                    f"user {current.name!r} changed since version {expected_version}",
                    hint="read it again and retry",
                    code="version_mismatch",
                )
            if "name" in values and values["name"] != current.name:
                taken = connection.execute(
                    select(users.c.id).where(users.c.name == values["name"])
                ).first()
                if taken:
                    raise Conflict(f"a user named {values['name']!r} exists")
            values["updated_us"] = _now() * 1_000_000
            values["version"] = current.version + 1
            connection.execute(update(users).where(users.c.id == user_id).values(**values))
            if values.get("active") is False or "password_hash" in values:
                reason = "user-disabled" if values.get("active") is False else "password-changed"
                _revoke_sessions(connection, user_id, reason)
        return self.user(user_id)

    def delete_user(self, user_id: str) -> None:
        with self._store._write() as connection:
            found = connection.execute(delete(users).where(users.c.id == user_id)).rowcount
            if not found:
                raise NotFound(f"no user with id {user_id!r}")
            left = [
                row[0]
                for row in connection.execute(
                    select(group_members.c.group_id).where(group_members.c.user_id == user_id)
                )
            ]
            _touch_groups(connection, left)
            connection.execute(delete(group_members).where(group_members.c.user_id == user_id))
            _revoke_sessions(connection, user_id, "user-deleted")
            connection.execute(
                update(api_tokens)
                .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked.is_(None))
                .values(revoked=_now())
            )

    # -- groups --------------------------------------------------------------------

    def add_group(self, group: GroupRow) -> GroupRow:
        now = _now() * 1_000_000
        with self._store._write() as connection:
            try:
                connection.execute(
                    insert(groups).values(
                        id=group.id,
                        tenant=group.tenant,
                        name=group.name,
                        external_id=group.external_id,
                        created_us=now,
                        updated_us=now,
                        version=1,
                    )
                )
            except IntegrityError:
                raise Conflict(f"a group named {group.name!r} exists in {group.tenant!r}") from None
            _set_members(connection, group.id, group.members)
        return self.group(group.id)

    def group(self, group_id: str) -> GroupRow:
        found = self.groups(group_id=group_id)
        if not found:
            raise NotFound(f"no group with id {group_id!r}")
        return found[0]

    def groups(
        self,
        *,
        tenant: str | None = None,
        name: str | None = None,
        group_id: str | None = None,
        external_id: str | None = None,
        offset: int = 0,
        limit: int = _MAX_LIST,
    ) -> list[GroupRow]:
        conditions = []
        for column, value in (
            (groups.c.tenant, tenant),
            (groups.c.name, name),
            (groups.c.id, group_id),
            (groups.c.external_id, external_id),
        ):
            if value is not None:
                conditions.append(column == value)
        query = (
            select(groups)
            .where(and_(True, *conditions))
            .order_by(groups.c.tenant, groups.c.name)
            .offset(offset)
            .limit(limit)
        )
        with self._store._read_all() as connection:
            rows = connection.execute(query).all()
            members: dict[str, list[str]] = {row.id: [] for row in rows}
            if rows:
                for link in connection.execute(
                    select(group_members).where(group_members.c.group_id.in_(list(members)))
                ):
                    members[link.group_id].append(link.user_id)
        return [
            GroupRow(
                id=row.id,
                tenant=row.tenant,
                name=row.name,
                external_id=row.external_id,
                members=tuple(sorted(members[row.id])),
                created=row.created_us // 1_000_000,
                updated=row.updated_us // 1_000_000,
                version=row.version,
            )
            for row in rows
        ]

    def update_group(
        self,
        group_id: str,
        *,
        name: str | None = None,
        external_id: str | None = None,
        members: Sequence[str] | None = None,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
    ) -> GroupRow:
        with self._store._write() as connection:
            current = connection.execute(select(groups).where(groups.c.id == group_id)).first()
            if current is None:
                raise NotFound(f"no group with id {group_id!r}")
            values: dict[str, Any] = {
                "updated_us": _now() * 1_000_000,
                "version": current.version + 1,
            }
            if name is not None:
                values["name"] = name
            if external_id is not None:
                values["external_id"] = external_id
            try:
                connection.execute(update(groups).where(groups.c.id == group_id).values(**values))
            except IntegrityError:
                raise Conflict(f"a group named {name!r} exists in {current.tenant!r}") from None
            if members is not None:
                _set_members(connection, group_id, members)
            for user_id in add:
                _add_member(connection, group_id, user_id)
            removed = list(remove)
            if removed:
                _touch_users(connection, removed)
                connection.execute(
                    delete(group_members).where(
                        group_members.c.group_id == group_id,
                        group_members.c.user_id.in_(removed),
                    )
                )
        return self.group(group_id)

    def delete_group(self, group_id: str) -> None:
        with self._store._write() as connection:
            if not connection.execute(delete(groups).where(groups.c.id == group_id)).rowcount:
                raise NotFound(f"no group with id {group_id!r}")
            _set_members(connection, group_id, [])

    # -- sessions and refresh tokens ----------------------------------------------------

    def open_session(self, user_id: str, *, auth_time: int, expires: int, refresh_hash: str) -> str:
        session_id = new_id()
        with self._store._write() as connection:
            connection.execute(
                insert(auth_sessions).values(
                    id=session_id, user_id=user_id, auth_time=auth_time, expires=expires
                )
            )
            connection.execute(
                insert(refresh_tokens).values(
                    hash=refresh_hash, session_id=session_id, created=auth_time
                )
            )
        return session_id

    def session(self, session_id: str) -> SessionRow | None:
        with self._store._read_all() as connection:
            row = connection.execute(
                select(auth_sessions).where(auth_sessions.c.id == session_id)
            ).first()
        if row is None:
            return None
        return SessionRow(
            row.id, row.user_id, row.auth_time, row.expires, row.revoked, row.revoked_reason
        )

    def rotate_refresh(self, old_hash: str, new_hash: str, now: int) -> SessionRow | None:
        """Spend ``old_hash`` and issue ``new_hash`` in its session.

        ``None`` when the token is unknown, spent or its session is over; a spent
        token presented again revokes its session (refresh-token reuse).
        """
        with self._store._write() as connection:
            token = connection.execute(
                select(refresh_tokens).where(refresh_tokens.c.hash == old_hash)
            ).first()
            if token is None:
                return None
            if token.used is not None:
                _revoke_session(connection, token.session_id, "refresh-reused")
                return None
            row = connection.execute(
                select(auth_sessions).where(auth_sessions.c.id == token.session_id)
            ).first()
            if row is None or row.revoked is not None or now >= row.expires:
                return None
            spent = connection.execute(
                update(refresh_tokens)
                .where(refresh_tokens.c.hash == old_hash, refresh_tokens.c.used.is_(None))
                .values(used=now)
            ).rowcount
            if not spent:  # a concurrent refresh won the race
                return None
            connection.execute(
                insert(refresh_tokens).values(hash=new_hash, session_id=row.id, created=now)
            )
        return SessionRow(row.id, row.user_id, row.auth_time, row.expires)

    def revoke_session(self, session_id: str, reason: str = "logout") -> bool:
        with self._store._write() as connection:
            return _revoke_session(connection, session_id, reason)

    def revoke_user_sessions(self, user_id: str, reason: str) -> int:
        with self._store._write() as connection:
            return _revoke_sessions(connection, user_id, reason)

    # -- API tokens ----------------------------------------------------------------------

    def add_api_token(
        self, *, user_id: str, name: str, token_hash: str, scopes: Iterable[str], expires: int
    ) -> ApiTokenRow:
        token_id = new_id()[:16]
        now = _now()
        with self._store._write() as connection:
            connection.execute(
                insert(api_tokens).values(
                    id=token_id,
                    user_id=user_id,
                    name=name,
                    hash=token_hash,
                    scopes=json.dumps(sorted(set(scopes))),
                    created=now,
                    expires=expires,
                )
            )
        return self.api_token(token_id)

    def api_token(self, token_id: str) -> ApiTokenRow:
        found = self._tokens(api_tokens.c.id == token_id)
        if not found:
            raise NotFound(
                f"no API token with id {token_id!r}", hint="see `intelgraph tokens list`"
            )
        return found[0]

    def api_token_by_hash(self, token_hash: str) -> ApiTokenRow | None:
        found = self._tokens(api_tokens.c.hash == token_hash)
        return found[0] if found else None

    def api_tokens(self, *, user_id: str | None = None) -> list[ApiTokenRow]:
        condition = True if user_id is None else api_tokens.c.user_id == user_id
        return self._tokens(condition)

    def touch_api_token(self, token_id: str, now: int) -> None:
        with self._store._write() as connection:
            connection.execute(
                update(api_tokens).where(api_tokens.c.id == token_id).values(last_used=now)
            )

    def revoke_api_token(self, token_id: str) -> bool:
        with self._store._write() as connection:
            return bool(
                connection.execute(
                    update(api_tokens)
                    .where(api_tokens.c.id == token_id, api_tokens.c.revoked.is_(None))
                    .values(revoked=_now())
                ).rowcount
            )

    def _tokens(self, condition: Any) -> list[ApiTokenRow]:
        with self._store._read_all() as connection:
            rows = connection.execute(
                select(api_tokens).where(condition).order_by(api_tokens.c.created)
            ).all()
        return [
            ApiTokenRow(
                id=row.id,
                user_id=row.user_id,
                name=row.name,
                scopes=frozenset(json.loads(row.scopes)),
                created=row.created,
                expires=row.expires,
                revoked=row.revoked,
                last_used=row.last_used,
            )
            for row in rows
        ]


def _user(row: Any, group_names: frozenset[str]) -> UserRow:
    return UserRow(
        id=row.id,
        name=row.name,
        tenant=row.tenant,
        clearance=row.clearance,
        compartments=frozenset(json.loads(row.compartments)),
        purposes=tuple(json.loads(row.purposes)),
        admin=bool(row.admin),
        active=bool(row.active),
        display_name=row.display_name,
        email=row.email,
        external_id=row.external_id,
        password_hash=row.password_hash,
        groups=group_names,
        created=row.created_us // 1_000_000,
        updated=row.updated_us // 1_000_000,
        version=row.version,
    )


def _group_names(connection: Connection, user_ids: Sequence[str]) -> Mapping[str, frozenset[str]]:
    if not user_ids:
        return {}
    out: dict[str, set[str]] = {}
    query = (
        select(group_members.c.user_id, groups.c.name)
        .join(groups, groups.c.id == group_members.c.group_id)
        .where(group_members.c.user_id.in_(list(user_ids)))
    )
    for user_id, name in connection.execute(query):
        out.setdefault(user_id, set()).add(name)
    return {key: frozenset(value) for key, value in out.items()}


def _set_members(connection: Connection, group_id: str, members: Iterable[str]) -> None:
    before = {
        row[0]
        for row in connection.execute(
            select(group_members.c.user_id).where(group_members.c.group_id == group_id)
        )
    }
    wanted = list(dict.fromkeys(members))
    connection.execute(delete(group_members).where(group_members.c.group_id == group_id))
    for user_id in wanted:
        _add_member(connection, group_id, user_id, touch=False)
    _touch_users(connection, before.symmetric_difference(wanted))


def _touch_users(connection: Connection, user_ids: Iterable[str]) -> None:
    """A user's groups are part of the user: a membership change is a new version."""
    ids = sorted(set(user_ids))
    if ids:
        connection.execute(
            update(users)
            .where(users.c.id.in_(ids))
            .values(version=users.c.version + 1, updated_us=_now() * 1_000_000)
        )


def _touch_groups(connection: Connection, group_ids: Iterable[str]) -> None:
    ids = sorted(set(group_ids))
    if ids:
        connection.execute(
            update(groups)
            .where(groups.c.id.in_(ids))
            .values(version=groups.c.version + 1, updated_us=_now() * 1_000_000)
        )


def _add_member(connection: Connection, group_id: str, user_id: str, *, touch: bool = True) -> None:
    if connection.execute(select(users.c.id).where(users.c.id == user_id)).first() is None:
        raise InvalidInput(f"no user with id {user_id!r} to add to the group")
    exists = connection.execute(
        select(group_members.c.user_id).where(
            group_members.c.group_id == group_id, group_members.c.user_id == user_id
        )
    ).first()
    if exists is None:
        connection.execute(insert(group_members).values(group_id=group_id, user_id=user_id))
        if touch:
            _touch_users(connection, [user_id])


def _revoke_session(connection: Connection, session_id: str, reason: str) -> bool:
    return bool(
        connection.execute(
            update(auth_sessions)
            .where(auth_sessions.c.id == session_id, auth_sessions.c.revoked.is_(None))
            .values(revoked=_now(), revoked_reason=reason)
        ).rowcount
    )


def _revoke_sessions(connection: Connection, user_id: str, reason: str) -> int:
    return int(
        connection.execute(
            update(auth_sessions)
            .where(auth_sessions.c.user_id == user_id, auth_sessions.c.revoked.is_(None))
            .values(revoked=_now(), revoked_reason=reason)
        ).rowcount
    )


__all__ = [
    "ApiTokenRow",
    "GroupRow",
    "IdentityLog",
    "SessionRow",
    "UserChanges",
    "UserRow",
    "new_id",
]
