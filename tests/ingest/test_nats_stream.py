"""The NATS JetStream consumer against a real server, into real stores on both backends.

Each test makes its own stream and subject and deletes them afterwards. The tests
skip where no NATS server answers, and fail instead when ``CI`` is set.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import socket
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, ConsumerInfo

from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.ingest import AutoMapper, IngestPipeline, Input, MappedEntity
from intelgraph.ingest.connectors.nats_stream import (
    NatsConfig,
    StreamInput,
    consume,
    consume_sync,
    default_durable,
)
from intelgraph.ingest.pipeline import ProgressCallback
from intelgraph.model import Source, ViewerScope
from intelgraph.ontology import default_ontology
from intelgraph.store import Store

SCOPE = ViewerScope.make()


@dataclass(frozen=True)
class Stream:
    url: str
    name: str
    subject: str

    def config(self, **options: Any) -> NatsConfig:
        return NatsConfig(**{"servers": self.url, "subject": self.subject, **options})


@asynccontextmanager
async def jetstream(url: str) -> AsyncIterator[JetStreamContext]:
    client = await nats.connect(url)
    try:
        yield client.jetstream()
    finally:
        await client.close()


@pytest.fixture
def stream(nats_url: str) -> Iterator[Stream]:
    tag = uuid.uuid4().hex[:12]
    made = Stream(nats_url, f"IGTEST_{tag}", f"igtest.{tag}.entities")

    async def add() -> None:
        async with jetstream(nats_url) as js:
            await js.add_stream(name=made.name, subjects=[made.subject])

    async def delete() -> None:
        async with jetstream(nats_url) as js:
            await js.delete_stream(made.name)

    asyncio.run(add())
    try:
        yield made
    finally:
        asyncio.run(delete())


def publish(stream: Stream, payloads: Sequence[bytes]) -> list[int]:
    """Publish with JetStream acks, so every message is stored before the test goes on."""

    async def run() -> list[int]:
        async with jetstream(stream.url) as js:
            return [(await js.publish(stream.subject, p)).seq for p in payloads]

    return asyncio.run(run())


def consumer_info(stream: Stream, durable: str) -> ConsumerInfo:
    async def run() -> ConsumerInfo:
        async with jetstream(stream.url) as js:
            return await js.consumer_info(stream.name, durable)

    return asyncio.run(run())


def message_times(stream: Stream, seqs: Sequence[int]) -> dict[int, datetime]:
    async def run() -> dict[int, datetime]:
        async with jetstream(stream.url) as js:
            return {seq: (await js.get_msg(stream.name, seq)).time for seq in seqs}

    return asyncio.run(run())


def person(i: int) -> bytes:
    return json.dumps(
        {"id": f"p{i}", "schema": "Person", "properties": {"name": [f"Person {i}"]}}
    ).encode()


BAD_JSON = [b"{not json", b'{"id": "p1", ', b"\xff\xfe\x00garbage"]
NON_OBJECTS = {b"[1, 2, 3]": "not an array", b'"a string"': "not a string", b"42": "not a number"}
NOT_AN_ENTITY = b'{"hello": "world"}'  # valid JSON the automatic mapper refuses


def pipeline(store: Store, *, progress: ProgressCallback | None = None) -> IngestPipeline:
    return IngestPipeline(
        store, Source("feed"), AutoMapper(store.ontology), connector="nats", progress=progress
    )


def statements(store: Store, ids: Sequence[str]) -> list[tuple[str, str, str, datetime]]:
    found = store.entities(SCOPE, ids, with_statements=True)
    return sorted(
        (s.entity_id, s.prop, s.value, s.first_seen) for e in found.values() for s in e.statements
    )


def letters(store: Store) -> list[tuple[str, str]]:
    return sorted((d.location, d.reason) for d in store.ingest.dead_letters(SCOPE, limit=10_000))


def assert_all_acked(info: ConsumerInfo) -> None:
    assert info.num_ack_pending == 0
    assert info.num_pending == 0


def fresh_sqlite(path: Path) -> Store:
    url = f"sqlite:///{path}"
    with Store(url, default_ontology(), check_schema=False) as created:
        created.upgrade()
    return Store(url, default_ontology())


# -- loading ----------------------------------------------------------------------------


def test_valid_messages_are_stored_once_and_bad_ones_dead_lettered(
    store: Store, stream: Stream
) -> None:
    people = [person(i) for i in range(40)]
    payloads = [*people[:20], *BAD_JSON, *NON_OBJECTS, NOT_AN_ENTITY, *people[20:], people[3]]
    seqs = publish(stream, payloads)
    batches: list[int] = []

    summary = consume_sync(
        pipeline(store),
        stream.config(durable="loader", batch_size=7, idle_timeout=0.5),
        on_batch=batches.append,
    )

    assert summary.status == "completed"
    assert summary.to_dict()["records_read"] == len(payloads) == sum(batches)
    assert max(batches) == 7
    assert len(batches) >= len(payloads) // 7
    counts = store.counts(SCOPE)
    assert (counts.entities, counts.statements) == (40, 40)  # the repeated message added nothing
    ids = [f"p{i}" for i in range(40)]
    assert store.entity(SCOPE, "p17").properties["name"] == ["Person 17"]
    assert summary.to_dict()["statements_written"] == 40
    # observed_at is the message's stream timestamp, not the time it was consumed.
    times = message_times(stream, seqs[:1])
    first = next(s for s in statements(store, ids) if s[0] == "p0")
    assert abs(first[3] - times[seqs[0]]) < timedelta(milliseconds=1)

    dead = letters(store)
    assert len(dead) == len(BAD_JSON) + len(NON_OBJECTS) + 1 == summary.to_dict()["dlq"]
    assert all(location.startswith(f"stream {stream.name} seq ") for location, _ in dead)
    reasons = [reason for _, reason in dead]
    assert sum(r.startswith("not valid JSON") for r in reasons) == len(BAD_JSON)
    for expected in NON_OBJECTS.values():
        assert sum(r.endswith(expected) for r in reasons) == 1
    assert any("neither an entity" in r for r in reasons)
    letter = store.ingest.dead_letters(SCOPE, limit=100)[0]
    assert letter.input_uri == f"nats://{stream.name}/{stream.subject}"
    assert letter.content in {*BAD_JSON, *NON_OBJECTS, b'{"hello":"world"}'}

    info = consumer_info(stream, "loader")
    assert_all_acked(info)
    assert info.delivered is not None
    assert info.delivered.stream_seq == seqs[-1]


def test_consumer_bounds_inflight_messages_even_when_it_existed_before(
    stream: Stream, tmp_path: Path
) -> None:
    async def precreate() -> None:
        async with jetstream(stream.url) as js:
            await js.add_consumer(
                stream.name,
                ConsumerConfig(
                    durable_name="bounded",
                    ack_policy=AckPolicy.EXPLICIT,
                    max_ack_pending=5,
                    filter_subject=stream.subject,
                ),
            )

    asyncio.run(precreate())
    publish(stream, [person(i) for i in range(30)])
    with fresh_sqlite(tmp_path / "s.db") as store:
        config = stream.config(
            durable="bounded", batch_size=8, max_inflight=24, ack_wait=12, max_messages=30
        )
        summary = consume_sync(pipeline(store), config)
    info = consumer_info(stream, "bounded")
    assert info.config.max_ack_pending == 24 == config.max_inflight
    assert info.config.ack_policy == AckPolicy.EXPLICIT
    assert info.config.ack_wait == 12
    assert summary.to_dict()["records_read"] == 30
    assert_all_acked(info)


def test_stop_event_and_message_limit_finish_the_run_with_nothing_unacked(
    stream: Stream, tmp_path: Path
) -> None:
    publish(stream, [person(i) for i in range(50)])
    with fresh_sqlite(tmp_path / "s.db") as store:

        async def stop_after_first_batch() -> Any:
            stop = asyncio.Event()
            return await consume(
                pipeline(store),
                stream.config(durable="stopper", batch_size=10),  # no idle timeout: runs on
                stop=stop,
                on_batch=lambda _: stop.set(),
            )

        stopped = asyncio.run(stop_after_first_batch())
        assert stopped.status == "completed"
        assert stopped.to_dict()["records_read"] == 10
        info = consumer_info(stream, "stopper")
        assert (info.num_ack_pending, info.num_pending) == (0, 40)

        limited = consume_sync(
            pipeline(store), stream.config(durable="stopper", batch_size=10, max_messages=25)
        )
        assert limited.status == "completed"
        assert limited.run_id != stopped.run_id  # a finished run is not resumed
        assert limited.to_dict()["records_read"] == 25
        info = consumer_info(stream, "stopper")
        assert (info.num_ack_pending, info.num_pending) == (0, 15)
        assert store.counts(SCOPE).entities == 35


class FailingMapper:
    """A mapper that breaks (not a bad record: a bug or an outage) on one entity."""

    def __init__(self, store: Store, poison: str) -> None:
        self.auto = AutoMapper(store.ontology)
        self.poison = poison

    def map(self, record: Mapping[str, Any]) -> list[MappedEntity]:
        if record.get("id") == self.poison:
            raise RuntimeError("mapper crashed")
        return self.auto.map(record)


def test_a_failed_commit_is_not_acknowledged_and_the_error_propagates(
    stream: Stream, tmp_path: Path
) -> None:
    publish(stream, [person(i) for i in range(20)])
    with fresh_sqlite(tmp_path / "s.db") as store:
        broken = IngestPipeline(
            store, Source("feed"), FailingMapper(store, "p13"), connector="nats"
        )
        config = stream.config(durable="failing", batch_size=10, idle_timeout=0.5)
        with pytest.raises(RuntimeError, match="mapper crashed"):
            consume_sync(broken, config)
        assert store.counts(SCOPE).entities == 10  # the first batch only
        run = store.ingest.runs(SCOPE)[0]
        assert run.status == "interrupted"
    info = consumer_info(stream, "failing")
    assert info.num_ack_pending == 10  # the failed batch: nak'd, to come back
    assert info.ack_floor is not None
    assert info.ack_floor.stream_seq == 10


# -- crash and redelivery -----------------------------------------------------------------


class KillAfterCommit:
    """Dies by SIGKILL right after the batch holding ``seq`` committed: before its ack.

    A progress callback, which the pipeline calls once a batch is committed; messages
    arrive in stream order, so the records committed so far are the sequences up to there.
    """

    def __init__(self, seq: int) -> None:
        self.seq = seq
        self.committed = 0

    def __call__(self, _uri: str, records: int) -> None:
        self.committed += records
        if self.committed >= self.seq:
            os.kill(os.getpid(), signal.SIGKILL)


CRASH_BATCH = 10
KILL_SEQ = 56  # in the batch of seqs 51-60, which also holds two bad messages


def crashing_consumer(url: str, stream: Stream) -> None:
    """The child process: its own store, consuming until KillAfterCommit fires."""
    with Store(url, default_ontology()) as store:
        config = stream.config(durable="crashy", batch_size=CRASH_BATCH, idle_timeout=10)
        consume_sync(pipeline(store, progress=KillAfterCommit(KILL_SEQ)), config)


def crash_payloads() -> list[bytes]:
    payloads = [person(i) for i in range(120)]
    payloads[54] = b"{broken"  # seq 55
    payloads[56] = b"[57]"  # seq 57
    payloads[90] = b"{also broken"
    return payloads


def test_a_commit_killed_before_its_ack_is_redelivered_without_duplicates(
    store: Store, stream: Stream, tmp_path: Path
) -> None:
    payloads = crash_payloads()
    publish(stream, payloads)
    ids = [f"p{i}" for i in range(120)]

    child = multiprocessing.get_context("spawn").Process(
        target=crashing_consumer, args=(store.url, stream)
    )
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL

    # The premise: the batch holding KILL_SEQ is committed but not acknowledged.
    written = store.counts(SCOPE).statements
    assert 0 < written < 117
    assert store.entities(SCOPE, [f"p{KILL_SEQ - 1}"])  # seq 56 is entity p55
    crashed = consumer_info(stream, "crashy")
    assert crashed.ack_floor is not None
    assert crashed.ack_floor.stream_seq == 50
    assert crashed.num_ack_pending == CRASH_BATCH
    assert len(letters(store)) == 2

    restart = stream.config(durable="crashy", batch_size=CRASH_BATCH, ack_wait=1, idle_timeout=3)
    summary = consume_sync(pipeline(store), restart)
    assert summary.resumed
    assert summary.stats["redelivered"] >= CRASH_BATCH
    assert_all_acked(consumer_info(stream, "crashy"))

    with fresh_sqlite(tmp_path / "clean.db") as clean:
        reference = consume_sync(
            pipeline(clean), stream.config(durable="clean", batch_size=25, idle_timeout=0.5)
        )
        assert reference.stats.get("redelivered", 0) == 0
        expected, expected_letters = statements(clean, ids), letters(clean)
    got = statements(store, ids)
    assert got == expected
    assert len(got) == len(set(got)) == 117
    assert letters(store) == expected_letters  # the redelivered bad ones are not listed twice
    assert len(expected_letters) == 3


def serving_consumer(url: str, stream: Stream) -> None:
    """The child process: consumes with no idle timeout, as a service, until signalled."""
    with Store(url, default_ontology()) as store:
        consume_sync(pipeline(store), stream.config(durable="service", batch_size=10))


def test_sigterm_stops_a_running_consumer_cleanly(stream: Stream, tmp_path: Path) -> None:
    publish(stream, [person(i) for i in range(30)])
    with fresh_sqlite(tmp_path / "s.db") as store:
        child = multiprocessing.get_context("spawn").Process(
            target=serving_consumer, args=(store.url, stream)
        )
        child.start()
        try:
            for _ in range(600):  # up to a minute for the child to start and load
                if store.counts(SCOPE).entities == 30 or not child.is_alive():
                    break
                child.join(0.1)
            assert store.counts(SCOPE).entities == 30
            assert child.is_alive()  # no idle timeout: it waits for more
            os.kill(child.pid or 0, signal.SIGTERM)
            child.join(60)
        finally:
            if child.is_alive():
                child.kill()
        assert child.exitcode == 0
        run = store.ingest.runs(SCOPE)[0]
        assert run.status == "completed"
        assert run.stats["records_read"] == 30
    assert_all_acked(consumer_info(stream, "service"))


# -- configuration and errors ------------------------------------------------------------


def test_stream_input_is_an_input_that_cannot_be_read() -> None:
    source_input = StreamInput("ORDERS", "orders.new", "intelgraph-orders")
    assert isinstance(source_input, Input)
    assert source_input.uri == "nats://ORDERS/orders.new"
    assert source_input.fingerprint == "ORDERS:intelgraph-orders"
    assert source_input.format == "json"
    with pytest.raises(IntelGraphError, match="consumed, not read"):
        next(iter(source_input.read(None)))


def test_config_refuses_what_cannot_work() -> None:
    with pytest.raises(InvalidInput, match="max-inflight"):
        NatsConfig(subject="a.b", batch_size=500, max_inflight=100)
    with pytest.raises(InvalidInput, match="durable consumer name"):
        NatsConfig(subject="a.b", durable="my.consumer")
    with pytest.raises(InvalidInput, match="subject"):
        NatsConfig(subject=" ")
    with pytest.raises(InvalidInput, match="idle-timeout"):
        NatsConfig(subject="a.b", idle_timeout=0)
    assert default_durable("Leaks 2024 (raw).json") == "intelgraph-Leaks-2024-raw-json"


def test_unreachable_server_says_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = NatsConfig(
        servers=f"nats://user:secret@127.0.0.1:{port}", subject="a.b", connect_timeout=1.0
    )
    with fresh_sqlite(tmp_path / "s.db") as store, pytest.raises(IntelGraphError) as caught:
        consume_sync(pipeline(store), config)
    assert caught.value.code == "nats_unreachable"
    assert "IG_NATS_URL" in (caught.value.hint or "")
    assert "secret" not in str(caught.value)


def test_unknown_stream_or_subject_is_invalid_input(stream: Stream, tmp_path: Path) -> None:
    with fresh_sqlite(tmp_path / "s.db") as store:
        with pytest.raises(InvalidInput, match="no JetStream stream captures"):
            consume_sync(pipeline(store), stream.config(subject="nobody.publishes.here"))
        with pytest.raises(InvalidInput, match="no JetStream stream named"):
            consume_sync(pipeline(store), stream.config(stream="NO_SUCH_STREAM"))
        with pytest.raises(InvalidInput, match="cannot consume"):
            consume_sync(
                pipeline(store), stream.config(subject="other.subject", stream=stream.name)
            )
        assert store.ingest.runs(SCOPE) == []  # nothing was started


def test_a_durable_consumer_is_not_moved_to_another_subject(stream: Stream, tmp_path: Path) -> None:
    other = stream.subject.replace(".entities", ".other")

    async def second_subject() -> None:
        async with jetstream(stream.url) as js:
            await js.update_stream(name=stream.name, subjects=[stream.subject, other])

    asyncio.run(second_subject())
    publish(stream, [person(1)])
    with fresh_sqlite(tmp_path / "s.db") as store:
        consume_sync(pipeline(store), stream.config(durable="taken", idle_timeout=0.3))
        with pytest.raises(InvalidInput, match="consumes") as caught:
            consume_sync(pipeline(store), stream.config(subject=other, durable="taken"))
    assert "--durable" in (caught.value.hint or "")
    assert consumer_info(stream, "taken").config.filter_subject == stream.subject
