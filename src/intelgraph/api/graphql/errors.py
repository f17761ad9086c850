"""The GraphQL error model: every error has a stable ``extensions.code``.

Errors are rewritten once, at the boundary, from whatever raised them:
project errors keep their code, message and hint; GraphQL's own parse and
validation errors get codes of their own; anything unexpected becomes
``internal`` with the request id to quote, never a stack trace, SQL or path.
The documented list of codes is :data:`CODES` (docs/api.md prints it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from graphql import GraphQLError

from intelgraph.auth.errors import AUTH_CODES
from intelgraph.errors import IntelGraphError
from intelgraph.obs.logging import get_logger
from intelgraph.obs.tracing import current_request_id
from intelgraph.store.workspace import WORKSPACE_CODES

_log = get_logger("intelgraph.graphql")

# code → what it means; the contract clients program against.
CODES: Mapping[str, str] = {
    "graphql_parse_failed": "the document is not valid GraphQL syntax",
    "graphql_validation_failed": "the document does not fit the schema",
    "bad_user_input": "a variable or argument has the wrong type or shape",
    "invalid_request": "the HTTP request is not a GraphQL request this server accepts",
    "invalid_input": "an argument's value is not acceptable (the hint says why)",
    "invalid_value": "a property value failed validation for its type",
    "ontology_error": "a type or property name is not in the catalog",
    "not_found": "the thing does not exist or is hidden from you (the two look the same)",
    "forbidden": "policy refuses the action (details name the deciding policies)",
    "purpose_not_held": "the purpose sent with the request is not one you hold",
    "authority_unknown": "the authority named is not one in your tenant",
    "conflict": "the change collides with what is stored",
    "query_too_complex": "the operation exceeds a cost limit (details name it)",
    "batch_too_large": "too many operations in one batched request",
    "rate_limited": "your or your tenant's request budget is spent; retry later",
    "persisted_query_not_found": "the hash is not registered (APQ: send the query text)",
    "persisted_query_required": "this server only runs registered documents",
    "persisted_query_mismatch": "the query text does not hash to the hash sent",
    "persisted_query_not_supported": "persisted queries are off on this server",
    "operation_not_allowed": "this operation type is not allowed here (mutations need POST)",
    "payload_too_large": "the request body is larger than the server accepts",
    "export_refused": "policy refuses the export (details name the deciding policies)",
    "upload_too_large": "the uploaded file is larger than the server accepts",
    "cost_exceeds_quota": "the operation costs more than a whole rate-limit window allows",
    "unknown_property": "a property name is not in the catalog for that type",
    "unknown_schema": "a type name is not in the catalog",
    "run_in_progress": "another process is loading that source; wait for it",
    "unavailable": "the server is shutting down or a service it needs is down",
    "ingest_failed": "an uploaded file could not be loaded (the message says why)",
    "cancelled": "the job was cancelled before it ran (the server stopped); submit it again",
    **WORKSPACE_CODES,
    "store_error": "the store failed; the change was rolled back",
    "internal": "an unexpected error; quote the request id when reporting it",
    **{code: f"authentication: {text}" for code, text in AUTH_CODES.items()},
}

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def error_body(error: IntelGraphError) -> dict[str, Any]:
    """The extensions of a project error (code, hint, details)."""
    body: dict[str, Any] = {"code": error.code}
    if error.hint:
        body["hint"] = error.hint
    if error.details:
        body["details"] = error.details
    return body


def _code_of_graphql(message: str) -> str:
    if message.startswith("Syntax Error"):
        return "graphql_parse_failed"
    if message.startswith("Variable ") or "got invalid value" in message:
        return "bad_user_input"
    return "graphql_validation_failed"


def _cause(error: GraphQLError) -> BaseException | None:
    """What raised ``error``, through graphql-core's wrappers (None: GraphQL's own)."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return None if isinstance(original, GraphQLError) else original


def code_of(error: GraphQLError) -> str:
    """The code :func:`convert` gives ``error``, without converting (or logging) it."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    cause = _cause(error)
    if isinstance(cause, IntelGraphError):
        return cause.code
    return _code_of_graphql(error.message) if cause is None else "internal"


def convert(error: GraphQLError, *, suggestions: bool) -> GraphQLError:
    """One error in the model's shape (idempotent)."""
    extensions = error.extensions or {}
    if "code" in extensions:
        return error
    original = _cause(error)
    if isinstance(original, IntelGraphError):
        message, body = original.message, error_body(original)
    elif original is None:
        message = error.message if suggestions else _SUGGESTION.sub("", error.message)
        body = {"code": _code_of_graphql(message)}
    else:
        request_id = current_request_id()
        _log.error(
            "graphql_internal_error",
            error_type=type(original).__name__,
            path=list(error.path or ()),
            request_id=request_id,
            exc_info=original,
        )
        message = "internal error"
        body = {"code": "internal"}
        if request_id:
            body["hint"] = f"quote request id {request_id} when reporting this"
            body["details"] = {"requestId": request_id}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=body,
    )


def convert_all(errors: Iterable[GraphQLError], *, suggestions: bool) -> list[GraphQLError]:
    return [convert(error, suggestions=suggestions) for error in errors]


def request_error(error: IntelGraphError) -> dict[str, Any]:
    """An error before any GraphQL runs (bad body, rate limit, persisted query), in the
    same ``errors`` shape so clients parse one format."""
    return {"message": error.message, "extensions": error_body(error)}


__all__ = ["CODES", "code_of", "convert", "convert_all", "error_body", "request_error"]
