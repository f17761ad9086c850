"""Reading catalog YAML while keeping the file and line of every key and value.

PyYAML's ``compose`` gives nodes with marks; we turn them into plain dicts and lists
that remember where each entry came from, so lint can point at ``file:line`` and so
duplicate keys (which ``safe_load`` silently overwrites) are seen at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATALOG_FILE = "catalog.yaml"


@dataclass(frozen=True, slots=True, order=True)
class LintIssue:
    """One problem in a catalog, located by file and 1-based line."""

    file: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code}: {self.message}"


class LDict(dict[str, Any]):
    """A mapping that remembers the line of itself, of each key and of duplicate keys."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}
        self.dups: list[tuple[str, int]] = []

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LList(list[Any]):
    """A sequence that remembers its own line and the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_at(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def _convert(node: yaml.Node, scalars: yaml.constructor.SafeConstructor) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = LDict(line)
        for key_node, value_node in node.value:
            # Keys keep their source text: a type called "No" must not become False.
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            key_line = key_node.start_mark.line + 1
            if key in out:
                out.dups.append((key, key_line))
                continue
            out[key] = _convert(value_node, scalars)
            out.key_lines[key] = key_line
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList(line)
        for item in node.value:
            seq.append(_convert(item, scalars))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq
    return scalars.construct_object(node)


def convert_node(node: yaml.Node) -> Any:
    """Line-aware plain values (``LDict``/``LList``/scalars) from a composed YAML node."""
    return _convert(node, yaml.constructor.SafeConstructor())


@dataclass(slots=True)
class RawProp:
    """A property definition as written (``data`` is the mapping, or a type-name string)."""

    name: str
    file: str
    line: int
    data: Any


@dataclass(slots=True)
class RawType:
    name: str
    file: str
    line: int
    data: LDict
    props: dict[str, RawProp] = field(default_factory=dict)


@dataclass(slots=True)
class RawCatalog:
    """Everything read from a catalog directory, plus the problems met while reading."""

    directory: Path
    catalog_file: str
    meta: LDict | None = None
    types: list[RawType] = field(default_factory=list)
    issues: list[LintIssue] = field(default_factory=list)

    @property
    def version(self) -> str | None:
        value = self.meta.get("version") if self.meta is not None else None
        return value if isinstance(value, str) else None

    def issue(self, file: str, line: int, code: str, message: str) -> None:
        self.issues.append(LintIssue(file, line, code, message))


def read_yaml(path: Path, raw: RawCatalog) -> Any:
    """Parse one file into line-aware values; syntax errors become ``yaml-syntax`` issues."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raw.issue(name, 0, "missing-file", f"cannot read file: {exc.strerror or exc}")
        return None
    except UnicodeDecodeError:
        raw.issue(name, 0, "yaml-syntax", "file is not UTF-8 text")
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        message = f"{exc.context or ''} {exc.problem or ''}".strip()
        if exc.context_mark is not None and exc.context_mark.line + 1 != line:
            message += f" (in the block starting at line {exc.context_mark.line + 1})"
        raw.issue(name, line, "yaml-syntax", message)
        return None
    except yaml.YAMLError as exc:
        raw.issue(name, 0, "yaml-syntax", str(exc))
        return None
    if node is None:
        return None
    # A fresh constructor per file: it caches every node it has built.
    return _convert(node, yaml.constructor.SafeConstructor())


def catalog_path(path: str | Path) -> tuple[Path, Path]:
    """(catalog directory, catalog.yaml) for a directory or a catalog file path."""
    given = Path(path)
    if given.is_dir():
        return given, given / CATALOG_FILE
    return given.parent, given


def _report_dups(mapping: LDict, file: str, code: str, what: str, raw: RawCatalog) -> None:
    for key, line in mapping.dups:
        first = mapping.line_of(key)
        raw.issue(file, line, code, f"{what} {key!r} is defined twice (first at line {first})")


def _list_files(meta: LDict, directory: Path, cat_name: str, raw: RawCatalog) -> list[Path]:
    files = meta.get("files", LList(meta.line))
    if "files" not in meta:
        files.append("*.yaml")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raw.issue(cat_name, meta.line_of("files"), "bad-structure", "files must be a list")
        return []
    found: list[Path] = []
    for index, pattern in enumerate(files):
        line = files.line_at(index) if isinstance(files, LList) else meta.line_of("files")
        if any(ch in pattern for ch in "*?["):
            matches = sorted(p for p in directory.glob(pattern) if p.name != CATALOG_FILE)
        else:
            matches = [directory / pattern] if (directory / pattern).is_file() else []
        if not matches:
            raw.issue(cat_name, line, "missing-file", f"no type file matches {pattern!r}")
        found.extend(m for m in matches if m not in found)
    return found


def _read_types(path: Path, raw: RawCatalog) -> None:
    file = str(path)
    doc = read_yaml(path, raw)
    if doc is None:
        return
    if not isinstance(doc, LDict) or not isinstance(doc.get("types"), LDict):
        line = doc.line if isinstance(doc, LDict | LList) else 1
        raw.issue(file, line, "bad-structure", "a type file is a mapping with a 'types:' mapping")
        return
    for key in doc:
        if key != "types":
            raw.issue(file, doc.line_of(key), "unknown-key", f"unknown top-level key {key!r}")
    _report_dups(doc, file, "duplicate-key", "key", raw)
    types: LDict = doc["types"]
    _report_dups(types, file, "duplicate-type", "type", raw)
    for name, body in types.items():
        line = types.line_of(name)
        if not isinstance(body, LDict):
            raw.issue(file, line, "bad-structure", f"type {name!r} must be a mapping")
            continue
        rtype = RawType(name, file, line, body)
        props = body.get("properties")
        if isinstance(props, LDict):
            _report_dups(props, file, "duplicate-property", f"property of {name}:", raw)
            for pname, pdata in props.items():
                rtype.props[pname] = RawProp(pname, file, props.line_of(pname), pdata)
        raw.types.append(rtype)


def read_catalog(path: str | Path) -> RawCatalog:
    """Read ``catalog.yaml`` and every type file it lists; never raises for bad content."""
    directory, cat_file = catalog_path(path)
    raw = RawCatalog(directory, str(cat_file))
    if not cat_file.is_file():
        raw.issue(str(cat_file), 0, "missing-file", "catalog file not found")
        return raw
    meta = read_yaml(cat_file, raw)
    if meta is None:
        if not raw.issues:
            raw.issue(str(cat_file), 1, "missing-version", "catalog file is empty")
        return raw
    if not isinstance(meta, LDict):
        raw.issue(str(cat_file), 1, "bad-structure", "catalog.yaml must be a mapping")
        return raw
    raw.meta = meta
    _report_dups(meta, str(cat_file), "duplicate-key", "key", raw)
    for path_ in _list_files(meta, directory, str(cat_file), raw):
        _read_types(path_, raw)
    return raw


__all__ = [
    "CATALOG_FILE",
    "LDict",
    "LList",
    "LintIssue",
    "RawCatalog",
    "RawType",
    "convert_node",
    "read_catalog",
]
