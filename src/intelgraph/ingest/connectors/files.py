"""Local files and directories as ingest inputs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import IO

from intelgraph.errors import InvalidInput
from intelgraph.ingest.formats import FORMATS, FormatOptions, detect_format, read_records
from intelgraph.ingest.records import RawRecord

_KNOWN_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".xlsx", ".xlsm", ".ftm", ".stix")


@dataclass(frozen=True)
class FileInput:
    """One local file; its fingerprint is its size and modification time."""

    path: Path
    format: str
    options: FormatOptions = field(default_factory=FormatOptions)

    @cached_property
    def _stat(self) -> tuple[int, int]:
        info = self.path.stat()
        return info.st_size, info.st_mtime_ns

    @cached_property
    def uri(self) -> str:
        return self.path.resolve().as_uri()

    @property
    def fingerprint(self) -> str:
        size, mtime = self._stat
        return f"{size}:{mtime}"

    @property
    def observed_at(self) -> datetime:
        return datetime.fromtimestamp(self._stat[1] / 1e9, UTC)

    @property
    def size(self) -> int:
        return self._stat[0]

    def _open(self) -> IO[bytes]:
        return self.path.open("rb")

    def read(self, cursor: str | None) -> Iterator[RawRecord]:
        return read_records(self.format, self._open, cursor=cursor, options=self.options)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(64 * 1024)


def file_input(path: Path, fmt: str | None, options: FormatOptions) -> FileInput:
    if not path.exists():
        raise InvalidInput(f"{path} does not exist", hint="check the path")
    if not path.is_file():
        raise InvalidInput(f"{path} is not a file")
    try:
        chosen = fmt or detect_format(path.name, _head(path))
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    if chosen not in FORMATS:
        raise InvalidInput(f"unknown format {chosen!r}", hint=f"use one of {', '.join(FORMATS)}")
    return FileInput(path, chosen, options)


def is_data_file(path: Path) -> bool:
    name = path.name.lower()
    if name.startswith("."):
        return False
    name = name[:-3] if name.endswith(".gz") else name
    return name.endswith(_KNOWN_SUFFIXES)


def expand_paths(paths: Sequence[Path], fmt: str | None, options: FormatOptions) -> list[FileInput]:
    """Files named, and the data files inside directories named (recursively, sorted)."""
    inputs: list[FileInput] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and is_data_file(p))
            if not found:
                raise InvalidInput(f"the directory {path} holds no data files")
            inputs.extend(file_input(p, fmt, options) for p in found)
        else:
            inputs.append(file_input(path, fmt, options))
    return inputs


__all__ = ["FileInput", "expand_paths", "file_input", "is_data_file"]
