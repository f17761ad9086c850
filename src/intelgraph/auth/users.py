"""Local users: validated creation and the principal a stored user acts as."""

from __future__ import annotations

import re
from collections.abc import Iterable

from intelgraph.errors import InvalidInput
from intelgraph.model import Classification
from intelgraph.policy.principal import Principal
from intelgraph.store.identity import UserRow, new_id

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$")


def check_name(name: str, what: str = "user") -> str:
    if not _NAME.match(name or ""):
        raise InvalidInput(
            f"invalid {what} name {name!r}",
            hint="use letters, digits and . _ @ + - (at most 200, starting with a letter or digit)",
        )
    return name


def new_user(
    name: str,
    *,
    tenant: str,
    clearance: int | str = 0,
    compartments: Iterable[str] = (),
    purposes: Iterable[str] = (),
    admin: bool = False,
    password_hash: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
    external_id: str | None = None,
    active: bool = True,
) -> UserRow:
    """A user row whose attributes pass the same checks as a principal's."""
    check_name(name)
    principal = Principal.make(
        name,
        tenant,
        Classification.parse(clearance),
        compartments=compartments,
        purposes=purposes,
        admin=admin,
    )
    return UserRow(
        id=new_id(),
        name=name,
        tenant=principal.tenant,
        clearance=principal.clearance,
        compartments=principal.compartments,
        purposes=principal.purposes,
        admin=admin,
        active=active,
        display_name=display_name,
        email=email,
        external_id=external_id,
        password_hash=password_hash,
    )


def principal_of(
    user: UserRow, *, auth_time: int | None = None, session: str | None = None
) -> Principal:
    return Principal(
        id=f"user:{user.id}",
        name=user.name,
        tenant=user.tenant,
        clearance=user.clearance,
        compartments=user.compartments,
        purposes=user.purposes,
        groups=user.groups,
        admin=user.admin,
        auth_time=auth_time,
        session=session,
    )


__all__ = ["check_name", "new_user", "principal_of"]
