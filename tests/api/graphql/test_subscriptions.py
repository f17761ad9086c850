"""Subscriptions over graphql-transport-ws, on both backends: changes reach exactly the
subscribers who may see them, from this process and from others; credentials are
checked at connection and as the subscription lives."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from intelgraph.api import create_app
from intelgraph.api.graphql.service import GraphQLService
from intelgraph.api.hub import EventHub
from intelgraph.api.jobs import JobRegistry
from intelgraph.auth.users import principal_of
from intelgraph.model import Labels, Record, Statement, utcnow
from intelgraph.platform import Platform
from intelgraph.store import Store
from tests.api.graphql.conftest import (
    ACCOUNT0,
    COMPANY0,
    DemoWorld,
    _reset_postgres,
    build_world,
    data_of,
    gql,
)

CHANGES = (
    "subscription($f: GraphChangeFilter) "
    "{ graphChanged(filter: $f) { kind entityIds count entities { id caption } } }"
)
ASSERT = """
mutation($e: ID!, $v: String!) {
  assertStatement(input: {entityId: $e, property: "notes", value: $v, justification: "t"}) {
    statementId
  }
}"""


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> DemoWorld:
    if request.param == "sqlite":
        return build_world(tmp_path_factory.mktemp("graphql-subs") / "ig")
    url: str = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return build_world(tmp_path_factory.mktemp("graphql-subs-pg") / "ig", url)


@pytest.fixture(scope="module")
def platform(world: DemoWorld) -> Iterator[Platform]:
    with world.open() as opened:
        yield opened


@pytest.fixture(scope="module")
def service(platform: Platform) -> GraphQLService:
    hub = EventHub()
    made = GraphQLService.from_platform(platform, hub=hub, jobs=JobRegistry(platform, hub))
    made.recheck_seconds = 0.0  # re-check the credential on every event
    return made


@pytest.fixture(scope="module")
def client(platform: Platform, service: GraphQLService) -> Iterator[TestClient]:
    with TestClient(create_app(platform, graphql=service)) as test_client:
        yield test_client


def _connect(ws: WebSocketTestSession, token: str) -> None:
    ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert ws.receive_json()["type"] == "connection_ack"


def _subscribe(
    ws: WebSocketTestSession, query: str, variables: dict[str, Any] | None = None
) -> None:
    ws.send_json(
        {"id": "s1", "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
    )


def _next(ws: WebSocketTestSession) -> dict[str, Any]:
    message = ws.receive_json()
    assert message["type"] == "next", message
    data: dict[str, Any] = message["payload"]
    return data


def _until(ws: WebSocketTestSession, wanted: str) -> dict[str, Any]:
    """Events until one names ``wanted`` (other writes in the module may come first)."""
    for _ in range(20):
        event = _next(ws)["data"]["graphChanged"]
        if wanted in event["entityIds"]:
            return event
    raise AssertionError(f"no event for {wanted}")


def test_a_change_reaches_its_subscriber(client: TestClient, world: DemoWorld) -> None:
    token = world.tokens["analyst"]
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _connect(ws, token)
        _subscribe(ws, CHANGES)
        time.sleep(0.2)  # the subscription is registered before the write
        data_of(gql(client, ASSERT, {"e": COMPANY0, "v": "first"}, token=token))
        event = _until(ws, COMPANY0)
    assert event["kind"] in {"created", "updated"}
    assert event["entities"][0]["caption"] == "Aurora Maritime Holdings Ltd"


def test_hidden_changes_do_not_reach_a_low_subscriber(client: TestClient, world: DemoWorld) -> None:
    """'low' (UNCLASSIFIED) must not learn that the SECRET account changed, even that it
    changed: it receives only the public company's change."""
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _connect(ws, world.tokens["low"])
        _subscribe(ws, CHANGES)
        time.sleep(0.2)
        data_of(gql(client, ASSERT, {"e": ACCOUNT0, "v": "secret"}, token=world.tokens["admin"]))
        data_of(gql(client, ASSERT, {"e": COMPANY0, "v": "public"}, token=world.tokens["admin"]))
        event = _next(ws)["data"]["graphChanged"]
    assert event["entityIds"] == [COMPANY0]
    assert ACCOUNT0 not in str(event)


def test_filter_by_type_and_id(client: TestClient, world: DemoWorld) -> None:
    token = world.tokens["admin"]
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _connect(ws, token)
        _subscribe(ws, CHANGES, {"f": {"types": ["BankAccount"]}})
        time.sleep(0.2)
        data_of(gql(client, ASSERT, {"e": COMPANY0, "v": "ignored"}, token=token))
        data_of(gql(client, ASSERT, {"e": ACCOUNT0, "v": "wanted"}, token=token))
        event = _next(ws)["data"]["graphChanged"]
    assert event["entityIds"] == [ACCOUNT0]


def test_a_write_by_another_process_is_delivered(
    client: TestClient, world: DemoWorld, platform: Platform
) -> None:
    """Another store on the same database (as the CLI or another worker would be): the
    server learns of it from the change feed, not from an in-process call."""
    other = Store(platform.store.url, platform.ontology)
    labels = Labels.make()
    record = Record("src-other", b'{"name": "Yolanda Outsider"}', "test://other", labels=labels)
    statement = Statement(
        "outsider-1",
        "Person",
        "name",
        "Yolanda Outsider",
        "src-other",
        record.id,
        labels,
        utcnow(),
    )
    try:
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            _connect(ws, world.tokens["admin"])
            _subscribe(ws, CHANGES)
            time.sleep(0.2)
            other.write([statement], [record])
            event = _until(ws, "outsider-1")
    finally:
        other.close()
    assert event["kind"] == "created"
    assert event["entities"][0]["caption"] == "Yolanda Outsider"


def test_connection_without_a_valid_token_is_closed(client: TestClient) -> None:
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer forged"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


def test_subscribe_before_init_is_refused(client: TestClient) -> None:
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _subscribe(ws, CHANGES)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


def test_logout_ends_a_live_subscription(client: TestClient, world: DemoWorld) -> None:
    login = data_of(
        gql(
            client,
            'mutation($p: String!) { login(username: "analyst2", password: $p) { accessToken } }',
            {"p": "a long enough test password"},
            token=None,
        )
    )["login"]["accessToken"]
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _connect(ws, login)
        _subscribe(ws, CHANGES)
        time.sleep(0.2)
        data_of(gql(client, "mutation { logout }", token=login))
        data_of(
            gql(client, ASSERT, {"e": COMPANY0, "v": "after logout"}, token=world.tokens["admin"])
        )
        message = ws.receive_json()
        ended = ws.receive_json()
    # An execution error arrives as a result with errors, then the stream completes.
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None
    assert message["payload"]["errors"][0]["extensions"]["code"] == "token_revoked"
    assert ended["type"] == "complete"


def test_costly_subscription_is_refused(client: TestClient, world: DemoWorld) -> None:
    """Every operation on a connection is costed, not only its first one."""
    aliased = (
        "subscription { graphChanged { " + " ".join(f"a{i}: kind" for i in range(100)) + " } }"
    )
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _connect(ws, world.tokens["analyst"])
        ws.send_json({"id": "cheap", "type": "subscribe", "payload": {"query": "{ me { name } }"}})
        first = ws.receive_json()
        assert ws.receive_json()["type"] == "complete"
        _subscribe(ws, aliased)
        message = ws.receive_json()
    assert first["payload"]["data"] == {"me": {"name": "analyst"}}
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == "query_too_complex"


def test_export_progress_of_someone_elses_job_is_not_found(
    client: TestClient, world: DemoWorld, service: GraphQLService, platform: Platform
) -> None:
    from intelgraph.auth.users import principal_of
    from intelgraph.export.service import Selection

    assert service.jobs is not None
    owner = platform.store.identity.user_by_name("analyst")
    request = platform.access.request(principal_of(owner, auth_time=int(time.time())))
    job = service.jobs.submit_export(request, Selection("entities", (COMPANY0,)), "jsonl")
    query = "subscription($id: ID!) { exportProgress(id: $id) { id status } }"
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _connect(ws, world.tokens["analyst2"])
        _subscribe(ws, query, {"id": job.id})
        message = ws.receive_json()
    assert message["type"] in {"error", "next"}
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "not_found"


def test_ingest_progress_follows_a_run(
    client: TestClient, world: DemoWorld, service: GraphQLService, platform: Platform
) -> None:
    assert service.jobs is not None
    owner = platform.store.identity.user_by_name("admin")
    request = platform.access.request(principal_of(owner, auth_time=int(time.time())))
    mapping = (
        "source:\n  name: progress-test\nqueries:\n  - entities:\n      p:\n"
        "        schema: Person\n        keys: [name]\n        properties:\n"
        "          name: {column: name}\n"
    )
    rows = "name\n" + "".join(f"Person {i}\n" for i in range(50))
    job = service.jobs.submit_ingest(
        request, filename="people.csv", data=rows.encode(), mapping=mapping
    )
    deadline = time.monotonic() + 30
    while service.jobs.get(request, job.id).run_id is None and time.monotonic() < deadline:
        time.sleep(0.02)
    run_id = service.jobs.get(request, job.id).run_id
    assert run_id is not None
    query = (
        "subscription($id: ID!) { ingestProgress(runId: $id) "
        "{ runId status finished recordsLoaded } }"
    )
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _connect(ws, world.tokens["admin"])
        _subscribe(ws, query, {"id": run_id})
        events = []
        while True:
            message = ws.receive_json()
            if message["type"] == "complete":
                break
            events.append(message["payload"]["data"]["ingestProgress"])
    assert events[-1]["finished"] is True
    assert events[-1]["runId"] == run_id
    assert events[-1]["recordsLoaded"] == 50
    # Someone who cannot see the run's source gets not_found, as for an absent run.
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _connect(ws, world.tokens["ursula"])
        _subscribe(ws, query, {"id": run_id})
        message = ws.receive_json()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "not_found"


def test_hub_drops_for_a_slow_subscriber_and_says_so() -> None:
    import asyncio

    from intelgraph.api.hub import Overflow

    async def scenario() -> list[Any]:
        hub = EventHub(queue_size=3)
        async with hub.subscribe("t") as events:
            for i in range(10):
                hub.publish("t", i)
            await asyncio.sleep(0.05)
            iterator = events.__aiter__()
            return [await iterator.__anext__() for _ in range(4)]

    got = asyncio.run(scenario())
    assert got[0] == Overflow(7)
    assert got[1:] == [7, 8, 9]


def test_hub_publish_from_threads() -> None:
    import asyncio

    async def scenario() -> list[int]:
        hub = EventHub()
        async with hub.subscribe("t") as events:
            threads = [threading.Thread(target=lambda n=n: hub.publish("t", n)) for n in range(20)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            iterator = events.__aiter__()
            return sorted([await iterator.__anext__() for _ in range(20)])

    assert asyncio.run(scenario()) == list(range(20))


def test_websocket_operations_are_charged_to_the_rate_limits(
    platform: Platform, world: DemoWorld
) -> None:
    from intelgraph.api.graphql.ratelimit import RateLimiter, RateLimitPolicy

    service = GraphQLService.from_platform(platform)
    service.limiter = RateLimiter(
        RateLimitPolicy("principal", 10, 3600), RateLimitPolicy("tenant", 1000, 3600)
    )
    outcomes = []
    with (
        TestClient(create_app(platform, graphql=service)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _connect(ws, world.tokens["analyst2"])
        for n in range(8):  # each costs 2 (me, name)
            ws.send_json(
                {"id": str(n), "type": "subscribe", "payload": {"query": "{ me { name } }"}}
            )
            message = ws.receive_json()
            if message["type"] == "next" and not message["payload"].get("errors"):
                outcomes.append("ok")
                assert ws.receive_json()["type"] == "complete"
            else:
                errors = (
                    message["payload"]
                    if message["type"] == "error"
                    else message["payload"]["errors"]
                )
                outcomes.append(errors[0]["extensions"]["code"])
    assert outcomes[:5] == ["ok"] * 5
    assert outcomes[5:] == ["rate_limited"] * 3


def test_enforce_mode_runs_only_registered_documents_over_websockets(
    platform: Platform, world: DemoWorld
) -> None:
    from intelgraph.api.graphql.persisted import PersistedQueries, document_hash

    registered = "subscription GraphChanged { graphChanged { kind entityIds } }"
    service = GraphQLService.from_platform(platform)
    service.persisted = PersistedQueries("enforce", {document_hash(registered): registered})
    with (
        TestClient(create_app(platform, graphql=service)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _connect(ws, world.tokens["analyst"])
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": "{ me { name } }"}})
        refused = ws.receive_json()
        _subscribe(ws, registered)
        time.sleep(0.2)
        # Written beside the API (the HTTP endpoint would refuse an unregistered mutation).
        labels = Labels.make()
        record = Record("src-enforce", b'{"notes": "enforced"}', "test://enforce", labels=labels)
        platform.store.write(
            [
                Statement(
                    COMPANY0,
                    "Company",
                    "notes",
                    "enforced",
                    "src-enforce",
                    record.id,
                    labels,
                    utcnow(),
                )
            ],
            [record],
        )
        event = _until(ws, COMPANY0)
    errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "persisted_query_required"
    assert COMPANY0 in event["entityIds"]
