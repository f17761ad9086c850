"""Who asks and in what circumstances: the principal and the request context.

A :class:`Principal` is built by authentication (embedded issuer, external OIDC,
API token, the CLI's ``--as``) and is the only thing policy sees of a caller.
An :class:`AccessRequest` adds what varies per request: the purpose (sent with
each request, default the principal's first), the authority invoked and the time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from intelgraph.errors import InvalidInput
from intelgraph.model import Classification

PrincipalKind = Literal["user", "service"]
SCOPES = ("read", "export", "ingest", "scim")


def _names(values: Iterable[str], what: str) -> None:
    for name in values:
        if not isinstance(name, str) or not name or "," in name or name != name.strip():
            raise InvalidInput(
                f"invalid {what} name {name!r}",
                hint="names are non-empty and contain no commas or surrounding spaces",
            )


@dataclass(frozen=True, slots=True)
class Principal:
    """A person or machine with its attributes (tenant, clearance, compartments, …)."""

    id: str
    name: str
    tenant: str
    clearance: int = 0
    compartments: frozenset[str] = frozenset()
    purposes: tuple[str, ...] = ()  # ordered: the first is the default purpose
    groups: frozenset[str] = frozenset()
    admin: bool = False
    auth_time: int | None = None  # epoch seconds of the login behind this token
    kind: PrincipalKind = "user"
    scopes: frozenset[str] = frozenset()  # API tokens only: what the token may do
    session: str | None = None  # the login session the token belongs to

    def __post_init__(self) -> None:
        if not self.tenant or not self.name:
            raise InvalidInput("a principal needs a name and a tenant")
        if self.clearance < 0:
            raise InvalidInput("clearance must not be negative")
        _names(self.compartments, "compartment")
        _names(self.purposes, "purpose")
        _names(self.groups, "group")
        unknown = self.scopes - set(SCOPES)
        if unknown:
            raise InvalidInput(
                f"unknown token scope(s) {', '.join(sorted(unknown))}", hint=", ".join(SCOPES)
            )

    @classmethod
    def make(
        cls,
        name: str,
        tenant: str,
        clearance: int | str = 0,
        *,
        compartments: Iterable[str] = (),
        purposes: Iterable[str] = (),
        groups: Iterable[str] = (),
        admin: bool = False,
        id: str | None = None,
        auth_time: int | None = None,
    ) -> Principal:
        return cls(
            id=id or f"user:{name}",
            name=name,
            tenant=tenant,
            clearance=Classification.parse(clearance),
            compartments=frozenset(compartments),
            purposes=tuple(dict.fromkeys(purposes)),
            groups=frozenset(groups),
            admin=admin,
            auth_time=auth_time,
        )

    @property
    def restricted(self) -> bool:
        """An API token acts only within its scopes."""
        return self.kind == "service"

    @property
    def default_purpose(self) -> str | None:
        return self.purposes[0] if self.purposes else None


@dataclass(frozen=True, slots=True)
class Authority:
    """An authority binding: a warrant, court order, consent or licence.

    It covers named entities (for ``pii``/``sensitive`` values) and licence
    classes (for exports of restricted sources), for some purposes, for the
    holders it names (users or groups; none: anyone in the tenant), until it
    expires or is revoked.
    """

    id: str
    tenant: str
    kind: str
    issuer: str
    reference: str
    purposes: frozenset[str]
    entities: frozenset[str] = frozenset()
    licences: frozenset[str] = frozenset()
    holders: frozenset[str] = frozenset()
    not_before: int = 0
    expires: int = 0
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """A principal's request: purpose, authority, time (seconds since the epoch)."""

    principal: Principal
    purpose: str | None = None
    authority: Authority | None = None
    now: int = field(default_factory=lambda: int(time.time()))

    @property
    def effective_purpose(self) -> str | None:
        """The purpose policy evaluates: the one sent, else the principal's default."""
        return self.purpose if self.purpose is not None else self.principal.default_purpose


__all__ = ["SCOPES", "AccessRequest", "Authority", "Principal", "PrincipalKind"]
