"""Authentication and authorisation errors with stable codes.

Every refusal of a credential is an :class:`AuthError` (HTTP 401) whose ``code``
names the reason from :data:`AUTH_CODES`; clients and tests rely on the codes,
so they never change meaning. A refusal by policy is :class:`Forbidden` (403).
"""

from __future__ import annotations

from intelgraph.errors import IntelGraphError

AUTH_CODES: dict[str, str] = {
    "token_missing": "no bearer token was sent",
    "token_malformed": "the token is not a well-formed compact JWS/JWT",
    "token_algorithm_refused": "the token's algorithm is not on the pinned list",
    "token_header_refused": "the token header carries a forbidden or unknown parameter",
    "token_key_unknown": "the token names no key of its issuer (absent or unknown kid)",
    "token_signature_invalid": "the signature does not verify",
    "token_issuer_unknown": "the token's issuer is not configured",
    "token_audience_mismatch": "the token is not meant for this service",
    "token_expired": "the token has expired",
    "token_not_yet_valid": "the token is not valid yet (nbf or iat in the future)",
    "token_type_refused": "the token is not an access token",
    "token_claims_invalid": "a required claim is absent or has the wrong type",
    "token_revoked": "the token or its session was revoked (logout, disable, rotation)",
    "user_disabled": "the user is disabled",
    "user_unknown": "the token names no known user",
    "credentials_invalid": "wrong user name or password",
    "refresh_invalid": "the refresh token is unknown, expired or already used",
    "api_token_invalid": "the API token is unknown, expired or revoked",
}


class AuthError(IntelGraphError):
    """A credential was refused; ``code`` is one of :data:`AUTH_CODES`."""

    code = "unauthenticated"

    def __init__(self, code: str, message: str | None = None, *, hint: str | None = None) -> None:
        if code not in AUTH_CODES:  # a typo here would silently invent a new contract
            raise ValueError(f"unknown auth error code {code!r}")
        super().__init__(message or AUTH_CODES[code], hint=hint, code=code)


class Forbidden(IntelGraphError):
    """Policy refused the action; ``details`` say which policies decided."""

    code = "forbidden"


__all__ = ["AUTH_CODES", "AuthError", "Forbidden"]
