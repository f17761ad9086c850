"""``store.authorities``: authority bindings (warrants, court orders, consents, licences).

A binding is kept here for lookup by id and tenant; its grant and its
revocation are each a ledger leaf written in the same transaction, so the log
shows who bound which authority, when, and what it covered (by hash).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from intelgraph.errors import Conflict, NotFound
from intelgraph.ledger.leaves import canonical, entry
from intelgraph.store.tables import authorities

if TYPE_CHECKING:
    from intelgraph.store.store import Store


@dataclass(frozen=True, slots=True)
class AuthorityRow:
    id: str
    tenant: str
    kind: str
    issuer: str
    reference: str
    purposes: frozenset[str]
    entities: frozenset[str]
    licences: frozenset[str]
    holders: frozenset[str]
    not_before: int
    expires: int
    created_by: str
    created: int = 0
    revoked: int | None = None
    revoked_by: str | None = None

    def digest(self) -> str:
        """SHA-256 of what the binding covers: the ledger holds this, not the list."""
        body = {
            "id": self.id,
            "tenant": self.tenant,
            "kind": self.kind,
            "issuer": self.issuer,
            "reference": self.reference,
            "purposes": sorted(self.purposes),
            "entities": sorted(self.entities),
            "licences": sorted(self.licences),
            "holders": sorted(self.holders),
            "not_before": self.not_before,
            "expires": self.expires,
        }
        return hashlib.sha256(canonical(body)).hexdigest()


class AuthorityLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    def grant(self, row: AuthorityRow) -> tuple[AuthorityRow, int]:
        """Store the binding and log it; returns it with its ledger leaf index."""
        now = int(time.time())
        leaf = entry(
            "authority",
            {
                "action": "granted",
                "authority": row.id,
                "tenant": row.tenant,
                "kind": row.kind,
                "by": row.created_by,
                "digest": row.digest(),
                "expires": row.expires,
            },
            at=datetime.fromtimestamp(now, UTC),
        )
        with self._store._write() as connection:
            exists = connection.execute(
                select(authorities.c.id).where(authorities.c.id == row.id)
            ).first()
            if exists:
                raise Conflict(f"an authority with id {row.id!r} exists")
            connection.execute(
                insert(authorities).values(
                    id=row.id,
                    tenant=row.tenant,
                    kind=row.kind,
                    issuer=row.issuer,
                    reference=row.reference,
                    purposes=json.dumps(sorted(row.purposes)),
                    entities=json.dumps(sorted(row.entities)),
                    licences=json.dumps(sorted(row.licences)),
                    holders=json.dumps(sorted(row.holders)),
                    not_before=row.not_before,
                    expires=row.expires,
                    created_by=row.created_by,
                    created=now,
                )
            )
            (index,) = self._store.ledger.append_in(connection, [leaf])
        return self.get(row.id), index

    def revoke(self, authority_id: str, *, by: str) -> tuple[AuthorityRow, int]:
        now = int(time.time())
        current = self.get(authority_id)
        if current.revoked is not None:
            raise Conflict(f"authority {authority_id!r} is already revoked")
        leaf = entry(
            "authority",
            {
                "action": "revoked",
                "authority": authority_id,
                "tenant": current.tenant,
                "kind": current.kind,
                "by": by,
                "digest": current.digest(),
                "expires": current.expires,
            },
            at=datetime.fromtimestamp(now, UTC),
        )
        with self._store._write() as connection:
            changed = connection.execute(
                update(authorities)
                .where(authorities.c.id == authority_id, authorities.c.revoked.is_(None))
                .values(revoked=now, revoked_by=by)
            ).rowcount
            if not changed:
                raise Conflict(f"authority {authority_id!r} is already revoked")
            (index,) = self._store.ledger.append_in(connection, [leaf])
        return self.get(authority_id), index

    def get(self, authority_id: str) -> AuthorityRow:
        found = self._rows(authorities.c.id == authority_id)
        if not found:
            raise NotFound(f"no authority {authority_id!r}", hint="see `intelgraph authority list`")
        return found[0]

    def find(self, authority_id: str) -> AuthorityRow | None:
        found = self._rows(authorities.c.id == authority_id)
        return found[0] if found else None

    def listed(self, tenant: str | None = None) -> list[AuthorityRow]:
        return self._rows(True if tenant is None else authorities.c.tenant == tenant)

    def _rows(self, condition: Any) -> list[AuthorityRow]:
        with self._store._read_all() as connection:
            rows = connection.execute(
                select(authorities).where(condition).order_by(authorities.c.created)
            ).all()
        return [
            AuthorityRow(
                id=row.id,
                tenant=row.tenant,
                kind=row.kind,
                issuer=row.issuer,
                reference=row.reference,
                purposes=frozenset(json.loads(row.purposes)),
                entities=frozenset(json.loads(row.entities)),
                licences=frozenset(json.loads(row.licences)),
                holders=frozenset(json.loads(row.holders)),
                not_before=row.not_before,
                expires=row.expires,
                created_by=row.created_by,
                created=row.created,
                revoked=row.revoked,
                revoked_by=row.revoked_by,
            )
            for row in rows
        ]


__all__ = ["AuthorityLog", "AuthorityRow"]
