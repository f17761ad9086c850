"""Exports as the policy decision point sees them: the export guard for one request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intelgraph.model import Entity, Source
from intelgraph.policy.principal import AccessRequest
from intelgraph.policy.resources import source_resource

if TYPE_CHECKING:
    from intelgraph.access.control import AccessControl


class PolicyExportGuard:
    """Cedar decides each source (licence, authority, token scope) and withholds
    private properties exactly as reads do; refusals and private data leaving are
    audited."""

    def __init__(self, control: AccessControl, request: AccessRequest) -> None:
        self.control = control
        self.request = request

    def source_allowed(self, source_id: str, source: Source) -> tuple[bool, list[str]]:
        decision = self.control.decide(self.request, "export", source_resource(source, source_id))
        if not decision.allowed:
            self.control.auditor.read(
                self.request,
                action="export",
                resources=[f"Source:{source_id}"],
                allowed=False,
                policies=decision.policies,
                reason="export refused by policy",
            )
        return decision.allowed, list(decision.policies)

    def redact(self, entities: list[Entity]) -> list[Entity]:
        return self.control.redact(self.request, entities)


__all__ = ["PolicyExportGuard"]
