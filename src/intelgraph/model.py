"""Core value types shared by every layer: labels, viewer scopes, sources,
records, statements, entities and judgements.

They are plain frozen dataclasses so that they hash, compare and serialise the
same way everywhere; the store, ingest, ledger and API all speak them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any, NamedTuple

from intelgraph.errors import InvalidInput


class Classification(IntEnum):
    """The default ordered classification scale (a tenant may use its own integers)."""

    UNCLASSIFIED = 0
    CONFIDENTIAL = 1
    SECRET = 2
    TOP_SECRET = 3

    @classmethod
    def parse(cls, value: str | int) -> int:
        """Accept ``2``, ``"2"``, ``"secret"`` or ``"TOP SECRET"``."""
        if isinstance(value, int):
            if value < 0:
                raise InvalidInput(f"classification must be >= 0, got {value}")
            return value
        text = value.strip().upper().replace(" ", "_").replace("-", "_")
        if text.isdigit():
            return int(text)
        try:
            return int(cls[text])
        except KeyError:
            names = ", ".join(member.name for member in cls)
            raise InvalidInput(
                f"unknown classification {value!r}",
                hint=f"use a number or one of {names}",
            ) from None


class LicenceClass(StrEnum):
    MIT_OK = "MIT-OK"
    OPEN_DATA_OK = "Open-Data-OK"
    RESTRICTED_TOS = "Restricted-TOS"
    PROPRIETARY_CLIENT = "Proprietary-Client"
    EMBARGOED = "Embargoed"


class RetentionTier(StrEnum):
    EPHEMERAL_7D = "ephemeral-7d"
    SHORT_30D = "short-30d"
    STANDARD_365D = "standard-365d"
    LONG_1825D = "long-1825d"
    LEGAL_HOLD = "legal-hold"


class Decision(StrEnum):
    SAME = "same"
    NOT_SAME = "not-same"
    UNSURE = "unsure"


def utcnow() -> datetime:
    return datetime.now(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(moment: datetime) -> int:
    """Exact microseconds since the epoch (no float rounding); naive means UTC. How the
    store keeps times, and how ledger leaves carry them."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON bytes (sorted keys, no whitespace, UTF-8) for hashing."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Labels:
    """Who may see a value: tenant, classification, compartments, purposes, residency."""

    tenant: str = "default"
    classification: int = 0
    compartments: frozenset[str] = frozenset()
    purposes: frozenset[str] = frozenset()
    residency: str | None = None
    _hash: int = field(default=0, init=False, repr=False, compare=False)
    _key: str = field(default="", init=False, repr=False, compare=False)

    def __hash__(self) -> int:
        return self._hash

    def __post_init__(self) -> None:
        if not self.tenant or not isinstance(self.tenant, str):
            raise InvalidInput("labels need a non-empty tenant")
        if not isinstance(self.classification, int) or self.classification < 0:
            raise InvalidInput(
                f"classification must be a non-negative integer, got {self.classification!r}"
            )
        if not isinstance(self.compartments, frozenset) or not isinstance(self.purposes, frozenset):
            raise InvalidInput(
                "compartments and purposes must be frozensets", hint="use Labels.make(...)"
            )
        for name in self.compartments | self.purposes:
            if not isinstance(name, str) or not name or "," in name or name != name.strip():
                raise InvalidInput(
                    f"invalid compartment or purpose name {name!r}",
                    hint="names are non-empty and contain no commas or surrounding spaces",
                )
        identity = (
            self.tenant,
            self.classification,
            self.compartments,
            self.purposes,
            self.residency,
        )
        # Computed once: label sets are hashed and keyed for every statement of a load.
        object.__setattr__(self, "_hash", hash(identity))
        object.__setattr__(self, "_key", canonical_json(self.to_dict()).decode())

    @classmethod
    def make(
        cls,
        tenant: str = "default",
        classification: int | str = 0,
        compartments: Iterable[str] = (),
        purposes: Iterable[str] = (),
        residency: str | None = None,
    ) -> Labels:
        return cls(
            tenant=tenant,
            classification=Classification.parse(classification),
            compartments=frozenset(compartments),
            purposes=frozenset(purposes),
            residency=residency,
        )

    def key(self) -> str:
        """A canonical string naming this label set (used to intern label sets)."""
        return self._key

    def to_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "classification": self.classification,
            "compartments": sorted(self.compartments),
            "purposes": sorted(self.purposes),
            "residency": self.residency,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Labels:
        return cls.make(
            tenant=str(data.get("tenant", "default")),
            classification=data.get("classification", 0),
            compartments=data.get("compartments", ()),
            purposes=data.get("purposes", ()),
            residency=data.get("residency"),
        )


@dataclass(frozen=True, slots=True)
class ViewerScope:
    """What a reader may see: enforced in SQL on every read path.

    ``purposes`` is the request's purpose as policy compiled it: ``None`` for a
    trusted internal reader (no purpose rule), an empty set for a request whose
    purpose the principal does not hold (only purpose-neutral data is visible),
    else the one purpose. The policy package builds scopes from principals
    (``intelgraph.policy.scope_for``); the rule here mirrors its Cedar policies,
    which a differential test checks.
    """

    tenant: str
    clearance: int
    compartments: frozenset[str] = frozenset()
    purposes: frozenset[str] | None = None

    @classmethod
    def make(
        cls,
        tenant: str = "default",
        clearance: int | str = 0,
        compartments: Iterable[str] = (),
        purposes: Iterable[str] | None = None,
    ) -> ViewerScope:
        return cls(
            tenant,
            Classification.parse(clearance),
            frozenset(compartments),
            None if purposes is None else frozenset(purposes),
        )

    def can_see(self, labels: Labels) -> bool:
        return (
            labels.tenant == self.tenant
            and labels.classification <= self.clearance
            and labels.compartments <= self.compartments
            and (
                self.purposes is None
                or not labels.purposes
                or not labels.purposes.isdisjoint(self.purposes)
            )
        )


@dataclass(frozen=True, slots=True)
class Source:
    """A named origin of data with its licence, retention and default labels."""

    name: str
    licence: LicenceClass = LicenceClass.OPEN_DATA_OK
    retention: RetentionTier = RetentionTier.STANDARD_365D
    purposes: frozenset[str] = frozenset()
    residency: str | None = None
    labels: Labels = field(default_factory=Labels)
    description: str = ""

    @property
    def id(self) -> str:
        return source_id(self.labels.tenant, self.name)


def source_id(tenant: str, name: str) -> str:
    return "src-" + sha256_hex(canonical_json([tenant, name]))[:24]


@dataclass(frozen=True, slots=True)
class Record:
    """One raw unit read from a source, stored by the SHA-256 of its canonical bytes."""

    source_id: str
    content: bytes
    uri: str
    location: str = ""
    run_id: str | None = None
    labels: Labels = field(default_factory=Labels)
    media_type: str = "application/json"

    @property
    def id(self) -> str:
        return sha256_hex(self.content)


def statement_id(
    entity_id: str, prop: str, value: str, source_id: str, record_id: str, labels: Labels
) -> str:
    """Content hash of a statement: the same assertion from the same record under the
    same labels has one id; re-labelled data is a new statement, so history is kept.

    The fields are joined with NUL, which the store refuses inside any of them (and
    the labels key is JSON, which escapes it), so the encoding is unambiguous and
    several times cheaper than JSON on the bulk path.
    """
    content = "\x00".join((entity_id, prop, value, source_id, record_id, labels.key()))
    return hashlib.sha256(content.encode()).hexdigest()[:40]


class Statement(NamedTuple):
    """One value of one property of one entity, asserted by one record.

    A named tuple rather than a dataclass: millions are made on the bulk path.
    When it was observed is part of its provenance, so ``first_seen`` is required;
    ``last_seen`` defaults to ``first_seen``.
    """

    entity_id: str
    schema: str
    prop: str
    value: str
    source_id: str
    record_id: str
    labels: Labels
    first_seen: datetime
    last_seen: datetime | None = None
    run_id: str | None = None

    @property
    def id(self) -> str:
        return statement_id(
            self.entity_id, self.prop, self.value, self.source_id, self.record_id, self.labels
        )


@dataclass(frozen=True, slots=True)
class StoredStatement:
    """A statement as read back from the store, with its id and observation window."""

    id: str
    entity_id: str
    schema: str
    prop: str
    value: str
    source_id: str
    record_id: str
    labels: Labels
    first_seen: datetime
    last_seen: datetime
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """The projection of the statements a viewer may see about one id."""

    id: str
    schema: str
    properties: Mapping[str, Sequence[str]]
    labels: tuple[Labels, ...]
    caption: str
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    statements: tuple[StoredStatement, ...] = ()
    records: Mapping[str, Record] = field(default_factory=dict)  # cited records by id
    source_id: str | None = None  # edge endpoints (None for nodes)
    target_id: str | None = None
    # Properties withheld from this viewer by policy (property → why): the value is
    # absent, never shown, and so are the statements and records that carry it.
    redactions: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_edge(self) -> bool:
        return self.source_id is not None

    def first(self, prop: str) -> str | None:
        values = self.properties.get(prop)
        return values[0] if values else None


@dataclass(frozen=True, slots=True)
class Judgement:
    """An entity-resolution decision between two ids, with who, when and why."""

    left_id: str
    right_id: str
    decision: Decision
    author: str
    reason: str = ""
    tenant: str = "default"
    created_at: datetime = field(default_factory=utcnow)

    @property
    def id(self) -> str:
        a, b = sorted((self.left_id, self.right_id))
        return sha256_hex(canonical_json([self.tenant, a, b, self.created_at.isoformat()]))[:32]


__all__ = [
    "Classification",
    "Decision",
    "Entity",
    "Judgement",
    "Labels",
    "LicenceClass",
    "Record",
    "RetentionTier",
    "Source",
    "Statement",
    "StoredStatement",
    "ViewerScope",
    "canonical_json",
    "from_us",
    "sha256_hex",
    "source_id",
    "statement_id",
    "to_us",
    "utcnow",
]
