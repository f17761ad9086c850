"""The cross-tenant and over-classification probes of ``tests/access/test_probes.py``, through
GraphQL on both backends: a low-clearance user and another tenant's user learn nothing of
what they may not see, private values stay null without an authority, and denied reads of
existing ids are audited.

Who may see what is worked out from the labels of the generated demo statements (see
``DemoWorld.hidden_from``), independently of the store's SQL filter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from intelgraph.demo import generate
from intelgraph.platform import Platform
from tests.api.graphql.conftest import (
    ABSENT,
    ACCOUNT0,
    ACTOR,
    COMPANY0,
    DEMO_SCALE,
    PERSON0,
    PERSON1,
    PHONE0,
    DemoWorld,
    check_errors,
    data_of,
    demo_id,
    gql,
    make_client,
)

World = tuple[DemoWorld, Platform, TestClient]
COMPANY1 = demo_id("Company", "company-0-1")  # owned by COMPANY0 in the public registry
# Text of things hidden from the low user and the other tenant.
SECRETS = ("Ember Kite", "Fictional Bank of Limassol", "35799000000", "consulting services")
UMBRELLA_TEXT = ("Ursula Umbrella", "Umbrella Aurora Holdings")


@pytest.fixture(scope="module")
def world(backend: DemoWorld) -> Iterator[World]:
    with backend.open() as platform, make_client(platform) as client:
        yield backend, platform, client


def ask(world: World, user: str, document: str, **kw: Any) -> httpx.Response:
    demo, _, client = world
    response = gql(client, document, kw.pop("variables", None), token=demo.tokens[user], **kw)
    assert response.status_code == 200, response.text
    check_errors(response.json())
    return response


def strings_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {s for v in value.values() for s in strings_in(v)}
    if isinstance(value, list):
        return {s for v in value for s in strings_in(v)}
    return set()


def assert_nothing_hidden(world: World, user: str, response: httpx.Response) -> None:
    demo = world[0]
    shown = strings_in(response.json())
    leaked = shown & demo.hidden_from(user)
    assert not leaked, leaked
    text = response.text
    for secret in (*SECRETS, *(UMBRELLA_TEXT if user != "ursula" else ())):
        assert secret not in text, secret


def hidden_samples(world: World, user: str) -> list[str]:
    demo = world[0]
    if user == "ursula":
        return [PERSON0, COMPANY0, ACTOR]
    return [ACTOR, ACCOUNT0, PHONE0, demo.umbrella_ids[0]]


VIEWERS = ["low", "ursula"]


def test_the_oracle_agrees_with_the_setup(world: World) -> None:
    demo = world[0]
    assert {ACTOR, ACCOUNT0, PHONE0} <= demo.hidden_from("low")
    assert {PERSON0, COMPANY0, COMPANY1} <= demo.visible["low"]
    assert demo.visible["ursula"] == set()
    assert demo.hidden_from("analyst") == set(demo.umbrella_ids)


# -- entity, entities ----------------------------------------------------------------------

ENTITY = "query($id: ID!) { entity(id: $id) { id caption schema } }"


@pytest.mark.parametrize("user", VIEWERS)
def test_entity_of_a_hidden_id_is_null_exactly_like_an_absent_one(world: World, user: str) -> None:
    absent = ask(world, user, ENTITY, variables={"id": ABSENT})
    assert absent.json() == {"data": {"entity": None}}
    for hidden in hidden_samples(world, user):
        response = ask(world, user, ENTITY, variables={"id": hidden})
        assert response.json() == absent.json(), hidden
    visible = demo_visible_sample(world, user)
    assert data_of(ask(world, user, ENTITY, variables={"id": visible}))["entity"]["id"] == visible


def demo_visible_sample(world: World, user: str) -> str:
    return world[0].umbrella_ids[0] if user == "ursula" else COMPANY0


def test_the_analyst_sees_what_the_low_user_does_not(world: World) -> None:
    for hidden in (ACTOR, ACCOUNT0, PHONE0):
        data = data_of(ask(world, "analyst", ENTITY, variables={"id": hidden}))
        assert data["entity"]["id"] == hidden


@pytest.mark.parametrize("user", VIEWERS)
def test_hidden_ids_are_null_in_entities(world: World, user: str) -> None:
    hidden = hidden_samples(world, user)
    visible = demo_visible_sample(world, user)
    ids = [visible, *hidden, ABSENT, visible]
    response = ask(
        world, user, "query($ids: [ID!]!) { entities(ids: $ids) { id } }", variables={"ids": ids}
    )
    found = response.json()["data"]["entities"]
    assert [e["id"] if e else None for e in found] == [
        visible,
        *[None] * len(hidden),
        None,
        visible,
    ]
    assert_nothing_hidden(world, user, response)


# -- search ----------------------------------------------------------------------------------

SEARCH = """query($q: String!) { search(query: $q, first: 500) {
  totalCount totalIsCapped edges { node { id caption } } } }"""
TERMS = [
    "a*",
    "kite",
    "ember",
    "limassol",
    "nominee",
    "aurora",
    "umbrella",
    "ursula",
    "iban",
    "holdings",
    "update",
    "consulting",
]


@pytest.mark.parametrize("user", VIEWERS)
def test_search_hits_and_totals_hold_only_visible_entities(world: World, user: str) -> None:
    demo = world[0]
    allowed = demo.visible[user] | (set(demo.umbrella_ids) if user == "ursula" else set())
    for term in TERMS:
        response = ask(world, user, SEARCH, variables={"q": term})
        found = response.json()["data"]["search"]
        ids = [edge["node"]["id"] for edge in found["edges"]]
        assert set(ids) <= allowed, term
        assert not found["totalIsCapped"]
        assert found["totalCount"] == len(ids), term  # no count of hidden matches
        assert_nothing_hidden(world, user, response)


def test_search_controls(world: World) -> None:
    """The hidden matches exist: the analyst and the other tenant find their own."""
    kite = data_of(ask(world, "analyst", SEARCH, variables={"q": "kite"}))["search"]
    assert ACTOR in {e["node"]["id"] for e in kite["edges"]}
    assert data_of(ask(world, "low", SEARCH, variables={"q": "kite"}))["search"]["totalCount"] == 0
    mine = data_of(ask(world, "ursula", SEARCH, variables={"q": "aurora"}))["search"]
    assert [e["node"]["caption"] for e in mine["edges"]] == ["Umbrella Aurora Holdings Corp"]
    theirs = data_of(ask(world, "low", SEARCH, variables={"q": "umbrella"}))["search"]
    assert theirs["totalCount"] == 0


# -- neighbours, paths, subgraph -------------------------------------------------------------

NEIGHBORS = """query($id: ID!) { neighbors(id: $id, first: 500) { edges {
  edgeId nodeId edgeType node { id caption }
  edge { id caption source { id } target { id } } } } }"""


def not_found_shape(response: httpx.Response, entity_id: str) -> Any:
    body = response.json()
    (error,) = check_errors(body)
    assert error["extensions"]["code"] == "not_found"
    return (
        body["data"],
        error["message"].replace(entity_id, "<id>"),
        error["extensions"],
        error.get("path"),
    )


@pytest.mark.parametrize("user", VIEWERS)
def test_neighbors_of_a_hidden_start_fail_exactly_like_an_absent_one(
    world: World, user: str
) -> None:
    absent = not_found_shape(ask(world, user, NEIGHBORS, variables={"id": ABSENT}), ABSENT)
    for hidden in hidden_samples(world, user):
        shape = not_found_shape(ask(world, user, NEIGHBORS, variables={"id": hidden}), hidden)
        assert shape == absent, hidden


def test_neighbors_list_no_hidden_edge_or_node(world: World) -> None:
    def around(user: str, start: str) -> tuple[httpx.Response, set[str]]:
        response = ask(world, user, NEIGHBORS, variables={"id": start})
        edges = response.json()["data"]["neighbors"]["edges"]
        return response, {e["edgeId"] for e in edges} | {e["nodeId"] for e in edges}

    for start in (PERSON0, COMPANY0, COMPANY1):
        low, low_ids = around("low", start)
        assert_nothing_hidden(world, "low", low)
        _, analyst_ids = around("analyst", start)
        assert low_ids <= analyst_ids
    assert analyst_ids - low_ids  # the analyst sees edges the low user does not
    assert low_ids  # ...and the low user still sees the public ones


PATHS = """query($from: ID!, $to: ID!) { paths(from: $from, to: $to, maxHops: 4, first: 20) {
  hops nodeIds edgeIds nodes { id caption } edges { id caption } } }"""


@pytest.mark.parametrize("user", VIEWERS)
def test_paths_to_or_from_a_hidden_id_fail_like_an_absent_one(world: World, user: str) -> None:
    start = demo_visible_sample(world, user)
    for hidden in hidden_samples(world, user):
        to_hidden = ask(world, user, PATHS, variables={"from": start, "to": hidden})
        to_absent = ask(world, user, PATHS, variables={"from": start, "to": ABSENT})
        assert not_found_shape(to_hidden, hidden) == not_found_shape(to_absent, ABSENT)
        from_hidden = ask(world, user, PATHS, variables={"from": hidden, "to": start})
        from_absent = ask(world, user, PATHS, variables={"from": ABSENT, "to": start})
        assert not_found_shape(from_hidden, hidden) == not_found_shape(from_absent, ABSENT)


def test_paths_never_cross_hidden_entities(world: World) -> None:
    everything = ask(world, "analyst", PATHS, variables={"from": COMPANY0, "to": ACCOUNT0})
    assert data_of(everything)["paths"]  # the control: there is a way for the analyst
    for a, b in ((COMPANY0, COMPANY1), (PERSON0, COMPANY1), (COMPANY1, PERSON1)):
        response = ask(world, "low", PATHS, variables={"from": a, "to": b})
        assert_nothing_hidden(world, "low", response)
    public = data_of(ask(world, "low", PATHS, variables={"from": COMPANY0, "to": COMPANY1}))
    assert public["paths"]


SUBGRAPH = """query($ids: [ID!]!) { subgraph(ids: $ids, hops: 2, limit: 500) {
  nodeIds missing truncated nodes { id caption } edges { id sourceId targetId edge { id } } } }"""


@pytest.mark.parametrize("user", VIEWERS)
def test_subgraph_reports_hidden_ids_as_missing(world: World, user: str) -> None:
    hidden = hidden_samples(world, user)
    visible = demo_visible_sample(world, user)
    response = ask(world, user, SUBGRAPH, variables={"ids": [visible, *hidden, ABSENT]})
    found = response.json()["data"]["subgraph"]
    assert set(found["missing"]) == {*hidden, ABSENT}
    assert visible in found["nodeIds"]
    echoed = {key: value for key, value in found.items() if key != "missing"}
    assert not strings_in(echoed) & world[0].hidden_from(user)  # "missing" echoes the ask
    for secret in SECRETS:
        assert secret not in response.text


# -- statements, evidence, sources -----------------------------------------------------------

STATEMENTS = """query($id: ID!) { statements(entityId: $id) {
  totalCount edges { node { id value } } pageInfo { hasNextPage endCursor } } }"""


@pytest.mark.parametrize("user", VIEWERS)
def test_statements_of_a_hidden_id_are_empty_like_an_absent_one(world: World, user: str) -> None:
    absent = ask(world, user, STATEMENTS, variables={"id": ABSENT}).json()
    assert absent["data"]["statements"]["totalCount"] == 0
    for hidden in hidden_samples(world, user):
        assert ask(world, user, STATEMENTS, variables={"id": hidden}).json() == absent


def test_statements_of_a_visible_entity_hold_only_visible_ones(world: World) -> None:
    low = data_of(ask(world, "low", STATEMENTS, variables={"id": PERSON0}))["statements"]
    analyst = data_of(ask(world, "analyst", STATEMENTS, variables={"id": PERSON0}))["statements"]
    assert 0 < low["totalCount"] < analyst["totalCount"]  # the leak's CONFIDENTIAL ones
    assert {e["node"]["id"] for e in low["edges"]} < {e["node"]["id"] for e in analyst["edges"]}


EVIDENCE = """query($id: ID!) { evidence(statementId: $id) {
  verified statement { id value } source { name } record { uri } } }"""


@pytest.mark.parametrize("user", VIEWERS)
def test_evidence_of_a_hidden_statement_is_null_like_an_absent_one(world: World, user: str) -> None:
    hidden_entity = ACTOR if user == "low" else COMPANY0
    statements = data_of(ask(world, "analyst", STATEMENTS, variables={"id": hidden_entity}))
    statement_id = statements["statements"]["edges"][0]["node"]["id"]
    control = data_of(ask(world, "analyst", EVIDENCE, variables={"id": statement_id}))
    assert control["evidence"]["verified"] is True
    hidden = ask(world, user, EVIDENCE, variables={"id": statement_id}).json()
    absent = ask(world, user, EVIDENCE, variables={"id": "f" * 64}).json()
    assert hidden == absent == {"data": {"evidence": None}}


@pytest.mark.parametrize(
    ("user", "names"),
    [
        ("low", ["demo-company-registries"]),
        ("ursula", ["umbrella-feed"]),
        (
            "analyst",
            [
                "demo-bank-reports",
                "demo-company-registries",
                "demo-incorporation-leak",
                "demo-subscriber-records",
                "demo-threat-feed",
            ],
        ),
    ],
)
def test_sources_are_the_visible_ones(world: World, user: str, names: list[str]) -> None:
    data = data_of(ask(world, user, "{ sources { name labels { tenant } } }"))
    assert sorted(s["name"] for s in data["sources"]) == names


# -- private values --------------------------------------------------------------------------

PERSON = """query($id: ID!) { entity(id: $id) { id
  ... on Person { name birthDate nationality }
  redactions { property reason }
  properties { name values }
  provenance { edges { node { property value } } } } }"""


def birth_of(person_key: str) -> str:
    person_id = demo_id("Person", person_key)
    values = [
        s.value
        for s in generate(DEMO_SCALE).statements
        if s.entity_id == person_id and s.prop == "birthDate"
    ]
    assert len(values) == 1
    return values[0]


def test_pii_is_null_with_a_redaction_unless_an_authority_covers_the_entity(
    world: World,
) -> None:
    demo = world[0]
    birth = birth_of("person-0-0")
    without = ask(world, "analyst", PERSON, variables={"id": PERSON0})
    person = without.json()["data"]["entity"]
    assert person["birthDate"] is None
    assert person["nationality"] is None
    assert {r["property"] for r in person["redactions"]} >= {"birthDate", "nationality"}
    assert all(r["reason"] for r in person["redactions"])
    assert "birthDate" not in {p["name"] for p in person["properties"]}
    assert "birthDate" not in {e["node"]["property"] for e in person["provenance"]["edges"]}
    assert birth not in without.text

    headers = {"X-IG-Authority": demo.authority_id}
    covered = ask(world, "analyst", PERSON, variables={"id": PERSON0}, headers=headers)
    shown = covered.json()["data"]["entity"]
    assert shown["birthDate"] == [birth]
    assert shown["nationality"]
    assert shown["redactions"] == []

    other = ask(world, "analyst", PERSON, variables={"id": PERSON1}, headers=headers)
    assert other.json()["data"]["entity"]["birthDate"] is None  # the warrant names PERSON0 only
    assert birth_of("person-0-1") not in other.text

    not_a_holder = ask(world, "analyst2", PERSON, variables={"id": PERSON0}, headers=headers)
    assert not_a_holder.json()["data"]["entity"]["birthDate"] is None
    assert birth not in not_a_holder.text


def test_pii_stays_hidden_in_search_hits_and_evidence(world: World) -> None:
    birth = birth_of("person-0-0")
    hits = ask(
        world,
        "analyst",
        """{ search(query: "anna adler") { edges { node {
        ... on Person { birthDate } redactions { property } properties { name values } } } } }""",
    )
    assert birth not in hits.text
    node = hits.json()["data"]["search"]["edges"][0]["node"]
    assert node["birthDate"] is None
    assert "birthDate" in {r["property"] for r in node["redactions"]}
    # A pii statement's evidence is refused without an authority, and shows no value.
    headers = {"X-IG-Authority": world[0].authority_id}
    listed = data_of(
        ask(
            world,
            "analyst",
            """query($id: ID!) { statements(entityId: $id) {
        edges { node { id property } } } }""",
            variables={"id": PERSON0},
            headers=headers,
        )
    )
    (statement_id,) = [
        e["node"]["id"]
        for e in listed["statements"]["edges"]
        if e["node"]["property"] == "birthDate"
    ]
    evidence = ask(world, "analyst", EVIDENCE, variables={"id": statement_id})
    assert birth not in evidence.text
    body = evidence.json()
    assert body["data"]["evidence"] is None
    with_authority = ask(
        world, "analyst", EVIDENCE, variables={"id": statement_id}, headers=headers
    )
    assert data_of(with_authority)["evidence"]["statement"]["value"] == birth


# -- audit -----------------------------------------------------------------------------------


def audited(platform: Platform) -> list[dict[str, Any]]:
    return [
        json.loads(body)
        for _, kind, body in platform.store.ledger.leaves()
        if kind == "audited-read"
    ]


@pytest.mark.parametrize("user", VIEWERS)
def test_denied_reads_of_existing_hidden_ids_are_audited_absent_ones_are_not(
    world: World, user: str
) -> None:
    demo, platform, _ = world
    principal = platform.identity.authenticate(f"Bearer {demo.tokens[user]}")
    before = len(audited(platform))
    ask(world, user, ENTITY, variables={"id": ABSENT})
    assert len(audited(platform)) == before

    hidden = hidden_samples(world, user)[0]
    response = ask(world, user, ENTITY, variables={"id": hidden})
    leaves = audited(platform)
    assert len(leaves) == before + 1
    last = leaves[-1]
    assert last["decision"] == "deny"
    assert last["resources"] == [f"Entity:{hidden}"]
    assert last["principal"] == principal.id
    assert last["tenant"] == principal.tenant
    assert last.get("request") == response.headers["x-request-id"]
    for secret in (*SECRETS, "Anna Adler", "Aurora Maritime"):
        assert secret not in json.dumps(last)

    ask(
        world,
        user,
        "query($ids: [ID!]!) { entities(ids: $ids) { id } }",
        variables={"ids": [ABSENT, *hidden_samples(world, user)]},
    )
    batch = audited(platform)[-1]
    assert sorted(batch["resources"]) == sorted(f"Entity:{i}" for i in hidden_samples(world, user))
