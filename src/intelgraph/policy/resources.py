"""Resources as policy sees them, and their Cedar entity form.

Every resource carries the four labels the store keeps on each row; some carry
more (an edge its two ends, a property its privacy class and entity, a source
its licence). Building the Cedar entities here keeps the schema's shape in one
place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intelgraph.model import Entity, Labels, Source, StoredStatement
from intelgraph.policy.principal import AccessRequest, Authority, Principal

ACTIONS = (
    "read",
    "export",
    "ingest",
    "provision",
    "changePolicy",
    "rotateKey",
    "manageUsers",
    "manageAuthorities",
)
ADMIN_ACTIONS = ("changePolicy", "rotateKey", "manageUsers", "manageAuthorities")


@dataclass(frozen=True, slots=True)
class Resource:
    """Something a principal acts on, with its labels and type-specific attributes."""

    type: str
    id: str
    labels: Labels
    attrs: Mapping[str, Any] = field(default_factory=dict)
    source: Resource | None = None  # edges: their two ends
    target: Resource | None = None

    def uid(self) -> dict[str, str]:
        return {"type": self.type, "id": self.id}


def entity_resource(entity: Entity, labels: Labels) -> Resource:
    return Resource("Entity", entity.id, labels, {"schema": entity.schema})


def edge_resource(
    edge_id: str, schema: str, labels: Labels, source: Resource, target: Resource
) -> Resource:
    return Resource("Edge", edge_id, labels, {"schema": schema}, source=source, target=target)


def property_resource(entity_id: str, name: str, privacy: str, labels: Labels) -> Resource:
    return Resource(
        "Property",
        f"{entity_id}#{name}",
        labels,
        {"entity": entity_id, "name": name, "privacy": privacy},
    )


def statement_resource(statement: StoredStatement, privacy: str) -> Resource:
    return Resource(
        "Statement",
        statement.id,
        statement.labels,
        {"entity": statement.entity_id, "property": statement.prop, "privacy": privacy},
    )


def source_resource(source: Source, source_id: str) -> Resource:
    return Resource("Source", source_id, source.labels, {"licence": str(source.licence)})


def system_resource(kind: str, tenant: str, name: str = "default") -> Resource:
    """The ledger, the policy set or an export: labelled with the owning tenant."""
    return Resource(kind, name, Labels(tenant=tenant))


def user_resource(user: Principal) -> Resource:
    """A user as the object of management: an admin may act only on users whose
    clearance and compartments it holds itself (labels mirror the user's rights)."""
    return Resource(
        "User",
        f"target:{user.id}",  # distinct from the same user as principal in one request
        Labels(tenant=user.tenant, classification=user.clearance, compartments=user.compartments),
        _user_attrs(user),
    )


def group_resource(group_id: str, tenant: str, name: str) -> Resource:
    return Resource("UserGroup", group_id, Labels(tenant=tenant), {"name": name})


def authority_resource(authority: Authority) -> Resource:
    return Resource(
        "Authority", authority.id, Labels(tenant=authority.tenant), _authority_attrs(authority)
    )


def _labels(labels: Labels) -> dict[str, Any]:
    return {
        "tenant": labels.tenant,
        "classification": labels.classification,
        "compartments": sorted(labels.compartments),
        "purposes": sorted(labels.purposes),
    }


def _user_attrs(user: Principal) -> dict[str, Any]:
    return {
        "name": user.name,
        "tenant": user.tenant,
        "clearance": user.clearance,
        "compartments": sorted(user.compartments),
        "purposes": sorted(user.purposes),
        "groups": sorted(user.groups),
        "admin": user.admin,
        "restricted": user.restricted,
        "scopes": sorted(user.scopes),
        "labels": _labels(Labels(tenant=user.tenant)),
    }


def _authority_attrs(authority: Authority) -> dict[str, Any]:
    return {
        "kind": authority.kind,
        "issuer": authority.issuer,
        "purposes": sorted(authority.purposes),
        "entities": sorted(authority.entities),
        "licences": sorted(authority.licences),
        "holders": sorted(authority.holders),
        "notBefore": authority.not_before,
        "expires": authority.expires,
        "revoked": authority.revoked,
    }


def principal_entity(principal: Principal) -> dict[str, Any]:
    return {
        "uid": {"type": "User", "id": principal.id},
        "attrs": _user_attrs(principal),
        "parents": [],
    }


def resource_entities(resource: Resource) -> list[dict[str, Any]]:
    """The Cedar entities describing ``resource`` (and, for an edge, its ends)."""
    attrs: dict[str, Any] = {**resource.attrs, "labels": _labels(resource.labels)}
    out = []
    if resource.type == "Edge":
        assert resource.source is not None
        assert resource.target is not None
        attrs["source"] = {"__entity": resource.source.uid()}
        attrs["target"] = {"__entity": resource.target.uid()}
        out.extend(resource_entities(resource.source))
        out.extend(resource_entities(resource.target))
    out.append({"uid": resource.uid(), "attrs": attrs, "parents": []})
    return out


def authority_entity(authority: Authority) -> dict[str, Any]:
    attrs = {**_authority_attrs(authority), "labels": _labels(Labels(tenant=authority.tenant))}
    return {"uid": {"type": "Authority", "id": authority.id}, "attrs": attrs, "parents": []}


def context(request: AccessRequest, max_auth_age: int, platform_tenant: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "purpose": request.effective_purpose or "",
        "now": request.now,
        "authTime": request.principal.auth_time or 0,
        "maxAuthAge": max_auth_age,
        "platformTenant": platform_tenant,
    }
    if request.authority is not None:
        out["authority"] = {"__entity": {"type": "Authority", "id": request.authority.id}}
    return out


__all__ = [
    "ACTIONS",
    "ADMIN_ACTIONS",
    "Resource",
    "authority_entity",
    "authority_resource",
    "context",
    "edge_resource",
    "entity_resource",
    "group_resource",
    "principal_entity",
    "property_resource",
    "resource_entities",
    "source_resource",
    "statement_resource",
    "system_resource",
    "user_resource",
]
