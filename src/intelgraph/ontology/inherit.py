"""Flattening inheritance over raw catalog types, shared by the linter and the loader.

A child inherits its parents' properties (first parent wins on a clash), its own
definition of a property is merged over the inherited one (so ``email: {privacy:
pii}`` only tightens privacy), required names accumulate, and caption and edge
blocks come from the nearest type that declares them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intelgraph.ontology.source import RawType


@dataclass(slots=True)
class Resolved:
    """One type with its ancestry and effective (inherited + own) definitions."""

    raw: RawType
    ancestors: tuple[str, ...]
    props: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    caption: list[str] = field(default_factory=list)
    edge: dict[str, Any] | None = None


def names(value: Any) -> list[str]:
    """A name list from ``X`` or ``[X, Y]``; anything else gives an empty list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def prop_def(data: Any) -> dict[str, Any]:
    """A property definition as a dict; the shorthand ``name: date`` means ``{type: date}``."""
    if isinstance(data, str):
        return {"type": data}
    return dict(data) if isinstance(data, Mapping) else {}


def cycles(types: Mapping[str, RawType]) -> list[list[str]]:
    """Every inheritance cycle (strongly connected component), each listed once."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(name: str) -> None:  # Tarjan's algorithm; catalogs are small, recursion is fine
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        parents = [p for p in names(types[name].data.get("extends")) if p in types]
        for parent in parents:
            if parent not in index:
                visit(parent)
                low[name] = min(low[name], low[parent])
            elif parent in on_stack:
                low[name] = min(low[name], index[parent])
        if low[name] == index[name]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == name:
                    break
            if len(component) > 1 or name in parents:
                found.append(sorted(component))

    for name in types:
        if name not in index:
            visit(name)
    return found


def resolve(types: Mapping[str, RawType]) -> dict[str, Resolved]:
    """Resolve every type that does not sit in or below an inheritance cycle."""
    broken = {name for cycle in cycles(types) for name in cycle}
    done: dict[str, Resolved | None] = {}

    def build(name: str) -> Resolved | None:
        if name in done:
            return done[name]
        done[name] = None  # guards against cycles we did not foresee
        raw = types[name]
        parents = [p for p in names(raw.data.get("extends")) if p in types]
        resolved_parents = [build(p) for p in parents]
        if name in broken or any(p is None for p in resolved_parents):
            return None
        ancestors: list[str] = []
        out = Resolved(raw, ())
        for parent, res in zip(parents, resolved_parents, strict=True):
            assert res is not None
            for anc in (parent, *res.ancestors):
                if anc not in ancestors:
                    ancestors.append(anc)
            for pname, entry in res.props.items():
                out.props.setdefault(pname, entry)
            out.required |= res.required
            out.caption = out.caption or list(res.caption)
            out.edge = out.edge or res.edge
        out.ancestors = tuple(ancestors)
        for pname, rprop in raw.props.items():
            own = prop_def(rprop.data)
            merged = {**out.props[pname][1], **own} if pname in out.props else own
            out.props[pname] = (name, merged)
            if own.get("required") is True:
                out.required.add(pname)
        out.required |= set(names(raw.data.get("required")))
        if "caption" in raw.data:
            out.caption = names(raw.data.get("caption"))
        edge = raw.data.get("edge")
        if isinstance(edge, Mapping):
            out.edge = dict(edge)
        done[name] = out
        return out

    result = {name: build(name) for name in types}
    return {name: res for name, res in result.items() if res is not None}


__all__ = ["Resolved", "cycles", "names", "prop_def", "resolve"]
