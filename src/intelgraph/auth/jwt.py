"""Access-token (JWT) verification against configured issuers.

Every check is explicit and ordered so that each refusal has one stable
:class:`~intelgraph.auth.errors.AuthError` code. The algorithm list is pinned
(never ``none``, never HMAC: a public key must not double as a shared secret), keys
come only from the issuer's configured :class:`~intelgraph.auth.jwks.KeySource`, and
joserfc checks the signature with exactly the one algorithm the header names.
"""

from __future__ import annotations

import json
import math
import re
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwa import JWSAlgModel
from joserfc.jwk import Key
from joserfc.jws import JWSRegistry
from joserfc.util import urlsafe_b64decode

from intelgraph.auth.errors import AuthError
from intelgraph.auth.jwks import KeySource

ALLOWED_ALGORITHMS = ("Ed25519", "EdDSA", "ES256", "RS256")  # never none, never HS*
# Parameters that would let the token choose its own key, or demand semantics we lack.
REFUSED_HEADERS = frozenset({"jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256", "crit"})
_NUMERIC_CLAIMS = ("exp", "nbf", "iat")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")

with warnings.catch_warnings():  # "EdDSA" is deprecated by RFC 9864, still sent by IdPs
    warnings.simplefilter("ignore", SecurityWarning)
    # One registry per algorithm, built once: verification allows exactly the header's alg.
    _ALG_MODELS: dict[str, JWSAlgModel] = {
        name: JWSRegistry(algorithms=[name]).get_alg(name) for name in ALLOWED_ALGORITHMS
    }


@dataclass(frozen=True)
class IssuerConfig:
    """One trusted issuer: its exact ``iss``, our audience in its tokens, its keys."""

    issuer: str
    audience: str
    keys: KeySource
    algorithms: tuple[str, ...] = ALLOWED_ALGORITHMS
    token_types: tuple[str, ...] = ("at+jwt",)  # empty: typ unchecked (IdPs sending "JWT")
    leeway_seconds: int = 30
    required_claims: tuple[str, ...] = ("iss", "aud", "exp", "iat", "sub")

    def __post_init__(self) -> None:
        if not self.algorithms or not set(self.algorithms) <= set(ALLOWED_ALGORITHMS):
            raise ValueError(
                f"issuer {self.issuer!r}: algorithms must be a non-empty subset of "
                f"{ALLOWED_ALGORITHMS}, got {self.algorithms}"
            )
        if not self.issuer or not self.audience:
            raise ValueError("issuer and audience must not be empty")
        if self.leeway_seconds < 0:
            raise ValueError("leeway_seconds must not be negative")


@dataclass(frozen=True)
class VerifiedToken:
    header: dict[str, Any]
    claims: dict[str, Any]
    issuer: IssuerConfig


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} is not allowed")  # NaN would pass every exp check


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):  # parsers disagree on duplicates; refuse the ambiguity
        raise ValueError("duplicate member name")
    return out


def _decode_json_segment(segment: str, what: str) -> dict[str, Any]:
    try:
        text = urlsafe_b64decode(segment.encode("ascii")).decode("utf-8")
        value = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:  # binascii.Error is a ValueError
        raise AuthError("token_malformed", f"the token {what} is not base64url JSON") from exc
    if not isinstance(value, dict):
        raise AuthError("token_malformed", f"the token {what} is not a JSON object")
    return value


def _shown(value: Any) -> str:
    """Token-supplied values in messages are cut short: they are attacker-controlled."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class TokenVerifier:
    """Verifies compact JWS access tokens from any of the configured issuers."""

    def __init__(
        self,
        issuers: Sequence[IssuerConfig],
        *,
        clock: Callable[[], float] = time.time,
        max_token_bytes: int = 16384,
    ) -> None:
        self._issuers = {config.issuer: config for config in issuers}
        if len(self._issuers) != len(issuers):
            raise ValueError("each issuer may be configured only once")
        self._clock = clock
        self._max_bytes = max_token_bytes

    def verify(self, token: str) -> VerifiedToken:
        """The token's header and claims, or ``AuthError`` naming the first failed check."""
        if not token:
            raise AuthError("token_missing")
        if not isinstance(token, str) or len(token) > self._max_bytes or not token.isascii():
            raise AuthError("token_malformed", "the token is too long or not ASCII text")
        parts = token.split(".")
        if len(parts) != 3 or not all(_BASE64URL.fullmatch(part) for part in parts):
            raise AuthError("token_malformed", "a JWS is three dot-separated base64url parts")
        header = _decode_json_segment(parts[0], "header")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in ALLOWED_ALGORITHMS:
            raise AuthError("token_algorithm_refused", f"algorithm {_shown(alg)} is not allowed")
        refused = sorted(REFUSED_HEADERS & header.keys())
        if refused or header.get("b64", True) is not True:
            raise AuthError("token_header_refused", f"header parameters {refused or ['b64']}")
        claims = _decode_json_segment(parts[1], "payload")
        iss = claims.get("iss")  # unverified: only to choose whose keys check the signature
        issuer = self._issuers.get(iss) if isinstance(iss, str) else None
        if issuer is None:
            raise AuthError("token_issuer_unknown", f"issuer {_shown(iss)} is not configured")
        if alg not in issuer.algorithms:
            raise AuthError("token_algorithm_refused", f"{issuer.issuer} may not use {alg}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("token_key_unknown", "the token header names no key (kid)")
        key = issuer.keys.key_for(kid, alg)
        self._check_signature(parts, alg, key)
        self._check_type(header, issuer)
        self._check_claims(claims, issuer)
        return VerifiedToken(header=header, claims=claims, issuer=issuer)

    @staticmethod
    def _check_signature(parts: list[str], alg: str, key: Key) -> None:
        model = _ALG_MODELS[alg]
        try:
            signature = urlsafe_b64decode(parts[2].encode("ascii"))
            model.check_key(key)
            valid = model.verify(f"{parts[0]}.{parts[1]}".encode("ascii"), signature, key)
        except (JoseError, ValueError, TypeError) as exc:
            raise AuthError("token_signature_invalid") from exc
        if not valid:
            raise AuthError("token_signature_invalid")

    @staticmethod
    def _check_type(header: dict[str, Any], issuer: IssuerConfig) -> None:
        if not issuer.token_types:
            return
        accepted = {t.lower() for t in issuer.token_types}
        accepted |= {f"application/{t}" for t in accepted}
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in accepted:
            raise AuthError("token_type_refused", f"token type {_shown(typ)} is not accepted")

    def _check_claims(self, claims: dict[str, Any], issuer: IssuerConfig) -> None:
        missing = [name for name in issuer.required_claims if name not in claims]
        if missing:
            raise AuthError("token_claims_invalid", f"required claims missing: {missing}")
        for name in _NUMERIC_CLAIMS:
            if name in claims and not _is_number(claims[name]):
                raise AuthError("token_claims_invalid", f"claim {name!r} must be a number")
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud
        if "aud" in claims and not (
            isinstance(audiences, list) and all(isinstance(a, str) for a in audiences)
        ):
            raise AuthError("token_claims_invalid", "claim 'aud' must be a string or strings")
        sub = claims.get("sub")
        if "sub" in claims and not (isinstance(sub, str) and sub):
            raise AuthError("token_claims_invalid", "claim 'sub' must be a non-empty string")
        if not isinstance(audiences, list) or issuer.audience not in audiences:
            raise AuthError("token_audience_mismatch", f"audience {issuer.audience!r} absent")
        now, leeway = self._clock(), issuer.leeway_seconds
        if "exp" in claims and claims["exp"] <= now - leeway:
            raise AuthError("token_expired")
        if "nbf" in claims and claims["nbf"] > now + leeway:
            raise AuthError("token_not_yet_valid", "the token's nbf is in the future")
        if "iat" in claims and claims["iat"] > now + leeway:
            raise AuthError("token_not_yet_valid", "the token's iat is in the future")


__all__ = ["ALLOWED_ALGORITHMS", "IssuerConfig", "TokenVerifier", "VerifiedToken"]
