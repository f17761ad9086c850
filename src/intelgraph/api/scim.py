"""SCIM 2.0 service provider (RFC 7643/7644) at ``/scim/v2``: an identity provider
provisions users and groups with their IntelGraph attributes.

Clients authenticate with an API token; every operation, reads included, is a
``provision`` decision of the policy decision point, which the ledger records
(policy allows it to tokens with the ``scim`` scope, in the token owner's
tenant, for users whose clearance and compartments the owner holds, and admins
only by an admin's token). A change is decided on the user as it is before and
as it will be after, so a token can neither reach a user above its owner nor
raise one there. Errors use the SCIM Error format with the RFC's ``scimType``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from scim2_models import (
    Context,
    Group,
    InvalidSyntaxException,
    InvalidValueException,
    NotFoundException,
    PatchOp,
    PayloadTooLargeException,
    SCIMException,
)

from intelgraph.api.scim_models import (
    ACCEPTED_MEDIA_TYPES,
    GROUP_FILTERS,
    GROUP_URN,
    MAX_BODY_BYTES,
    POLICY,
    USER_FILTERS,
    USER_URN,
    Page,
    ScimUser,
    UnsupportedMediaTypeException,
    check_group_name,
    check_if_match,
    dump,
    error_response,
    etag,
    group_to_scim,
    matches_nothing,
    member_ids,
    parse_filter,
    resource_types,
    schemas,
    scim_response,
    service_provider_config,
    user_from_scim,
    user_to_scim,
)
from intelgraph.api.security import current_principal, current_request, platform_of
from intelgraph.auth.users import principal_of
from intelgraph.errors import IntelGraphError
from intelgraph.platform import Platform
from intelgraph.policy.principal import AccessRequest, Principal
from intelgraph.policy.resources import Resource, group_resource, user_resource
from intelgraph.store.identity import GroupRow, IdentityLog, UserChanges, UserRow, new_id

_Row = TypeVar("_Row")
_HANDLED = (SCIMException, ValidationError, RequestValidationError, IntelGraphError)
_NAMES_ONE_BY_ONE = 50  # above this many members, read the tenant's users at once
_CHUNK = 5_000  # rows per store read when a listing needs them all


def _every(read: Callable[..., list[_Row]], **filters: Any) -> list[_Row]:
    """All rows a store listing matches, read in chunks (one read is capped)."""
    out: list[_Row] = []
    while True:
        chunk = read(**filters, offset=len(out), limit=_CHUNK)
        out.extend(chunk)
        if len(chunk) < _CHUNK:
            return out


class ScimRoute(APIRoute):
    """Every failure of a SCIM route, authentication included, as a SCIM Error."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def scim_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except _HANDLED as exc:
                return error_response(exc)

        return scim_handler


router = APIRouter(prefix="/scim/v2", route_class=ScimRoute, tags=["scim"])


async def scim_body(request: Request) -> Any:
    """The JSON request body: at most 1 MiB, SCIM or plain JSON media type."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media and media not in ACCEPTED_MEDIA_TYPES:
        raise UnsupportedMediaTypeException()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLargeException(detail="the request body is over 1 MiB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PayloadTooLargeException(detail="the request body is over 1 MiB")
        chunks.append(chunk)
    try:
        body = json.loads(b"".join(chunks))
    except (ValueError, RecursionError):
        raise InvalidSyntaxException(detail="the request body is not valid JSON") from None
    _refuse_nul(body)
    return body


def _refuse_nul(body: Any) -> None:
    """No text attribute may hold U+0000 (PostgreSQL cannot store it in text)."""
    pending = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str) and "\x00" in value:
            raise InvalidValueException(detail="text values cannot hold U+0000")


@dataclass(frozen=True, slots=True)
class Provisioning:
    """One SCIM request: who asks, and the decisions and changes it makes."""

    platform: Platform
    request: AccessRequest
    base: str  # the public URL of /scim/v2

    @property
    def identity(self) -> IdentityLog:
        return self.platform.store.identity

    @property
    def tenant(self) -> str:
        return self.request.principal.tenant

    def require(self, resource: Resource, change: Mapping[str, Any]) -> None:
        """A ``provision`` decision, recorded in the ledger; Forbidden becomes 403."""
        self.platform.access.require(
            self.request, "provision", resource, change={"via": "scim", **change}
        )

    def require_user(self, row: UserRow, op: str, **change: Any) -> None:
        self.require(user_resource(principal_of(row)), {"op": op, "user": row.name, **change})

    # -- users ------------------------------------------------------------------------

    def user(self, user_id: str) -> UserRow:
        found = self.identity.users(user_id=user_id)
        if not found:
            raise NotFoundException(detail=f"no user with id {user_id!r}")
        return found[0]

    def memberships(self, rows: Iterable[UserRow]) -> dict[str, list[GroupRow]]:
        """User id → the groups it is a member of (one read per tenant)."""
        out: dict[str, list[GroupRow]] = {}
        wanted = {row.id: row.tenant for row in rows}
        for tenant in sorted(set(wanted.values())):
            for group in _every(self.identity.groups, tenant=tenant):
                for member in group.members:
                    if wanted.get(member) == tenant:
                        out.setdefault(member, []).append(group)
        return out

    def show_user(self, row: UserRow) -> dict[str, Any]:
        return dump(user_to_scim(row, self.memberships([row]).get(row.id, []), self.base))

    def list_users(self, text: str | None, page: Page) -> dict[str, Any]:
        terms = parse_filter(text, USER_FILTERS, USER_URN)
        everyone = Principal(id=f"tenant:{self.tenant}", name="*", tenant=self.tenant)
        self.require(user_resource(everyone), {"op": "scim-list-users", "filter": text or ""})
        rows: list[UserRow] = []
        if not matches_nothing(terms):
            rows = _every(
                self.identity.users,
                tenant=self.tenant,
                name=terms.get("name"),
                external_id=terms.get("external_id"),
            )
        if "active" in terms:
            rows = [row for row in rows if row.active is terms["active"]]
        # Only the users this token could provision: the same decision, in one batch.
        decisions = self.platform.access.engine.decide_many(
            self.request, "provision", [user_resource(principal_of(row)) for row in rows]
        )
        visible = [row for row, decision in zip(rows, decisions, strict=True) if decision.allowed]
        shown = page.slice(visible)
        groups = self.memberships(shown)
        return page.response(
            len(visible),
            [dump(user_to_scim(row, groups.get(row.id, []), self.base)) for row in shown],
        )

    def create_user(self, payload: Any) -> UserRow:
        model = ScimUser.model_validate(
            payload, scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=POLICY
        )
        row = user_from_scim(model, current=None, tenant=self.tenant)
        self.require_user(row, "scim-create-user", **_access_attributes(row))
        return self.identity.add_user(row)

    def replace_user(self, current: UserRow, payload: Any) -> UserRow:
        model = ScimUser.model_validate(
            payload, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=POLICY
        )
        after = user_from_scim(model, current=current, tenant=current.tenant)
        return self.change_user(current, after, "scim-replace-user")

    def patch_user(self, current: UserRow, payload: Any) -> UserRow:
        patch = PatchOp[ScimUser].model_validate(
            payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
        )
        model = user_to_scim(current, self.memberships([current]).get(current.id, []), self.base)
        patch.patch(model, POLICY)
        after = user_from_scim(model, current=current, tenant=current.tenant, patched=True)
        return self.change_user(current, after, "scim-patch-user")

    def change_user(self, current: UserRow, after: UserRow, op: str) -> UserRow:
        """Decide on the user before and after the change, then store it atomically
        against the version read (a concurrent change makes it 412)."""
        before_resource = user_resource(principal_of(current))
        after_resource = user_resource(principal_of(after))
        changes, changed = _changes(current, after)
        if before_resource != after_resource:
            self.require(before_resource, {"op": op, "phase": "before", "user": current.name})
        self.require(
            after_resource,
            {"op": op, "user": after.name, "changed": changed, **_access_attributes(after)},
        )
        if not changed:
            return current
        return self.identity.update_user(current.id, changes, expected_version=current.version)

    def delete_user(self, current: UserRow) -> None:
        self.require_user(current, "scim-delete-user")
        self.identity.delete_user(current.id)

    # -- groups -----------------------------------------------------------------------

    def group(self, group_id: str) -> GroupRow:
        found = self.identity.groups(group_id=group_id)
        if not found:
            raise NotFoundException(detail=f"no group with id {group_id!r}")
        return found[0]

    def require_group(self, group_id: str, tenant: str, name: str, op: str, **change: Any) -> None:
        self.require(group_resource(group_id, tenant, name), {"op": op, "group": name, **change})

    def names(self, tenant: str, ids: Iterable[str]) -> dict[str, str]:
        wanted = set(ids)
        if len(wanted) > _NAMES_ONE_BY_ONE:
            return {row.id: row.name for row in _every(self.identity.users, tenant=tenant)}
        found = (self.identity.users(user_id=user_id) for user_id in sorted(wanted))
        return {rows[0].id: rows[0].name for rows in found if rows}

    def show_group(self, row: GroupRow) -> dict[str, Any]:
        return dump(group_to_scim(row, self.names(row.tenant, row.members), self.base))

    def list_groups(self, text: str | None, page: Page) -> dict[str, Any]:
        terms = parse_filter(text, GROUP_FILTERS, GROUP_URN)
        self.require_group(
            f"tenant:{self.tenant}", self.tenant, "*", "scim-list-groups", filter=text or ""
        )
        rows: list[GroupRow] = []
        if not matches_nothing(terms):
            rows = _every(
                self.identity.groups,
                tenant=self.tenant,
                name=terms.get("name"),
                external_id=terms.get("external_id"),
            )
        shown = page.slice(rows)
        names = self.names(self.tenant, (member for row in shown for member in row.members))
        return page.response(
            len(rows), [dump(group_to_scim(row, names, self.base)) for row in shown]
        )

    def members(self, tenant: str, ids: Iterable[str]) -> list[UserRow]:
        """The users behind member ids; each must be a user of the group's tenant."""
        out = []
        for user_id in ids:
            found = self.identity.users(user_id=user_id)
            if not found or found[0].tenant != tenant:
                raise InvalidValueException(
                    detail=f"no user with id {user_id!r} in this tenant", attribute="members"
                )
            out.append(found[0])
        return out

    def create_group(self, payload: Any) -> GroupRow:
        model = Group.model_validate(
            payload, scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=POLICY
        )
        name = check_group_name(model.display_name)
        ids = member_ids(model.members)
        members = self.members(self.tenant, ids)
        group_id = new_id()
        self.require_group(group_id, self.tenant, name, "scim-create-group", members=len(ids))
        for member in members:
            self.require_user(member, "scim-add-member", group=name)
        return self.identity.add_group(
            GroupRow(
                id=group_id,
                tenant=self.tenant,
                name=name,
                external_id=model.external_id,
                members=tuple(ids),
            )
        )

    def replace_group(self, current: GroupRow, payload: Any) -> GroupRow:
        model = Group.model_validate(
            payload, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=POLICY
        )
        return self.change_group(current, model, "scim-replace-group")

    def patch_group(self, current: GroupRow, payload: Any) -> GroupRow:
        patch = PatchOp[Group].model_validate(
            payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=POLICY
        )
        model = group_to_scim(current, {}, self.base)
        patch.patch(model, POLICY)
        return self.change_group(current, model, "scim-patch-group")

    def change_group(self, current: GroupRow, model: Group, op: str) -> GroupRow:
        """A new name, external id or member list; members added or removed are
        decided as users too (membership changes what they may do)."""
        name = check_group_name(model.display_name)
        ids = member_ids(model.members)
        added = [user_id for user_id in ids if user_id not in current.members]
        removed = [user_id for user_id in current.members if user_id not in ids]
        joining = self.members(current.tenant, added)
        leaving = [row for user_id in removed for row in self.identity.users(user_id=user_id)]
        self.require_group(
            current.id,
            current.tenant,
            name,
            op,
            renamed=name != current.name,
            added=len(added),
            removed=len(removed),
        )
        for member in joining:
            self.require_user(member, "scim-add-member", group=name)
        for member in leaving:
            self.require_user(member, "scim-remove-member", group=name)
        return self.identity.update_group(
            current.id,
            name=name if name != current.name else None,
            external_id=model.external_id if model.external_id != current.external_id else None,
            add=added,
            remove=removed,
        )

    def delete_group(self, current: GroupRow) -> None:
        self.require_group(current.id, current.tenant, current.name, "scim-delete-group")
        self.identity.delete_group(current.id)


_COMPARED = (
    "name",
    "tenant",
    "clearance",
    "compartments",
    "purposes",
    "admin",
    "active",
    "display_name",
    "email",
    "external_id",
)
_CLEARABLE = frozenset({"display_name", "email", "external_id"})


def _changes(current: UserRow, after: UserRow) -> tuple[UserChanges, list[str]]:
    """The store change turning ``current`` into ``after``, and the fields it changes."""
    changed = [name for name in _COMPARED if getattr(current, name) != getattr(after, name)]
    values = {name: getattr(after, name) for name in changed}
    cleared = frozenset(name for name in changed if name in _CLEARABLE and values[name] is None)
    kept = {name: value for name, value in values.items() if value is not None}
    return UserChanges(**kept, clear=cleared), changed


def _access_attributes(row: UserRow) -> dict[str, Any]:
    """What the ledger records of a provisioned user: ids and rights, never contact data."""
    return {
        "tenant": row.tenant,
        "clearance": row.clearance,
        "compartments": sorted(row.compartments),
        "purposes": list(row.purposes),
        "admin": row.admin,
        "active": row.active,
    }


def provisioning(
    request: Request, access: Annotated[AccessRequest, Depends(current_request)]
) -> Provisioning:
    platform = platform_of(request)
    return Provisioning(platform, access, f"{platform.identity.issuer.issuer}/scim/v2")


Scim = Annotated[Provisioning, Depends(provisioning)]
Body = Annotated[Any, Depends(scim_body)]
Filter = Annotated[str | None, Query(alias="filter", max_length=4096)]
StartIndex = Annotated[int | None, Query(alias="startIndex")]
Count = Annotated[int | None, Query(alias="count")]


def _resource(
    content: Mapping[str, Any], version: int, *, status: int = 200, location: bool = False
) -> Response:
    headers = {"ETag": etag(version)}
    if location:
        headers["Location"] = str(content["meta"]["location"])
    return scim_response(content, status=status, headers=headers)


# -- users -------------------------------------------------------------------------------------


@router.get("/Users")
def list_users(
    scim: Scim, filter_: Filter = None, start: StartIndex = None, count: Count = None
) -> Response:
    return scim_response(scim.list_users(filter_, Page.of(start, count)))


@router.post("/Users")
def create_user(scim: Scim, body: Body) -> Response:
    row = scim.create_user(body)
    return _resource(scim.show_user(row), row.version, status=201, location=True)


@router.get("/Users/{user_id}")
def get_user(scim: Scim, user_id: str) -> Response:
    row = scim.user(user_id)
    scim.require_user(row, "scim-read-user")
    return _resource(scim.show_user(row), row.version)


@router.put("/Users/{user_id}")
def replace_user(scim: Scim, body: Body, request: Request, user_id: str) -> Response:
    current = scim.user(user_id)
    check_if_match(request.headers.get("if-match"), current.version)
    row = scim.replace_user(current, body)
    return _resource(scim.show_user(row), row.version)


@router.patch("/Users/{user_id}")
def patch_user(scim: Scim, body: Body, request: Request, user_id: str) -> Response:
    current = scim.user(user_id)
    check_if_match(request.headers.get("if-match"), current.version)
    row = scim.patch_user(current, body)
    return _resource(scim.show_user(row), row.version)


@router.delete("/Users/{user_id}", status_code=204)
def delete_user(scim: Scim, request: Request, user_id: str) -> Response:
    current = scim.user(user_id)
    check_if_match(request.headers.get("if-match"), current.version)
    scim.delete_user(current)
    return Response(status_code=204)


# -- groups ------------------------------------------------------------------------------------


@router.get("/Groups")
def list_groups(
    scim: Scim, filter_: Filter = None, start: StartIndex = None, count: Count = None
) -> Response:
    return scim_response(scim.list_groups(filter_, Page.of(start, count)))


@router.post("/Groups")
def create_group(scim: Scim, body: Body) -> Response:
    row = scim.create_group(body)
    return _resource(scim.show_group(row), row.version, status=201, location=True)


@router.get("/Groups/{group_id}")
def get_group(scim: Scim, group_id: str) -> Response:
    row = scim.group(group_id)
    scim.require_group(row.id, row.tenant, row.name, "scim-read-group")
    return _resource(scim.show_group(row), row.version)


@router.put("/Groups/{group_id}")
def replace_group(scim: Scim, body: Body, request: Request, group_id: str) -> Response:
    current = scim.group(group_id)
    check_if_match(request.headers.get("if-match"), current.version)
    row = scim.replace_group(current, body)
    return _resource(scim.show_group(row), row.version)


@router.patch("/Groups/{group_id}")
def patch_group(scim: Scim, body: Body, request: Request, group_id: str) -> Response:
    current = scim.group(group_id)
    check_if_match(request.headers.get("if-match"), current.version)
    row = scim.patch_group(current, body)
    return _resource(scim.show_group(row), row.version)


@router.delete("/Groups/{group_id}", status_code=204)
def delete_group(scim: Scim, request: Request, group_id: str) -> Response:
    current = scim.group(group_id)
    check_if_match(request.headers.get("if-match"), current.version)
    scim.delete_group(current)
    return Response(status_code=204)


# -- discovery (RFC 7644 §4): any authenticated caller may read what the service offers ---------


def _base(request: Request) -> str:
    return f"{platform_of(request).identity.issuer.issuer}/scim/v2"


Authenticated = Annotated[Principal, Depends(current_principal)]


@router.get("/ServiceProviderConfig")
def service_provider(request: Request, _who: Authenticated) -> Response:
    return scim_response(dump(service_provider_config(_base(request))))


@router.get("/Schemas")
def list_schemas(request: Request, _who: Authenticated) -> Response:
    found = [dump(schema) for schema in schemas(_base(request))]
    return scim_response(Page.of(1, len(found)).response(len(found), found))


@router.get("/Schemas/{schema_id}")
def get_schema(request: Request, _who: Authenticated, schema_id: str) -> Response:
    for schema in schemas(_base(request)):
        if schema.id == schema_id:
            return scim_response(dump(schema))
    raise NotFoundException(detail=f"no schema {schema_id!r}")


@router.get("/ResourceTypes")
def list_resource_types(request: Request, _who: Authenticated) -> Response:
    found = [dump(kind) for kind in resource_types(_base(request))]
    return scim_response(Page.of(1, len(found)).response(len(found), found))


@router.get("/ResourceTypes/{type_id}")
def get_resource_type(request: Request, _who: Authenticated, type_id: str) -> Response:
    for kind in resource_types(_base(request)):
        if kind.id == type_id:
            return scim_response(dump(kind))
    raise NotFoundException(detail=f"no resource type {type_id!r}")


@router.api_route(
    "/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
def unknown(rest: str) -> Response:
    raise NotFoundException(detail=f"no SCIM endpoint /scim/v2/{rest}")


__all__ = ["Provisioning", "ScimRoute", "router", "scim_body"]
