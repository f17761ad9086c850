"""Identity: access tokens (the embedded issuer and external OIDC issuers), local users,
API tokens and SCIM-provisioned users, turned into the principals policy decides on."""

from intelgraph.auth.claims import ClaimMapping
from intelgraph.auth.errors import AUTH_CODES, AuthError, Forbidden
from intelgraph.auth.issuer import EmbeddedIssuer
from intelgraph.auth.jwks import RemoteJwks, StaticJwks
from intelgraph.auth.jwt import IssuerConfig, TokenVerifier, VerifiedToken
from intelgraph.auth.service import IdentityService, TokenPair

__all__ = [
    "AUTH_CODES",
    "AuthError",
    "ClaimMapping",
    "EmbeddedIssuer",
    "Forbidden",
    "IdentityService",
    "IssuerConfig",
    "RemoteJwks",
    "StaticJwks",
    "TokenPair",
    "TokenVerifier",
    "VerifiedToken",
]
