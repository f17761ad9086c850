"""Logins, refreshes, logouts, API tokens, and turning a bearer credential into a principal.

Every request is authenticated here: an ``igt_`` API token by its hash, any
other bearer as a JWT from a configured issuer. Tokens from the embedded issuer
name their login session, which is checked on every request together with the
user's ``active`` flag, so logout and disabling a user take effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from intelgraph.auth.claims import ClaimMapping
from intelgraph.auth.errors import AuthError
from intelgraph.auth.issuer import EmbeddedIssuer
from intelgraph.auth.jwt import TokenVerifier, VerifiedToken
from intelgraph.auth.passwords import hash_password, needs_rehash, verify_password
from intelgraph.auth.users import principal_of
from intelgraph.errors import InvalidInput
from intelgraph.policy.principal import SCOPES, Principal
from intelgraph.store.identity import ApiTokenRow, UserChanges

if TYPE_CHECKING:
    from intelgraph.store import Store

API_TOKEN_PREFIX = "igt_"  # noqa: S105  # a marker, not a secret
REFRESH_PREFIX = "igr_"  # a marker, not a secret
MAX_API_TOKEN_DAYS = 366


def secret_hash(secret: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to keep them at rest."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    session: str

    def to_dict(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "refresh_expires_in": self.refresh_expires_in,
        }


@dataclass(frozen=True, slots=True)
class CreatedApiToken:
    token: str  # shown once
    row: ApiTokenRow


CREDENTIAL_CACHE_SIZE = 10_000


class IdentityService:
    def __init__(
        self,
        store: Store,
        issuer: EmbeddedIssuer,
        verifier: TokenVerifier,
        *,
        external: ClaimMapping | None = None,
        refresh_seconds: int = 12 * 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.issuer = issuer
        self.verifier = verifier
        self._credentials: dict[str, tuple[int, Principal, int]] = {}
        self.external = external
        self.refresh_seconds = refresh_seconds
        self._clock = clock

    def _now(self) -> int:
        return int(self._clock())

    # -- the credential cache --------------------------------------------------------
    #
    # What a credential's lookups found (session or token, user, groups) is kept with
    # the identity version it was read at and the time it stops being valid; any change
    # to identities bumps the version (database triggers), so a cached answer is used
    # only while nothing that could change it has changed: one read instead of three.

    def _cached(self, key: str) -> Principal | None:
        found = self._credentials.get(key)
        if found is None:
            return None
        version, principal, valid_until = found
        current = self.store.identity.version()
        if self._now() >= valid_until or current is None or version != current:
            self._credentials.pop(key, None)
            return None
        return principal

    def _remember(
        self, key: str, version: int | None, principal: Principal, valid_until: int
    ) -> None:
        if version is None:  # no counter to invalidate by: never cache
            return
        if len(self._credentials) >= CREDENTIAL_CACHE_SIZE:
            self._credentials.clear()
        self._credentials[key] = (version, principal, valid_until)

    # -- sessions ------------------------------------------------------------------------

    def login(self, name: str, password: str) -> TokenPair:
        """Check a local user's password and open a session; one error for every failure."""
        user = self.store.identity.find_user(name) if isinstance(name, str) else None
        ok = verify_password(user.password_hash if user else None, password)
        if user is None or not ok:
            raise AuthError("credentials_invalid")
        if not user.active:
            raise AuthError("user_disabled")
        if user.password_hash and needs_rehash(user.password_hash):
            self.store.identity.update_user(
                user.id, UserChanges(password_hash=hash_password(password))
            )
        now = self._now()
        refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
        session = self.store.identity.open_session(
            user.id,
            auth_time=now,
            expires=now + self.refresh_seconds,
            refresh_hash=secret_hash(refresh),
        )
        access = self.issuer.mint(
            principal_of(user, auth_time=now, session=session),
            session=session,
            auth_time=now,
            now=now,
        )
        return TokenPair(access.token, access.expires_in, refresh, self.refresh_seconds, session)

    def refresh(self, refresh_token: str) -> TokenPair:
        """Spend a refresh token for a new pair; the login time (auth_time) is kept."""
        if not isinstance(refresh_token, str) or not refresh_token.startswith(REFRESH_PREFIX):
            raise AuthError("refresh_invalid")
        now = self._now()
        new_refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
        session = self.store.identity.rotate_refresh(
            secret_hash(refresh_token), secret_hash(new_refresh), now
        )
        if session is None:
            raise AuthError("refresh_invalid")
        user = self.store.identity.user(session.user_id)
        if not user.active:
            raise AuthError("user_disabled")
        access = self.issuer.mint(
            principal_of(user, auth_time=session.auth_time, session=session.id),
            session=session.id,
            auth_time=session.auth_time,
            now=now,
        )
        return TokenPair(
            access.token, access.expires_in, new_refresh, session.expires - now, session.id
        )

    def logout(self, principal: Principal) -> bool:
        if principal.session is None:
            return False
        return self.store.identity.revoke_session(principal.session, "logout")

    # -- API tokens ----------------------------------------------------------------------

    def create_api_token(
        self, user_id: str, name: str, scopes: Iterable[str], *, days: int = 90
    ) -> CreatedApiToken:
        wanted = sorted(set(scopes))
        unknown = set(wanted) - set(SCOPES)
        if not wanted or unknown:
            raise InvalidInput(
                f"invalid token scopes {', '.join(sorted(unknown)) or '(none)'}",
                hint=f"choose from {', '.join(SCOPES)}",
            )
        if not 1 <= days <= MAX_API_TOKEN_DAYS:
            raise InvalidInput(f"a token lives 1 to {MAX_API_TOKEN_DAYS} days")
        self.store.identity.user(user_id)
        secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = self.store.identity.add_api_token(
            user_id=user_id,
            name=name,
            token_hash=secret_hash(secret),
            scopes=wanted,
            expires=self._now() + days * 86_400,
        )
        return CreatedApiToken(secret, row)

    # -- authentication ----------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal behind an ``Authorization`` header value; AuthError otherwise."""
        if not authorization or not authorization.strip():
            raise AuthError("token_missing", hint="send 'Authorization: Bearer <token>'")
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise AuthError("token_malformed", "the Authorization header is not 'Bearer <token>'")
        if credential.startswith(API_TOKEN_PREFIX):
            return self._api_token(credential)
        verified = self.verifier.verify(credential)
        if verified.issuer.issuer == self.issuer.issuer:
            return self._embedded(verified)
        return self._external(verified)

    def _embedded(self, verified: VerifiedToken) -> Principal:
        claims = verified.claims
        sid = claims.get("sid")
        sub = claims.get("sub", "")
        if not isinstance(sid, str) or not sub.startswith("user:"):
            raise AuthError("token_claims_invalid", "the token names no session or user")
        key = f"session:{sid}:{sub}"
        cached = self._cached(key)
        if cached is not None:
            return cached
        version = self.store.identity.version()
        session = self.store.identity.session(sid)
        user = self.store.identity.users(user_id=sub.removeprefix("user:"))
        if not user or session is None or session.user_id != user[0].id:
            raise AuthError("user_unknown")
        if not user[0].active:
            raise AuthError("user_disabled")
        if not session.live_at(self._now()):
            raise AuthError(
                "token_revoked", f"the session ended ({session.revoked_reason or 'expired'})"
            )
        principal = principal_of(user[0], auth_time=session.auth_time, session=session.id)
        self._remember(key, version, principal, session.expires)
        return principal

    def _external(self, verified: VerifiedToken) -> Principal:
        if self.external is None:
            raise AuthError("token_issuer_unknown")
        principal = self.external.principal(verified.claims, issuer=verified.issuer.issuer)
        provisioned = self.store.identity.find_user(principal.name)
        if provisioned is not None:
            sub = verified.claims.get("sub")
            foreign = provisioned.external_id is not None and provisioned.external_id != sub
            local = provisioned.external_id is None and provisioned.password_hash is not None
            if foreign or local:
                # A local account, or another person provisioned under this name.
                raise AuthError("user_unknown", "the token's user name belongs to another account")
            if not provisioned.active:
                raise AuthError("user_disabled")
        return principal

    def _api_token(self, credential: str) -> Principal:
        digest = secret_hash(credential)
        cached = self._cached(f"token:{digest}")
        if cached is not None:
            return cached
        version = self.store.identity.version()
        row = self.store.identity.api_token_by_hash(digest)
        now = self._now()
        if row is None or not row.live_at(now):
            raise AuthError("api_token_invalid")
        owner = self.store.identity.users(user_id=row.user_id)
        if not owner:
            raise AuthError("api_token_invalid")
        if not owner[0].active:
            raise AuthError("user_disabled")
        if row.last_used is None or now - row.last_used > 60:  # not a write per request
            self.store.identity.touch_api_token(row.id, now)  # (bumps the version)
            version = self.store.identity.version()
        principal = replace(
            principal_of(owner[0]), kind="service", scopes=row.scopes, id=f"token:{row.id}"
        )
        # Cached at most until the next last-used update is due.
        self._remember(f"token:{digest}", version, principal, min(row.expires, now + 60))
        return principal


__all__ = ["API_TOKEN_PREFIX", "CreatedApiToken", "IdentityService", "TokenPair", "secret_hash"]
