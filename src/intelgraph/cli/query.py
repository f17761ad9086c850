"""``intelgraph query``: one GraphQL operation in-process, with one user's rights."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import typer

from intelgraph.access.bootstrap import ADMIN_NAME
from intelgraph.api.graphql.persisted import PersistedQueries
from intelgraph.api.graphql.schema import build_api
from intelgraph.api.graphql.service import GraphQLService, limits_from
from intelgraph.auth.errors import AuthError
from intelgraph.auth.users import principal_of
from intelgraph.cli.common import (
    AsOption,
    AuthorityOption,
    PurposeOption,
    friendly_errors,
    settings_from,
)
from intelgraph.errors import InvalidInput, NotFound
from intelgraph.platform import Platform


def register(app: typer.Typer) -> None:
    app.command("query")(query)


@friendly_errors
def query(
    ctx: typer.Context,
    document: str = typer.Argument(
        ..., help="The GraphQL operation; '-' reads it from standard input."
    ),
    variables: str | None = typer.Option(
        None, "--vars", help='Variables as a JSON object, e.g. \'{"id": "…"}\'.'
    ),
    operation: str | None = typer.Option(
        None, "--operation", help="Which operation of the document to run."
    ),
    as_user: str | None = AsOption,
    purpose: str | None = PurposeOption,
    authority: str | None = AuthorityOption,
) -> None:
    """Run one GraphQL operation with exactly one user's rights (default: the local
    admin) and print the JSON result; exits 1 when the result has errors."""
    text = sys.stdin.read() if document == "-" else document
    parsed: object = None
    if variables is not None:
        try:
            parsed = json.loads(variables)
        except ValueError as exc:
            raise InvalidInput(f"--vars is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise InvalidInput("--vars must be a JSON object", hint="e.g. '{\"first\": 5}'")
    payload = {"query": text, "variables": parsed, "operationName": operation}
    settings = settings_from(ctx)
    with Platform.open(settings) as platform:
        name = as_user or ADMIN_NAME
        try:
            user = platform.store.identity.user_by_name(name)
        except NotFound:
            hint = (
                "create it with `intelgraph init` (or `intelgraph demo`)"
                if as_user is None
                else "see `intelgraph users list`"
            )
            raise NotFound(f"no user {name!r}", hint=hint) from None
        if not user.active:
            raise AuthError("user_disabled", f"user {name!r} is disabled")
        principal = principal_of(user, auth_time=int(time.time()))
        request = platform.access.request(principal, purpose=purpose, authority=authority)
        api = build_api(platform.ontology, limits=limits_from(settings))
        service = GraphQLService(platform, api, persisted=PersistedQueries("allow"), limiter=None)
        outcome = asyncio.run(service.run(request, payload))
    typer.echo(json.dumps(outcome.body, indent=2, ensure_ascii=False, default=str))
    if outcome.body.get("errors"):
        raise typer.Exit(1)


__all__ = ["register"]
