"""Decisions that must be audited, written to the ledger as leaves.

Every denied read of a resource that exists, every read of ``pii``/``sensitive``
data and every admin action (allowed or not) becomes a leaf naming who, what
(ids, never values), for which purpose, under which authority, and the decision
with the policies that made it. An audit write that fails fails the request: a
read that cannot be audited is not served.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from intelgraph.ledger.leaves import LedgerEntry, entry
from intelgraph.model import utcnow
from intelgraph.obs.tracing import current_request_id
from intelgraph.policy.principal import AccessRequest, Principal

if TYPE_CHECKING:
    from intelgraph.ledger.service import Ledger
    from intelgraph.policy.engine import PolicyEngine

MAX_IDS_PER_LEAF = 1_000


class Auditor:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def read(
        self,
        request: AccessRequest,
        *,
        action: str,
        resources: Sequence[str],
        allowed: bool,
        policies: Sequence[str],
        reason: str,
    ) -> list[int]:
        """``audited-read`` leaves: one per up to 1,000 resource ids."""
        entries = []
        for start in range(0, max(len(resources), 1), MAX_IDS_PER_LEAF):
            fields = _who(request) | {
                "action": action,
                "resources": list(resources[start : start + MAX_IDS_PER_LEAF]),
                "decision": "allow" if allowed else "deny",
                "policies": sorted(set(policies)),
                "reason": reason,
            }
            entries.append(entry("audited-read", fields, at=utcnow()))
        return self.ledger.record(*entries)

    def admin(
        self,
        request: AccessRequest,
        *,
        action: str,
        target: str,
        change: Mapping[str, Any],
        allowed: bool,
        policies: Sequence[str],
    ) -> int:
        """A ``policy-change`` leaf for an admin action, allowed or refused."""
        event = admin_entry(
            request,
            action=action,
            target=target,
            change=change,
            allowed=allowed,
            policies=policies,
        )
        return self.ledger.record(event)[0]

    def policy_set(self, request: AccessRequest, policy: PolicyEngine) -> int | None:
        """Log the policy set in force when its digest differs from the last one logged,
        so the ledger shows which policies decided from when on; ``None`` when unchanged."""
        event = admin_entry(
            request,
            action="changePolicy",
            target="Policy:default",
            change={
                "op": "policy-set",
                "digest": policy.digest(),
                "policies": [p["id"] for p in policy.describe()],
            },
            allowed=True,
            policies=(),
        )
        return self.ledger.store.ledger.append_if_changed("policy_digest", policy.digest(), event)


def system_request(tenant: str) -> AccessRequest:
    """The platform itself as the actor: bootstrap and start-up, where nobody can be asked."""
    return AccessRequest(Principal(id="system", name="system", tenant=tenant))


def admin_entry(
    request: AccessRequest,
    *,
    action: str,
    target: str,
    change: Mapping[str, Any],
    allowed: bool,
    policies: Sequence[str],
) -> LedgerEntry:
    """The one shape of a ``policy-change`` leaf: who, what was asked, and the decision."""
    fields = _who(request) | {
        "action": action,
        "target": target,
        "change": dict(change),
        "decision": "allow" if allowed else "deny",
        "policies": sorted(set(policies)),
    }
    return entry("policy-change", fields, at=utcnow())


def _who(request: AccessRequest) -> dict[str, Any]:
    """Who asked, and the id of the HTTP request (the request's provenance id: the same
    id is in the access log and the trace, so an audit entry leads to both)."""
    principal = request.principal
    who = {
        "principal": principal.id,
        "name": principal.name,
        "tenant": principal.tenant,
        "purpose": request.effective_purpose,
        "authority": request.authority.id if request.authority else None,
    }
    request_id = current_request_id()
    if request_id:
        who["request"] = request_id
    return who


__all__ = ["Auditor", "admin_entry", "system_request"]
