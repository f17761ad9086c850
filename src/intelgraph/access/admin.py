"""User, token and authority management, each step decided by policy and audited.

An admin acts only on users whose clearance and compartments it holds itself
(the user resource's labels mirror the user's rights, before and after the
change), only in its own tenant (platform admins excepted, for users), and only
with a fresh login. Every attempt, allowed or refused, is a ``policy-change``
leaf in the ledger.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from intelgraph.access.control import authority_of
from intelgraph.auth.passwords import hash_password
from intelgraph.auth.users import check_name, new_user, principal_of
from intelgraph.errors import InvalidInput
from intelgraph.model import LicenceClass
from intelgraph.policy.principal import AccessRequest, Principal
from intelgraph.policy.resources import authority_resource, system_resource, user_resource
from intelgraph.store.authorities import AuthorityRow
from intelgraph.store.identity import UserChanges, UserRow

if TYPE_CHECKING:
    from intelgraph.access.control import AccessControl
    from intelgraph.auth.service import CreatedApiToken, IdentityService
    from intelgraph.ledger.service import Ledger

AUTHORITY_KINDS = ("warrant", "court-order", "consent", "licence", "other")
MAX_AUTHORITY_DAYS = 5 * 366


@dataclass(frozen=True, slots=True)
class Grant:
    """Rights to add to (or, for revoke, take from) a user."""

    compartments: frozenset[str] = frozenset()
    purposes: tuple[str, ...] = ()
    clearance: int | None = None
    admin: bool | None = None


class Administration:
    def __init__(self, control: AccessControl, identity: IdentityService) -> None:
        self.control = control
        self.identity = identity
        self.store = control.store

    def _require_user(
        self,
        request: AccessRequest,
        user: Principal,
        change: dict[str, Any],
        *,
        action: str = "manageUsers",
    ) -> None:
        self.control.require(request, action, user_resource(user), change=change)

    # -- users ---------------------------------------------------------------------------

    def add_user(
        self,
        request: AccessRequest,
        name: str,
        *,
        tenant: str,
        clearance: int | str = 0,
        compartments: Iterable[str] = (),
        purposes: Iterable[str] = (),
        admin: bool = False,
        password: str | None = None,
        display_name: str | None = None,
        email: str | None = None,
    ) -> UserRow:
        row = new_user(
            name,
            tenant=tenant,
            clearance=clearance,
            compartments=compartments,
            purposes=purposes,
            admin=admin,
            display_name=display_name,
            email=email,
        )
        change = {
            "op": "add-user",
            "user": name,
            "tenant": tenant,
            "clearance": row.clearance,
            "compartments": sorted(row.compartments),
            "purposes": list(row.purposes),
            "admin": admin,
        }
        self._require_user(request, principal_of(row), change)
        if password is not None:
            row = replace(row, password_hash=hash_password(password))
        return self.store.identity.add_user(row)

    def set_active(self, request: AccessRequest, name: str, active: bool) -> UserRow:
        user = self.store.identity.user_by_name(name)
        op = "enable-user" if active else "disable-user"
        self._require_user(request, principal_of(user), {"op": op, "user": name})
        return self.store.identity.update_user(user.id, UserChanges(active=active))

    def set_password(self, request: AccessRequest, name: str, password: str) -> UserRow:
        user = self.store.identity.user_by_name(name)
        self._require_user(request, principal_of(user), {"op": "set-password", "user": name})
        return self.store.identity.update_user(
            user.id, UserChanges(password_hash=hash_password(password))
        )

    def grant(self, request: AccessRequest, name: str, grant: Grant) -> UserRow:
        user = self.store.identity.user_by_name(name)
        clearance = max(user.clearance, grant.clearance if grant.clearance is not None else 0)
        compartments = user.compartments | grant.compartments
        after = UserChanges(
            clearance=clearance,
            compartments=compartments,
            purposes=tuple(dict.fromkeys(user.purposes + grant.purposes)),
            admin=True if grant.admin else None,
        )
        # Decided on the user as it will be: nobody grants rights they do not hold.
        widened = replace(principal_of(user), clearance=clearance, compartments=compartments)
        change = _grant_change("grant", name, grant)
        self._require_user(request, widened, change)
        return self.store.identity.update_user(user.id, after)

    def revoke(self, request: AccessRequest, name: str, grant: Grant) -> UserRow:
        user = self.store.identity.user_by_name(name)
        self._require_user(request, principal_of(user), _grant_change("revoke", name, grant))
        if grant.clearance is not None and grant.clearance > user.clearance:
            raise InvalidInput("revoke lowers a clearance; the new level is above the current one")
        return self.store.identity.update_user(
            user.id,
            UserChanges(
                clearance=grant.clearance,
                compartments=user.compartments - grant.compartments,
                purposes=tuple(p for p in user.purposes if p not in grant.purposes),
                admin=False if grant.admin else None,
            ),
        )

    # -- API tokens ------------------------------------------------------------------------

    def create_token(
        self,
        request: AccessRequest,
        owner: str,
        name: str,
        scopes: Iterable[str],
        *,
        days: int = 90,
    ) -> CreatedApiToken:
        check_name(name, "token")
        user = self.store.identity.user_by_name(owner)
        scopes = sorted(set(scopes))
        change = {
            "op": "create-token",
            "user": owner,
            "token": name,
            "scopes": scopes,
            "days": days,
        }
        self._require_user(request, principal_of(user), change)
        return self.identity.create_api_token(user.id, name, scopes, days=days)

    def revoke_token(self, request: AccessRequest, token_id: str) -> bool:
        token = self.store.identity.api_token(token_id)
        user = self.store.identity.user(token.user_id)
        self._require_user(request, principal_of(user), {"op": "revoke-token", "token": token_id})
        return self.store.identity.revoke_api_token(token_id)

    # -- keys ----------------------------------------------------------------------------------

    def rotate_ledger_key(self, request: AccessRequest, ledger: Ledger) -> tuple[Any, Any, Any]:
        """New ledger signing key (co-signed hand-over), for a fresh admin of the platform."""
        resource = system_resource("Ledger", self.control.platform_tenant)
        self.control.require(request, "rotateKey", resource, change={"op": "rotate-ledger-key"})
        return ledger.rotate_key()

    def rotate_issuer_key(self, request: AccessRequest) -> str:
        """New token-signing key; tokens signed by the old one stay valid until they expire."""
        resource = system_resource("Ledger", self.control.platform_tenant, "issuer")
        self.control.require(request, "rotateKey", resource, change={"op": "rotate-issuer-key"})
        return self.identity.issuer.rotate()

    # -- authorities -------------------------------------------------------------------------

    def grant_authority(
        self,
        request: AccessRequest,
        *,
        kind: str,
        issuer: str,
        reference: str,
        purposes: Iterable[str],
        entities: Iterable[str] = (),
        licences: Iterable[str] = (),
        holders: Iterable[str] = (),
        days: float = 30,
        not_before: int | None = None,
        authority_id: str | None = None,
    ) -> tuple[AuthorityRow, int]:
        if kind not in AUTHORITY_KINDS:
            raise InvalidInput(f"unknown authority kind {kind!r}", hint=", ".join(AUTHORITY_KINDS))
        if not issuer.strip() or not reference.strip():
            raise InvalidInput("an authority needs its issuer and reference (e.g. a case number)")
        wanted_purposes = frozenset(p.strip() for p in purposes if p.strip())
        if not wanted_purposes:
            raise InvalidInput("an authority names at least one purpose")
        allowed_licences = {str(c) for c in LicenceClass}
        bad = set(licences) - allowed_licences
        if bad:
            raise InvalidInput(
                f"unknown licence class(es) {', '.join(sorted(bad))}",
                hint=", ".join(sorted(allowed_licences)),
            )
        if not 0 < days <= MAX_AUTHORITY_DAYS:
            raise InvalidInput(
                f"an authority lasts more than 0 and at most {MAX_AUTHORITY_DAYS} days"
            )
        start = not_before if not_before is not None else int(time.time())
        row = AuthorityRow(
            id=authority_id or f"auth-{secrets.token_hex(6)}",
            tenant=request.principal.tenant,
            kind=kind,
            issuer=issuer.strip(),
            reference=reference.strip(),
            purposes=wanted_purposes,
            entities=frozenset(entities),
            licences=frozenset(licences),
            holders=frozenset(holders),
            not_before=start,
            expires=start + int(days * 86_400),
            created_by=request.principal.id,
        )
        resource = authority_resource(authority_of(row))
        change = {"op": "grant-authority", "authority": row.id, "digest": row.digest()}
        self.control.require(request, "manageAuthorities", resource, change=change)
        return self.store.authorities.grant(row)

    def revoke_authority(
        self, request: AccessRequest, authority_id: str
    ) -> tuple[AuthorityRow, int]:
        row = self.store.authorities.get(authority_id)
        resource = authority_resource(authority_of(row))
        change = {"op": "revoke-authority", "authority": authority_id}
        self.control.require(request, "manageAuthorities", resource, change=change)
        return self.store.authorities.revoke(authority_id, by=request.principal.id)


def _grant_change(op: str, name: str, grant: Grant) -> dict[str, Any]:
    return {
        "op": op,
        "user": name,
        "clearance": grant.clearance,
        "compartments": sorted(grant.compartments),
        "purposes": list(grant.purposes),
        "admin": grant.admin,
    }


__all__ = ["AUTHORITY_KINDS", "Administration", "Grant"]
