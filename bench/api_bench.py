"""API benchmark: GraphQL reads and subscription latency against ``intelgraph serve``.

Builds a data directory holding graph_bench's generated graph (or reuses one
with ``--data-dir DIR --keep``), adds a bench user (tenant ``default``, SECRET,
compartment ``FIN``, purpose ``investigation``) with a ``read`` API token, and
starts ``intelgraph serve`` as a subprocess (production mode, rate limits off).
A separate process on 127.0.0.1 then generates closed-loop load: N clients,
each sending its next GraphQL request as soon as the previous one is answered,
for ``neighbors`` (first 50, with properties), ``search``, ``paths`` (3 hops)
and ``entity`` with provenance, at 1, 8 and 32 clients. Every answer must be a
200 without ``errors``; failures are counted and reported.

Then a graphql-transport-ws client subscribes to ``graphChanged`` and the bench
makes committed writes through the API (``assertStatement``), timing each
write's event from the mutation's response (commit) and from its request
start. When the server offers no subscriptions or no mutation yet, that part
is skipped with a message and the rest still runs.

The table goes to stdout, then PASS/FAIL against the targets and, last, a
``RESULT key=value …`` line (numbers only, ``nan`` for what was not measured).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import multiprocessing
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

try:
    from bench import graph_bench as gb
except ImportError:  # run as ``python bench/api_bench.py``: its own folder is on the path
    import graph_bench as gb  # type: ignore[no-redef,import-not-found,unused-ignore]

OPS = ("neighbors", "search", "paths", "entity")
CLIENTS = (1, 8, 32)
MARKER = "api-bench.json"  # in the data directory: which graph it holds
BENCH_USER = "bench-reader"
TENANT = "default"

# Targets (the issue's, on the 2-core machine).
READ_P95_MS = {8: 25.0, 32: 100.0}
NEIGHBORS_RPS = 500.0
SUBSCRIPTION_P95_MS = 25.0

NEIGHBORS = """query($id: ID!) {
  neighbors(id: $id, first: 50) {
    edges {
      direction edgeType
      node { id caption ... on Person { name country } ... on Company { name country } }
      edge { id schema }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""
SEARCH = """query($q: String!) {
  search(query: $q, first: 20) { totalCount edges { score node { id caption } } }
}"""
PATHS = """query($a: ID!, $b: ID!) {
  paths(from: $a, to: $b, maxHops: 3, first: 3) { hops nodeIds edgeIds }
}"""
ENTITY = """query($id: ID!) {
  entity(id: $id) {
    id caption labels { classificationName }
    provenance(first: 10) {
      totalCount edges { node { property value source { name } record { uri } } }
    }
  }
}"""
SUBSCRIPTION = "subscription { graphChanged { kind entityIds at } }"
T = TypeVar("T")
QUERIES = {"neighbors": NEIGHBORS, "search": SEARCH, "paths": PATHS, "entity": ENTITY}


def _found(op: str, data: dict[str, Any]) -> bool:
    """Whether an answer has rows (a sanity figure: visible ids must give answers)."""
    if op == "neighbors":
        return bool(data["neighbors"]["edges"])
    if op == "search":
        return bool(data["search"]["totalCount"])
    if op == "paths":
        return bool(data["paths"])
    return data["entity"] is not None


# -- the workload handed to the load process -----------------------------------------


@dataclass(frozen=True)
class Workload:
    """Everything the load process needs (picklable: it crosses a spawn boundary)."""

    url: str
    token: str  # the bench user's read API token
    password: str  # the bench user's password, for a write session (subscription part)
    server_pid: int
    starts: list[str]
    pairs: list[tuple[str, str]]
    names: list[str]
    entities: list[str]
    ops: tuple[str, ...]
    clients: tuple[int, ...]
    seconds: float
    warmup: float
    writes: int
    timeout_s: float = 60.0
    seed: int = 42

    def variables(self, op: str) -> list[dict[str, str]]:
        if op == "neighbors":
            return [{"id": i} for i in self.starts]
        if op == "search":
            return [{"q": name} for name in self.names]
        if op == "paths":
            return [{"a": a, "b": b} for a, b in self.pairs]
        return [{"id": i} for i in self.entities]


@dataclass(frozen=True)
class RunFigures:
    """One (operation, clients) run: latencies of the requests started in the window."""

    op: str
    clients: int
    samples_ms: list[float]
    seconds: float  # measuring window, to the last answer
    errors: int
    found: int
    server_cpu_pct: float
    loadgen_cpu_pct: float
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.samples_ms) + self.errors

    @property
    def rate(self) -> float:
        return len(self.samples_ms) / self.seconds if self.seconds > 0 else math.nan

    def pct(self, q: float) -> float:
        if not self.samples_ms:
            return math.nan
        return float(np.percentile(np.asarray(self.samples_ms), q))


@dataclass(frozen=True)
class SubscriptionFigures:
    """Committed write → event receipt; ``skipped`` says why when it could not run."""

    skipped: str = ""
    after_commit_ms: list[float] = field(default_factory=list)
    from_start_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    missed: int = 0  # writes whose event never came (within the timeout)
    early: int = 0  # events received before the mutation's response

    def pct(self, samples: list[float], q: float) -> float:
        if not samples:
            return math.nan
        return float(np.percentile(np.asarray(samples), q))


@dataclass(frozen=True)
class LoadResult:
    runs: list[RunFigures]
    subscription: SubscriptionFigures


# -- load generation (runs in its own process) ----------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc); nan elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return math.nan


def _error_text(response_status: int, body: Any) -> str:
    if isinstance(body, dict) and body.get("errors"):
        first = body["errors"][0]
        code = (first.get("extensions") or {}).get("code", "")
        return f"{response_status} {code} {first.get('message', '')}".strip()
    return f"HTTP {response_status}"


async def _run_one(workload: Workload, op: str, clients: int) -> RunFigures:
    """``clients`` closed-loop clients for warm-up + seconds; records requests started
    inside the measuring window."""
    query = QUERIES[op]
    pool = workload.variables(op)
    headers = {"Authorization": f"Bearer {workload.token}"}
    samples: list[float] = []
    errors = found = 0
    first_error = ""
    last_end = 0.0
    started = time.perf_counter()
    measure_from = started + workload.warmup
    stop_at = measure_from + workload.seconds

    async def client(index: int) -> None:
        nonlocal errors, found, first_error, last_end
        rng = random.Random(workload.seed * 1000 + index)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(
            base_url=workload.url, headers=headers, timeout=workload.timeout_s, limits=limits
        ) as http:
            while (begin := time.perf_counter()) < stop_at:
                body = {"query": query, "variables": pool[rng.randrange(len(pool))]}
                problem = ""
                data: dict[str, Any] | None = None
                try:
                    response = await http.post("/graphql", json=body)
                    payload = response.json()
                    if response.status_code != 200 or payload.get("errors"):
                        problem = _error_text(response.status_code, payload)
                    else:
                        data = payload["data"]
                except (httpx.HTTPError, ValueError) as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                end = time.perf_counter()
                if begin < measure_from:
                    continue
                last_end = max(last_end, end)
                if problem:
                    errors += 1
                    first_error = first_error or problem
                    continue
                samples.append((end - begin) * 1000)
                assert data is not None
                found += _found(op, data)

    server_cpu = cpu = math.nan

    async def measure_cpu() -> None:
        nonlocal server_cpu, cpu
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        s0, c0, t0 = _cpu_seconds(workload.server_pid), time.process_time(), time.perf_counter()
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        wall = time.perf_counter() - t0
        server_cpu = 100 * (_cpu_seconds(workload.server_pid) - s0) / wall
        cpu = 100 * (time.process_time() - c0) / wall

    await asyncio.gather(measure_cpu(), *(client(i) for i in range(clients)))
    window = (last_end or stop_at) - measure_from
    return RunFigures(
        op, clients, samples, window, errors, found, server_cpu, cpu, first_error=first_error
    )


async def _prime(workload: Workload) -> None:
    """One request per operation, untimed and patient: the server builds its graph
    projection and caches on the first reads."""
    headers = {"Authorization": f"Bearer {workload.token}"}
    async with httpx.AsyncClient(base_url=workload.url, headers=headers, timeout=900) as http:
        for op in workload.ops:
            began = time.perf_counter()
            body = {"query": QUERIES[op], "variables": workload.variables(op)[0]}
            response = await http.post("/graphql", json=body)
            note = "" if response.status_code == 200 else f" (HTTP {response.status_code})"
            print(
                f"  first {op}: {time.perf_counter() - began:.2f} s{note}",
                file=sys.stderr,
                flush=True,
            )


class Unavailable(Exception):
    """The server cannot do what the subscription part needs (yet)."""


ASSERT = """mutation($input: StatementInput!) {
  assertStatement(input: $input) { statementId new }
}"""


def _assert_body(entity_id: str, value: str) -> dict[str, Any]:
    statement = {
        "entityId": entity_id,
        "property": "notes",
        "value": value,
        "justification": "api bench",
    }
    return {"query": ASSERT, "variables": {"input": statement}}


async def _subscription(workload: Workload) -> SubscriptionFigures:
    """Subscribe over graphql-transport-ws, write ``writes`` statements one after the
    other through the API and time each write's event."""
    bearer = f"Bearer {workload.token}"
    ws_url = workload.url.replace("http://", "ws://", 1) + "/graphql"
    async with httpx.AsyncClient(base_url=workload.url, timeout=workload.timeout_s) as http:
        login = await http.post(
            "/auth/login", json={"username": BENCH_USER, "password": workload.password}
        )
        if login.status_code != 200:
            raise Unavailable(f"login for writes failed: HTTP {login.status_code} {login.text}")
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        try:
            ws = await connect(
                ws_url,
                subprotocols=[Subprotocol("graphql-transport-ws")],
                additional_headers={"Authorization": bearer},
                open_timeout=10,
                max_size=None,
            )
        except InvalidStatus as exc:
            raise Unavailable(
                f"WebSocket handshake on /graphql refused (HTTP {exc.response.status_code})"
            ) from None
        except (InvalidHandshake, OSError, TimeoutError) as exc:
            raise Unavailable(f"WebSocket handshake on /graphql failed: {exc}") from None
        try:
            return await _subscribed(workload, ws, http, bearer)
        finally:
            await ws.close()


async def _subscribed(
    workload: Workload, ws: ClientConnection, http: httpx.AsyncClient, bearer: str
) -> SubscriptionFigures:
    try:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": bearer}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
    except (ConnectionClosed, TimeoutError) as exc:
        raise Unavailable(f"no connection_ack: {exc}") from None
    if ack.get("type") != "connection_ack":
        raise Unavailable(f"no connection_ack: {ack}")
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))

    waiting: dict[str, asyncio.Future[float]] = {}
    problem: list[str] = []

    async def read() -> None:
        try:
            async for raw in ws:
                now = time.perf_counter()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                elif kind == "next":
                    payload = message.get("payload") or {}
                    if payload.get("errors"):
                        problem.append(_error_text(200, payload))
                        return
                    event = (payload.get("data") or {}).get("graphChanged") or {}
                    for entity_id in event.get("entityIds") or ():
                        future = waiting.get(entity_id)
                        if future is not None and not future.done():
                            future.set_result(now)
                elif kind in {"error", "complete"}:
                    problem.append(f"{kind}: {message.get('payload')}")
                    return
        except ConnectionClosed as exc:
            problem.append(f"connection closed: {exc}")

    reader = asyncio.create_task(read())
    loop = asyncio.get_running_loop()

    async def write(entity_id: str, n: int, wait_s: float) -> tuple[float, float, float | None]:
        future: asyncio.Future[float] = loop.create_future()
        waiting[entity_id] = future
        began = time.perf_counter()
        response = await http.post("/graphql", json=_assert_body(entity_id, f"bench note {n}"))
        answered = time.perf_counter()
        body = response.json() if response.content else {}
        if response.status_code != 200 or body.get("errors"):
            raise Unavailable(
                f"mutation assertStatement: {_error_text(response.status_code, body)}"
            )
        try:
            received: float | None = await asyncio.wait_for(asyncio.shield(future), wait_s)
        except TimeoutError:
            received = None
        waiting.pop(entity_id, None)
        if problem:
            raise Unavailable(f"subscription ended: {problem[0]}")
        return began, answered, received

    try:
        ids = workload.entities
        # A first write, untimed: the subscription must be live before timing starts.
        _, _, got = await write(ids[-1], -1, 10.0)
        if got is None:
            raise Unavailable("no graphChanged event within 10 s of a committed write")
        after: list[float] = []
        start: list[float] = []
        write_ms: list[float] = []
        missed = early = 0
        for n in range(workload.writes):
            began, answered, received = await write(ids[n % (len(ids) - 1)], n, 5.0)
            write_ms.append((answered - began) * 1000)
            if received is None:
                missed += 1
                continue
            early += received < answered
            after.append(max(0.0, received - answered) * 1000)
            start.append((received - began) * 1000)
        return SubscriptionFigures(
            after_commit_ms=after,
            from_start_ms=start,
            write_ms=write_ms,
            missed=missed,
            early=early,
        )
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)


def _run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on a fresh event loop (uvloop when installed, as the server uses)."""
    try:
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coroutine)


def run_load(workload: Workload) -> LoadResult:
    """The load process's entry point: every (operation, clients) run, then subscriptions."""
    log = sys.stderr
    _run_async(_prime(workload))
    runs: list[RunFigures] = []
    for op in workload.ops:
        for clients in workload.clients:
            figures = _run_async(_run_one(workload, op, clients))
            runs.append(figures)
            print(
                f"  {op:<9} {clients:>2} clients: {figures.rate:8.1f} req/s, "
                f"p95 {figures.pct(95):8.2f} ms, errors {figures.errors}"
                f"{' (' + figures.first_error + ')' if figures.errors else ''}",
                file=log,
                flush=True,
            )
    if workload.writes <= 0:
        subscription = SubscriptionFigures(skipped="not run (--writes 0)")
    else:
        print(f"  subscription: {workload.writes} writes", file=log, flush=True)
        try:
            subscription = _run_async(_subscription(workload))
        except Unavailable as exc:
            subscription = SubscriptionFigures(skipped=f"subscriptions not available: {exc}")
            print(f"  {subscription.skipped}", file=log, flush=True)
    return LoadResult(runs, subscription)


# -- data directory and server -------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    token: str
    password: str
    loaded: bool  # the graph was loaded by this run (not reused)
    load_seconds: float


def _settings(data_dir: Path, cache_mb: int) -> Any:
    from intelgraph.config import load_settings

    return load_settings(data_dir=data_dir, sqlite_cache_mb=cache_mb)


def prepare(data_dir: Path, graph: gb.Graph, *, cache_mb: int, batch_size: int) -> Prepared:
    """``intelgraph init`` plus the graph (unless the folder holds it already), the bench
    user and a fresh read token."""
    from intelgraph.access.bootstrap import ensure_admin
    from intelgraph.auth.users import principal_of
    from intelgraph.platform import Platform

    wanted = {"entities": graph.entities, "edges": graph.edges, "seed": graph.seed}
    marker = data_dir / MARKER
    held = json.loads(marker.read_text()) if marker.exists() else None
    if held is not None and held != wanted:
        raise SystemExit(f"{data_dir} holds another graph ({held}); this run wants {wanted}")
    if held is None and data_dir.exists() and any(data_dir.iterdir()):
        raise SystemExit(f"{data_dir} is not empty and holds no {MARKER}: give an empty folder")
    log = sys.stderr
    load_seconds = math.nan
    with Platform.open(_settings(data_dir, cache_mb), upgrade=True) as platform:
        if held is None:
            print(f"loading {graph.statements:,} statements into {data_dir}", file=log, flush=True)
            load = gb.load_store(platform.store, graph, batch_size=batch_size)
            load_seconds = load.seconds
            print(f"  {load.rate:,.0f} statements/s", file=log, flush=True)
        else:
            print(f"reusing the graph in {data_dir}", file=log, flush=True)
        platform.identity.issuer.active_key()
        admin, _ = ensure_admin(
            platform.store,
            platform.ledger,
            tenant=TENANT,
            compartments=["FIN"],
            purposes=["investigation"],
        )
        request = platform.access.request(principal_of(admin, auth_time=int(time.time())))
        password = secrets.token_urlsafe(18)
        if platform.store.identity.find_user(BENCH_USER) is None:
            platform.admin.add_user(
                request,
                BENCH_USER,
                tenant=TENANT,
                clearance="SECRET",
                compartments=["FIN"],
                purposes=["investigation"],
                password=password,
            )
        else:
            platform.admin.set_password(request, BENCH_USER, password)
        created = platform.admin.create_token(
            request, BENCH_USER, f"api-bench-{int(time.time())}", ["read"], days=1
        )
        platform.ledger.checkpoint()
    marker.write_text(json.dumps(wanted))
    return Prepared(created.token, password, held is None, load_seconds)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(
    data_dir: Path, port: int, *, cache_mb: int, log_path: Path, workers: int = 1
) -> subprocess.Popen[bytes]:
    """``intelgraph serve`` on 127.0.0.1:port (production, rate limits off); waits for
    ``/readyz``."""
    env = {
        **os.environ,
        "IG_DATA_DIR": str(data_dir),
        "IG_MODE": "production",
        "IG_LOG_LEVEL": "warning",
        "IG_RATE_LIMIT_PRINCIPAL": "0",
        "IG_RATE_LIMIT_TENANT": "0",
        "IG_SQLITE_CACHE_MB": str(cache_mb),
    }
    command = [
        sys.executable,
        "-m",
        "intelgraph",
        "serve",
        "--host",
        "127.0.0.1",
        "--workers",
        str(workers),
    ]
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    # Ready once every worker is: /readyz says "warming" (503) until a worker's graph
    # projection is loaded, and each new connection may reach another worker, so wait
    # for a run of ready answers well beyond the number of workers.
    deadline = time.monotonic() + 600
    url = f"http://127.0.0.1:{port}/readyz"
    ready_in_a_row = 0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            ready = httpx.get(url, timeout=5).status_code == 200
        except httpx.HTTPError:
            ready = False
        ready_in_a_row = ready_in_a_row + 1 if ready else 0
        if ready_in_a_row >= 4 * workers + 4:
            return process
        time.sleep(0.2)
    stop_server(process)
    tail = log_path.read_text(errors="replace")[-3000:]
    raise SystemExit(f"intelgraph serve did not become ready on port {port}:\n{tail}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# -- report ---------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.3f}"


def _num(value: float, digits: int = 1) -> str:
    return "nan" if math.isnan(value) else f"{value:.{digits}f}"


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    passed: bool | None  # None: not measured


def verdicts(result: LoadResult) -> list[Verdict]:
    out: list[Verdict] = []
    errors = sum(run.errors for run in result.runs)
    out.append(Verdict("no request errors", f"{errors:,} errors", errors == 0))
    for clients, limit in READ_P95_MS.items():
        runs = [run for run in result.runs if run.clients == clients]
        if not runs:
            out.append(Verdict(f"reads p95 ≤ {limit:g} ms @ {clients}", "not measured", None))
            continue
        for run in runs:
            p95 = run.pct(95)
            out.append(
                Verdict(
                    f"{run.op} p95 ≤ {limit:g} ms @ {clients}",
                    f"{_num(p95, 2)} ms",
                    not math.isnan(p95) and p95 <= limit,
                )
            )
    neighbors = [run for run in result.runs if run.op == "neighbors"]
    if neighbors:
        best = max(neighbors, key=lambda run: run.rate if not math.isnan(run.rate) else -1)
        out.append(
            Verdict(
                f"neighbors ≥ {NEIGHBORS_RPS:g} req/s",
                f"{_num(best.rate)} req/s @ {best.clients}",
                best.rate >= NEIGHBORS_RPS,
            )
        )
    else:
        out.append(Verdict(f"neighbors ≥ {NEIGHBORS_RPS:g} req/s", "not measured", None))
    sub = result.subscription
    p95 = sub.pct(sub.after_commit_ms, 95)
    if sub.skipped or math.isnan(p95):
        out.append(Verdict(f"subscription p95 ≤ {SUBSCRIPTION_P95_MS:g} ms", "not measured", None))
    else:
        out.append(
            Verdict(
                f"subscription p95 ≤ {SUBSCRIPTION_P95_MS:g} ms",
                f"{p95:.2f} ms ({sub.missed} missed)",
                p95 <= SUBSCRIPTION_P95_MS and sub.missed == 0,
            )
        )
    return out


def result_line(result: LoadResult) -> str:
    """The machine-readable last line: numbers only, ``nan`` for what was not measured."""
    parts = [f"errors={sum(run.errors for run in result.runs)}"]
    for run in result.runs:
        key = f"{run.op}_{run.clients}c"
        parts.append(f"{key}_rps={_num(run.rate)}")
        parts.append(f"{key}_p95_ms={_ms(run.pct(95))}")
    sub = result.subscription
    parts.append(f"subscription_p50_ms={_ms(sub.pct(sub.after_commit_ms, 50))}")
    parts.append(f"subscription_p95_ms={_ms(sub.pct(sub.after_commit_ms, 95))}")
    parts.append(f"subscription_missed={sub.missed}")
    failed = sum(v.passed is False for v in verdicts(result))
    parts.append(f"targets_failed={failed}")
    return "RESULT " + " ".join(parts)


def report(result: LoadResult, title: str) -> str:
    """Print the tables and the verdicts, then the RESULT line last; returns the line."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=120)
    table = Table(title=title)
    for name in ("op", "clients", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"):
        table.add_column(name, justify="left" if name == "op" else "right")
    for name in ("with rows", "srv CPU%", "gen CPU%"):
        table.add_column(name, justify="right")
    for run in result.runs:
        table.add_row(
            run.op,
            str(run.clients),
            f"{run.requests:,}",
            _num(run.rate),
            _num(run.pct(50), 2),
            _num(run.pct(95), 2),
            _num(run.pct(99), 2),
            f"[bold red]{run.errors:,}[/]" if run.errors else "0",
            f"{run.found:,}",
            _num(run.server_cpu_pct, 0),
            _num(run.loadgen_cpu_pct, 0),
        )
    console.print(table)
    sub = result.subscription
    if sub.skipped:
        console.print(f"subscription latency: [yellow]{sub.skipped}[/]")
    else:
        table = Table(title="Subscription: committed write → graphChanged event")
        for name in ("figure", "events", "p50 ms", "p95 ms", "p99 ms"):
            table.add_column(name, justify="left" if name == "figure" else "right")
        received = len(sub.after_commit_ms)
        for name, samples in (
            ("after the mutation's response (commit)", sub.after_commit_ms),
            ("from the mutation's request start", sub.from_start_ms),
            ("mutation round trip (no event)", sub.write_ms),
        ):
            table.add_row(
                name,
                f"{len(samples):,}" if samples is not sub.write_ms else "-",
                *(_num(sub.pct(samples, q), 2) for q in (50, 95, 99)),
            )
        console.print(table)
        console.print(
            f"{received:,} events for {received + sub.missed:,} writes, {sub.missed} missed; "
            f"{sub.early} arrived before the mutation's response (counted as 0 ms)"
        )
    for run in result.runs:
        if run.errors:
            console.print(
                f"[bold red]ERRORS[/]: {run.op} @ {run.clients} clients: {run.errors:,} "
                f"failed requests, first: {run.first_error}"
            )
    for verdict in verdicts(result):
        mark = {True: "PASS", False: "FAIL", None: "----"}[verdict.passed]
        print(f"{mark}  {verdict.target}: {verdict.measured}", flush=True)
    line = result_line(result)
    print(line, flush=True)
    return line


# -- command line ---------------------------------------------------------------------------


def _names(text: str, allowed: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = set(chosen) - set(allowed)
    if not chosen or unknown:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(allowed)}")
    return chosen


def _counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("comma-separated client counts, e.g. 1,8,32") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("client counts are ≥ 1")
    return counts


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="IntelGraph API benchmark")
    parser.add_argument("--small", action="store_true", help="100k entities / 500k edges")
    parser.add_argument("--entities", type=int, help=f"entities (default {gb.DEFAULT[0]:,})")
    parser.add_argument("--edges", type=int, help=f"edges (default {gb.DEFAULT[1]:,})")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--clients", type=_counts, default=CLIENTS, help="concurrent clients, e.g. 1,8,32"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring time per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="untimed seconds per run")
    parser.add_argument(
        "--ops", type=lambda text: _names(text, OPS), default=OPS, help=",".join(OPS)
    )
    parser.add_argument(
        "--writes", type=int, default=200, help="committed writes timed for subscriptions"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server worker processes (intelgraph serve --workers)",
    )
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument(
        "--data-dir", type=Path, help="data directory to build, or reuse when it holds the graph"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary data directory (a --data-dir is kept)",
    )
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument(
        "--cache-mb", type=int, default=2048, help="SQLite page cache (IG_SQLITE_CACHE_MB)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    size = gb.SMALL if args.small else gb.DEFAULT
    entities = args.entities or size[0]
    edges = args.edges or size[1]
    log = sys.stderr
    if args.data_dir is not None:
        work = args.data_dir.resolve()
    else:
        gb.OUT_DIR.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="api-bench-", dir=gb.OUT_DIR))
    data_dir = work / "data" if args.data_dir is None else work
    server: subprocess.Popen[bytes] | None = None
    try:
        print(f"generating {entities:,} entities / {edges:,} edges (seed {args.seed})", file=log)
        graph = gb.generate(entities, edges, args.seed)
        queries = gb.make_queries(graph)
        prepared = prepare(data_dir, graph, cache_mb=args.cache_mb, batch_size=args.batch_size)
        port = args.port or free_port()
        server_log = data_dir / "api-bench-server.log"
        print(f"starting intelgraph serve on 127.0.0.1:{port}", file=log, flush=True)
        server = start_server(
            data_dir, port, cache_mb=args.cache_mb, log_path=server_log, workers=args.workers
        )
        workload = Workload(
            url=f"http://127.0.0.1:{port}",
            token=prepared.token,
            password=prepared.password,
            server_pid=server.pid,
            starts=queries.starts,
            pairs=queries.pairs,
            names=queries.names,
            entities=list(dict.fromkeys(itertools.chain.from_iterable(queries.pairs))),
            ops=args.ops,
            clients=args.clients,
            seconds=args.seconds,
            warmup=args.warmup,
            writes=args.writes,
            seed=args.seed,
        )
        print("load from a separate process", file=log, flush=True)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            result = pool.submit(run_load, workload).result()
        title = (
            f"IntelGraph API benchmark: {entities:,} entities / {edges:,} edges, "
            f"{args.seconds:g} s per run (viewer: SECRET/FIN, read token)"
        )
        report(result, title)
    finally:
        if server is not None:
            stop_server(server)
        if args.data_dir is not None or args.keep:
            print(f"kept {data_dir}", file=log)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
