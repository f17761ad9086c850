"""Map an external identity provider's token claims to a principal's attributes.

Providers name things differently (``realm_access.roles`` in Keycloak, ``groups``
in Okta, a custom ``clearance`` claim added by a mapper), so the mapping is
configuration: IntelGraph attribute → dotted claim path. Values are checked as
strictly as local users' attributes; a token whose claims do not fit is refused
with ``token_claims_invalid`` rather than guessed at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intelgraph.auth.errors import AuthError
from intelgraph.errors import ConfigError, IntelGraphError
from intelgraph.model import Classification
from intelgraph.policy.principal import Principal

ATTRIBUTES = ("name", "tenant", "clearance", "compartments", "groups", "purposes", "admin")
DEFAULT_MAPPING: dict[str, str] = {
    "name": "preferred_username",
    "tenant": "tenant",
    "clearance": "clearance",
    "compartments": "compartments",
    "groups": "groups",
    "purposes": "purposes",
    "admin": "admin",
}


@dataclass(frozen=True, slots=True)
class ClaimMapping:
    """IntelGraph attribute → claim path; ``default_tenant`` when the token has none."""

    paths: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MAPPING))
    default_tenant: str | None = None

    @classmethod
    def parse(cls, text: str | None, *, default_tenant: str | None = None) -> ClaimMapping:
        """From ``IG_OIDC_CLAIMS`` (JSON); unknown attributes are a configuration error."""
        if not text:
            return cls(default_tenant=default_tenant)
        try:
            given = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"IG_OIDC_CLAIMS is not JSON: {exc.msg}") from None
        if not isinstance(given, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in given.items()
        ):
            raise ConfigError(
                'IG_OIDC_CLAIMS must map attribute names to claim paths, e.g. {"tenant": "org"}'
            )
        unknown = set(given) - set(ATTRIBUTES)
        if unknown:
            raise ConfigError(
                f"IG_OIDC_CLAIMS names unknown attributes: {', '.join(sorted(unknown))}",
                hint=f"known: {', '.join(ATTRIBUTES)}",
            )
        return cls({**DEFAULT_MAPPING, **given}, default_tenant=default_tenant)

    def principal(self, claims: Mapping[str, Any], *, issuer: str) -> Principal:
        """The principal a verified external token describes."""
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise AuthError("token_claims_invalid", "the token has no subject")
        name = _text(self._get(claims, "name"), "name") or sub
        tenant = _text(self._get(claims, "tenant"), "tenant") or self.default_tenant
        if not tenant:
            raise AuthError("token_claims_invalid", "the token names no tenant")
        raw_clearance = self._get(claims, "clearance")
        if raw_clearance is not None and (
            isinstance(raw_clearance, bool) or not isinstance(raw_clearance, int | str)
        ):
            raise AuthError("token_claims_invalid", "the clearance claim is not a level")
        try:
            clearance = 0 if raw_clearance is None else Classification.parse(raw_clearance)
            auth_time = claims.get("auth_time")
            return Principal.make(
                name,
                tenant,
                clearance,
                compartments=_names(self._get(claims, "compartments"), "compartments"),
                purposes=_names(self._get(claims, "purposes"), "purposes"),
                groups=_names(self._get(claims, "groups"), "groups"),
                admin=_flag(self._get(claims, "admin")),
                id=f"oidc:{issuer}#{sub}",
                auth_time=auth_time
                if isinstance(auth_time, int) and not isinstance(auth_time, bool)
                else None,
            )
        except IntelGraphError as exc:
            raise AuthError(
                "token_claims_invalid", f"the token's claims do not fit: {exc.message}"
            ) from None

    def _get(self, claims: Mapping[str, Any], attribute: str) -> Any:
        value: Any = claims
        for part in self.paths.get(attribute, attribute).split("."):
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
        return value


def _text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise AuthError("token_claims_invalid", f"the {what} claim is not a string")
    return value.strip() or None


def _names(value: Any, what: str) -> list[str]:
    """A list of names, or one space/comma-separated string of them."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item for item in value if item]
    raise AuthError("token_claims_invalid", f"the {what} claim is not a list of names")


def _flag(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise AuthError("token_claims_invalid", "the admin claim is not a boolean")


__all__ = ["ATTRIBUTES", "DEFAULT_MAPPING", "ClaimMapping"]
