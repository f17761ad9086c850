"""The folder watcher: a file is taken once it is stable, and each version only once."""

from __future__ import annotations

from pathlib import Path

from intelgraph.errors import InvalidInput
from intelgraph.ingest.connectors.files import FileInput
from intelgraph.ingest.connectors.folder import FolderWatcher


class Recorder:
    """``handle`` and ``seen`` callbacks that note what the watcher asked."""

    def __init__(self, loaded: set[str] | None = None, fail: bool = False) -> None:
        self.loaded = set(loaded or ())
        self.fail = fail
        self.handled: list[str] = []
        self.looked_up: list[str] = []

    def handle(self, item: FileInput) -> None:
        self.handled.append(item.path.name)
        if self.fail:
            raise InvalidInput(f"{item.path.name} is broken")
        self.loaded.add(item.fingerprint)

    def seen(self, item: FileInput) -> bool:
        self.looked_up.append(item.path.name)
        return item.fingerprint in self.loaded


def test_each_stable_version_is_handled_once_and_not_looked_up_again(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text('{"id": "p1"}\n', encoding="utf-8")
    calls = Recorder()
    watcher = FolderWatcher(tmp_path, calls.handle, calls.seen)

    assert watcher.scan() == []  # first sight: not yet known to be stable
    assert watcher.scan() == [path]
    assert watcher.scan() == []
    assert (calls.handled, calls.looked_up) == (["people.jsonl"], ["people.jsonl"])

    path.write_text('{"id": "p1"}\n{"id": "p2"}\n', encoding="utf-8")  # a new size
    assert watcher.scan() == []  # changed: wait for it to be stable again
    assert watcher.scan() == [path]
    assert calls.handled == ["people.jsonl", "people.jsonl"]


def test_a_version_loaded_before_is_not_loaded_again(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text('{"id": "p1"}\n', encoding="utf-8")
    first = Recorder()
    before = FolderWatcher(tmp_path, first.handle, first.seen)
    assert [before.scan(), before.scan()] == [[], [path]]
    watcher = FolderWatcher(tmp_path, first.handle, first.seen)  # a restarted watcher
    watcher.scan()
    watcher.scan()
    assert watcher.scan() == []
    assert first.handled == ["people.jsonl"]
    assert first.looked_up == ["people.jsonl", "people.jsonl"]  # once per watcher


def test_a_failed_version_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text("{\n", encoding="utf-8")
    calls = Recorder(fail=True)
    errors: list[str] = []
    watcher = FolderWatcher(
        tmp_path, calls.handle, calls.seen, on_error=lambda p, e: errors.append(e.message)
    )
    for _ in range(4):
        assert watcher.scan() == []
    assert calls.handled == ["bad.jsonl"]
    assert errors == ["bad.jsonl is broken"]
