"""The credential cache: fewer lookups per request, never a stale answer.

Authentication remembers what a credential's lookups found, keyed by the identity
version that database triggers bump on every change to users, groups, sessions and
tokens; these tests change identities behind the application's back (plain SQL)
and expect the very next request to see it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from intelgraph.auth.errors import AuthError
from intelgraph.platform import Platform
from tests.auth.conftest import Admin


def _statements(platform: Platform, action) -> int:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    engine = platform.store._engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def _sql(platform: Platform, statement: str) -> None:
    with platform.store._writer_engine.begin() as connection:
        connection.execute(text(statement))


def test_repeated_requests_need_fewer_lookups(platform: Platform, admin: Admin) -> None:
    pair = platform.identity.login(admin.name, admin.password)
    header = f"Bearer {pair.access_token}"
    first = _statements(platform, lambda: platform.identity.authenticate(header))
    again = _statements(platform, lambda: platform.identity.authenticate(header))
    assert again < first
    assert platform.identity.authenticate(header).name == admin.name


def test_a_user_disabled_in_sql_is_refused_on_the_next_request(
    platform: Platform, admin: Admin
) -> None:
    pair = platform.identity.login(admin.name, admin.password)
    header = f"Bearer {pair.access_token}"
    platform.identity.authenticate(header)  # cached now
    _sql(platform, f"UPDATE users SET active = false WHERE name = '{admin.name}'")
    with pytest.raises(AuthError) as refused:
        platform.identity.authenticate(header)
    assert refused.value.code == "user_disabled"


def test_a_token_revoked_in_sql_is_refused_on_the_next_request(
    platform: Platform, admin: Admin
) -> None:
    user = platform.store.identity.user_by_name(admin.name)
    made = platform.identity.create_api_token(user.id, "cache", ["read"])
    header = f"Bearer {made.token}"
    assert platform.identity.authenticate(header).kind == "service"
    assert platform.identity.authenticate(header).kind == "service"  # from the cache
    _sql(platform, f"UPDATE api_tokens SET revoked = 1 WHERE id = '{made.row.id}'")
    with pytest.raises(AuthError) as refused:
        platform.identity.authenticate(header)
    assert refused.value.code == "api_token_invalid"


def test_nothing_is_cached_without_the_version_counter(platform: Platform, admin: Admin) -> None:
    """A wiped meta row must not freeze the cache: without the counter, every request
    looks everything up."""
    pair = platform.identity.login(admin.name, admin.password)
    header = f"Bearer {pair.access_token}"
    _sql(platform, "DELETE FROM meta WHERE key = 'identity_version'")
    platform.identity.authenticate(header)
    platform.identity.logout(platform.identity.authenticate(header))
    with pytest.raises(AuthError) as refused:
        platform.identity.authenticate(header)
    assert refused.value.code == "token_revoked"
