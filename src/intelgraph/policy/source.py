"""Cedar policy text split into single policies, each with its file and line.

Cedar numbers the policies of a set in text order and its parse errors carry
no line, so files are split here first: each policy is parsed alone, a broken
one is reported as ``file:line``, and decisions can name policies by ``@id``
(or by ``file:line`` when a deployment's policy has none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cedarpy

from intelgraph.errors import ConfigError

_ID = re.compile(r'@id\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
_EFFECT = re.compile(r"\b(permit|forbid)\b")


@dataclass(frozen=True, slots=True)
class PolicyStatement:
    name: str  # its @id, else file:line
    effect: str  # permit | forbid
    file: str
    line: int
    text: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def split_policies(file: str, text: str) -> list[PolicyStatement]:
    """Every policy in ``text`` (split only: Cedar parses the whole set once, and
    :func:`syntax_error` finds the culprit when that fails)."""
    out = []
    for line, body in _statements(file, text):
        found = _ID.search(body)
        effect = _EFFECT.search(_strip_annotations(body))
        out.append(
            PolicyStatement(
                name=found.group(1) if found else f"{file}:{line}",
                effect=effect.group(1) if effect else "?",
                file=file,
                line=line,
                text=body,
            )
        )
    return out


def syntax_error(statements: list[PolicyStatement], error: ValueError) -> ConfigError:
    """The set failed to parse: parse its policies one by one to name file and line,
    since Cedar's own message carries no location."""
    for statement in statements:
        try:
            cedarpy.PolicySet.from_str(statement.text)
        except ValueError as exc:
            return ConfigError(
                f"{statement.where}: the policy does not parse: {exc}",
                hint="fix the policy; the server does not start with a broken policy",
            )
    return ConfigError(f"the policies do not parse: {error}")


def _strip_annotations(body: str) -> str:
    return re.sub(r'@\w+\s*\(\s*"(?:[^"\\]|\\.)*"\s*\)', "", body)


def _statements(file: str, text: str) -> list[tuple[int, str]]:
    """``(line, text)`` of each ``;``-terminated policy, skipping comments."""
    out: list[tuple[int, str]] = []
    depth = 0
    line = 1
    start: int | None = None
    start_line = 1
    i = 0
    while i < len(text):
        char = text[i]
        if char == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        if char == "\n":
            line += 1
        elif not char.isspace() and start is None:
            start, start_line = i, line
        if char == '"':
            i = _skip_string(text, i, file, line)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == ";" and depth == 0 and start is not None:
            out.append((start_line, text[start : i + 1]))
            start = None
        i += 1
    if start is not None:
        raise ConfigError(
            f"{file}:{start_line}: the policy does not end with ';'",
            hint="every Cedar policy ends with a semicolon",
        )
    return out


def _skip_string(text: str, i: int, file: str, line: int) -> int:
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == '"':
            return j + 1
        if text[j] == "\n":
            break
        j += 1
    raise ConfigError(f"{file}:{line}: unterminated string", hint="close the string with '\"'")


__all__ = ["PolicyStatement", "split_policies", "syntax_error"]
