"""The first admin: created by ``intelgraph init`` before any principal exists to ask.

This is the one identity change not decided by policy (nobody could be asked);
it is logged in the ledger like every admin action, by the ``system`` principal.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from intelgraph.access.audit import Auditor, system_request
from intelgraph.auth.passwords import hash_password
from intelgraph.auth.users import new_user
from intelgraph.model import Classification
from intelgraph.store.identity import UserChanges, UserRow

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
        return _widened(store, ledger, found, compartments, purposes), None
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
    _log(ledger, row, {"op": "bootstrap-admin", "user": name})
    return row, chosen


def _widened(
    store: Store,
    ledger: Ledger,
    user: UserRow,
    compartments: Iterable[str],
    purposes: Iterable[str],
) -> UserRow:
    """The demo gives the first admin the demo's compartments and purposes, also when
    `init` created it before (logged like the creation)."""
    more = frozenset(compartments) - user.compartments
    extra = tuple(p for p in purposes if p not in user.purposes)
    if not user.admin or (not more and not extra):
        return user
    changed = store.identity.update_user(
        user.id,
        UserChanges(compartments=user.compartments | more, purposes=user.purposes + extra),
    )
    change = {"op": "bootstrap-rights", "compartments": sorted(more), "purposes": list(extra)}
    _log(ledger, changed, change)
    return changed


def _log(ledger: Ledger, user: UserRow, change: Mapping[str, object]) -> None:
    Auditor(ledger).admin(
        system_request(user.tenant),
        action="manageUsers",
        target=f"User:{user.id}",
        change=change,
        allowed=True,
        policies=(),
    )


__all__ = ["ADMIN_NAME", "ensure_admin"]
