"""The first admin: created by ``intelgraph init`` before any principal exists to ask.

This is the one identity change not decided by policy (nobody could be asked);
it is logged in the ledger like every admin action, by the ``system`` principal.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from intelgraph.auth.passwords import hash_password
from intelgraph.auth.users import new_user
from intelgraph.ledger.leaves import entry
from intelgraph.model import Classification, utcnow
from intelgraph.store.identity import UserRow

if TYPE_CHECKING:
    from intelgraph.ledger.service import Ledger
    from intelgraph.store import Store

ADMIN_NAME = "admin"


def ensure_admin(
    store: Store,
    ledger: Ledger,
    *,
    tenant: str,
    password: str | None = None,
    name: str = ADMIN_NAME,
    compartments: Iterable[str] = (),
    purposes: Iterable[str] = (),
) -> tuple[UserRow, str | None]:
    """The admin user, created with ``password`` (or a random one, returned once) when
    absent; ``(user, None)`` when it already exists."""
    found = store.identity.find_user(name)
    if found is not None:
        return found, None
    chosen = password or secrets.token_urlsafe(18)
    row = new_user(
        name,
        tenant=tenant,
        clearance=int(Classification.TOP_SECRET),
        compartments=compartments,
        purposes=purposes,
        admin=True,
    )
    row = store.identity.add_user(replace(row, password_hash=hash_password(chosen)))
    ledger.record(
        entry(
            "policy-change",
            {
                "principal": "system",
                "name": "system",
                "tenant": tenant,
                "purpose": None,
                "authority": None,
                "action": "manageUsers",
                "target": f"User:{row.id}",
                "change": {"op": "bootstrap-admin", "user": name},
                "decision": "allow",
                "policies": [],
            },
            at=utcnow(),
        )
    )
    return row, chosen


__all__ = ["ADMIN_NAME", "ensure_admin"]
