"""Build a signed export bundle for one viewer, and log the export in the ledger.

Everything read goes through the viewer's scope, so nothing above their
clearance or outside their compartments can leave. Each source of the data is
decided by an :class:`ExportGuard`: for a principal, the access layer's (Cedar:
licence, authority binding, token scope; private values withheld); for trusted
library callers that pass only a scope, :class:`LicenceGate` (``Embargoed`` and
``Restricted-TOS`` sources need a named authority, which is recorded).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.export import bundle
from intelgraph.export.formats import FORMATS, ExportData, write_format
from intelgraph.ledger.leaves import LedgerEntry, entry
from intelgraph.model import (
    Entity,
    LicenceClass,
    Source,
    StoredStatement,
    ViewerScope,
    statement_id,
    utcnow,
)

if TYPE_CHECKING:
    from intelgraph.ledger.service import Ledger
    from intelgraph.store import Store

RESTRICTED_LICENCES = frozenset({LicenceClass.EMBARGOED, LicenceClass.RESTRICTED_TOS})
SELECTIONS = ("entities", "search", "subgraph")
_CHUNK = 10_000  # PostgreSQL plans the visibility filter once per query: fewer, larger reads


class ExportRefused(IntelGraphError):
    """Policy forbids this export (licence, authority)."""

    code = "export_refused"


class ExportGuard(Protocol):
    """The policy decision point as an export sees it (the access layer provides it)."""

    def source_allowed(self, source_id: str, source: Source) -> tuple[bool, list[str]]:
        """May this source's data leave? With the policies that decided."""
        ...

    def redact(self, entities: list[Entity]) -> list[Entity]:
        """The entities without the properties (and their statements) policy withholds."""
        ...


@dataclass(frozen=True, slots=True)
class LicenceGate:
    """The guard of a trusted caller with no principal: restrictive licences need a
    named authority, recorded in the manifest and the ledger; nothing is redacted."""

    authority: str | None

    def source_allowed(self, source_id: str, source: Source) -> tuple[bool, list[str]]:
        if source.licence not in RESTRICTED_LICENCES:
            return True, ["licence-open"]
        if self.authority is None or not self.authority.strip():
            return False, ["restricted-export"]
        return True, ["recorded-authority"]

    def redact(self, entities: list[Entity]) -> list[Entity]:
        return entities


@dataclass(frozen=True, slots=True)
class Selection:
    kind: str
    ids: tuple[str, ...] = ()
    query: str | None = None
    hops: int = 1
    limit: int = 10_000

    def __post_init__(self) -> None:
        if self.kind not in SELECTIONS:
            raise InvalidInput(
                f"unknown selection {self.kind!r}", hint="entities, search, subgraph"
            )
        if self.kind == "search" and not (self.query or "").strip():
            raise InvalidInput("a search selection needs a query")
        if self.kind != "search" and not self.ids:
            raise InvalidInput(f"a {self.kind} selection needs at least one entity id")
        if not 0 <= self.hops <= 6:
            raise InvalidInput("hops must be between 0 and 6")
        if not 1 <= self.limit <= 1_000_000:
            raise InvalidInput("limit must be between 1 and 1,000,000")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "limit": self.limit}
        if self.kind == "search":
            out["query"] = self.query
        else:
            out["ids"] = list(self.ids)
        if self.kind == "subgraph":
            out["hops"] = self.hops
        return out


@dataclass(frozen=True, slots=True)
class ExportRequest:
    selection: Selection
    format: str
    scope: ViewerScope
    requester: str
    purpose: str | None = None
    authority: str | None = None
    guard: ExportGuard | None = None  # a principal's (Cedar); default: LicenceGate(authority)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise InvalidInput(
                f"unknown export format {self.format!r}", hint=f"use one of {', '.join(FORMATS)}"
            )


@dataclass(frozen=True, slots=True)
class ExportResult:
    archive: bytes
    manifest_sha256: str
    entities: int
    edges: int
    statements: int
    batches: int
    leaf_index: int
    checkpoint_size: int
    decisions: list[dict[str, Any]] = field(default_factory=list)


class Exporter:
    def __init__(self, store: Store, ledger: Ledger) -> None:
        self.store = store
        self.ledger = ledger

    def export(self, request: ExportRequest) -> ExportResult:
        """Build, sign and log the bundle; a refusal is logged too, then raised."""
        try:
            return self._export(request)
        except ExportRefused as exc:
            self.ledger.record(self._leaf(request, outcome="refused", reason=exc.message))
            raise

    def _leaf(self, request: ExportRequest, **fields: Any) -> LedgerEntry:
        selection = bundle.manifest_bytes(request.selection.to_dict())
        return entry(
            "export",
            {
                "requester": request.requester,
                "purpose": request.purpose,
                "authority": request.authority,
                "format": request.format,
                "selection_sha256": hashlib.sha256(selection).hexdigest(),
                **fields,
            },
            at=utcnow(),
        )

    def _export(self, request: ExportRequest) -> ExportResult:
        guard = request.guard or LicenceGate(request.authority)
        entities = guard.redact(self._entities(request))
        statements = sorted(
            (s for e in entities for s in e.statements), key=lambda s: (s.entity_id, s.id)
        )
        _check_ids(statements)
        if not statements:
            raise InvalidInput(
                "the selection matched nothing you may see",
                hint="check the ids or query, and your clearance and compartments",
            )
        sources = {sid: self.store.source(sid) for sid in sorted({s.source_id for s in statements})}
        decisions = self._decisions(request, guard, sources)
        checkpoint = self.ledger.checkpoint()
        batches = self._proofs(statements, checkpoint.size)
        records = self.store.records(request.scope, [s.record_id for s in statements])
        files = self._files(request, entities, statements, records, sources)
        edges = sum(1 for e in entities if e.is_edge)
        manifest = {
            "format": bundle.BUNDLE_FORMAT,
            "version": bundle.BUNDLE_VERSION,
            "created": utcnow().isoformat(),
            "exporter": bundle.exporter(),
            "data_format": request.format,
            "selection": request.selection.to_dict(),
            "requester": request.requester,
            "purpose": request.purpose,
            "authority": request.authority,
            "viewer": {
                "tenant": request.scope.tenant,
                "clearance": request.scope.clearance,
                "compartments": sorted(request.scope.compartments),
                "purposes": None
                if request.scope.purposes is None
                else sorted(request.scope.purposes),
            },
            "redactions": {e.id: sorted(e.redactions) for e in entities if e.redactions},
            "policy": {"decisions": decisions},
            "counts": {
                "entities": len(entities) - edges,
                "edges": edges,
                "statements": len(statements),
                "records": len({s.record_id for s in statements}),
                "batches": len(batches),
            },
            "files": [bundle.file_entry(p, files[p]) for p in sorted(files)],
            "ledger": {
                "origin": self.ledger.origin,
                "checkpoint": checkpoint.note,
                "batches": [b.to_dict() for b in batches],
            },
        }
        signer = self.ledger.signer()
        raw = bundle.manifest_bytes(manifest)
        digest = hashlib.sha256(raw).hexdigest()
        archive = bundle.pack(
            {
                **files,
                bundle.MANIFEST: raw,
                bundle.SIGNATURE: bundle.sign_manifest(raw, signer),
                bundle.SIGNER_KEY: (signer.verifier.vkey() + "\n").encode(),
            }
        )
        (leaf_index,) = self.ledger.record(
            self._leaf(
                request,
                outcome="exported",
                manifest_sha256=digest,
                archive_sha256=hashlib.sha256(archive).hexdigest(),
                statements=len(statements),
            )
        )
        return ExportResult(
            archive=archive,
            manifest_sha256=digest,
            entities=len(entities) - edges,
            edges=edges,
            statements=len(statements),
            batches=len(batches),
            leaf_index=leaf_index,
            checkpoint_size=checkpoint.size,
            decisions=decisions,
        )

    # -- steps -----------------------------------------------------------------------

    def _entity_ids(self, request: ExportRequest) -> list[str]:
        selection, scope, store = request.selection, request.scope, self.store
        if selection.kind == "entities":
            return list(dict.fromkeys(selection.ids))
        if selection.kind == "subgraph":
            found = store.subgraph(scope, selection.ids, hops=selection.hops, limit=selection.limit)
            return list(dict.fromkeys([*found.nodes, *(e.id for e in found.edges)]))
        ids: list[str] = []
        after = None
        while len(ids) < selection.limit:
            page = store.search(
                scope,
                selection.query or "",
                first=min(100, selection.limit - len(ids)),
                after=after,
            )
            ids.extend(hit.entity.id for hit in page.hits)
            after = page.next_cursor
            if after is None:
                break
        return ids

    def _entities(self, request: ExportRequest) -> list[Entity]:
        ids = self._entity_ids(request)
        found: dict[str, Entity] = {}
        for start in range(0, len(ids), _CHUNK):
            found.update(
                self.store.entities(
                    request.scope, ids[start : start + _CHUNK], with_statements=True
                )
            )
        missing = [i for i in ids if i not in found]
        if request.selection.kind == "entities" and missing:
            raise InvalidInput(
                f"{len(missing)} selected entit{'y' if len(missing) == 1 else 'ies'} not found: "
                + ", ".join(missing[:5]),
                hint="check the ids, and your clearance and compartments",
            )
        return [found[i] for i in sorted(found)]

    def _decisions(
        self, request: ExportRequest, guard: ExportGuard, sources: dict[str, Source]
    ) -> list[dict[str, Any]]:
        decisions: list[dict[str, Any]] = [
            {
                "rule": "labels",
                "effect": "filter",
                "detail": "only data visible to the viewer (tenant, clearance, compartments) "
                "was read",
            }
        ]
        for source_id, source in sources.items():
            licence = source.licence
            allowed, policies = guard.source_allowed(source_id, source)
            if not allowed:
                raise ExportRefused(
                    f"policy forbids exporting data of source {source.name!r} "
                    f"({licence}): {', '.join(policies) or 'no policy permits it'}",
                    hint="a Restricted-TOS or Embargoed source needs --authority naming a "
                    "binding that lists its licence class for this purpose; see "
                    "`intelgraph policy simulate --action export`",
                    details={"source": source.name, "licence": str(licence), "policies": policies},
                )
            decisions.append(
                {
                    "rule": "licence",
                    "source": source_id,
                    "licence": str(licence),
                    "effect": "allow-under-authority"
                    if licence in RESTRICTED_LICENCES
                    else "allow",
                    "authority": request.authority,
                    "policies": policies,
                }
            )
        return decisions

    def _proofs(self, statements: Sequence[StoredStatement], size: int) -> list[bundle.BatchProof]:
        located = self.store.evidence.locate(statements)
        unlogged = [s.id for s in statements if s.id not in located]
        if unlogged:
            raise ExportRefused(
                f"{len(unlogged)} statement(s) are in no ledger batch, so they cannot be proven",
                hint="they predate the ledger: re-ingest their sources to log them",
                details={"statements": unlogged[:10]},
            )
        by_leaf: dict[int, list[tuple[int, int]]] = {}
        members = {}
        for place in located.values():
            by_leaf.setdefault(place.leaf_index, []).append(
                (place.statement_position, place.record_position)
            )
            members[place.leaf_index] = place.members
        out = []
        for leaf_index in sorted(by_leaf):
            if leaf_index >= size:
                raise ExportRefused("the checkpoint does not cover every batch; retry the export")
            places = by_leaf[leaf_index]
            out.append(
                bundle.batch_proof(
                    leaf_index,
                    self.store.ledger.leaf(leaf_index),
                    self.store.ledger.inclusion(leaf_index, size),
                    members[leaf_index].statements,
                    members[leaf_index].records,
                    (p[0] for p in places),
                    (p[1] for p in places),
                )
            )
        return out

    def _files(
        self,
        request: ExportRequest,
        entities: list[Entity],
        statements: list[StoredStatement],
        records: dict[str, Any],
        sources: dict[str, Source],
    ) -> dict[str, bytes]:
        files = {
            "statements.jsonl": bundle.jsonl(bundle.statement_line(s) for s in statements),
            "records.jsonl": bundle.jsonl(bundle.record_line(records[r]) for r in sorted(records)),
            "sources.json": json.dumps(
                [bundle.source_entry(s) for s in sources.values()],
                indent=2,
                sort_keys=True,
                ensure_ascii=False,
            ).encode()
            + b"\n",
        }
        with tempfile.TemporaryDirectory(prefix="ig-export-") as temporary:
            root = Path(temporary)
            data = ExportData(entities, statements, self.store.ontology)
            for name in write_format(request.format, data, root):
                if name in files or name in bundle.RESERVED:
                    raise InvalidInput(f"the {request.format} writer produced a reserved name")
                files[name] = (root / name).read_bytes()
        return files


def _check_ids(statements: Sequence[StoredStatement]) -> None:
    """Refuse to sign data whose stored content no longer hashes to its id."""
    for s in statements:
        if statement_id(s.entity_id, s.prop, s.value, s.source_id, s.record_id, s.labels) != s.id:
            raise ExportRefused(
                f"statement {s.id} does not match its stored content: the store was altered",
                hint="run `intelgraph ledger verify` and restore the database from a backup; "
                "nothing was exported",
                code="integrity_error",
            )


__all__ = [
    "RESTRICTED_LICENCES",
    "ExportGuard",
    "ExportRefused",
    "ExportRequest",
    "ExportResult",
    "Exporter",
    "LicenceGate",
    "Selection",
]
