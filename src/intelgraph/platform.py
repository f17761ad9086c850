"""Composition root: builds the ontology, store and services from settings.

Nothing else in the package wires components together; the CLI and the API
server ask this module for a ready :class:`Platform`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from intelgraph.access import AccessControl, Administration, Auditor, GuardedReads
from intelgraph.access.audit import system_request
from intelgraph.auth.claims import ClaimMapping
from intelgraph.auth.issuer import EmbeddedIssuer
from intelgraph.auth.jwks import RemoteJwks
from intelgraph.auth.jwt import IssuerConfig, TokenVerifier
from intelgraph.auth.service import IdentityService
from intelgraph.config import Settings
from intelgraph.ledger.service import Ledger
from intelgraph.ontology import Ontology, default_ontology
from intelgraph.policy.engine import PolicyEngine
from intelgraph.store import Store


@dataclass
class Platform:
    settings: Settings
    ontology: Ontology
    store: Store
    ledger: Ledger
    policy: PolicyEngine
    identity: IdentityService
    access: AccessControl
    reads: GuardedReads
    admin: Administration

    @classmethod
    def open(cls, settings: Settings, *, upgrade: bool = False) -> Platform:
        """Open the configured store; with ``upgrade`` create or migrate it first."""
        ontology = default_ontology()
        url = settings.resolved_database_url
        if upgrade:
            Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
            store = Store(url, ontology, cache_mb=settings.sqlite_cache_mb, check_schema=False)
            store.upgrade()
        else:
            store = Store(url, ontology, cache_mb=settings.sqlite_cache_mb)
        return cls.around(settings, store)

    @classmethod
    def around(cls, settings: Settings, store: Store) -> Platform:
        """Services built around an already open store."""
        ledger = Ledger(
            store,
            settings.data_dir,
            origin=settings.ledger_origin,
            signing_key=settings.signing_key(),
        )
        policy = PolicyEngine.load(
            settings.policy_dir,
            max_auth_age_seconds=settings.fresh_auth_minutes * 60,
            platform_tenant=settings.default_tenant,
        )
        auditor = Auditor(ledger)
        auditor.policy_set(system_request(settings.default_tenant), policy)
        identity = identity_service(settings, store)
        access = AccessControl(store, policy, auditor, platform_tenant=settings.default_tenant)
        return cls(
            settings=settings,
            ontology=store.ontology,
            store=store,
            ledger=ledger,
            policy=policy,
            identity=identity,
            access=access,
            reads=GuardedReads(store, access),
            admin=Administration(access, identity),
        )

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def identity_service(settings: Settings, store: Store) -> IdentityService:
    """The embedded issuer, plus the external OIDC issuer when one is configured."""
    issuer = EmbeddedIssuer(
        settings.data_dir,
        issuer=settings.issuer_url,
        audience=settings.auth_audience,
        access_seconds=settings.access_token_minutes * 60,
    )
    issuers = [issuer.config(leeway_seconds=settings.auth_leeway_seconds)]
    external = None
    if settings.oidc_issuer:
        interval = settings.oidc_jwks_min_refresh_seconds
        keys = (  # discovered on the first token, not on every open
            RemoteJwks(settings.oidc_jwks_url, min_refresh_seconds=interval)
            if settings.oidc_jwks_url
            else RemoteJwks(issuer=settings.oidc_issuer, min_refresh_seconds=interval)
        )
        types = tuple(t.strip() for t in settings.oidc_token_types.split(",") if t.strip())
        issuers.append(
            IssuerConfig(
                issuer=settings.oidc_issuer,
                audience=settings.oidc_audience or settings.auth_audience,
                keys=keys,
                token_types=types,
                leeway_seconds=settings.auth_leeway_seconds,
            )
        )
        external = ClaimMapping.parse(settings.oidc_claims, default_tenant=None)
    return IdentityService(
        store,
        issuer,
        TokenVerifier(issuers),
        external=external,
        refresh_seconds=settings.refresh_token_hours * 3600,
    )


__all__ = ["Platform", "identity_service"]
