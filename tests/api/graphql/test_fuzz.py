"""Schema-driven fuzzing: operations generated from the served SDL (hypothesis-graphql) run
over HTTP against the demo as a normal user. Whatever they ask, the server answers without
a 5xx, every error has a documented code, nothing crashes into ``internal``, and no error
tells the client about the server's insides.

Mutations write, so this module loads its own copy of the demo.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from intelgraph.api.graphql.service import GraphQLService
from intelgraph.platform import Platform
from tests.api.graphql.conftest import DemoWorld, build_world, check_errors, make_client

# Never generated: logout ends the fuzzing user's own session, and an Upload cannot travel
# in a JSON body (multipart has tests of its own).
SKIPPED_MUTATIONS = {"logout", "uploadIngest"}
CUSTOM_SCALARS = {
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
    "JSON": st.dictionaries(st.text(max_size=5), st.integers(), max_size=3).map(
        lambda d: nodes.String(str(d))
    ),
}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,  # no example database written into the repository
)


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> DemoWorld:
    return build_world(tmp_path_factory.mktemp("graphql-fuzz") / "ig")


@pytest.fixture(scope="module")
def fuzz_platform(fuzz_world: DemoWorld) -> Iterator[Platform]:
    with fuzz_world.open(rate_limit_principal=0) as platform:  # budgets would only say 429
        yield platform


@pytest.fixture(scope="module")
def fuzz_client(fuzz_platform: Platform) -> Iterator[TestClient]:
    with make_client(fuzz_platform) as client:
        yield client


@pytest.fixture(scope="module")
def sdl(fuzz_platform: Platform) -> str:
    return GraphQLService.from_platform(fuzz_platform).api.sdl()


def check_answer(client: TestClient, token: str, document: str) -> dict[str, Any]:
    response = client.post(
        "/graphql", json={"query": document}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code < 500, (document, response.text)
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) <= {"data", "errors"}, body
    errors = check_errors(body)
    codes = [e["extensions"]["code"] for e in errors]
    assert "internal" not in codes, (document, errors)
    if response.status_code != 200:
        assert errors, body
    return body


def test_generated_queries(fuzz_client: TestClient, fuzz_world: DemoWorld, sdl: str) -> None:
    token = fuzz_world.tokens["analyst"]
    seen: dict[str, int] = {}

    @FUZZ
    @given(queries(sdl, custom_scalars=CUSTOM_SCALARS))
    def run(document: str) -> None:
        body = check_answer(fuzz_client, token, document)
        key = "data" if body.get("data") else "error"
        seen[key] = seen.get(key, 0) + 1

    run()
    assert seen.get("data", 0) > 0  # some operations really ran, not only refusals


def test_generated_mutations(fuzz_client: TestClient, fuzz_world: DemoWorld, sdl: str) -> None:
    if "type Mutation" not in sdl:
        pytest.skip("the schema has no mutations yet")
    names = _mutation_fields(sdl) - SKIPPED_MUTATIONS
    token = fuzz_world.tokens["analyst"]

    @settings(FUZZ, max_examples=80)
    @given(mutations(sdl, fields=sorted(names), custom_scalars=CUSTOM_SCALARS))
    def run(document: str) -> None:
        check_answer(fuzz_client, token, document)

    run()
    # The session still works: nothing the fuzzer did logged the user out.
    check_answer(fuzz_client, token, "{ me { name } }")


def test_generated_queries_in_production(fuzz_world: DemoWorld, sdl: str, tmp_path: Path) -> None:
    """Production hides suggestions and introspection; the answers obey the same rules."""
    token = fuzz_world.tokens["analyst"]
    with (
        fuzz_world.open(mode="production", rate_limit_principal=0) as platform,
        make_client(platform) as client,
    ):

        @settings(FUZZ, max_examples=60)
        @given(queries(sdl, custom_scalars=CUSTOM_SCALARS))
        def run(document: str) -> None:
            body = check_answer(client, token, document)
            for error in body.get("errors", []):
                assert "Did you mean" not in error["message"]

        run()
    assert tmp_path.is_dir()


def _mutation_fields(sdl: str) -> set[str]:
    from graphql import build_schema

    mutation = build_schema(sdl).mutation_type
    assert mutation is not None
    return set(mutation.fields)
