"""Analyst claims: a statement entered by a person, with a justification and evidence.

A claim takes the same path as ingested data: its justification (and the hash of
its evidence file) is a record, the evidence file is a record of its own, the
statement cites the claim record, and the batch is logged as a ``claim`` leaf in
the same transaction. ``intelgraph ledger prove`` therefore works for claims
exactly as for ingested statements.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime

from intelgraph.errors import InvalidInput, InvalidValue
from intelgraph.ledger.leaves import BatchLeaf
from intelgraph.model import (
    Labels,
    LicenceClass,
    Record,
    RetentionTier,
    Source,
    Statement,
    ViewerScope,
    canonical_json,
    utcnow,
)
from intelgraph.store import Store

MAX_EVIDENCE = 64 << 20
MAX_JUSTIFICATION = 10_000
CLAIM_MEDIA_TYPE = "application/vnd.intelgraph.claim+json"


@dataclass(frozen=True, slots=True)
class Claim:
    author: str
    entity_id: str
    prop: str
    value: str
    justification: str
    evidence: bytes | None = None
    evidence_name: str | None = None
    classification: int | str | None = None  # default: the entity's highest
    compartments: tuple[str, ...] | None = None  # default: all of the entity's


@dataclass(frozen=True, slots=True)
class ClaimResult:
    statement_id: str
    entity_id: str
    record_id: str
    evidence_id: str | None
    source_id: str
    value: str
    new: bool


def analyst_source(author: str, tenant: str) -> Source:
    """One source per analyst and tenant: who said it is part of the provenance."""
    return Source(
        name=f"analyst:{author}",
        licence=LicenceClass.PROPRIETARY_CLIENT,
        retention=RetentionTier.LONG_1825D,
        labels=Labels.make(tenant=tenant),
        description=f"claims entered by {author}",
    )


def assert_claim(
    store: Store, scope: ViewerScope, claim: Claim, *, at: datetime | None = None
) -> ClaimResult:
    """Store and log one claim about an entity the analyst can see."""
    author = claim.author.strip()
    justification = claim.justification.strip()
    if not author:
        raise InvalidInput("a claim needs its author")
    if not justification:
        raise InvalidInput(
            "a claim needs a justification", hint="say why you assert it: --justification TEXT"
        )
    if len(justification) > MAX_JUSTIFICATION:
        raise InvalidInput(f"the justification is longer than {MAX_JUSTIFICATION} characters")
    if claim.evidence is not None and len(claim.evidence) > MAX_EVIDENCE:
        raise InvalidInput(
            f"the evidence file is larger than {MAX_EVIDENCE >> 20} MiB",
            hint="store large files elsewhere and cite them by hash in the justification",
        )
    entity = store.entity(scope, claim.entity_id, with_statements=False)
    prop = store.ontology.property(entity.schema, claim.prop)
    try:
        value = prop.normalize(claim.value)
    except InvalidValue as exc:
        raise InvalidInput(f"{entity.schema}.{claim.prop}: {exc.message}", hint=exc.hint) from None
    labels = _labels(scope, entity.labels, claim)
    source = analyst_source(author, scope.tenant)
    moment = at or utcnow()
    evidence: Record | None = None
    evidence_id: str | None = None
    evidence_ref: dict[str, object] | None = None
    if claim.evidence is not None:
        name = claim.evidence_name or "evidence"
        evidence = Record(
            source_id=source.id,
            content=claim.evidence,
            uri=f"claim-evidence:{name}",
            location=name,
            labels=labels,
            media_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        )
        evidence_id = evidence.id  # a record's id hashes its content (up to MAX_EVIDENCE): once
        evidence_ref = {"sha256": evidence_id, "name": name, "size": len(claim.evidence)}
    body = {
        "type": "analyst-claim",
        "author": author,
        "justification": justification,
        "entity_id": entity.id,
        "schema": entity.schema,
        "prop": claim.prop,
        "value": value,
        "evidence": evidence_ref,
        "at": moment.isoformat(),
    }
    record = Record(
        source_id=source.id,
        content=canonical_json(body),
        uri=f"claim:{author}",
        location=moment.isoformat(),
        labels=labels,
        media_type=CLAIM_MEDIA_TYPE,
    )
    records = [record] if evidence is None else [record, evidence]
    statement = Statement(
        entity_id=entity.id,
        schema=entity.schema,
        prop=claim.prop,
        value=value,
        source_id=source.id,
        record_id=record.id,
        labels=labels,
        first_seen=moment,
    )
    store.put_source(source)
    leaf = BatchLeaf(
        "claim",
        {
            "author": author,
            "source": source.id,
            "justification_sha256": hashlib.sha256(justification.encode()).hexdigest(),
        },
        moment,
    )
    result = store.write([statement], records, leaf=leaf)
    return ClaimResult(
        statement_id=statement.id,
        entity_id=entity.id,
        record_id=record.id,
        evidence_id=evidence_id,
        source_id=source.id,
        value=value,
        new=result.statements_new > 0,
    )


def _labels(scope: ViewerScope, existing: tuple[Labels, ...], claim: Claim) -> Labels:
    """The claim's labels: by default as high as the entity's, never above the analyst."""
    classification = (
        claim.classification
        if claim.classification is not None
        else max((label.classification for label in existing), default=0)
    )
    compartments = (
        claim.compartments
        if claim.compartments is not None
        else sorted({c for label in existing for c in label.compartments})
    )
    labels = Labels.make(
        tenant=scope.tenant, classification=classification, compartments=compartments
    )
    if not scope.can_see(labels):
        raise InvalidInput(
            "you cannot label a claim above your own clearance or outside your compartments",
            hint="lower --classification or drop compartments you do not hold",
        )
    return labels


__all__ = ["CLAIM_MEDIA_TYPE", "Claim", "ClaimResult", "analyst_source", "assert_claim"]
