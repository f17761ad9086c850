"""The policy decision point as the rest of the product uses it.

Reads ask it for a scope (the label part, compiled for SQL) and then for the
properties a principal may see (Cedar, per property, in one batch); actions ask
it to ``require`` a decision. It audits: denied reads of resources that exist,
reads of ``pii``/``sensitive`` values, and every admin action.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from intelgraph.access.audit import Auditor
from intelgraph.auth.errors import Forbidden
from intelgraph.model import Entity, StoredStatement, ViewerScope
from intelgraph.policy.compile import scope_for
from intelgraph.policy.engine import Decision, PolicyEngine
from intelgraph.policy.principal import AccessRequest, Authority, Principal
from intelgraph.policy.resources import (
    ADMIN_ACTIONS,
    Resource,
    property_resource,
    statement_resource,
)
from intelgraph.store.projection import caption_of

if TYPE_CHECKING:
    from intelgraph.ontology import Ontology
    from intelgraph.store import Store
    from intelgraph.store.authorities import AuthorityRow

PRIVATE_CLASSES = ("pii", "sensitive")

_NO_AUTHORITY = "no active authority you hold covers this entity for this purpose"
_EXPLAIN = {
    "privacy-authority": _NO_AUTHORITY,
    "privacy-authority-statement": _NO_AUTHORITY,
}


def authority_of(row: AuthorityRow) -> Authority:
    return Authority(
        id=row.id,
        tenant=row.tenant,
        kind=row.kind,
        issuer=row.issuer,
        reference=row.reference,
        purposes=row.purposes,
        entities=row.entities,
        licences=row.licences,
        holders=row.holders,
        not_before=row.not_before,
        expires=row.expires,
        revoked=row.revoked is not None,
    )


@dataclass(frozen=True, slots=True)
class PropertyCheck:
    """Which private properties of which entities a request may see."""

    hidden: Mapping[str, Mapping[str, str]]  # entity id → property → reason
    shown: Mapping[str, tuple[str, ...]]  # entity id → private properties shown


class AccessControl:
    def __init__(
        self,
        store: Store,
        engine: PolicyEngine,
        auditor: Auditor,
        *,
        platform_tenant: str,
    ) -> None:
        self.store = store
        self.engine = engine
        self.auditor = auditor
        self.ontology: Ontology = store.ontology
        self.platform_tenant = platform_tenant

    # -- requests ----------------------------------------------------------------------

    def request(
        self,
        principal: Principal,
        *,
        purpose: str | None = None,
        authority: str | None = None,
        now: int | None = None,
    ) -> AccessRequest:
        """A request by ``principal``; a purpose it does not hold, or an authority it
        cannot name, is refused here rather than silently narrowing what it sees."""
        purpose = purpose.strip() if isinstance(purpose, str) and purpose.strip() else None
        if purpose is not None and purpose not in principal.purposes:
            raise Forbidden(
                f"{principal.name} does not hold the purpose {purpose!r}",
                hint="held purposes: "
                + (", ".join(principal.purposes) or "none")
                + f"; an admin can grant it: intelgraph users grant {principal.name} "
                f"--purposes {purpose}",
                code="purpose_not_held",
            )
        bound: Authority | None = None
        if authority is not None and authority.strip():
            row = self.store.authorities.find(authority.strip())
            if row is None or row.tenant != principal.tenant:
                raise Forbidden(
                    f"no authority {authority.strip()!r} in your tenant",
                    hint="see `intelgraph authority list`",
                    code="authority_unknown",
                )
            bound = authority_of(row)
        return AccessRequest(
            principal, purpose, bound, now if now is not None else int(time.time())
        )

    def scope(self, request: AccessRequest) -> ViewerScope:
        return scope_for(request)

    # -- decisions ---------------------------------------------------------------------

    def decide(self, request: AccessRequest, action: str, resource: Resource) -> Decision:
        return self.engine.decide(request, action, resource)

    def require(
        self,
        request: AccessRequest,
        action: str,
        resource: Resource,
        *,
        change: Mapping[str, Any] | None = None,
    ) -> Decision:
        """Allow or raise Forbidden; admin actions are audited either way."""
        decision = self.decide(request, action, resource)
        if action in ADMIN_ACTIONS or action == "provision":
            self.auditor.admin(
                request,
                action=action,
                target=f"{resource.type}:{resource.id}",
                change=change or {},
                allowed=decision.allowed,
                policies=decision.policies,
            )
        elif not decision.allowed and action == "read":
            self.audit_denied_read(request, [f"{resource.type}:{resource.id}"], decision.policies)
        if not decision.allowed:
            raise Forbidden(
                f"{request.principal.name} may not {action} {resource.type} {resource.id}",
                hint="run `intelgraph policy simulate` to see why and what would allow it",
                details={"policies": list(decision.policies)},
            )
        return decision

    def audit_denied_read(
        self, request: AccessRequest, resources: Sequence[str], policies: Sequence[str]
    ) -> None:
        self.auditor.read(
            request,
            action="read",
            resources=resources,
            allowed=False,
            policies=policies,
            reason="denied read of an existing resource",
        )

    # -- properties ------------------------------------------------------------------------

    def check_properties(self, request: AccessRequest, entities: Iterable[Entity]) -> PropertyCheck:
        """Cedar's verdict on every private property of ``entities`` (one batch)."""
        resources: list[tuple[str, str, Resource]] = []
        for entity in entities:
            schema = self.ontology.get(entity.schema)
            labels = entity.labels[0] if entity.labels else None
            if labels is None:
                continue
            for name in entity.properties:
                prop = schema.properties.get(name)
                privacy = prop.privacy if prop is not None else "public"
                if privacy in PRIVATE_CLASSES:
                    resources.append(
                        (entity.id, name, property_resource(entity.id, name, privacy, labels))
                    )
        hidden: dict[str, dict[str, str]] = {}
        shown: dict[str, list[str]] = {}
        # The shipped `privacy-authority` forbid fires whenever the request names no
        # authority, or one that does not cover the entity; a forbid cannot be
        # overridden, so those are denied without asking Cedar (the common case: most
        # reads name no authority). The differential test checks the shortcut.
        authority = request.authority
        asked = []
        for item in resources:
            if authority is None or item[0] not in authority.entities:
                hidden.setdefault(item[0], {})[item[1]] = _EXPLAIN["privacy-authority"]
            else:
                asked.append(item)
        decisions = self.engine.decide_many(request, "read", [r for _, _, r in asked])
        for (entity_id, name, _), decision in zip(asked, decisions, strict=True):
            if decision.allowed:
                shown.setdefault(entity_id, []).append(name)
            else:
                reasons = [_EXPLAIN.get(p, p) for p in decision.policies] or ["no policy permits"]
                hidden.setdefault(entity_id, {})[name] = "; ".join(reasons)
        return PropertyCheck(hidden, {k: tuple(v) for k, v in shown.items()})

    def reveal_statement(self, request: AccessRequest, statement: StoredStatement) -> None:
        """A statement shown with its value (evidence, proofs): a private property's
        statement needs Cedar's allow, and its reading is audited either way."""
        prop = self.ontology.get(statement.schema).properties.get(statement.prop)
        privacy = prop.privacy if prop is not None else "public"
        if privacy not in PRIVATE_CLASSES:
            return
        decision = self.engine.decide(request, "read", statement_resource(statement, privacy))
        self.auditor.read(
            request,
            action="read",
            resources=[f"Statement:{statement.id}"],
            allowed=decision.allowed,
            policies=decision.policies,
            reason="read of a pii/sensitive statement",
        )
        if not decision.allowed:
            raise Forbidden(
                f"statement {statement.id} holds a {privacy} value you may not see",
                hint="name an authority binding that covers its entity for your purpose "
                "(--authority), or ask for one",
                details={"policies": list(decision.policies)},
            )

    def redact(self, request: AccessRequest, entities: Sequence[Entity]) -> list[Entity]:
        """Entities with private properties withheld unless policy allows them; reads
        of private values that are shown are audited."""
        check = self.check_properties(request, entities)
        if check.shown:
            self.auditor.read(
                request,
                action="read",
                resources=[
                    f"Property:{entity_id}#{name}"
                    for entity_id, names in sorted(check.shown.items())
                    for name in names
                ],
                allowed=True,
                policies=["privacy-authority"],
                reason="read of pii/sensitive values",
            )
        return [
            _withhold(self.ontology, entity, check.hidden.get(entity.id, {})) for entity in entities
        ]


def _withhold(ontology: Ontology, entity: Entity, hidden: Mapping[str, str]) -> Entity:
    if not hidden:
        return entity
    properties = {k: v for k, v in entity.properties.items() if k not in hidden}
    statements = tuple(s for s in entity.statements if s.prop not in hidden)
    withheld_records = {s.record_id for s in entity.statements if s.prop in hidden}
    records = {k: v for k, v in entity.records.items() if k not in withheld_records}
    return replace(
        entity,
        properties=properties,
        statements=statements,
        records=records,
        caption=caption_of(ontology, entity.schema, properties),
        redactions=dict(hidden),
    )


__all__ = ["PRIVATE_CLASSES", "AccessControl", "PropertyCheck", "authority_of"]
