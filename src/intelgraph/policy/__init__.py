"""Policy: the Cedar schema and policies, the decision point, and the SQL scope compiled
from them.

Shipped policies live in ``shipped/`` beside the schema; a deployment adds its
own ``*.cedar`` files in ``IG_POLICY_DIR``. Everything that decides access asks
:class:`PolicyEngine`; list reads use :func:`scope_for`, whose agreement with
Cedar a differential test checks.
"""

from intelgraph.policy.compile import NO_ACCESS, scope_for
from intelgraph.policy.engine import Decision, PolicyEngine
from intelgraph.policy.principal import SCOPES, AccessRequest, Authority, Principal
from intelgraph.policy.resources import ACTIONS, ADMIN_ACTIONS, Resource

__all__ = [
    "ACTIONS",
    "ADMIN_ACTIONS",
    "NO_ACCESS",
    "SCOPES",
    "AccessRequest",
    "Authority",
    "Decision",
    "PolicyEngine",
    "Principal",
    "Resource",
    "scope_for",
]
