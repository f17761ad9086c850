"""The policy decision point: Cedar policies parsed once, asked per request.

Shipped policies and the schema live in ``shipped/``; a deployment may add
``*.cedar`` files in ``IG_POLICY_DIR``. Everything is parsed and validated
against the schema at start-up; a broken policy stops start-up with its file and
line. Decisions name the policies that made them by their ``@id`` (or
``file:line`` where a deployment's policy has none), which is what
``intelgraph policy simulate`` prints and what the audit records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import cedarpy

from intelgraph.errors import ConfigError
from intelgraph.policy.principal import AccessRequest
from intelgraph.policy.resources import (
    ACTIONS,
    Resource,
    authority_entity,
    context,
    principal_entity,
    resource_entities,
)
from intelgraph.policy.source import PolicyStatement, split_policies, syntax_error

SCHEMA_FILE = "intelgraph.cedarschema"


@dataclass(frozen=True, slots=True)
class Decision:
    """Allow or deny, the policies that decided, and any evaluation errors."""

    allowed: bool
    policies: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


def shipped_files() -> list[tuple[str, str]]:
    """``(name, text)`` of every policy file shipped in the package, sorted."""
    folder = resources.files("intelgraph.policy").joinpath("shipped")
    return sorted(
        (item.name, item.read_text("utf-8"))
        for item in folder.iterdir()
        if item.name.endswith(".cedar")
    )


def shipped_schema() -> str:
    folder = resources.files("intelgraph.policy").joinpath("shipped")
    return folder.joinpath(SCHEMA_FILE).read_text("utf-8")


def deployment_files(folder: Path) -> list[tuple[str, str]]:
    if not folder.is_dir():
        raise ConfigError(
            f"policy folder {folder} does not exist",
            hint="create it or unset IG_POLICY_DIR",
        )
    out = []
    for path in sorted(folder.glob("*.cedar")):
        try:
            out.append((str(path), path.read_text("utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read policy file {path}: {exc}") from None
    return out


class PolicyEngine:
    """Parsed policies plus the schema; thread-safe (the handles are immutable)."""

    def __init__(
        self,
        files: Sequence[tuple[str, str]],
        schema: str,
        *,
        max_auth_age_seconds: int = 600,
        platform_tenant: str = "default",
    ) -> None:
        self.max_auth_age_seconds = max_auth_age_seconds
        self.platform_tenant = platform_tenant
        self.files = list(files)
        statements: list[PolicyStatement] = []
        for name, text in files:
            statements.extend(split_policies(name, text))
        self.statements = statements
        names = [statement.name for statement in statements]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            first = next(s for s in statements if s.name == duplicates[0])
            raise ConfigError(
                f"policy id {duplicates[0]!r} is used twice ({first.where})",
                hint="give every policy a unique @id(...)",
            )
        try:
            self._schema = cedarpy.Schema.from_str(schema)
        except ValueError as exc:
            raise ConfigError(f"the Cedar schema does not parse: {exc}") from None
        self.text = "\n".join(statement.text for statement in statements)
        try:
            self._policies = cedarpy.PolicySet.from_str(self.text)
        except ValueError as exc:
            raise syntax_error(statements, exc) from None
        result = cedarpy.validate_policies(self.text, self._schema)
        if not result.validation_passed:
            error = result.errors[0]
            where = self._statement(error.policy_id)
            named = where.where if where.name == where.where else f"{where.name} at {where.where}"
            raise ConfigError(
                f"policy {named} does not validate: {error.error}",
                hint="fix the policy or remove the file; the server does not start with it",
            )

    @classmethod
    def load(
        cls,
        extra_dir: Path | None = None,
        *,
        max_auth_age_seconds: int = 600,
        platform_tenant: str = "default",
    ) -> PolicyEngine:
        """The shipped policies, plus a deployment's own folder when given."""
        files = shipped_files()
        if extra_dir is not None:
            files += deployment_files(extra_dir)
        return cls(
            files,
            shipped_schema(),
            max_auth_age_seconds=max_auth_age_seconds,
            platform_tenant=platform_tenant,
        )

    def _statement(self, cedar_id: str) -> PolicyStatement:
        """Cedar numbers policies ``policy0…`` in text order."""
        index = int(cedar_id.removeprefix("policy"))
        return self.statements[index]

    def decide(self, request: AccessRequest, action: str, resource: Resource) -> Decision:
        return self.decide_many(request, action, [resource])[0]

    def decide_many(
        self, request: AccessRequest, action: str, resources_: Sequence[Resource]
    ) -> list[Decision]:
        """One Cedar batch call for many resources (the cheap way to check a page)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if not resources_:
            return []
        entities = _entities(request, resources_)
        ctx = context(request, self.max_auth_age_seconds, self.platform_tenant)
        principal = {"type": "User", "id": request.principal.id}
        requests = [
            {
                "principal": principal,
                "action": {"type": "Action", "id": action},
                "resource": resource.uid(),
                "context": ctx,
            }
            for resource in resources_
        ]
        results = cedarpy.is_authorized_batch(requests, self._policies, entities, self._schema)
        return [self._decision(result) for result in results]

    def _decision(self, result: cedarpy.AuthzResult) -> Decision:
        diagnostics = result.diagnostics
        names = tuple(self._statement(reason).name for reason in diagnostics.reasons)
        errors = tuple(str(error) for error in diagnostics.errors)
        return Decision(allowed=bool(result.allowed), policies=names, errors=errors)

    def digest(self) -> str:
        """SHA-256 of the policy text in force (what the ledger records when it changes)."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    def describe(self) -> list[dict[str, Any]]:
        """Every policy with its id, effect and where it is defined."""
        return [{"id": s.name, "effect": s.effect, "where": s.where} for s in self.statements]


def _entities(request: AccessRequest, resources_: Iterable[Resource]) -> str:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    items = [principal_entity(request.principal)]
    if request.authority is not None:
        items.append(authority_entity(request.authority))
    for resource in resources_:
        items.extend(resource_entities(resource))
    for item in items:
        uid = item["uid"]
        seen.setdefault((uid["type"], uid["id"]), item)
    return json.dumps(list(seen.values()))


__all__ = ["Decision", "PolicyEngine", "deployment_files", "shipped_files", "shipped_schema"]
