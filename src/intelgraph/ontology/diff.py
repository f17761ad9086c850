"""Comparing two catalogs and classifying each change as breaking or compatible.

A change is *breaking* when data or queries that were valid under the old catalog
may be invalid, lost or exposed under the new one. The rules are listed in
``docs/ontology.md``; ``intelgraph schema diff`` fails on breaking changes unless told
otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from intelgraph.ontology.loader import load_ontology
from intelgraph.ontology.ontology import Ontology
from intelgraph.ontology.schema import PRIVACY_CLASSES, Property, Schema


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: ``kind`` added/removed/changed, ``target`` type/property/catalog."""

    kind: str
    target: str
    name: str
    detail: str
    breaking: bool

    def __str__(self) -> str:
        flag = "BREAKING" if self.breaking else "ok"
        return f"{flag} {self.kind} {self.target} {self.name}: {self.detail}"


_Entry = tuple[str, str, bool]  # kind, detail, breaking


def _mapping(what: str, old: str | None, new: str | None) -> list[_Entry]:
    """Adding a mapping is compatible; changing or dropping one breaks importers/exporters."""
    if old == new:
        return []
    return [("changed", f"{what} mapping {old or '-'} → {new or '-'}", old is not None)]


def _type_changes(old: Schema, new: Schema) -> list[_Entry]:
    out: list[_Entry] = []
    if old.abstract != new.abstract:
        out.append(("changed", f"abstract {old.abstract} → {new.abstract}", new.abstract))
    for lost in sorted(set(old.ancestors) - set(new.ancestors)):
        out.append(("changed", f"no longer a {lost}", True))
    for gained in sorted(set(new.ancestors) - set(old.ancestors)):
        out.append(("changed", f"now also a {gained}", False))
    if old.is_edge != new.is_edge:
        out.append(("changed", f"edge {old.is_edge} → {new.is_edge}", True))
    elif (old.edge_source, old.edge_target) != (new.edge_source, new.edge_target):
        detail = f"edge endpoints {old.edge_source}/{old.edge_target} → "
        out.append(("changed", detail + f"{new.edge_source}/{new.edge_target}", True))
    if old.is_edge and new.is_edge and old.directed != new.directed:
        out.append(("changed", f"directed {old.directed} → {new.directed}", True))
    out += _mapping("stix", old.stix, new.stix)
    out += _mapping("stix relationship", old.stix_relationship, new.stix_relationship)
    out += _mapping("ftm", old.ftm, new.ftm)
    for alias in sorted(set(old.stix_aliases) - set(new.stix_aliases)):
        out.append(("changed", f"stix alias {alias} removed", True))
    for attr in ("label", "plural", "description", "caption", "edge_label"):
        before, after = getattr(old, attr), getattr(new, attr)
        if before != after:
            out.append(("changed", f"{attr} {before!r} → {after!r}", False))
    return out


def _range_widened(old: str | None, new: str | None, new_ont: Ontology) -> bool:
    return old is not None and new is not None and old in new_ont and new_ont.get(old).is_a(new)


def _prop_changes(old: Property, new: Property, new_ont: Ontology) -> list[_Entry]:
    out: list[_Entry] = []
    if old.type.name != new.type.name:
        out.append(("changed", f"type {old.type.name} → {new.type.name}", True))
    if old.range != new.range:
        widened = _range_widened(old.range, new.range, new_ont)
        out.append(("changed", f"range {old.range} → {new.range}", not widened))
    if old.privacy != new.privacy:
        looser = PRIVACY_CLASSES.index(new.privacy) < PRIVACY_CLASSES.index(old.privacy)
        out.append(("changed", f"privacy {old.privacy} → {new.privacy}", looser))
    if old.required != new.required:
        out.append(("changed", f"required {old.required} → {new.required}", new.required))
    if old.multiple != new.multiple:
        out.append(("changed", f"multiple {old.multiple} → {new.multiple}", not new.multiple))
    out += _mapping("stix", old.stix, new.stix)
    out += _mapping("ftm", old.ftm, new.ftm)
    for attr in ("label", "description"):
        before, after = getattr(old, attr), getattr(new, attr)
        if before != after:
            out.append(("changed", f"{attr} {before!r} → {after!r}", False))
    return out


def _all_prop_changes(old: Schema, new: Schema, new_ont: Ontology) -> dict[str, list[_Entry]]:
    out: dict[str, list[_Entry]] = {}
    for name in old.properties.keys() - new.properties.keys():
        out[name] = [("removed", "property removed", True)]
    for name in new.properties.keys() - old.properties.keys():
        prop = new.properties[name]
        detail = "required property added" if prop.required else "property added"
        out[name] = [("added", detail, prop.required)]
    for name in old.properties.keys() & new.properties.keys():
        found = _prop_changes(old.properties[name], new.properties[name], new_ont)
        if found:
            out[name] = found
    return out


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return ()


def _version_changes(old: Ontology, new: Ontology, changes: list[Change]) -> list[Change]:
    """Warnings (never breaking themselves) when the version does not match the changes."""
    if not changes:
        return []
    before, after = _version(old.version), _version(new.version)
    if after <= before:
        return [
            Change(
                "changed",
                "catalog",
                "version",
                f"version {old.version} → {new.version} although the catalog changed; bump it",
                False,
            )
        ]
    if any(c.breaking for c in changes) and after[:1] <= before[:1]:
        return [
            Change(
                "changed",
                "catalog",
                "version",
                f"breaking changes need a major version bump ({old.version} → {new.version})",
                False,
            )
        ]
    return []


def diff_ontologies(old: Ontology, new: Ontology) -> list[Change]:
    """Every change from ``old`` to ``new``; inherited property changes are reported once,
    on the type that defines the property."""
    changes: list[Change] = []
    for name in sorted(old.schemata.keys() - new.schemata.keys()):
        changes.append(Change("removed", "type", name, "type removed", True))
    for name in sorted(new.schemata.keys() - old.schemata.keys()):
        changes.append(Change("added", "type", name, "type added", False))
    common = sorted(old.schemata.keys() & new.schemata.keys())
    per_type = {n: _all_prop_changes(old.get(n), new.get(n), new) for n in common}
    for name in common:
        before, after = old.get(name), new.get(name)
        for kind, detail, breaking in _type_changes(before, after):
            changes.append(Change(kind, "type", name, detail, breaking))
        parents = [p for p in after.extends if p in before.extends and p in per_type]
        for prop, entries in sorted(per_type[name].items()):
            for entry in entries:
                if any(entry in per_type[p].get(prop, ()) for p in parents):
                    continue  # reported on the parent that owns the property
                kind, detail, breaking = entry
                changes.append(Change(kind, "property", f"{name}.{prop}", detail, breaking))
    return changes + _version_changes(old, new, changes)


def diff_catalogs(old_path: str | Path, new_path: str | Path) -> list[Change]:
    """Changes from the catalog at ``old_path`` to the one at ``new_path``."""
    return diff_ontologies(load_ontology(old_path), load_ontology(new_path))


def has_breaking(changes: Sequence[Change]) -> bool:
    return any(change.breaking for change in changes)


def format_changes(changes: Sequence[Change]) -> str:
    """A plain-text table for terminals and CI logs."""
    if not changes:
        return "no changes"
    rows = [("", "kind", "target", "name", "detail")]
    rows += [
        ("BREAKING" if c.breaking else "", c.kind, c.target, c.name, c.detail) for c in changes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[4]
        for row in rows
    ]
    breaking = sum(c.breaking for c in changes)
    lines.append(f"{len(changes)} change(s), {breaking} breaking")
    return "\n".join(line.rstrip() for line in lines)


__all__ = ["Change", "diff_catalogs", "diff_ontologies", "format_changes", "has_breaking"]
