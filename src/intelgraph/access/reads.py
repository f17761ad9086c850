"""The store's read API behind the policy decision point.

Every read a user can make (entity, statements, search, neighbours, paths,
subgraph, counts, sources, evidence) goes through here: the principal's scope
filters rows in SQL, Cedar decides private properties, a read by id of
something that exists but is hidden is answered exactly like a read of nothing
(``not_found``) and audited as a denial.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from intelgraph.access.control import PRIVATE_CLASSES
from intelgraph.errors import NotFound
from intelgraph.model import Entity, Source, StoredStatement
from intelgraph.policy.principal import AccessRequest
from intelgraph.policy.resources import entity_resource
from intelgraph.store.facets import SearchFacets
from intelgraph.store.property_filter import private_schemata, property_definitions
from intelgraph.store.results import NeighborPage, Path, SearchPage, Subgraph
from intelgraph.store.search import SearchFilter

_EXPLAINED = 20  # hidden ids whose deciding policies are looked up for the audit

if TYPE_CHECKING:
    from intelgraph.access.control import AccessControl
    from intelgraph.store import Store
    from intelgraph.store.store import StoreStats


class GuardedReads:
    def __init__(self, store: Store, control: AccessControl) -> None:
        self.store = store
        self.control = control

    def _audit_hidden(self, request: AccessRequest, ids: Sequence[str]) -> None:
        """Audit a denied read when the ids exist, naming the policies Cedar gives for
        them; the caller answers exactly as for absent ids either way."""
        existing = sorted(self.store.existing(ids))
        if existing:
            policies: set[str] = set()
            for entity_id in existing[:_EXPLAINED]:
                entity = self.store.unscoped_entity(entity_id)
                if entity is not None and entity.labels:
                    resource = entity_resource(entity, entity.labels[0])
                    policies.update(self.control.decide(request, "read", resource).policies)
            self.control.audit_denied_read(
                request, [f"Entity:{i}" for i in existing], sorted(policies) or ["label-filter"]
            )

    def entity(self, request: AccessRequest, entity_id: str) -> Entity:
        scope = self.control.scope(request)
        try:
            entity = self.store.entity(scope, entity_id)
        except NotFound:
            self._audit_hidden(request, [entity_id])
            raise
        return self.control.redact(request, [entity])[0]

    def entities(self, request: AccessRequest, ids: Sequence[str]) -> dict[str, Entity]:
        found = self.store.entities(self.control.scope(request), ids)
        missing = [i for i in ids if i not in found]
        if missing:
            self._audit_hidden(request, missing)
        redacted = self.control.redact(request, list(found.values()))
        return {entity.id: entity for entity in redacted}

    def statements(self, request: AccessRequest, entity_id: str) -> list[StoredStatement]:
        """Visible statements about an entity, without those of withheld properties."""
        return self.statements_of(request, [entity_id]).get(entity_id, [])

    def statements_of(
        self, request: AccessRequest, ids: Sequence[str]
    ) -> dict[str, list[StoredStatement]]:
        """:meth:`statements` for many entities in one read (the API's batch loader)."""
        found = self.store.entities(self.control.scope(request), ids, with_statements=True)
        missing = [i for i in ids if i not in found]
        if missing:
            self._audit_hidden(request, missing)
        redacted = self.control.redact(request, list(found.values()))
        return {entity.id: list(entity.statements) for entity in redacted}

    def search(
        self,
        request: AccessRequest,
        query: str,
        *,
        schemata: Sequence[str] | None = None,
        first: int = 20,
        after: str | None = None,
        where: SearchFilter | None = None,
    ) -> SearchPage:
        page = self.store.search(
            self.control.scope(request),
            query,
            schemata=schemata,
            first=first,
            after=after,
            where=self._revealing(request, schemata, where),
        )
        redacted = self.control.redact(request, [hit.entity for hit in page.hits])
        hits = [
            replace(hit, entity=entity) for hit, entity in zip(page.hits, redacted, strict=True)
        ]
        return replace(page, hits=hits)

    def search_facets(
        self,
        request: AccessRequest,
        query: str,
        *,
        schemata: Sequence[str] | None = None,
        where: SearchFilter | None = None,
    ) -> SearchFacets:
        return self.store.search_facets(
            self.control.scope(request),
            query,
            schemata=schemata,
            where=self._revealing(request, schemata, where),
        )

    def _revealing(
        self, request: AccessRequest, schemata: Sequence[str] | None, where: SearchFilter | None
    ) -> SearchFilter | None:
        """A filter on a pii/sensitive property matches those values only on entities
        whose values the request may see (an authority it invokes reveals them), so a
        filter is no oracle for withheld values."""
        if where is None or not where.properties:
            return where
        ontology = self.store.ontology
        matches = []
        for match in where.properties:
            property_definitions(ontology, schemata, match.name)  # unknown: a clear error
            private = private_schemata(ontology, match.name, PRIVATE_CLASSES)
            if private:
                match = replace(match, private=private, within=self._revealed(request, match.name))
            matches.append(match)
        return replace(where, properties=matches)

    def _revealed(self, request: AccessRequest, prop: str) -> frozenset[str]:
        """Ids of the entities whose ``prop`` values policy shows to ``request``."""
        authority = request.authority
        if authority is None or not authority.entities:
            return frozenset()
        covered = self.store.entities(self.control.scope(request), sorted(authority.entities))
        shown = self.control.check_properties(request, covered.values()).shown
        return frozenset(entity_id for entity_id, names in shown.items() if prop in names)

    def neighbors(self, request: AccessRequest, entity_id: str, **options: object) -> NeighborPage:
        try:
            return self.store.neighbors(self.control.scope(request), entity_id, **options)  # type: ignore[arg-type]  # options are the store's keyword arguments
        except NotFound:
            self._audit_hidden(request, [entity_id])
            raise

    def paths(
        self, request: AccessRequest, source_id: str, target_id: str, **options: object
    ) -> list[Path]:
        try:
            return self.store.paths(self.control.scope(request), source_id, target_id, **options)  # type: ignore[arg-type]  # the store's keyword arguments
        except NotFound:
            self._audit_hidden(request, [source_id, target_id])
            raise

    def subgraph(self, request: AccessRequest, ids: Sequence[str], **options: object) -> Subgraph:
        result = self.store.subgraph(self.control.scope(request), ids, **options)  # type: ignore[arg-type]  # the store's keyword arguments
        if result.missing:
            self._audit_hidden(request, result.missing)
        return result

    def counts(self, request: AccessRequest) -> StoreStats:
        return self.store.counts(self.control.scope(request))

    def sources(self, request: AccessRequest) -> list[Source]:
        return self.store.sources(self.control.scope(request))


__all__ = ["GuardedReads"]
