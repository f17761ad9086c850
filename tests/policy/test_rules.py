"""Property-based tests of the shipped policy rules (Cedar, no database)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from intelgraph.model import Labels
from intelgraph.policy import AccessRequest, Authority, PolicyEngine, Principal, scope_for
from intelgraph.policy.resources import (
    Resource,
    authority_resource,
    property_resource,
    system_resource,
    user_resource,
)

ENGINE = PolicyEngine.load(max_auth_age_seconds=600, platform_tenant="t1")
NOW = 1_900_000_000
names = st.sets(st.sampled_from(["A", "B", "C"]))
purposes = st.lists(st.sampled_from(["p1", "p2", "p3"]), unique=True)
tenants = st.sampled_from(["t1", "t2"])


@st.composite
def principals(draw: st.DrawFn, admin: bool | None = None) -> Principal:
    return Principal.make(
        draw(st.sampled_from(["ann", "bob"])),
        draw(tenants),
        draw(st.integers(0, 3)),
        compartments=draw(names),
        purposes=draw(purposes),
        groups=draw(st.sets(st.sampled_from(["g1", "g2"]))),
        admin=draw(st.booleans()) if admin is None else admin,
        auth_time=NOW - draw(st.integers(0, 1200)),
    )


@st.composite
def labels(draw: st.DrawFn) -> Labels:
    return Labels.make(
        draw(tenants),
        draw(st.integers(0, 3)),
        draw(names),
        draw(st.sets(st.sampled_from(["p1", "p2"]))),
    )


request_purposes = st.sampled_from([None, "p1", "p2", "p3"])


def _entity(entity_labels: Labels) -> Resource:
    return Resource("Entity", "e1", entity_labels, {"schema": "Person"})


@settings(max_examples=400, deadline=None)
@given(principals(), labels(), request_purposes)
def test_cedar_label_rules_equal_the_compiled_scope(
    principal: Principal, entity_labels: Labels, purpose: str | None
) -> None:
    request = AccessRequest(principal, purpose, None, NOW)
    decision = ENGINE.decide(request, "read", _entity(entity_labels))
    assert decision.allowed == scope_for(request).can_see(entity_labels)


@settings(max_examples=200, deadline=None)
@given(principals(), labels(), request_purposes, st.integers(0, 3), names)
def test_more_clearance_or_compartments_never_loses_access(
    principal: Principal, entity_labels: Labels, purpose: str | None, extra: int, more: set[str]
) -> None:
    request = AccessRequest(principal, purpose, None, NOW)
    stronger = Principal.make(
        principal.name,
        principal.tenant,
        min(3, principal.clearance + extra),
        compartments=principal.compartments | more,
        purposes=principal.purposes,
    )
    before = ENGINE.decide(request, "read", _entity(entity_labels)).allowed
    after = ENGINE.decide(
        AccessRequest(stronger, purpose, None, NOW), "read", _entity(entity_labels)
    )
    assert after.allowed or not before


@settings(max_examples=200, deadline=None)
@given(principals(), labels(), request_purposes)
def test_no_action_crosses_tenants(
    principal: Principal, entity_labels: Labels, purpose: str | None
) -> None:
    other = "t2" if principal.tenant == "t1" else "t1"
    moved = Labels.make(other, entity_labels.classification, entity_labels.compartments)
    request = AccessRequest(principal, purpose, None, NOW)
    for action in ("read", "export"):
        assert not ENGINE.decide(request, action, _entity(moved)).allowed


def _warrant(principal: Principal, **changes: object) -> Authority:
    base: dict[str, object] = {
        "id": "w1",
        "tenant": principal.tenant,
        "kind": "warrant",
        "issuer": "court",
        "reference": "1/26",
        "purposes": frozenset(["p1"]),
        "entities": frozenset(["e1"]),
        "licences": frozenset(["Embargoed"]),
        "holders": frozenset(),
        "not_before": NOW - 10,
        "expires": NOW + 10,
        "revoked": False,
    }
    base.update(changes)
    return Authority(**base)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(principals(), st.sampled_from(["pii", "sensitive"]), st.integers(0, 8))
def test_private_properties_need_an_active_covering_authority(
    principal: Principal, privacy: str, flaw: int
) -> None:
    principal = Principal.make(principal.name, principal.tenant, 3, purposes=["p1"], groups=["g1"])
    prop = property_resource("e1", "email", privacy, Labels(tenant=principal.tenant))
    assert not ENGINE.decide(AccessRequest(principal, "p1", None, NOW), "read", prop).allowed
    flaws: list[dict[str, object]] = [
        {},
        {"expires": NOW},  # expired (expiry is exclusive)
        {"not_before": NOW + 1},  # not yet valid
        {"revoked": True},
        {"entities": frozenset(["e2"])},  # covers another entity
        {"purposes": frozenset(["p2"])},  # for another purpose
        {"tenant": "elsewhere"},
        {"holders": frozenset(["someone-else"])},
        {"holders": frozenset(["g1"])},  # held through a group: fine
    ]
    authority = _warrant(principal, **flaws[flaw])
    allowed = ENGINE.decide(AccessRequest(principal, "p1", authority, NOW), "read", prop).allowed
    assert allowed == (flaw in (0, 8))


@settings(max_examples=100, deadline=None)
@given(
    principals(),
    st.sampled_from(["Restricted-TOS", "Embargoed", "Open-Data-OK", "MIT-OK"]),
    st.booleans(),
)
def test_restricted_licences_export_only_under_authority(
    principal: Principal, licence: str, with_authority: bool
) -> None:
    principal = Principal.make(principal.name, principal.tenant, 3, purposes=["p1"])
    source = Resource("Source", "s1", Labels(tenant=principal.tenant), {"licence": licence})
    authority = _warrant(principal, licences=frozenset([licence])) if with_authority else None
    decision = ENGINE.decide(AccessRequest(principal, "p1", authority, NOW), "export", source)
    restricted = licence in ("Restricted-TOS", "Embargoed")
    assert decision.allowed == (not restricted or with_authority)
    if restricted and not with_authority:
        assert "restricted-export" in decision.policies


@settings(max_examples=200, deadline=None)
@given(principals(), st.sampled_from(["rotateKey", "changePolicy"]), st.booleans())
def test_admin_actions_need_an_admin_with_a_fresh_login(
    principal: Principal, action: str, token: bool
) -> None:
    if token:
        principal = replace(principal, kind="service", scopes=frozenset(["read", "scim"]))
    kind = "Ledger" if action == "rotateKey" else "Policy"
    resource = system_resource(kind, principal.tenant)
    decision = ENGINE.decide(AccessRequest(principal, None, None, NOW), action, resource)
    fresh = principal.auth_time is not None and NOW - principal.auth_time <= 600
    assert decision.allowed == (principal.admin and fresh and not token)


@settings(max_examples=200, deadline=None)
@given(principals(admin=True), principals(admin=False))
def test_admins_manage_only_users_they_could_be(admin: Principal, user: Principal) -> None:
    decision = ENGINE.decide(
        AccessRequest(admin, None, None, NOW), "manageUsers", user_resource(user)
    )
    fresh = admin.auth_time is not None and NOW - admin.auth_time <= 600
    same_tenant = admin.tenant == user.tenant or admin.tenant == "t1"  # t1 is the platform
    holds = user.clearance <= admin.clearance and user.compartments <= admin.compartments
    assert decision.allowed == (fresh and same_tenant and holds)


def test_authorities_are_managed_within_the_tenant() -> None:
    admin = Principal.make("root", "t2", 3, admin=True, auth_time=NOW)
    request = AccessRequest(admin, None, None, NOW)
    own = _warrant(admin)
    other = _warrant(admin, tenant="t1")
    assert ENGINE.decide(request, "manageAuthorities", authority_resource(own)).allowed
    assert not ENGINE.decide(request, "manageAuthorities", authority_resource(other)).allowed
