"""NATS JetStream ingest: consume rate and publish→commit latency through the real pipeline.

Two phases, each on its own throw-away stream, into one fresh SQLite store:

1. **drain**: ``events`` small Person events are published first, then consumed
   (durable pull consumer, ack after commit). The consume rate is events divided
   by the time from the start of ``consume`` to the last committed batch.
2. **live**: a publisher in another process sends ``events`` events paced at
   ``--rate`` (default 10,000/s, the target) while the consumer runs. Each event
   carries its publish time (``sent_ns``, wall clock) in the payload; its latency
   is the time at which the batch holding it was committed and acknowledged
   minus that. The consumer is warmed up by one event before pacing starts.

Targets (printed, not asserted): ≥ 10,000 events/s and p95 ≤ 25 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event as ProcessEvent
from pathlib import Path
from typing import Any

import nats

from intelgraph.ingest import AutoMapper, IngestPipeline, MappedEntity
from intelgraph.ingest.connectors.nats_stream import DEFAULT_SERVER, NatsConfig, consume
from intelgraph.model import Source
from intelgraph.ontology import Ontology, default_ontology
from intelgraph.store import Store

TARGET_EVENTS_PER_S = 10_000.0
TARGET_P95_MS = 25.0
DEFAULT_BATCH = 500


def event(prefix: str, i: int) -> bytes:
    """One small followthemoney entity event stamped with its publish time."""
    return json.dumps(
        {
            "id": f"{prefix}{i}",
            "schema": "Person",
            "properties": {"name": [f"Person {prefix}{i}"]},
            "sent_ns": time.time_ns(),
        },
        separators=(",", ":"),
    ).encode()


class TimingMapper:
    """The automatic mapper, noting each record's ``sent_ns`` until its batch commits."""

    def __init__(self, ontology: Ontology) -> None:
        self.auto = AutoMapper(ontology)
        self.pending: list[int] = []
        self.latencies_ms: list[float] = []
        self.last_commit = 0.0

    def map(self, record: Mapping[str, Any]) -> list[MappedEntity]:
        self.pending.append(int(record["sent_ns"]))
        return self.auto.map(record)

    def committed(self, _count: int) -> None:
        """``on_batch``: the batch whose records were just mapped is committed and acked."""
        now = time.time_ns()
        self.latencies_ms.extend((now - sent) / 1e6 for sent in self.pending)
        self.pending.clear()
        self.last_commit = time.perf_counter()


@dataclass
class Phase:
    events: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    redelivered: int = 0
    statements: int = 0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("nan")


def percentile(samples: Sequence[float], pct: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


# -- streams and publishers ---------------------------------------------------------------


async def _make_stream(servers: str, tag: str) -> tuple[str, str]:
    name, subject = f"IGBENCH_{tag}", f"igbench.{tag}.events"
    client = await nats.connect(servers)
    try:
        await client.jetstream().add_stream(name=name, subjects=[subject])
    finally:
        await client.close()
    return name, subject


async def _delete_stream(servers: str, name: str) -> None:
    client = await nats.connect(servers)
    try:
        await client.jetstream().delete_stream(name)
    finally:
        await client.close()


async def _publish_all(servers: str, stream: str, subject: str, prefix: str, count: int) -> float:
    """Core-NATS publishes as fast as possible; returns messages/s once all are stored."""
    client = await nats.connect(servers)
    try:
        started = time.perf_counter()
        for i in range(count):
            await client.publish(subject, event(prefix, i))
        await client.flush()
        js = client.jetstream()
        while (await js.stream_info(stream)).state.messages < count:
            await asyncio.sleep(0.01)
        return count / (time.perf_counter() - started)
    finally:
        await client.close()


def _publish_paced(
    servers: str, subject: str, count: int, rate: float, ready: ProcessEvent, go: ProcessEvent
) -> None:
    """The live phase's publisher process: connects, says ``ready``, waits for ``go``,
    then paces ``count`` events."""
    asyncio.run(_paced(servers, subject, count, rate, ready, go))


async def _paced(
    servers: str, subject: str, count: int, rate: float, ready: ProcessEvent, go: ProcessEvent
) -> None:
    client = await nats.connect(servers)
    try:
        ready.set()
        if not await asyncio.to_thread(go.wait, 300):
            return
        started, sent = time.perf_counter(), 0
        while sent < count:
            due = min(count, int((time.perf_counter() - started) * rate) + 1)
            while sent < due:
                await client.publish(subject, event("l", sent))
                sent += 1
            await asyncio.sleep(0.0005)
        await client.flush()
    finally:
        await client.close()


# -- phases -------------------------------------------------------------------------------


def _pipeline(store: Store, name: str, mapper: TimingMapper) -> IngestPipeline:
    return IngestPipeline(store, Source(name), mapper, connector="nats")


async def drain(store: Store, servers: str, events: int, batch: int) -> tuple[Phase, float]:
    """Publish everything, then consume it: the consume rate with a full backlog."""
    stream, subject = await _make_stream(servers, uuid.uuid4().hex[:10])
    try:
        publish_rate = await _publish_all(servers, stream, subject, "d", events)
        mapper = TimingMapper(store.ontology)
        config = NatsConfig(
            servers=servers, subject=subject, batch_size=batch, max_messages=events,
            idle_timeout=30, max_inflight=max(2000, batch),
        )  # fmt: skip
        started = time.perf_counter()
        summary = await consume(
            _pipeline(store, "bench-drain", mapper), config, on_batch=mapper.committed
        )
        phase = Phase(events, mapper.last_commit - started)
        phase.redelivered = int(summary.stats.get("redelivered", 0))
        phase.statements = int(summary.stats["statements_written"])
        return phase, publish_rate
    finally:
        await _delete_stream(servers, stream)


async def live(store: Store, servers: str, events: int, rate: float, batch: int) -> Phase:
    """Publish at ``rate`` from another process while consuming: publish→commit latency."""
    stream, subject = await _make_stream(servers, uuid.uuid4().hex[:10])
    context = multiprocessing.get_context("spawn")
    ready, go = context.Event(), context.Event()
    publisher = context.Process(
        target=_publish_paced, args=(servers, subject, events, rate, ready, go), daemon=True
    )
    publisher.start()
    try:
        mapper = TimingMapper(store.ontology)
        started = {"at": 0.0}

        def on_batch(count: int) -> None:
            mapper.committed(count)
            if not started["at"]:  # the warm-up event is in: start pacing, measure from here
                started["at"] = time.perf_counter()
                mapper.latencies_ms.clear()
                go.set()

        if not await asyncio.to_thread(ready.wait, 120):
            raise RuntimeError("the publisher process did not connect to NATS")
        client = await nats.connect(servers)
        await client.jetstream().publish(subject, event("warmup", 0))
        await client.close()
        config = NatsConfig(
            servers=servers, subject=subject, batch_size=batch, max_messages=events + 1,
            idle_timeout=60, max_inflight=max(2000, batch),
        )  # fmt: skip
        summary = await consume(_pipeline(store, "bench-live", mapper), config, on_batch=on_batch)
        phase = Phase(events, mapper.last_commit - started["at"], list(mapper.latencies_ms))
        phase.redelivered = int(summary.stats.get("redelivered", 0))
        phase.statements = int(summary.stats["statements_written"]) - 1
        return phase
    finally:
        go.set()
        await asyncio.to_thread(publisher.join, 60)
        await _delete_stream(servers, stream)


def run_nats_bench(
    store_url: str,
    events: int = 200_000,
    *,
    servers: str = DEFAULT_SERVER,
    rate: float = TARGET_EVENTS_PER_S,
    batch: int = DEFAULT_BATCH,
) -> dict[str, float]:
    """Both phases into the (fresh, migrated here) store at ``store_url``; the figures."""
    with Store(store_url, default_ontology(), check_schema=False) as created:
        created.upgrade()
    with Store(store_url, default_ontology()) as store:
        drained, publish_rate = asyncio.run(drain(store, servers, events, batch))
        paced = asyncio.run(live(store, servers, events, rate, batch))
    return {
        "events": float(events),
        "publish_per_s": publish_rate,
        "events_per_s": drained.rate,
        "live_rate_target": rate,
        "live_events_per_s": paced.rate,
        "p50_ms": percentile(paced.latencies_ms, 50),
        "p95_ms": percentile(paced.latencies_ms, 95),
        "p99_ms": percentile(paced.latencies_ms, 99),
        "latency_samples": float(len(paced.latencies_ms)),
        "statements": float(drained.statements + paced.statements),
        "redelivered": float(drained.redelivered + paced.redelivered),
    }


def report(figures: Mapping[str, float]) -> str:
    """Prints the table and the targets; returns the RESULT line (printed last)."""
    events, rate, p95 = int(figures["events"]), figures["events_per_s"], figures["p95_ms"]
    rows = [
        ("events per phase", f"{events:,}"),
        ("publish (core NATS, stored)", f"{figures['publish_per_s']:,.0f} events/s"),
        ("drain: consume rate", f"{rate:,.0f} events/s"),
        ("live: paced at", f"{figures['live_rate_target']:,.0f} events/s"),
        ("live: consumed at", f"{figures['live_events_per_s']:,.0f} events/s"),
        ("live: publish→commit p50", f"{figures['p50_ms']:.2f} ms"),
        ("live: publish→commit p95", f"{p95:.2f} ms"),
        ("live: publish→commit p99", f"{figures['p99_ms']:.2f} ms"),
        ("statements written", f"{int(figures['statements']):,}"),
        ("redelivered", f"{int(figures['redelivered']):,}"),
    ]
    for name, value in rows:
        print(f"{name:32s} {value:>20s}")
    met = {True: "met", False: "NOT met"}
    print(f"target ≥ {TARGET_EVENTS_PER_S:,.0f} events/s: {met[rate >= TARGET_EVENTS_PER_S]}")
    print(f"target p95 ≤ {TARGET_P95_MS:.0f} ms: {met[p95 <= TARGET_P95_MS]}")
    line = (
        f"RESULT events_per_s={rate:.0f} p50_ms={figures['p50_ms']:.3f} "
        f"p95_ms={p95:.3f} p99_ms={figures['p99_ms']:.3f}"
    )
    print(line)
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="events per phase")
    parser.add_argument("--rate", type=float, default=TARGET_EVENTS_PER_S, help="live rate/s")
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="messages per commit")
    parser.add_argument("--nats-server", default=DEFAULT_SERVER)
    parser.add_argument("--database-url", help="an empty store (default: a temporary SQLite)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nats-bench-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        figures = run_nats_bench(
            url, args.events, servers=args.nats_server, rate=args.rate, batch=args.batch
        )
    report(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
