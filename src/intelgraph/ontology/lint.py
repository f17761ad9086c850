"""Catalog linter: every defect in every file, each with a stable code and ``file:line``.

The loader refuses a catalog with any issue, so the checks here are the full list of
what makes a catalog valid. Codes are documented in ``docs/ontology.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

from intelgraph.ontology.inherit import Resolved, cycles, names, prop_def, resolve
from intelgraph.ontology.proptypes import TYPES
from intelgraph.ontology.schema import PRIVACY_CLASSES
from intelgraph.ontology.source import (
    LDict,
    LintIssue,
    LList,
    RawCatalog,
    RawProp,
    RawType,
    read_catalog,
)

TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
PROP_NAME = re.compile(r"^[a-z][A-Za-z0-9]*$")
VERSION = re.compile(r"^\d+\.\d+\.\d+$")

CATALOG_KEYS = {"version", "name", "description", "files"}
_NAMES = (str, list)
# Allowed keys and the Python kinds their values may have.
TYPE_KEYS: dict[str, type | tuple[type, ...]] = {
    "label": str, "plural": str, "description": str, "extends": _NAMES, "abstract": bool,
    "caption": _NAMES, "required": _NAMES, "properties": dict, "edge": dict, "stix": str,
    "stix_aliases": _NAMES, "stix_relationship": str, "ftm": str,
}  # fmt: skip
PROP_KEYS: dict[str, type | tuple[type, ...]] = {
    "type": str, "label": str, "description": str, "privacy": str, "required": bool,
    "multiple": bool, "range": str, "stix": str, "ftm": str,
}  # fmt: skip
EDGE_KEYS: dict[str, type | tuple[type, ...]] = {
    "source": str, "target": str, "label": str, "directed": bool,
}  # fmt: skip
_KIND_NAMES = {str: "a non-empty string", bool: "true or false", _NAMES: "a list of names"}

Report = Callable[[int, str, str], None]


def _check_catalog(raw: RawCatalog) -> None:
    meta = raw.meta
    if meta is None:
        return
    file = raw.catalog_file
    for key in meta:
        if key not in CATALOG_KEYS:
            raw.issue(file, meta.line_of(key), "unknown-key", f"unknown catalog key {key!r}")
    version = meta.get("version")
    if version is None:
        raw.issue(file, meta.line, "missing-version", "catalog has no 'version'")
    elif not isinstance(version, str) or not VERSION.match(version):
        raw.issue(
            file,
            meta.line_of("version"),
            "bad-version",
            f'version {version!r} must be a quoted semantic version such as "1.0.0"',
        )


def _check_shape(
    data: LDict, keys: Mapping[str, type | tuple[type, ...]], what: str, report: Report
) -> None:
    """Unknown keys and wrongly-kinded values in a type, property or edge block."""
    for key, value in data.items():
        line = data.line_of(key)
        kind = keys.get(key)
        if kind is None:
            report(line, "unknown-key", f"unknown key {key!r} in {what}")
        elif kind is not dict and (
            not isinstance(value, kind) or (isinstance(value, str) and not value.strip())
        ):
            report(line, "bad-value", f"{key!r} in {what} must be {_KIND_NAMES[kind]}")


def _check_type(rtype: RawType, all_types: Mapping[str, RawType], report: Report) -> None:
    data = rtype.data
    if not TYPE_NAME.match(rtype.name):
        report(rtype.line, "bad-type-name", f"type name {rtype.name!r} must be UpperCamelCase")
    _check_shape(data, TYPE_KEYS, f"type {rtype.name}", report)
    extends = data.get("extends")
    for i, parent in enumerate(names(extends)):
        line = extends.line_at(i) if isinstance(extends, LList) else data.line_of("extends")
        if parent not in all_types:
            report(line, "unknown-parent", f"{rtype.name} extends unknown type {parent!r}")
    props = data.get("properties")
    if props is not None and not isinstance(props, LDict):
        report(data.line_of("properties"), "bad-structure", "'properties' must be a mapping")
    edge = data.get("edge")
    if edge is not None:
        if not isinstance(edge, LDict):
            report(data.line_of("edge"), "bad-structure", "'edge' must be a mapping")
        else:
            _check_shape(edge, EDGE_KEYS, f"edge of {rtype.name}", report)
            for key in ("source", "target"):
                if not isinstance(edge.get(key), str):
                    report(edge.line, "edge-endpoint-missing", f"edge of {rtype.name} needs {key}")


def _key_line(prop: RawProp, key: str) -> int:
    return prop.data.line_of(key) if isinstance(prop.data, LDict) else prop.line


def _check_own_props(rtype: RawType, all_types: Mapping[str, RawType], report: Report) -> None:
    for prop in rtype.props.values():
        where = f"{rtype.name}.{prop.name}"
        if not PROP_NAME.match(prop.name):
            report(prop.line, "bad-property-name", f"property name {where} must be lowerCamelCase")
        if isinstance(prop.data, LDict):
            _check_shape(prop.data, PROP_KEYS, f"property {where}", report)
        elif not isinstance(prop.data, str):
            report(prop.line, "bad-structure", f"property {where} must be a mapping or a type")
            continue
        spec = prop_def(prop.data)
        ptype = spec.get("type")
        if isinstance(ptype, str) and ptype not in TYPES:
            report(
                _key_line(prop, "type"),
                "unknown-property-type",
                f"{where} has unknown type {ptype!r}; use one of {', '.join(TYPES)}",
            )
        privacy = spec.get("privacy")
        if isinstance(privacy, str) and privacy not in PRIVACY_CLASSES:
            report(
                _key_line(prop, "privacy"),
                "invalid-privacy",
                f"{where} has privacy {privacy!r}; use one of {', '.join(PRIVACY_CLASSES)}",
            )
        rng = spec.get("range")
        if isinstance(rng, str) and rng not in all_types:
            report(
                _key_line(prop, "range"),
                "dangling-range",
                f"{where} ranges over unknown type {rng!r}",
            )


def _check_effective(res: Resolved, all_res: Mapping[str, Resolved], report: Report) -> None:
    """Checks that need inherited properties: types, ranges, required, caption, edges."""
    rtype = res.raw
    name = rtype.name
    for pname, (owner, spec) in res.props.items():
        if owner != name:
            continue
        rprop = rtype.props[pname]
        own_type = prop_def(rprop.data).get("type")
        inherited = [all_res[a].props[pname] for a in res.ancestors if pname in all_res[a].props]
        if own_type is None and not inherited and isinstance(rprop.data, LDict):
            report(rprop.line, "missing-type", f"{name}.{pname} has no 'type'")
        for parent_owner, parent_spec in inherited[:1]:
            if own_type is not None and parent_spec.get("type") != own_type:
                report(
                    _key_line(rprop, "type"),
                    "property-type-conflict",
                    f"{name}.{pname} is {own_type!r} but {parent_owner}.{pname} is "
                    f"{parent_spec.get('type')!r}",
                )
        if spec.get("type") == "entity" and spec.get("range") is None:
            report(rprop.line, "missing-range", f"entity property {name}.{pname} needs a 'range'")
        ptype = spec.get("type")
        if spec.get("range") is not None and isinstance(ptype, str) and ptype != "entity":
            report(
                _key_line(rprop, "range"),
                "bad-range",
                f"{name}.{pname}: only entity properties have a range",
            )
    for key, code in (("required", "required-undefined"), ("caption", "caption-undefined")):
        value = rtype.data.get(key)
        for i, pname in enumerate(names(value)):
            if pname not in res.props:
                line = value.line_at(i) if isinstance(value, LList) else rtype.data.line_of(key)
                report(line, code, f"{name} lists {key} property {pname!r} it does not define")
    edge = rtype.data.get("edge")
    if isinstance(edge, LDict):
        _check_edge(name, edge, res, all_res, report)


def _check_edge(
    name: str, edge: LDict, res: Resolved, all_res: Mapping[str, Resolved], report: Report
) -> None:
    for key in ("source", "target"):
        pname = edge.get(key)
        if not isinstance(pname, str):
            continue
        line = edge.line_of(key)
        if pname not in res.props:
            report(
                line, "edge-endpoint-missing", f"edge {key} {pname!r} is not a property of {name}"
            )
            continue
        spec = res.props[pname][1]
        if spec.get("type") != "entity":
            report(line, "edge-endpoint-type", f"edge {key} {name}.{pname} must be entity-typed")
            continue
        target = all_res.get(str(spec.get("range")))
        if target is not None and target.edge is not None:
            report(
                line,
                "edge-endpoint-range",
                f"edge {key} {name}.{pname} ranges over edge type {spec.get('range')!r}; "
                "edge endpoints must be entity (non-edge) types",
            )


def _check_mappings(types: list[RawType], issue: Callable[[RawType, int, str, str], None]) -> None:
    """A STIX or followthemoney name may map to one type only, or lookups are ambiguous."""
    seen: dict[str, str] = {}
    for rtype in types:
        data = rtype.data
        keys: list[tuple[str, str]] = []
        stix = data.get("stix")
        if isinstance(stix, str):
            rel = data.get("stix_relationship")
            keys.append(("stix", f"stix {stix}" + (f"/{rel}" if isinstance(rel, str) else "")))
        keys += [("stix_aliases", f"stix {alias}") for alias in names(data.get("stix_aliases"))]
        if isinstance(data.get("ftm"), str):
            keys.append(("ftm", f"ftm {data['ftm']}"))
        for field, key in keys:
            if key in seen and seen[key] != rtype.name:
                issue(
                    rtype,
                    data.line_of(field),
                    "duplicate-mapping",
                    f"{rtype.name} maps to {key}, already used by {seen[key]}",
                )
            seen.setdefault(key, rtype.name)


def check(raw: RawCatalog) -> list[LintIssue]:
    """All issues of an already-read catalog, sorted by file and line."""
    _check_catalog(raw)
    by_name: dict[str, RawType] = {}
    for rtype in raw.types:
        if rtype.name in by_name:
            first = by_name[rtype.name]
            raw.issue(
                rtype.file,
                rtype.line,
                "duplicate-type",
                f"type {rtype.name!r} is already defined at {first.file}:{first.line}",
            )
        else:
            by_name[rtype.name] = rtype

    def reporter(rtype: RawType) -> Report:
        return lambda line, code, message: raw.issue(rtype.file, line, code, message)

    for rtype in by_name.values():
        _check_type(rtype, by_name, reporter(rtype))
        _check_own_props(rtype, by_name, reporter(rtype))
    for cycle in cycles(by_name):
        first = by_name[cycle[0]]
        raw.issue(
            first.file,
            first.data.line_of("extends"),
            "inheritance-cycle",
            "inheritance cycle among " + " -> ".join(cycle),
        )
    resolved = resolve(by_name)
    for res in resolved.values():
        _check_effective(res, resolved, reporter(res.raw))
    _check_mappings(list(by_name.values()), lambda t, line, c, m: raw.issue(t.file, line, c, m))
    return sorted(set(raw.issues))


def lint_catalog(path: str | Path) -> list[LintIssue]:
    """Every problem in the catalog at ``path`` (its directory or its ``catalog.yaml``)."""
    return check(read_catalog(path))


__all__ = ["LintIssue", "check", "lint_catalog"]
