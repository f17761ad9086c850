"""Building a run's Source from a mapping's ``source`` block and command-line options.

Command-line values win over the mapping; anything given nowhere gets the
platform default. Labels are given as ``KEY=VALUE`` pairs (``tenant``,
``classification``, ``compartments`` and ``purposes`` comma-separated,
``residency``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intelgraph.errors import InvalidInput
from intelgraph.ingest.mapping import SourceSpec
from intelgraph.model import Labels, LicenceClass, RetentionTier, Source

LABEL_KEYS = ("tenant", "classification", "compartments", "purposes", "residency")


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """Source metadata from the command line (None: not given)."""

    name: str | None = None
    licence: str | None = None
    retention: str | None = None
    purposes: tuple[str, ...] = ()
    residency: str | None = None
    labels: Sequence[str] = ()
    privacy: Sequence[str] = ()
    description: str | None = None
    extra_labels: Mapping[str, Any] = field(default_factory=dict)


def parse_pairs(pairs: Sequence[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(
                f"{what} {pair!r} is not KEY=VALUE", hint=f"e.g. --{what} tenant=acme"
            )
        out[key.strip()] = value.strip()
    return out


def _split(value: Any) -> list[str]:
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def build_labels(base: Mapping[str, Any], given: Mapping[str, str], default_tenant: str) -> Labels:
    merged: dict[str, Any] = dict(base)
    merged.update(given)
    unknown = sorted(set(merged) - set(LABEL_KEYS))
    if unknown:
        raise InvalidInput(
            f"unknown label {unknown[0]!r}", hint=f"labels are {', '.join(LABEL_KEYS)}"
        )
    return Labels.make(
        tenant=str(merged.get("tenant") or default_tenant),
        classification=merged.get("classification", 0),
        compartments=_split(merged.get("compartments", ())),
        purposes=_split(merged.get("purposes", ())),
        residency=str(merged["residency"]) if merged.get("residency") else None,
    )


def _enum(kind: type[LicenceClass] | type[RetentionTier], value: str | None, what: str) -> Any:
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidInput(f"unknown {what} {value!r}", hint=f"use one of {allowed}") from None


def build_source(
    spec: SourceSpec, options: SourceOptions, *, default_name: str, default_tenant: str
) -> tuple[Source, dict[str, str]]:
    """The Source for a run and its privacy rules (class → keep|token|drop)."""
    labels = build_labels(spec.labels, parse_pairs(options.labels, "label"), default_tenant)
    licence = _enum(LicenceClass, options.licence or spec.licence, "licence class")
    retention = _enum(RetentionTier, options.retention or spec.retention, "retention tier")
    purposes = frozenset(options.purposes or spec.purposes) | labels.purposes
    name = (options.name or spec.name or default_name).strip()
    if not name:
        raise InvalidInput("the source needs a name", hint="pass --source NAME")
    source = Source(
        name=name,
        licence=licence or LicenceClass.OPEN_DATA_OK,
        retention=retention or RetentionTier.STANDARD_365D,
        purposes=purposes,
        residency=options.residency or spec.residency or labels.residency,
        labels=labels,
        description=options.description or spec.description or "",
    )
    privacy = dict(spec.privacy)
    privacy.update(parse_pairs(options.privacy, "privacy"))
    return source, privacy


__all__ = ["LABEL_KEYS", "SourceOptions", "build_labels", "build_source", "parse_pairs"]
