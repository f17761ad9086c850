"""The label part of the policies, compiled to the viewer scope that reads push into SQL.

Lists and graph reads cannot ask Cedar row by row, so the shipped label rules
(tenant isolation, classification, compartments, purpose) are compiled into a
:class:`~intelgraph.model.ViewerScope`: the store turns it into the set of
label-set ids the principal may see and filters rows with it in SQL. The
differential test in ``tests/policy`` draws random principals and resources and
requires this and Cedar to agree on every one.
"""

from __future__ import annotations

from intelgraph.model import ViewerScope
from intelgraph.policy.principal import AccessRequest

NO_ACCESS = ViewerScope(tenant="\x00no-access", clearance=-1)  # matches no label set


def scope_for(request: AccessRequest) -> ViewerScope:
    """What ``request.principal`` may read for ``request``'s purpose."""
    principal = request.principal
    if principal.restricted and "read" not in principal.scopes:
        return NO_ACCESS
    purpose = request.effective_purpose
    held = (
        frozenset({purpose})
        if purpose is not None and purpose in principal.purposes
        else frozenset()
    )
    return ViewerScope(
        tenant=principal.tenant,
        clearance=principal.clearance,
        compartments=principal.compartments,
        purposes=held,
    )


__all__ = ["NO_ACCESS", "scope_for"]
