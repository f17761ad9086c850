"""Who is loading a run: one process at a time.

An unfinished run is resumed by the next command with the same inputs, but only
when no live process still holds it: on the same host its process must be gone
(a killed or crashed process), on another host it must have committed nothing
for ``STALE_AFTER``. Taking a run over is one atomic update, so two commands
started together cannot both win.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from pathlib import Path

from intelgraph.errors import IntelGraphError
from intelgraph.model import utcnow
from intelgraph.store.ingest_state import RunRow

STALE_AFTER = timedelta(minutes=5)


class RunInProgress(IntelGraphError):
    code = "run_in_progress"


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    """True for a running process; a zombie (killed, not yet reaped) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def holder_alive(run: RunRow, now: datetime | None = None) -> bool:
    """Whether the process that holds ``run`` may still be working on it."""
    if run.status != "running" or not run.owner:
        return False  # interrupted runs were released by their process
    host, _, pid = run.owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return _pid_alive(int(pid))
    heartbeat = run.heartbeat or run.started_at
    return (now or utcnow()) - heartbeat < STALE_AFTER


def refuse(run: RunRow) -> RunInProgress:
    seen = f", last commit {run.heartbeat:%Y-%m-%d %H:%M:%S} UTC" if run.heartbeat else ""
    return RunInProgress(
        f"run {run.id} of the same inputs is being loaded by process {run.owner}{seen}",
        hint="wait for it to finish (intelgraph ingest status RUN), or stop that process; "
        "a run whose process is gone is resumed by running the command again",
        details={"run_id": run.id, "owner": run.owner},
    )


__all__ = ["STALE_AFTER", "RunInProgress", "holder_alive", "refuse", "this_process"]
