"""SCIM 2.0 (RFC 7643/7644) shapes for ``/scim/v2``: the IntelGraph user extension,
conversions between stored rows and SCIM resources, filters, paging, ETags,
discovery documents and the SCIM error format.

The routes in :mod:`intelgraph.api.scim` decide and store; this module only
translates, so it touches neither the store nor the policy engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import StrictInt, StrictStr, ValidationError
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    Email,
    Error,
    ETag,
    Extension,
    Filter,
    Group,
    GroupMember,
    GroupMembership,
    InvalidFilterException,
    InvalidValueException,
    Meta,
    Name,
    Patch,
    ResourceType,
    Schema,
    SCIMException,
    ScimFilter,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models.path import AttrPath, CompareOperator, Comparison, LogicalExpr, LogicalOperator

from intelgraph.api.security import auth_error_response
from intelgraph.auth.errors import AuthError
from intelgraph.auth.users import new_user
from intelgraph.errors import IntelGraphError
from intelgraph.model import Classification
from intelgraph.store.identity import GroupRow, UserRow

SCIM_MEDIA_TYPE = "application/scim+json"
ACCEPTED_MEDIA_TYPES = frozenset({SCIM_MEDIA_TYPE, "application/json"})
EXTENSION_URN = "urn:ietf:params:scim:schemas:extension:intelgraph:2.0:User"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
MAX_BODY_BYTES = 1 << 20
MAX_PAGE = 200
DEFAULT_PAGE = 100
MAX_GROUP_NAME = 200
_T = TypeVar("_T")

# What identity providers send that RFC 7644 reads strictly: Entra ID removes a
# member with ``{"op": "remove", "path": "members", "value": [...]}`` and writes
# ``emails[type eq "work"].value`` before any work e-mail exists. Unknown
# attributes are still refused (SCIM interoperability profile §5.3).
POLICY = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


class IntelGraphUser(Extension):
    """IntelGraph's access attributes of a user."""

    __schema__ = URN(EXTENSION_URN)

    tenant: str | None = None
    """The tenant the user belongs to (default: the provisioning token's tenant)."""

    clearance: StrictStr | StrictInt | None = None
    """UNCLASSIFIED, CONFIDENTIAL, SECRET, TOP_SECRET, or a number from 0."""

    compartments: list[str] | None = None
    """Compartments the user may read."""

    purposes: list[str] | None = None
    """Purposes the user may act for; the first is the default."""

    admin: bool | None = None
    """Whether the user administers its tenant."""


ScimUser = User[IntelGraphUser]


class UnsupportedMediaTypeException(SCIMException):
    status = 415
    _default_detail = "send application/scim+json or application/json"


# -- errors -------------------------------------------------------------------------------

_STATUS_OF_CODE = {
    "not_found": (404, None),
    "invalid_input": (400, "invalidValue"),
    "invalid_value": (400, "invalidValue"),
    "ontology_error": (400, "invalidValue"),
    "forbidden": (403, None),
    "purpose_not_held": (403, None),
    "authority_unknown": (403, None),
    "conflict": (409, "uniqueness"),
    "version_mismatch": (412, None),
}


def error_response(exc: Exception) -> JSONResponse:
    """The SCIM Error (RFC 7644 §3.12) for an exception raised while serving a request."""
    headers: dict[str, str] = {}
    if isinstance(exc, SCIMException):
        error = exc.to_error()
    elif isinstance(exc, ValidationError):
        error = Error.from_validation_errors(exc)[0]
    elif isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "query")
        error = Error(status=400, scim_type="invalidValue", detail=f"invalid {where or 'request'}")
    elif isinstance(exc, AuthError):
        headers = {
            key: value
            for key, value in auth_error_response(exc).headers.items()
            if key.lower() in ("www-authenticate", "cache-control")
        }
        error = Error(status=401, detail=f"{exc.code}: {exc.message}")
    elif isinstance(exc, IntelGraphError):
        status, scim_type = _STATUS_OF_CODE.get(exc.code, (500, None))
        detail = exc.message if status != 500 else "internal error"
        if exc.hint and status != 500:
            detail = f"{detail} ({exc.hint})"
        error = Error(status=status, scim_type=scim_type, detail=detail)
    else:  # pragma: no cover - the route wrapper only passes the types above
        raise TypeError(f"not a SCIM error: {type(exc).__name__}")
    return scim_response(dump(error), status=error.status or 500, headers=headers)


def scim_response(
    content: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        content, status_code=status, headers=dict(headers or {}), media_type=SCIM_MEDIA_TYPE
    )


def dump(model: Any, context: Context = Context.RESOURCE_QUERY_RESPONSE) -> dict[str, Any]:
    out: dict[str, Any] = model.model_dump(mode="json", scim_ctx=context)
    return out


# -- versions -------------------------------------------------------------------------------


def etag(version: int) -> str:
    return f'W/"{version}"'


def check_if_match(header: str | None, version: int) -> None:
    """RFC 7232 If-Match with weak comparison: ``*`` or one of the listed tags."""
    if header is None or not header.strip():
        return
    wanted = [tag.strip() for tag in header.split(",")]
    if "*" in wanted:
        return
    if not any(tag.removeprefix("W/") == f'"{version}"' for tag in wanted):
        raise IntelGraphError(
            f"the resource is at version {etag(version)}, not {header.strip()}",
            hint="read it again and retry",
            code="version_mismatch",
        )


def meta(kind: str, location: str, created: int, updated: int, version: int) -> Meta:
    return Meta(
        resource_type=kind,
        created=datetime.fromtimestamp(created, UTC),
        last_modified=datetime.fromtimestamp(updated, UTC),
        location=location,
        version=etag(version),
    )


# -- users ----------------------------------------------------------------------------------


def clearance_text(level: int) -> str:
    try:
        return Classification(level).name
    except ValueError:
        return str(level)


def user_to_scim(row: UserRow, memberships: Iterable[GroupRow], base: str) -> ScimUser:
    """The SCIM form of a stored user; ``groups`` are the groups it is a member of."""
    user = ScimUser(
        id=row.id,
        external_id=row.external_id,
        user_name=row.name,
        display_name=row.display_name,
        name=Name(formatted=row.display_name) if row.display_name else None,
        active=row.active,
        # Stored e-mails come from every admin path; show them as stored.
        emails=[Email.model_construct(value=row.email, primary=True)] if row.email else None,
        groups=[
            GroupMembership(
                value=group.id,
                display=group.name,
                ref=f"{base}/Groups/{group.id}",
                type="direct",
            )
            for group in sorted(memberships, key=lambda group: group.name)
        ]
        or None,
        meta=meta("User", f"{base}/Users/{row.id}", row.created, row.updated, row.version),
    )
    user[IntelGraphUser] = IntelGraphUser(
        tenant=row.tenant,
        clearance=clearance_text(row.clearance),
        compartments=sorted(row.compartments),
        purposes=list(row.purposes),
        admin=row.admin,
    )
    return user


def _display_name(user: ScimUser, current: UserRow | None, patched: bool) -> str | None:
    """``displayName``, else ``name.formatted``; after a PATCH, whichever of the two the
    patch changed (both are shown with the stored value)."""
    display = user.display_name
    formatted = user.name.formatted if user.name is not None else None
    if patched and current is not None:
        if display != current.display_name:
            return display
        return formatted if formatted != current.display_name else current.display_name
    return display if display is not None else formatted


def _email(user: ScimUser) -> str | None:
    emails = [email for email in user.emails or [] if email.value]
    primary = [email for email in emails if email.primary]
    chosen = (primary or emails)[:1]
    return str(chosen[0].value) if chosen else None


def user_from_scim(
    user: ScimUser, *, current: UserRow | None, tenant: str, patched: bool = False
) -> UserRow:
    """The stored form of a SCIM user, validated like any local user.

    ``current`` is the stored user being replaced or patched (None on create);
    ``tenant`` applies when the extension names none. Absent extension attributes
    take their defaults (a PUT replaces the whole resource); an absent ``active``
    keeps the current state, so a PUT that forgets it neither disables nor enables.
    """
    if user.password is not None:
        raise InvalidValueException(
            detail="passwords are not accepted: provisioned users log in through "
            "their identity provider",
            attribute="password",
        )
    extension = user[IntelGraphUser] or IntelGraphUser()
    if user.user_name is None:
        raise InvalidValueException(detail="userName is required", attribute="userName")
    active = user.active
    if active is None:
        active = current.active if current is not None else True
    row = new_user(
        user.user_name,
        tenant=extension.tenant if extension.tenant is not None else tenant,
        clearance=extension.clearance if extension.clearance is not None else 0,
        compartments=extension.compartments or (),
        purposes=extension.purposes or (),
        admin=bool(extension.admin),
        display_name=_display_name(user, current, patched),
        email=_email(user),
        external_id=user.external_id,
        active=active,
    )
    if current is None:
        return row
    return replace(
        row,
        id=current.id,
        password_hash=current.password_hash,
        groups=current.groups,
        created=current.created,
        updated=current.updated,
        version=current.version,
    )


# -- groups ---------------------------------------------------------------------------------


def check_group_name(name: str | None) -> str:
    """A group name must be usable as a principal's group (no commas, no edge spaces)."""
    if not name or "," in name or name != name.strip() or len(name) > MAX_GROUP_NAME:
        raise InvalidValueException(
            detail=f"invalid group name {name!r}: 1–{MAX_GROUP_NAME} characters, "
            "no commas, no leading or trailing spaces",
            attribute="displayName",
        )
    return name


def member_ids(members: Sequence[GroupMember] | None) -> list[str]:
    out: list[str] = []
    for member in members or []:
        if member.type is not None and str(member.type) != "User":
            raise InvalidValueException(
                detail="only users can be group members (no nested groups)",
                attribute="members",
            )
        if not member.value:
            raise InvalidValueException(detail="a member needs a value", attribute="members")
        out.append(member.value)
    return list(dict.fromkeys(out))


def group_to_scim(row: GroupRow, names: Mapping[str, str], base: str) -> Group:
    """The SCIM form of a stored group; ``names`` maps member ids to user names."""
    return Group(
        id=row.id,
        external_id=row.external_id,
        display_name=row.name,
        members=[
            GroupMember(
                value=member, ref=f"{base}/Users/{member}", type="User", display=names.get(member)
            )
            for member in row.members
        ]
        or None,
        meta=meta("Group", f"{base}/Groups/{row.id}", row.created, row.updated, row.version),
    )


# -- filters and paging ----------------------------------------------------------------------

USER_FILTERS = {"userName": "name", "externalId": "external_id", "active": "active"}
GROUP_FILTERS = {"displayName": "name", "externalId": "external_id"}


def parse_filter(text: str | None, allowed: Mapping[str, str], urn: str) -> dict[str, Any]:
    """``attr eq value`` terms joined by ``and`` → ``{field: value}``; anything else is an
    ``invalidFilter`` error. ``active`` compares with a boolean, the rest with strings."""
    if text is None or not text.strip():
        return {}
    parsed = ScimFilter(text).ast  # raises InvalidFilterException on bad syntax
    terms = parsed.terms if isinstance(parsed, LogicalExpr) else (parsed,)
    if isinstance(parsed, LogicalExpr) and parsed.op != LogicalOperator.and_:
        raise InvalidFilterException(detail="only 'and' joins filter terms here", filter=text)
    out: dict[str, Any] = {}
    for term in terms:
        field = _filter_field(term, allowed, urn, text)
        assert isinstance(term, Comparison)
        boolean = field == "active"
        if boolean != isinstance(term.value, bool) or not isinstance(term.value, str | bool):
            raise InvalidFilterException(
                detail=f"{term.attr_path} compares with a "
                + ("boolean" if boolean else "quoted string"),
                filter=text,
            )
        if isinstance(term.value, str) and "\x00" in term.value:
            raise InvalidFilterException(detail="filter values cannot hold NUL", filter=text)
        if field in out and out[field] != term.value:
            out[field] = _NOTHING  # a eq x and a eq y: matches nothing
        else:
            out.setdefault(field, term.value)
    return out


class _Nothing:
    def __repr__(self) -> str:
        return "<nothing>"


_NOTHING = _Nothing()


def matches_nothing(terms: Mapping[str, Any]) -> bool:
    return any(value is _NOTHING for value in terms.values())


def _filter_field(term: Any, allowed: Mapping[str, str], urn: str, text: str) -> str:
    supported = ", ".join(allowed)
    if not isinstance(term, Comparison) or term.op != CompareOperator.eq:
        raise InvalidFilterException(
            detail=f"supported filters: 'eq' on {supported}, joined by 'and'", filter=text
        )
    path: AttrPath = term.attr_path
    field = {name.lower(): field for name, field in allowed.items()}.get(path.attr.lower())
    if field is None or path.sub_attr is not None or (path.uri and path.uri.lower() != urn.lower()):
        raise InvalidFilterException(
            detail=f"cannot filter on {path}; supported: {supported}", filter=text
        )
    return field


@dataclass(frozen=True, slots=True)
class Page:
    start: int  # 1-based
    count: int

    @classmethod
    def of(cls, start_index: int | None, count: int | None) -> Page:
        """RFC 7644 §3.4.2.4: a start below 1 is 1, a negative count is 0; at most 200."""
        start = max(start_index or 1, 1)
        wanted = DEFAULT_PAGE if count is None else count
        return cls(start, min(max(wanted, 0), MAX_PAGE))

    def slice(self, items: Sequence[_T]) -> list[_T]:
        return list(items[self.start - 1 : self.start - 1 + self.count])

    def response(self, total: int, resources: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        return {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": total,
            "startIndex": self.start,
            "itemsPerPage": len(resources),
            "Resources": list(resources),
        }


# -- discovery ------------------------------------------------------------------------------


def service_provider_config(base: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="IntelGraph API token",
                description="Authorization: Bearer igt_… (a token with the scim scope)",
                primary=True,
            )
        ],
        meta=Meta(resource_type="ServiceProviderConfig", location=f"{base}/ServiceProviderConfig"),
    )


def schemas(base: str) -> list[Schema]:
    out = []
    for schema in (User.to_schema(), Group.to_schema(), IntelGraphUser.to_schema()):
        if schema.id == EXTENSION_URN:
            schema.name = "IntelGraph user"
            schema.description = "IntelGraph access attributes of a user"
        schema.meta = Meta(resource_type="Schema", location=f"{base}/Schemas/{schema.id}")
        out.append(schema)
    return out


def resource_types(base: str) -> list[ResourceType]:
    out = []
    for model in (ScimUser, Group):
        kind = ResourceType.from_resource(model)
        kind.meta = Meta(resource_type="ResourceType", location=f"{base}/ResourceTypes/{kind.id}")
        out.append(kind)
    return out


__all__ = [
    "ACCEPTED_MEDIA_TYPES",
    "EXTENSION_URN",
    "GROUP_FILTERS",
    "GROUP_URN",
    "MAX_BODY_BYTES",
    "POLICY",
    "SCIM_MEDIA_TYPE",
    "USER_FILTERS",
    "USER_URN",
    "IntelGraphUser",
    "Page",
    "ScimUser",
    "UnsupportedMediaTypeException",
    "check_group_name",
    "check_if_match",
    "dump",
    "error_response",
    "etag",
    "group_to_scim",
    "matches_nothing",
    "member_ids",
    "parse_filter",
    "resource_types",
    "schemas",
    "scim_response",
    "service_provider_config",
    "user_from_scim",
    "user_to_scim",
]
