"""NATS JetStream as an ingest source: a durable pull consumer that acks after commit.

JetStream delivers at least once: a message that is not acknowledged within
``ack_wait`` comes back. The consumer therefore acknowledges a message only
after the batch holding it has been committed (statements, records, dead
letters and checkpoint in one transaction). A crash between the commit and the
acknowledgement makes JetStream redeliver; since record and statement ids are
content hashes and a message's ``observed_at`` is its stream timestamp, the
rewrite is a no-op. Together that is *effectively once*.

The consumer is a durable *pull* consumer with ``max_ack_pending`` bounding the
messages in flight, so a slow database applies back-pressure to JetStream
instead of filling this process's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.ingest.pipeline import MAX_BATCH, ActiveRun, IngestPipeline, RunSummary
from intelgraph.ingest.records import RawRecord
from intelgraph.model import utcnow
from intelgraph.obs import get_logger

DEFAULT_SERVER = "nats://127.0.0.1:4222"
POLL_SECONDS = 1.0  # longest one fetch blocks, so stop and idle checks run at least this often
GATHER_SECONDS = 0.01  # how long to wait for more messages once the first one is in
NAK_DELAY_SECONDS = 5.0  # a failed commit's messages come back after this, not in a hot loop
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,200}$")

_log = get_logger(__name__)

BatchCallback = Callable[[int], None]


@dataclass(frozen=True, kw_only=True)
class NatsConfig:
    """Where to consume from and how: one subject of one stream, one durable consumer."""

    servers: str = DEFAULT_SERVER
    subject: str
    stream: str | None = None  # None: the stream that captures ``subject``
    durable: str | None = None  # None: derived from the source name
    batch_size: int = 500  # messages per fetch and per committed transaction
    max_inflight: int = 2000  # the consumer's max_ack_pending: delivered, not yet acked
    ack_wait: float = 30.0  # seconds before an unacknowledged message is redelivered
    idle_timeout: float | None = None  # stop after this many seconds without a message
    max_messages: int | None = None  # stop after this many messages
    connect_timeout: float = 5.0

    def __post_init__(self) -> None:
        if not self.subject.strip() or any(c.isspace() for c in self.subject):
            raise InvalidInput(f"invalid NATS subject {self.subject!r}", hint="e.g. intel.entities")
        for what, name in (("stream", self.stream), ("durable consumer", self.durable)):
            if name is not None and not _NAME.fullmatch(name):
                raise InvalidInput(
                    f"invalid {what} name {name!r}",
                    hint="use letters, digits, '-' and '_' only (no dots, spaces or wildcards)",
                )
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise InvalidInput(f"--batch must be between 1 and {MAX_BATCH}")
        if self.max_inflight < self.batch_size:
            raise InvalidInput(
                f"--max-inflight ({self.max_inflight}) is below --batch ({self.batch_size})",
                hint="a batch can never fill: raise --max-inflight or lower --batch",
            )
        _positive("ack wait", self.ack_wait)
        _positive("connect timeout", self.connect_timeout)
        if self.idle_timeout is not None:
            _positive("--idle-timeout", self.idle_timeout)
        if self.max_messages is not None and self.max_messages < 1:
            raise InvalidInput("--max-messages must be at least 1")

    @property
    def server_list(self) -> list[str]:
        """``--nats-server a,b`` names a cluster: the client fails over between them."""
        return [s.strip() for s in self.servers.split(",") if s.strip()]


def _positive(what: str, value: float) -> None:
    if not value > 0:
        raise InvalidInput(f"{what} must be a positive number of seconds, got {value!r}")


@dataclass(frozen=True)
class StreamInput:
    """The identity under which a stream's batches are committed and checkpointed.

    A stream is pushed by JetStream, not read from a cursor, so ``read`` refuses;
    the durable consumer, not the checkpoint, remembers the position.
    """

    stream: str
    subject: str
    durable: str
    observed_at: datetime = field(default_factory=utcnow)
    format: str = "json"

    @property
    def uri(self) -> str:
        return f"nats://{self.stream}/{self.subject}"

    @property
    def fingerprint(self) -> str:
        return f"{self.stream}:{self.durable}"

    def read(self, cursor: str | None) -> Iterator[RawRecord]:
        raise IntelGraphError(
            f"{self.uri} is a message stream: it is consumed, not read",
            hint="use `intelgraph ingest nats SUBJECT` (nats_stream.consume)",
            code="not_supported",
        )


def default_durable(source_name: str) -> str:
    """A consumer name from the source name: one durable per source and subject."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", source_name).strip("-")[:100]
    return f"intelgraph-{slug or 'source'}"


def message_record(msg: Msg) -> RawRecord:
    """One message as a record; bad JSON or a non-object comes through with ``error`` set.

    The message's stream timestamp, not the time of delivery, is ``observed_at``,
    so a redelivered message yields exactly the statements of its first delivery.
    """
    meta = msg.metadata
    seq = meta.sequence.stream
    location, cursor, seen = f"stream {meta.stream} seq {seq}", str(seq), meta.timestamp
    try:
        data = json.loads(msg.data)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        error = f"not valid JSON: {exc}"
        return RawRecord(None, location, cursor, raw=msg.data, error=error, observed_at=seen)
    if not isinstance(data, dict):
        error = f"a message must hold one JSON object, not {_json_kind(data)}"
        return RawRecord(None, location, cursor, raw=msg.data, error=error, observed_at=seen)
    return RawRecord(data, location, cursor, observed_at=seen)


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"


def consumer_config(config: NatsConfig, durable: str) -> ConsumerConfig:
    """Explicit acks, bounded in-flight messages, filtered to the one subject."""
    return ConsumerConfig(
        name=durable,
        durable_name=durable,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=config.ack_wait,
        max_ack_pending=config.max_inflight,
        filter_subject=config.subject,
    )


# -- connecting -------------------------------------------------------------------------


def _shown(servers: str) -> str:
    """The server list without credentials, for messages."""
    return re.sub(r"//[^@/,]*@", "//", servers)


def _unreachable(config: NatsConfig) -> IntelGraphError:
    where = _shown(config.servers)
    return IntelGraphError(
        f"cannot connect to NATS at {where}",
        hint=f"is NATS running at {where}? set --nats-server / IG_NATS_URL",
        code="nats_unreachable",
    )


async def _on_error(exc: Exception) -> None:
    _log.warning("nats error", error=str(exc) or type(exc).__name__)


async def connect(config: NatsConfig) -> Client:
    """A connection, or IntelGraphError within ``connect_timeout`` (the client alone
    would retry the initial connect for minutes)."""
    client = Client()

    async def on_disconnect() -> None:
        if not client.is_closed:  # closing on purpose calls this too
            _log.warning("nats disconnected; reconnecting", servers=_shown(config.servers))

    try:
        await asyncio.wait_for(
            client.connect(
                servers=config.server_list,
                name="intelgraph-ingest",
                connect_timeout=max(1, round(config.connect_timeout)),
                error_cb=_on_error,
                disconnected_cb=on_disconnect,
            ),
            timeout=config.connect_timeout,
        )
    except (TimeoutError, OSError, nats.errors.Error):
        await _close(client)
        raise _unreachable(config) from None
    return client


async def _close(client: Client) -> None:
    with contextlib.suppress(nats.errors.Error, OSError, TimeoutError):
        await client.close()


def _no_jetstream(config: NatsConfig) -> IntelGraphError:
    return IntelGraphError(
        f"JetStream does not answer on the NATS server at {_shown(config.servers)}",
        hint="start nats-server with JetStream enabled (-js)",
        code="nats_unavailable",
    )


async def find_stream(js: JetStreamContext, config: NatsConfig) -> str:
    """The stream named in the config (checked to exist), or the one capturing the subject."""
    try:
        if config.stream is not None:
            await js.stream_info(config.stream)
            return config.stream
        return await js.find_stream_name_by_subject(config.subject)
    except nats.js.errors.NotFoundError:
        if config.stream is not None:
            raise InvalidInput(
                f"there is no JetStream stream named {config.stream!r}",
                hint="check --stream, or leave it out to find the stream by subject",
            ) from None
        raise InvalidInput(
            f"no JetStream stream captures the subject {config.subject!r}",
            hint="create a stream for it (nats stream add --subjects …) or name one with --stream",
        ) from None
    except (nats.errors.NoRespondersError, nats.js.errors.ServiceUnavailableError):
        raise _no_jetstream(config) from None
    except nats.errors.TimeoutError:
        raise _no_jetstream(config) from None


async def subscribe(
    js: JetStreamContext, config: NatsConfig, stream: str, durable: str
) -> JetStreamContext.PullSubscription:
    """Create the durable consumer, or update it so its limits are the configured ones.

    ``pull_subscribe`` alone keeps an existing consumer's settings; adding it first
    makes ``--max-inflight`` and ``ack_wait`` hold for a consumer created earlier.
    """
    wanted = consumer_config(config, durable)
    try:
        await _refuse_other_subject(js, config, stream, durable)
        await js.add_consumer(stream, config=wanted)
        return await js.pull_subscribe(
            config.subject, durable=durable, stream=stream, config=wanted
        )
    except nats.js.errors.APIError as exc:
        if isinstance(exc, nats.js.errors.ServiceUnavailableError):
            raise _no_jetstream(config) from None
        raise InvalidInput(
            f"cannot consume {config.subject!r} from stream {stream!r} as {durable!r}: "
            f"{exc.description or exc}",
            hint="check that the stream captures the subject, or use another --durable",
        ) from None


async def _refuse_other_subject(
    js: JetStreamContext, config: NatsConfig, stream: str, durable: str
) -> None:
    """A durable consumer keeps its position when its subject is changed, so the new
    subject's earlier messages would be skipped silently: refuse instead."""
    try:
        info = await js.consumer_info(stream, durable)
    except nats.js.errors.NotFoundError:
        return
    current = info.config.filter_subject
    if current and current != config.subject:
        raise InvalidInput(
            f"the durable consumer {durable!r} on stream {stream!r} consumes {current!r}, "
            f"not {config.subject!r}",
            hint="use another --durable (or delete that consumer)",
        )


# -- consuming --------------------------------------------------------------------------


class _Consumer:
    """Fetch → commit → ack, one batch at a time, until stopped, idle or at the limit."""

    def __init__(
        self,
        pipeline: IngestPipeline,
        config: NatsConfig,
        source_input: StreamInput,
        client: Client,
        sub: JetStreamContext.PullSubscription,
        on_batch: BatchCallback | None,
    ) -> None:
        self.pipeline = pipeline
        self.config = config
        self.input = source_input
        self.client = client
        self.sub = sub
        self.on_batch = on_batch
        self.seen = 0
        self.high = 0  # highest stream sequence committed so far: the checkpoint's cursor

    async def run(self, stop: asyncio.Event) -> RunSummary:
        """One run per consuming session; an exception leaves it resumable (the guard)."""
        uri = self.input.uri
        active = await asyncio.to_thread(self.pipeline.open_run, [uri], resumable=True)
        with active.guard():
            self.high = _committed_high(active, uri)
            await self._loop(active, stop)
        return await asyncio.to_thread(active.finish)

    async def _loop(self, active: ActiveRun, stop: asyncio.Event) -> None:
        idle_since = time.monotonic()
        limit = self.config.max_messages
        while not stop.is_set() and (limit is None or self.seen < limit):
            msgs = await self._fetch(self._want(), self._wait(idle_since))
            if msgs:
                await self._commit(active, msgs)
                idle_since = time.monotonic()
                if self.on_batch is not None:
                    self.on_batch(len(msgs))
            elif self._idle(idle_since):
                return

    def _want(self) -> int:
        limit = self.config.max_messages
        size = self.config.batch_size
        return size if limit is None else min(size, limit - self.seen)

    def _wait(self, idle_since: float) -> float:
        """How long the next fetch may block: short enough to notice ``stop`` and idleness."""
        idle = self.config.idle_timeout
        if idle is None:
            return POLL_SECONDS
        left = idle - (time.monotonic() - idle_since)
        return max(GATHER_SECONDS, min(POLL_SECONDS, left))

    def _idle(self, idle_since: float) -> bool:
        idle = self.config.idle_timeout
        return idle is not None and time.monotonic() - idle_since >= idle

    async def _fetch(self, want: int, wait: float) -> list[Msg]:
        """Whatever is waiting, up to ``want``; else block up to ``wait`` for the first
        message and take what else is there by then. Full batches under load, and no
        waiting for a batch to fill when messages trickle in."""
        msgs = await self._try_fetch(want, GATHER_SECONDS)
        if msgs:
            return msgs
        first = await self._try_fetch(1, wait)
        if not first or want == 1:
            return first
        return first + await self._try_fetch(want - 1, GATHER_SECONDS)

    async def _try_fetch(self, want: int, wait: float) -> list[Msg]:
        """No message within ``wait`` is an empty list, not an error: the stream is quiet."""
        try:
            return list(await self.sub.fetch(want, timeout=wait))
        except TimeoutError:  # nats.errors.TimeoutError and FetchTimeoutError included
            return []
        except (nats.errors.Error, OSError) as exc:
            raise self._lost(exc, "fetching messages") from None

    async def _commit(self, active: ActiveRun, msgs: Sequence[Msg]) -> None:
        """Commit the batch, then acknowledge it; on failure, nak it and re-raise."""
        self.seen += len(msgs)
        records = [message_record(m) for m in msgs]
        again = sum(1 for m in msgs if m.metadata.num_delivered > 1)
        if again:
            # Statements are content-addressed and dead letters unique per run and place,
            # so committing a redelivered message again changes nothing.
            active.count("redelivered", again)
            _log.info("nats redelivered messages", count=again, run_id=active.run.id)
        self.high = max(self.high, *(m.metadata.sequence.stream for m in msgs))
        try:
            await asyncio.to_thread(
                active.commit, self.input, records, done=False, cursor=str(self.high)
            )
        except BaseException:
            await self._nak(msgs)
            raise
        await self._ack(msgs)

    async def _ack(self, msgs: Sequence[Msg]) -> None:
        """Acks are fire-and-forget publishes; one flush makes sure the server has them
        before the next fetch, so the in-flight count drops as soon as possible."""
        try:
            for msg in msgs:
                await msg.ack()
            await self.client.flush(timeout=max(1, round(self.config.connect_timeout)))
        except (nats.errors.Error, OSError, TimeoutError) as exc:
            doing = "acknowledging a committed batch (it comes back, and is rewritten as a no-op)"
            raise self._lost(exc, doing) from None

    async def _nak(self, msgs: Sequence[Msg]) -> None:
        """Best effort: JetStream redelivers after ``ack_wait`` anyway."""
        with contextlib.suppress(nats.errors.Error, OSError, TimeoutError):
            for msg in msgs:
                await msg.nak(delay=NAK_DELAY_SECONDS)

    def _lost(self, exc: BaseException, doing: str) -> IntelGraphError:
        where = _shown(self.config.servers)
        if isinstance(exc, nats.js.errors.APIError) and exc.description:
            reason = exc.description
        else:
            reason = str(exc) or type(exc).__name__
        return IntelGraphError(
            f"NATS failed while {doing}: {reason}",
            hint=f"is NATS running at {where}? set --nats-server / IG_NATS_URL; "
            "run the same command again to continue",
            code="nats_failed",
        )


def _committed_high(active: ActiveRun, uri: str) -> int:
    """The highest stream sequence a resumed run has committed (0 for a new run)."""
    checkpoint = active.checkpoints.get(uri)
    if checkpoint is None or not checkpoint.cursor.isdigit():
        return 0
    return int(checkpoint.cursor)


async def consume(
    pipeline: IngestPipeline,
    config: NatsConfig,
    *,
    stop: asyncio.Event | None = None,
    on_batch: BatchCallback | None = None,
) -> RunSummary:
    """Consume ``config.subject`` into the pipeline until ``stop`` is set, the stream is
    idle for ``idle_timeout`` or ``max_messages`` arrived; then finish the run.

    The run is resumable: a restarted consumer with the same source, subject and
    options continues the same run. ``on_batch`` gets each acknowledged batch's size.
    """
    durable = config.durable or default_durable(pipeline.source.name)
    client = await connect(config)
    try:
        js = client.jetstream()
        try:
            stream = await find_stream(js, config)
            sub = await subscribe(js, config, stream, durable)
        except (nats.errors.Error, OSError) as exc:  # the connection failed in between
            raise _unreachable(config) from exc
        source_input = StreamInput(stream, config.subject, durable)
        consumer = _Consumer(pipeline, config, source_input, client, sub, on_batch)
        return await consumer.run(stop or asyncio.Event())
    finally:
        await _close(client)


def consume_sync(
    pipeline: IngestPipeline,
    config: NatsConfig,
    *,
    stop: asyncio.Event | None = None,
    on_batch: BatchCallback | None = None,
) -> RunSummary:
    """:func:`consume` in its own event loop; in the main thread, the first SIGINT or
    SIGTERM stops after the batch in hand (committed, acked, run finished), a second
    one interrupts at once (the run stays resumable)."""

    async def main() -> RunSummary:
        event = stop or asyncio.Event()
        with _stop_on_signals(event):
            return await consume(pipeline, config, stop=event, on_batch=on_batch)

    return asyncio.run(main())


@contextlib.contextmanager
def _stop_on_signals(event: asyncio.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)

    def on_signal() -> None:
        if event.is_set():
            raise KeyboardInterrupt
        _log.info("stopping after the current batch (signal again to interrupt)")
        event.set()

    for sig in signals:
        loop.add_signal_handler(sig, on_signal)
    try:
        yield
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


__all__ = [
    "DEFAULT_SERVER",
    "NatsConfig",
    "StreamInput",
    "connect",
    "consume",
    "consume_sync",
    "consumer_config",
    "default_durable",
    "find_stream",
    "message_record",
    "subscribe",
]
