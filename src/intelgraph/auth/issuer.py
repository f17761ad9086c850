"""The embedded token issuer: this server signs its own access tokens.

Ed25519 keys live in ``<data dir>/keys/issuer/``: ``active.jwk`` (private, mode
0600) signs; every key ever used stays published in the JWKS as
``<kid>.pub.jwk`` until it is retired, so tokens signed before a rotation stay
valid until they expire. Access tokens are RFC 9068 ``at+jwt`` tokens naming the
login session (``sid``) that every request re-checks.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, OKPKey

from intelgraph.auth.jwks import StaticJwks
from intelgraph.auth.jwt import IssuerConfig
from intelgraph.errors import ConfigError
from intelgraph.files import write_atomically
from intelgraph.policy.principal import Principal

ALGORITHM = "Ed25519"  # RFC 9864's fully specified name for EdDSA over Ed25519
TOKEN_TYPE = "at+jwt"  # noqa: S105  # RFC 9068 token type, not a secret


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_in: int
    jti: str


class EmbeddedIssuer:
    """Signs access tokens and publishes its keys; one per data directory."""

    def __init__(
        self, data_dir: Path, *, issuer: str, audience: str, access_seconds: int = 900
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.access_seconds = access_seconds
        self.folder = Path(data_dir) / "keys" / "issuer"
        self._active: OKPKey | None = None
        self._published: KeySet | None = None

    # -- keys --------------------------------------------------------------------------

    def active_key(self) -> OKPKey:
        if self._active is None:
            path = self.folder / "active.jwk"
            if not path.exists():
                self.rotate()
            self._active = _read_key(path)
        return self._active

    def public_keys(self) -> KeySet:
        if self._published is None:
            self.active_key()
            keys = [_read_key(path) for path in sorted(self.folder.glob("*.pub.jwk"))]
            self._published = KeySet(keys)  # type: ignore[arg-type]  # OKPKey is a Key
        return self._published

    def rotate(self) -> str:
        """Start signing with a new key; the old public key stays published."""
        self.folder.mkdir(parents=True, exist_ok=True)
        key = OKPKey.generate_key("Ed25519", parameters={"alg": ALGORITHM, "use": "sig"})
        key.ensure_kid()
        kid = str(key.kid)
        public = json.dumps(key.as_dict(private=False), sort_keys=True)
        write_atomically(self.folder / f"{kid}.pub.jwk", public.encode())
        path = self.folder / "active.jwk"
        write_atomically(path, json.dumps(key.as_dict(private=True)).encode())
        os.chmod(path, 0o600)
        self._active = None
        self._published = None
        return kid

    def retire(self, kid: str) -> None:
        """Stop accepting tokens signed by an old key (after its tokens expired)."""
        if kid == self.active_key().kid:
            raise ConfigError("the active issuer key cannot be retired", hint="rotate first")
        path = self.folder / f"{kid}.pub.jwk"
        if not path.exists():
            raise ConfigError(f"no issuer key {kid!r}")
        path.unlink()
        self._published = None

    def jwks(self) -> dict[str, Any]:
        return dict(self.public_keys().as_dict(private=False))

    def discovery(self) -> dict[str, Any]:
        """The OpenID Provider metadata other services read to trust this issuer."""
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}/.well-known/jwks.json",
            "token_endpoint": f"{self.issuer}/auth/login",
            "revocation_endpoint": f"{self.issuer}/auth/logout",
            "userinfo_endpoint": f"{self.issuer}/auth/me",
            "scim_endpoint": f"{self.issuer}/scim/v2",
            "response_types_supported": ["token"],
            "grant_types_supported": ["password", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_methods_supported": ["none"],
            "claims_supported": [
                "sub",
                "preferred_username",
                "tenant",
                "clearance",
                "compartments",
                "purposes",
                "groups",
                "admin",
                "auth_time",
                "sid",
            ],
        }

    def config(self, *, leeway_seconds: int) -> IssuerConfig:
        """How the verifier checks this issuer's tokens."""
        return IssuerConfig(
            issuer=self.issuer,
            audience=self.audience,
            keys=StaticJwks(self.public_keys),
            algorithms=(ALGORITHM,),
            token_types=(TOKEN_TYPE,),
            leeway_seconds=leeway_seconds,
        )

    # -- tokens --------------------------------------------------------------------------

    def mint(self, principal: Principal, *, session: str, auth_time: int, now: int) -> IssuedToken:
        key = self.active_key()
        jti = secrets.token_urlsafe(16)
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": principal.id,
            "iat": now,
            "nbf": now,
            "exp": now + self.access_seconds,
            "jti": jti,
            "sid": session,
            "auth_time": auth_time,
            "preferred_username": principal.name,
            "tenant": principal.tenant,
            "clearance": principal.clearance,
            "compartments": sorted(principal.compartments),
            "purposes": list(principal.purposes),
            "groups": sorted(principal.groups),
            "admin": principal.admin,
        }
        header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": key.kid}
        token = jwt.encode(header, claims, key, algorithms=[ALGORITHM])
        return IssuedToken(token, self.access_seconds, jti)


def _read_key(path: Path) -> OKPKey:
    try:
        data = json.loads(path.read_text())
        key = OKPKey.import_key(data)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"cannot read the issuer key {path}: {exc}",
            hint="restore it from backup, or remove the folder to start with a new key "
            "(everyone must log in again)",
        ) from None
    if not isinstance(key, OKPKey):
        raise ConfigError(f"{path} is not an Ed25519 key")
    return key


__all__ = ["ALGORITHM", "TOKEN_TYPE", "EmbeddedIssuer", "IssuedToken"]
