"""What a decision means to a person: which policies decided and what would change it.

``intelgraph policy simulate`` prints this; it is advice, worked out from the
policies' ids and the request, not a second policy engine.
"""

from __future__ import annotations

from intelgraph.model import Classification
from intelgraph.policy.engine import Decision
from intelgraph.policy.principal import AccessRequest
from intelgraph.policy.resources import ADMIN_ACTIONS, Resource


def _level(value: int) -> str:
    try:
        return Classification(value).name
    except ValueError:
        return str(value)


def advice(
    request: AccessRequest, action: str, resource: Resource, decision: Decision
) -> list[str]:
    """One line per obstacle, saying what to change; empty when allowed."""
    if decision.allowed:
        return []
    principal = request.principal
    user = principal.name
    labels = resource.labels
    out: list[str] = []
    for policy in decision.policies or ("(none)",):
        if policy == "tenant-isolation":
            out.append(
                f"the {resource.type} belongs to tenant {labels.tenant!r}, {user} to "
                f"{principal.tenant!r}: tenants never see each other's data"
            )
        elif policy == "classification":
            out.append(
                f"needs clearance {_level(labels.classification)} ({user} has "
                f"{_level(principal.clearance)}): intelgraph users grant {user} "
                f"--clearance {_level(labels.classification)}"
            )
        elif policy == "compartments":
            missing = sorted(labels.compartments - principal.compartments)
            out.append(
                f"needs compartment(s) {', '.join(missing)}: intelgraph users grant {user} "
                f"--compartments {','.join(missing)}"
            )
        elif policy == "purpose":
            wanted = sorted(labels.purposes)
            held = [p for p in wanted if p in principal.purposes]
            if held:
                out.append(f"ask for one of its purposes: --purpose {held[0]}")
            else:
                out.append(
                    f"it may be read only for {', '.join(wanted)}: intelgraph users grant "
                    f"{user} --purposes {wanted[0]}, then --purpose {wanted[0]}"
                )
        elif policy == "edge-endpoints":
            out.append("one end of the edge is hidden from this principal; see that entity")
        elif policy.startswith("privacy-authority"):
            entity = resource.attrs.get("entity", resource.id)
            out.append(
                f"its {resource.attrs.get('privacy', 'private')} value needs an active authority "
                f"covering {entity} for purpose {request.effective_purpose or '(none)'}: "
                f"intelgraph authority grant --kind warrant --issuer … --reference … "
                f"--purpose {request.effective_purpose or 'P'} --entities {entity}, then "
                "--authority ID"
            )
        elif policy == "restricted-export":
            out.append(
                f"source licensed {resource.attrs.get('licence')} leaves only under an authority "
                f"listing that licence: intelgraph authority grant … --licences "
                f"{resource.attrs.get('licence')}"
            )
        elif policy == "fresh-authentication":
            out.append("admin actions need a recent login: log in again, then retry")
        elif policy == "admin-not-by-token":
            out.append("API tokens never perform admin actions: use an admin's login")
        elif policy.startswith("token-scope-"):
            out.append(f"the API token lacks the {policy.removeprefix('token-scope-')!r} scope")
        elif policy == "scim-no-admin-escalation":
            out.append("only an admin's SCIM token may provision admins")
        elif policy == "(none)":
            if action in ADMIN_ACTIONS and not principal.admin:
                out.append(f"{action} is for admins: intelgraph users grant {user} --admin")
            else:
                out.append(f"no policy permits {action} on a {resource.type} for {user}")
        else:
            out.append(f"denied by the deployment's policy {policy}")
    return out


__all__ = ["advice"]
