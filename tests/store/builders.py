"""Small builders for statements in tests (real model objects, no fakes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from intelgraph.model import Labels, Statement, ViewerScope

T0 = datetime(2024, 1, 1, tzinfo=UTC)
PUBLIC = Labels()
SECRET_FIN = Labels.make(classification="SECRET", compartments=["FIN"])
OTHER_TENANT = Labels.make(tenant="acme")

# A mix of label sets and viewers that covers every rule: tenant, clearance,
# compartments held, partly held and not held.
LABEL_MIX = [
    Labels(),
    Labels.make(classification=1),
    Labels.make(classification=2, compartments=["A"]),
    Labels.make(classification=3, compartments=["A", "B"]),
    Labels.make(classification=0, compartments=["B"]),
    Labels.make(tenant="other"),
]
SCOPE_MIX = [
    ViewerScope.make(),
    ViewerScope.make(clearance=1),
    ViewerScope.make(clearance=2, compartments=["A"]),
    ViewerScope.make(clearance=3, compartments=["A", "B"]),
    ViewerScope.make(clearance=3),
    ViewerScope.make(tenant="other", clearance=3, compartments=["A", "B"]),
]

EVERYTHING = ViewerScope.make(clearance="TOP_SECRET", compartments=["FIN", "HUM", "SIG"])
NOBODY_SPECIAL = ViewerScope.make()


def entity(
    entity_id: str,
    schema: str,
    props: Mapping[str, str | Sequence[str]],
    *,
    labels: Labels = PUBLIC,
    source: str = "src-a",
    record: str = "rec-1",
    seen: datetime = T0,
    last_seen: datetime | None = None,
) -> list[Statement]:
    out: list[Statement] = []
    for prop, values in props.items():
        for value in [values] if isinstance(values, str) else values:
            out.append(
                Statement(
                    entity_id=entity_id,
                    schema=schema,
                    prop=prop,
                    value=value,
                    source_id=source,
                    record_id=record,
                    labels=labels,
                    first_seen=seen,
                    last_seen=last_seen,
                )
            )
    return out


def person(entity_id: str, name: str, **kw: object) -> list[Statement]:
    return entity(entity_id, "Person", {"name": name}, **kw)  # type: ignore[arg-type]


def company(entity_id: str, name: str, **kw: object) -> list[Statement]:
    return entity(entity_id, "Company", {"name": name}, **kw)  # type: ignore[arg-type]


def owns(edge_id: str, owner: str, asset: str, **kw: object) -> list[Statement]:
    return entity(edge_id, "Ownership", {"owner": owner, "asset": asset}, **kw)  # type: ignore[arg-type]


def link(edge_id: str, subject: str, obj: str, **kw: object) -> list[Statement]:
    return entity(edge_id, "UnknownLink", {"subject": subject, "object": obj}, **kw)  # type: ignore[arg-type]
