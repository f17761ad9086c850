"""Loading, validating and extending the policy set; what decisions report."""

from __future__ import annotations

from pathlib import Path

import pytest

from intelgraph.errors import ConfigError
from intelgraph.model import Labels
from intelgraph.policy import AccessRequest, PolicyEngine, Principal
from intelgraph.policy.engine import shipped_files, shipped_schema
from intelgraph.policy.resources import Resource

NOW = 1_900_000_000
ANN = Principal.make("ann", "t1", 2, compartments=["A"], purposes=["p1"])


def _entity(**labels: object) -> Resource:
    return Resource("Entity", "e1", Labels.make("t1", **labels), {"schema": "Person"})  # type: ignore[arg-type]


def test_shipped_policies_validate_against_the_schema() -> None:
    engine = PolicyEngine.load()
    ids = {policy["id"] for policy in engine.describe()}
    assert {
        "tenant-isolation",
        "classification",
        "compartments",
        "purpose",
        "edge-endpoints",
        "privacy-authority",
        "restricted-export",
        "admin-only",
        "fresh-authentication",
    } <= ids
    assert all(policy["effect"] in ("permit", "forbid") for policy in engine.describe())
    assert "intelgraph.cedarschema" not in [name for name, _ in shipped_files()]
    assert "entity Entity" in shipped_schema()


def test_a_deny_names_every_policy_that_decided() -> None:
    engine = PolicyEngine.load()
    request = AccessRequest(ANN, "p2", None, NOW)
    decision = engine.decide(
        request, "read", _entity(classification=3, compartments=["B"], purposes=["p1"])
    )
    assert not decision.allowed
    assert set(decision.policies) == {"classification", "compartments", "purpose"}
    allowed = engine.decide(AccessRequest(ANN, "p1", None, NOW), "read", _entity(purposes=["p1"]))
    assert allowed.allowed
    assert allowed.policies == ("tenant-read",)


def test_a_deployment_policy_takes_effect(tmp_path: Path) -> None:
    (tmp_path / "local.cedar").write_text(
        '// no Person entities for group "interns"\n'
        'forbid (principal, action == Action::"read", resource is Entity)\n'
        'when { principal.groups.contains("interns") && resource.schema == "Person" };\n'
    )
    engine = PolicyEngine.load(tmp_path)
    intern = Principal.make("ivy", "t1", 3, groups=["interns"])
    decision = engine.decide(AccessRequest(intern, None, None, NOW), "read", _entity())
    assert not decision.allowed
    assert decision.policies == (f"{tmp_path / 'local.cedar'}:2",)  # no @id: file:line
    assert engine.decide(AccessRequest(ANN, None, None, NOW), "read", _entity()).allowed


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "permit(principal, action, resource);\n\n"
            "forbid(principal, action, resource) when { principal.x == };\n",
            3,
            "does not parse",
        ),
        (
            'permit(principal, action, resource)\nwhen { principal.name == "x" }\n',
            1,
            "does not end with ';'",
        ),
        (
            '\n\npermit(principal, action, resource) when { principal.name == "x };\n',
            3,
            "unterminated string",
        ),
        (
            "permit(principal, action, resource);\n\n\n"
            "forbid(principal, action, resource) when { resource.nope == 1 };\n",
            4,
            "does not validate",
        ),
        ('@id("tenant-isolation")\npermit(principal, action, resource);\n', 1, "used twice"),
        ("frobnicate(principal, action, resource);\n", 1, "does not parse"),
    ],
)
def test_a_broken_policy_refuses_to_start_with_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = tmp_path / "broken.cedar"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        PolicyEngine.load(tmp_path)
    if message == "used twice":
        assert "tenant-isolation" in caught.value.message
    else:
        assert f"{path}:{line}" in caught.value.message
    assert message in caught.value.message


def test_a_missing_policy_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        PolicyEngine.load(tmp_path / "absent")


def test_unknown_actions_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        PolicyEngine.load().decide(AccessRequest(ANN), "delete", _entity())


def test_no_resources_no_decisions() -> None:
    assert PolicyEngine.load().decide_many(AccessRequest(ANN), "read", []) == []
