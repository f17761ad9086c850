"""Folder drop: watch a directory and ingest each new (or changed) file once.

A file is taken when its size and modification time have not changed between
two polls (so files still being copied in are left alone), and only if no
completed run of the same source has already loaded that exact file version
(same URI and fingerprint), so restarting the watcher re-ingests nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from intelgraph.errors import IntelGraphError
from intelgraph.ingest.connectors.files import FileInput, file_input, is_data_file
from intelgraph.ingest.formats import FormatOptions


@dataclass
class FolderWatcher:
    """Polls ``directory``; ``handle`` ingests one file; ``seen`` says if a version is done."""

    directory: Path
    handle: Callable[[FileInput], None]
    seen: Callable[[FileInput], bool]
    fmt: str | None = None
    options: FormatOptions = field(default_factory=FormatOptions)
    on_error: Callable[[Path, IntelGraphError], None] | None = None
    _sizes: dict[Path, tuple[int, int]] = field(default_factory=dict)
    # Versions loaded, found loaded or failed: not read, looked up or tried again.
    _settled: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def scan(self) -> list[Path]:
        """One poll: ingest the files that are new and stable; returns those ingested."""
        done: list[Path] = []
        current: dict[Path, tuple[int, int]] = {}
        for path in sorted(p for p in self.directory.rglob("*") if p.is_file()):
            if not is_data_file(path):
                continue
            try:
                info = path.stat()
            except OSError:
                continue  # removed between listing and stat
            state = (info.st_size, info.st_mtime_ns)
            current[path] = state
            if self._sizes.get(path) != state or self._settled.get(path) == state:
                continue  # still changing, or this version is already dealt with
            try:
                source_input = file_input(path, self.fmt, self.options)
                if not self.seen(source_input):
                    self.handle(source_input)
                    done.append(path)
                self._settled[path] = state
            except IntelGraphError as exc:
                self._settled[path] = state
                if self.on_error is None:
                    raise
                self.on_error(path, exc)
        self._sizes = current
        return done

    def run(self, *, interval: float = 2.0, stop: threading.Event | None = None) -> None:
        """Poll until ``stop`` is set."""
        stop = stop or threading.Event()
        while not stop.is_set():
            self.scan()
            stop.wait(interval)


__all__ = ["FolderWatcher"]
