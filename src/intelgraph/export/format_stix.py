"""The ``stix`` export format: one STIX 2.1 bundle, ``stix/bundle.json``.

Types and fields come from the catalog, read the other way round from how
``intelgraph.ingest.stix`` reads them: a type's ``stix`` name is the object type
(``IPAddress`` becomes ``ipv6-addr`` for an IPv6 value), each property's ``stix``
name the field it fills (dotted names build ``external_references`` entries and
``hashes``; entity properties become ``*_ref``/``*_refs`` pointing at objects of
the bundle). Values are typed by the property type: booleans, numbers, and
timestamps (``YYYY-MM-DDTHH:MM:SS.sssZ``).

- Edges become ``relationship`` objects: ``relationship_type`` from the type's
  ``stix_relationship`` (or its ``relationshipType`` value), else the edge label
  in kebab case (``Ownership`` → ``owns``); a ``Sighting`` whose ends STIX allows
  becomes a ``sighting``. Edges with an endpoint outside the export are left out.
- Types without a STIX equivalent (``Person``, ``Company``, …), and objects that
  lack a field STIX requires of their type, become ``x-intelgraph-entity`` custom
  objects carrying every property, rather than being dropped.
- Ids: the object's own STIX id when the entity came from STIX (its ``stixId``,
  the property the catalog maps to ``id``) and it still has that type; otherwise
  ``<type>--<uuid5(STIX_NAMESPACE, entity id)>``. The bundle id is
  ``bundle--<uuid5(STIX_NAMESPACE, sorted entity ids as canonical JSON)>``.
- ``created``/``modified``: the object's own STIX times where it carries them
  (``createdAt``/``modifiedAt``), else the entity's first and last seen (else the
  span of its statements).
- Every object carries ``x_intelgraph_id``, ``x_intelgraph_schema``,
  ``x_intelgraph_labels`` (``Labels.to_dict()`` each) and, for properties no STIX
  field holds completely, ``x_intelgraph_properties`` (property → values).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intelgraph.export.formats import (
    ExportData,
    property_names,
    schema_of,
    split_graph,
    utc,
    write_file,
)
from intelgraph.model import Entity, Labels, StoredStatement, canonical_json
from intelgraph.ontology.schema import Property, Schema

if TYPE_CHECKING:
    from intelgraph.ontology import Ontology

STIX_NAMESPACE = uuid.UUID("cd313e44-dd72-5942-9480-b8d87a4e6700")
"""uuid5(NAMESPACE_URL, "https://intelgraph.dev/ns/export/stix"): fixed forever,
so an entity keeps its STIX id from one export to the next."""

CUSTOM_TYPE = "x-intelgraph-entity"
SPEC_VERSION = "2.1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SCO_TYPES = frozenset(
    {
        "artifact", "autonomous-system", "directory", "domain-name", "email-addr",
        "email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex",
        "network-traffic", "process", "software", "url", "user-account",
        "windows-registry-key", "x509-certificate",
    }
)  # fmt: skip
_NOT_NODES = frozenset({"relationship", "sighting", "bundle", "marking-definition"})

# STIX (and ATT&CK) fields that hold a list; every other field holds one value.
_LIST_FIELDS = frozenset(
    {
        "aliases", "labels", "roles", "goals", "sectors", "secondary_motivations",
        "threat_actor_types", "malware_types", "tool_types", "indicator_types",
        "infrastructure_types", "report_types", "architecture_execution_envs",
        "implementation_languages", "capabilities", "authors", "kill_chain_phases",
        "x_mitre_domains", "x_mitre_platforms", "x_mitre_contributors",
        "x_mitre_data_sources", "x_mitre_permissions_required",
        "x_mitre_effective_permissions", "x_mitre_defense_bypassed",
        "x_mitre_system_requirements", "x_mitre_impact_type", "x_mitre_collection_layers",
        "x_mitre_log_sources", "x_mitre_log_source_references", "x_mitre_mutable_elements",
        "x_mitre_sectors", "x_mitre_related_assets",
    }
)  # fmt: skip

# Fields STIX 2.1 requires per type (each group: at least one of its fields).
_REQUIRED: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "attack-pattern": (("name",),),
    "campaign": (("name",),),
    "course-of-action": (("name",),),
    "grouping": (("context",), ("object_refs",)),
    "identity": (("name",),),
    "indicator": (("pattern",), ("pattern_type",), ("valid_from",)),
    "infrastructure": (("name",),),
    "intrusion-set": (("name",),),
    "location": (("region", "country", "latitude"),),
    "malware": (("is_family",),),
    "note": (("content",), ("object_refs",)),
    "report": (("name",), ("published",), ("object_refs",)),
    "threat-actor": (("name",),),
    "tool": (("name",),),
    "vulnerability": (("name",),),
    "autonomous-system": (("number",),),
    "domain-name": (("value",),),
    "email-addr": (("value",),),
    "file": (("hashes", "name"),),
    "ipv4-addr": (("value",),),
    "ipv6-addr": (("value",),),
    "url": (("value",),),
}
_RESERVED = frozenset({"type", "id", "spec_version"})  # fields no property may set
_NAMED = frozenset(t for t, groups in _REQUIRED.items() if ("name",) in groups)

_STIX_ID = re.compile(r"([a-z0-9][a-z0-9-]*)--[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_KEBAB = re.compile(r"[^a-z0-9]+")
_ATTACK_ID = re.compile(r"(?:T\d{4}(?:\.\d{3})?|TA\d{4}|G\d{4}|S\d{4}|M\d{4}|DS\d{4}|C\d{4})")


def write_stix(data: ExportData, out_dir: Path) -> list[str]:
    bundle = stix_bundle(data)
    text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
    return [write_file(out_dir, "stix/bundle.json", text)]


def stix_bundle(data: ExportData) -> dict[str, Any]:
    """The export as a STIX 2.1 bundle (a dict ready for ``json.dumps``)."""
    nodes, edges = split_graph(data.entities)
    windows = _windows(data.statements, data.entities)
    known = {e.id for e in nodes} | {e.id for e in edges}
    built: list[tuple[Entity, dict[str, Any]]] = []
    types: dict[str, str] = {}
    for entity in nodes:
        obj = _node(entity, data.ontology, known, windows)
        types[entity.id] = obj["type"]
        built.append((entity, obj))
    for entity in edges:
        built.append((entity, _edge(entity, data.ontology, types, known, windows)))
    ids: dict[str, str] = {}
    used: set[str] = set()
    for entity, obj in built:
        schema = schema_of(data.ontology, entity.schema)
        ids[entity.id] = _stix_id(entity, schema, obj["type"], used)
        own = _own_stix_ids(entity, schema)
        if own and own != [ids[entity.id]] and obj["type"] != CUSTOM_TYPE:
            obj["x_intelgraph_properties"]["stixId"] = own  # kept where the id is not it
    every = sorted({e.id for e in data.entities})
    bundle: dict[str, Any] = {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid5(STIX_NAMESPACE, canonical_json(every).decode())}",
    }
    objects = [_finish(obj, ids[entity.id], ids) for entity, obj in built]
    if objects:  # STIX forbids empty lists; an empty bundle has no "objects"
        bundle["objects"] = objects
    return bundle


# -- nodes and edges ---------------------------------------------------------------------


def _node_type(entity: Entity, schema: Schema | None) -> str | None:
    if schema is None or not schema.stix or schema.stix in _NOT_NODES:
        return None
    if schema.stix == "ipv4-addr" and "ipv6-addr" in schema.stix_aliases:
        value = entity.first("value") or ""
        return "ipv6-addr" if ":" in value else "ipv4-addr"
    return schema.stix


def _node(entity: Entity, ontology: Ontology, known: set[str], windows: _Windows) -> dict[str, Any]:
    schema = schema_of(ontology, entity.schema)
    stix_type = _node_type(entity, schema)
    if schema is not None and stix_type is not None:
        obj = _mapped(entity, schema, {"type": stix_type}, known)
        if stix_type not in SCO_TYPES:
            _times(obj, entity, windows)
        _defaults(obj, entity)
        if _complete(obj):
            return obj
    obj = {"type": CUSTOM_TYPE, "name": entity.caption}
    obj["x_intelgraph_properties"] = _all_properties(entity)
    _times(obj, entity, windows)
    return _common(obj, entity)


def _edge(
    entity: Entity,
    ontology: Ontology,
    types: Mapping[str, str],
    known: set[str],
    windows: _Windows,
) -> dict[str, Any]:
    schema = schema_of(ontology, entity.schema)
    source, target = entity.source_id or "", entity.target_id or ""
    sighting = (
        schema is not None
        and schema.stix == "sighting"
        and types[source] not in SCO_TYPES
        and types[target] in ("identity", "location")
    )
    obj: dict[str, Any]
    if sighting:
        obj = {"type": "sighting", "sighting_of_ref": source, "where_sighted_refs": [target]}
    else:
        obj = {"type": "relationship", "source_ref": source, "target_ref": target}
    if schema is not None:
        _mapped(entity, schema, obj, known)
    else:
        obj["x_intelgraph_properties"] = _all_properties(entity)
    if not sighting:
        if schema is not None and schema.stix == "relationship" and schema.stix_relationship:
            default = schema.stix_relationship
        else:
            default = (schema.edge_label or schema.name) if schema is not None else entity.schema
        kind = obj.get("relationship_type") or default
        obj["relationship_type"] = _KEBAB.sub("-", str(kind).lower()).strip("-") or "related-to"
    _times(obj, entity, windows)
    return _common(obj, entity)


def _all_properties(entity: Entity) -> dict[str, list[str]]:
    return {name: list(entity.properties[name]) for name in property_names(entity)}


def _mapped(entity: Entity, schema: Schema, obj: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """Fill ``obj`` from the entity's properties through their catalog ``stix`` names;
    what no field holds completely goes to ``x_intelgraph_properties``."""
    extra: dict[str, list[str]] = {}
    observable = obj["type"] in SCO_TYPES
    endpoints = {schema.edge_source, schema.edge_target} if schema.is_edge else set()
    for name in property_names(entity):
        values = list(entity.properties[name])
        prop = schema.properties.get(name)
        if prop is None or prop.stix is None or name in endpoints:
            if name not in endpoints or obj["type"] not in ("relationship", "sighting"):
                extra[name] = values
            continue
        if prop.stix == "id":
            continue  # the object's id, settled by _stix_id
        # An observable has none of the SDO common fields its catalog parents map.
        if (observable and prop.schema != schema.name) or not _put(obj, prop, values, known):
            extra[name] = values
    obj["x_intelgraph_properties"] = extra
    return _common(obj, entity)


def _common(obj: dict[str, Any], entity: Entity) -> dict[str, Any]:
    obj["x_intelgraph_id"] = entity.id
    obj["x_intelgraph_schema"] = entity.schema
    obj["x_intelgraph_labels"] = [
        label.to_dict() for label in sorted(entity.labels, key=Labels.key)
    ]
    return obj


def _defaults(obj: dict[str, Any], entity: Entity) -> None:
    """Required fields that follow from what the entity has."""
    kind = obj["type"]
    if kind in _NAMED and "name" not in obj:
        obj["name"] = entity.caption
    if kind == "indicator" and str(obj.get("pattern", "")).startswith("["):
        obj.setdefault("pattern_type", "stix")
    if kind == "indicator" and "created" in obj:
        obj.setdefault("valid_from", obj["created"])
    if kind == "malware":
        obj.setdefault("is_family", False)
    if kind == "grouping":
        obj.setdefault("context", "unspecified")
    if kind == "report" and "created" in obj:
        obj.setdefault("published", obj["created"])


def _complete(obj: Mapping[str, Any]) -> bool:
    for group in _REQUIRED.get(obj["type"], ()):
        if not any(obj.get(field) not in (None, "", [], {}) for field in group):
            return False
    # A location given by coordinates needs both of them.
    return obj["type"] != "location" or ("latitude" in obj) == ("longitude" in obj)


# -- property values ---------------------------------------------------------------------


def _put(obj: dict[str, Any], prop: Property, values: Sequence[str], known: set[str]) -> bool:
    """Set ``prop``'s STIX field from ``values``; True when every value found a place."""
    field = prop.stix or ""
    if field in _RESERVED:
        return False
    if prop.type.name == "entity":
        refs = [v for v in values if v in known]
        if field.endswith("_refs"):
            _extend(obj, field, refs)
            return len(refs) == len(values)
        if not field.endswith("_ref") or field in obj or not refs:
            return False
        obj[field] = refs[0]
        return len(values) == 1
    converted = [_typed(prop.type.name, v) for v in values]
    ok = [c for c in converted if c is not None]
    complete = len(ok) == len(values)
    head, _, rest = field.partition(".")
    if head == "external_references" and rest:
        _extend(obj, head, [{"source_name": _reference_source(str(v)), rest: v} for v in ok])
        return complete
    if head == "kill_chain_phases":
        phases = [_phase(str(v)) for v in ok]
        _extend(obj, head, [p for p in phases if p is not None])
        return complete and None not in phases
    if rest:  # e.g. hashes.SHA-256
        container = obj.setdefault(head, {})
        if not isinstance(container, dict) or rest in container or not ok:
            return False
        container[rest] = ok[0]
        return complete and len(ok) == 1
    if field in _LIST_FIELDS:
        _extend(obj, field, ok)
        return complete
    if field in obj or not ok:
        return False
    obj[field] = ok[0]
    return complete and len(ok) == 1


def _extend(obj: dict[str, Any], field: str, items: Sequence[Any]) -> None:
    current = obj.setdefault(field, [])
    current.extend(item for item in items if item not in current)


def _typed(kind: str, value: str) -> Any:
    """A value as STIX types it; None when it cannot be (it then stays a property)."""
    if kind == "boolean":
        return {"true": True, "false": False}.get(value.strip().lower())
    if kind == "number":
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        if number == number.to_integral_value() and number.adjusted() < 18:
            return int(number)
        as_float = float(number)
        return as_float if math.isfinite(as_float) else None
    if kind == "date":
        when = parse_date(value)
        return stamp(when) if when is not None else None
    return value


def _reference_source(external_id: str) -> str:
    if re.fullmatch(r"CVE-\d{4}-\d+", external_id, re.IGNORECASE):
        return "cve"
    if re.fullmatch(r"CAPEC-\d+", external_id, re.IGNORECASE):
        return "capec"
    if _ATTACK_ID.fullmatch(external_id):
        return "mitre-attack"
    return "external"


def _phase(value: str) -> dict[str, str] | None:
    chain, sep, phase = value.partition(":")
    if not sep or not chain.strip() or not phase.strip():
        return None
    return {"kill_chain_name": chain.strip(), "phase_name": phase.strip()}


# -- times and ids -----------------------------------------------------------------------

_Windows = dict[str, tuple[datetime, datetime]]


def _windows(statements: Sequence[StoredStatement], entities: Sequence[Entity]) -> _Windows:
    """The observation span of each entity's statements."""
    spans: _Windows = {}
    every = [*statements, *(s for e in entities for s in e.statements)]
    for s in every:
        first, last = utc(s.first_seen), utc(s.last_seen)
        old = spans.get(s.entity_id)
        spans[s.entity_id] = (min(old[0], first), max(old[1], last)) if old else (first, last)
    return spans


def _times(obj: dict[str, Any], entity: Entity, windows: _Windows) -> None:
    span = windows.get(entity.id)
    first = entity.first_seen or (span[0] if span else None) or _EPOCH
    last = entity.last_seen or (span[1] if span else None) or first
    obj.setdefault("created", stamp(first))
    obj.setdefault("modified", stamp(last))
    if obj["modified"] < obj["created"]:  # same fixed format: text order is time order
        obj["modified"] = obj["created"]


def parse_date(text: str) -> datetime | None:
    """A catalog date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD[THH:MM[:SS]]``, or any ISO
    8601 form Python reads) as a UTC datetime; None when it is not one."""
    value = text.strip()
    if re.fullmatch(r"\d{4}", value):
        value += "-01-01"
    elif re.fullmatch(r"\d{4}-\d{2}", value):
        value += "-01"
    try:
        return utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError):  # not a date, or one that leaves years 1-9999 in UTC
        return None


def stamp(when: datetime) -> str:
    """STIX timestamp: UTC, milliseconds, ``Z``."""
    w = utc(when)
    return (
        f"{w.year:04d}-{w.month:02d}-{w.day:02d}T{w.hour:02d}:{w.minute:02d}:{w.second:02d}"
        f".{w.microsecond // 1000:03d}Z"
    )


def _own_stix_ids(entity: Entity, schema: Schema | None) -> list[str]:
    """The STIX ids the entity carries (values of the property the catalog maps to ``id``)."""
    names = [p.name for p in schema.properties.values() if p.stix == "id"] if schema else []
    return [v for name in names or ["stixId"] for v in entity.properties.get(name, ())]


def _stix_id(entity: Entity, schema: Schema | None, kind: str, used: set[str]) -> str:
    for value in _own_stix_ids(entity, schema):
        match = _STIX_ID.fullmatch(value.strip())
        if match and match.group(1) == kind and value.strip() not in used:
            used.add(value.strip())
            return value.strip()
    seed, n = entity.id, 0
    while (candidate := f"{kind}--{uuid.uuid5(STIX_NAMESPACE, seed)}") in used:
        n += 1  # the same entity id twice in one export: still distinct, still stable
        seed = f"{entity.id}#{n}"
    used.add(candidate)
    return candidate


def _finish(obj: dict[str, Any], stix_id: str, ids: Mapping[str, str]) -> dict[str, Any]:
    """References turned into STIX ids, fields in a fixed order, empties dropped."""
    body: dict[str, Any] = {}
    for key, value in obj.items():
        if key.endswith("_ref") and isinstance(value, str):
            value = ids.get(value)
        elif key.endswith("_refs") and isinstance(value, list):
            value = [ids[v] for v in value if v in ids]
        if value in ([], {}, None):
            continue  # STIX forbids empty lists
        body[key] = value
    extra = body.get("x_intelgraph_properties")
    if extra:
        body["x_intelgraph_properties"] = {k: extra[k] for k in sorted(extra)}
    head = {"type": body.pop("type"), "spec_version": SPEC_VERSION, "id": stix_id}
    for key in ("created", "modified"):
        if key in body:
            head[key] = body.pop(key)
    return head | {k: body[k] for k in sorted(body)}


__all__ = ["CUSTOM_TYPE", "SCO_TYPES", "STIX_NAMESPACE", "stix_bundle", "write_stix"]
