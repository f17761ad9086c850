"""``/graphql`` over HTTP: POST (JSON, batched up to a limit) and GET (queries only).

Mutations over GET are refused (405): a GET can be triggered cross-site by a
link or an image, so it must never change anything. Bodies other than JSON (and
multipart uploads, which need a bearer token) are refused (415), which also
stops form-encoded cross-site POSTs. GraphiQL is served only in development.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import UploadFile
from strawberry.http.ides import get_graphql_ide_html

from intelgraph.api.graphql.errors import request_error
from intelgraph.api.graphql.service import GraphQLService, Outcome
from intelgraph.api.graphql.ws import anonymous_request
from intelgraph.api.security import AUTHORITY_HEADER, PURPOSE_HEADER, auth_error_response
from intelgraph.auth.errors import AuthError
from intelgraph.errors import IntelGraphError, InvalidInput
from intelgraph.obs.tracing import current_request_id
from intelgraph.platform import Platform
from intelgraph.policy.principal import AccessRequest

router = APIRouter()


class GraphQLResponse(JSONResponse):
    """JSON as UTF-8; a string that cannot be UTF-8 (a lone surrogate echoed from the
    request) is written escaped instead of failing the response."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()


def _service(request: Request) -> GraphQLService:
    service = request.app.state.graphql
    assert isinstance(service, GraphQLService)
    return service


def _refusal(error: IntelGraphError, status: int) -> JSONResponse:
    return GraphQLResponse({"errors": [request_error(error)]}, status_code=status)


def _access(request: Request, platform: Platform) -> AccessRequest:
    principal = platform.identity.authenticate(request.headers.get("authorization"))
    request.state.principal_id = principal.id
    request.state.tenant = principal.tenant
    return platform.access.request(
        principal,
        purpose=request.headers.get(PURPOSE_HEADER),
        authority=request.headers.get(AUTHORITY_HEADER),
    )


def _response(outcome: Outcome) -> JSONResponse:
    return GraphQLResponse(outcome.body, status_code=outcome.status, headers=outcome.headers)


async def _authenticated(request: Request, payload: Any = None) -> AccessRequest | Response:
    service = _service(request)
    if (
        not request.headers.get("authorization")
        and isinstance(payload, dict)
        and service.anonymous_allowed(payload)
    ):
        return anonymous_request()  # login/refresh: how a caller gets a token
    try:
        return _access(request, service.platform)
    except AuthError as exc:
        challenge = auth_error_response(exc).headers  # only the challenge, not its length
        return JSONResponse(
            {"errors": [request_error(exc)]},
            status_code=401,
            headers={
                "WWW-Authenticate": challenge["www-authenticate"],
                "Cache-Control": "no-store",
            },
        )
    except IntelGraphError as exc:  # a purpose not held, an unknown authority
        return _refusal(exc, 403)


@router.post("/graphql")
async def graphql_post(request: Request) -> Response:
    service = _service(request)
    settings = service.platform.settings
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        return await _multipart(request, service)
    if media_type not in {"application/json", "application/graphql-response+json"}:
        return _refusal(
            InvalidInput(
                f"unsupported content type {media_type or 'none'!r}",
                hint="send the operation as JSON with Content-Type: application/json",
                code="invalid_request",
            ),
            415,
        )
    limit = settings.graphql_max_body_kb * 1024
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return _too_large(limit)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return _too_large(limit)
    try:
        payload: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _refusal(
            InvalidInput(
                "the body is not valid JSON",
                hint='send {"query": "...", "variables": {...}}',
                code="invalid_request",
            ),
            400,
        )
    access = await _authenticated(request, payload)
    if isinstance(access, Response):
        return access
    request_id = current_request_id()
    if isinstance(payload, list):
        if not payload or len(payload) > settings.graphql_max_batch:
            return _refusal(
                InvalidInput(
                    f"a batch holds {len(payload)} operations; 1 to "
                    f"{settings.graphql_max_batch} are allowed",
                    hint="send fewer operations per request",
                    code="batch_too_large",
                ),
                400,
            )
        outcomes = []
        for item in payload:
            if not isinstance(item, dict):
                outcomes.append(_not_an_object())
                continue
            outcomes.append(
                await service.run(access, item, request_id=request_id, transport=request)
            )
        headers: dict[str, str] = {}
        for outcome in outcomes:
            headers.update(outcome.headers)
        status = 429 if any(o.status == 429 for o in outcomes) else 200
        return GraphQLResponse([o.body for o in outcomes], status_code=status, headers=headers)
    if not isinstance(payload, dict):
        return _response(_not_an_object())
    outcome = await service.run(access, payload, request_id=request_id, transport=request)
    return _response(outcome)


@router.get("/graphql")
async def graphql_get(request: Request) -> Response:
    """Queries only, e.g. persisted ones: ``?extensions={"persistedQuery":…}``."""
    service = _service(request)
    params = request.query_params
    if (
        not params
        and not service.api.production
        and "text/html" in request.headers.get("accept", "")
    ):
        return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))
    payload: dict[str, Any] = {}
    for name in ("query", "operationName"):
        if name in params:
            payload[name] = params[name]
    for name in ("variables", "extensions"):
        if name in params:
            try:
                payload[name] = json.loads(params[name])
            except ValueError:
                return _refusal(
                    InvalidInput(f"{name} is not valid JSON", code="invalid_request"), 400
                )
    if not payload:
        return _refusal(
            InvalidInput(
                "no GraphQL operation in the request",
                hint="POST a JSON body with a query, or GET with ?query=…",
                code="invalid_request",
            ),
            400,
        )
    access = await _authenticated(request)
    if isinstance(access, Response):
        return access
    outcome = await service.run(
        access, payload, queries_only=True, request_id=current_request_id(), transport=request
    )
    return _response(outcome)


async def _multipart(request: Request, service: GraphQLService) -> Response:
    """The GraphQL multipart request spec (file uploads): ``operations`` (JSON),
    ``map`` (file field → variable paths) and the files. Uploads need a bearer token
    like everything else, which a cross-site form cannot send."""
    if not request.headers.get("authorization"):
        access = await _authenticated(request)
        assert isinstance(access, Response)
        return access
    try:
        form = await request.form(max_files=10, max_fields=20, max_part_size=1 << 20)
    except Exception:  # starlette raises its own parser errors for malformed bodies
        return _refusal(
            InvalidInput("the multipart body could not be read", code="invalid_request"), 400
        )
    if not any(isinstance(value, UploadFile) for value in form.values()):
        # multipart/form-data is a type a cross-site form may send without a preflight:
        # only a real upload may use it.
        return _refusal(
            InvalidInput(
                "a multipart request must carry a file",
                hint="send operations without files as JSON (Content-Type: application/json)",
                code="invalid_request",
            ),
            415,
        )
    try:
        payload = _operations(form)
    except IntelGraphError as exc:
        return _refusal(exc, 400)
    access = await _authenticated(request, payload)
    if isinstance(access, Response):
        return access
    outcome = await service.run(access, payload, request_id=current_request_id(), transport=request)
    return _response(outcome)


def _operations(form: Any) -> dict[str, Any]:
    bad = InvalidInput(
        "a multipart request needs `operations` and `map` fields",
        hint="see the GraphQL multipart request spec",
        code="invalid_request",
    )
    operations_text, mapping_text = form.get("operations"), form.get("map")
    if not isinstance(operations_text, str) or not isinstance(mapping_text, str):
        raise bad
    try:
        payload = json.loads(operations_text)
        mapping = json.loads(mapping_text)
    except ValueError:
        raise bad from None
    if not isinstance(payload, dict) or not isinstance(mapping, dict):
        raise bad
    for field_name, paths in mapping.items():
        upload = form.get(field_name)
        if upload is None or isinstance(upload, str) or not isinstance(paths, list):
            raise bad
        for path in paths:
            _place(payload, str(path), upload)
    return payload


def _place(payload: dict[str, Any], path: str, value: Any) -> None:
    """Put an upload at ``variables.file`` or ``variables.files.0``."""
    parts = path.split(".")
    if len(parts) < 2 or parts[0] != "variables":
        raise InvalidInput(
            f"upload path {path!r} must start with variables.", code="invalid_request"
        )
    target: Any = payload
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    last = parts[-1]
    if isinstance(target, list):
        index = int(last)
        if not 0 <= index < len(target):
            raise InvalidInput(f"upload path {path!r} is out of range", code="invalid_request")
        target[index] = value
    elif isinstance(target, dict):
        target[last] = value
    else:
        raise InvalidInput(
            f"upload path {path!r} does not fit the variables", code="invalid_request"
        )


def _too_large(limit: int) -> JSONResponse:
    return _refusal(
        InvalidInput(
            f"the request body is larger than {limit // 1024} KiB",
            hint="send a smaller operation (persisted queries send only a hash)",
            code="payload_too_large",
        ),
        413,
    )


def _not_an_object() -> Outcome:
    error = InvalidInput(
        "each operation must be a JSON object",
        hint='send {"query": "...", "variables": {...}}',
        code="invalid_request",
    )
    return Outcome(body={"errors": [request_error(error)]}, status=400)


__all__ = ["router"]
