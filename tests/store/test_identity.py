"""Identity and authority storage on both backends: users, groups, sessions, refresh
and API tokens, authority bindings with their ledger leaves."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from intelgraph.auth.users import new_user
from intelgraph.errors import Conflict, InvalidInput, NotFound
from intelgraph.store import Store
from intelgraph.store.authorities import AuthorityRow
from intelgraph.store.identity import GroupRow, UserChanges, new_id


def test_users_are_unique_versioned_and_revoked_with_their_sessions(store: Store) -> None:
    ann = store.identity.add_user(
        new_user("ann", tenant="t1", clearance="SECRET", compartments=["FIN"], purposes=["aml"])
    )
    assert (ann.clearance, ann.compartments, ann.purposes, ann.version) == (2, {"FIN"}, ("aml",), 1)
    with pytest.raises(Conflict):
        store.identity.add_user(new_user("ann", tenant="t2"))
    now = int(time.time())
    session = store.identity.open_session(
        ann.id, auth_time=now, expires=now + 60, refresh_hash="a" * 64
    )
    changed = store.identity.update_user(
        ann.id, UserChanges(purposes=("aml", "cti")), expected_version=1
    )
    assert (changed.purposes, changed.version) == (("aml", "cti"), 2)
    with pytest.raises(Conflict) as stale:
        store.identity.update_user(ann.id, UserChanges(admin=True), expected_version=1)
    assert stale.value.code == "version_mismatch"
    live = store.identity.session(session)
    assert live is not None
    assert live.live_at(now)
    store.identity.update_user(ann.id, UserChanges(active=False))
    revoked = store.identity.session(session)
    assert revoked is not None
    assert revoked.revoked_reason == "user-disabled"
    assert store.identity.users(tenant="t1")[0].active is False
    with pytest.raises(NotFound):
        store.identity.user_by_name("nobody")


def test_refresh_tokens_are_single_use_and_reuse_ends_the_session(store: Store) -> None:
    ann = store.identity.add_user(new_user("ann", tenant="t1"))
    now = int(time.time())
    session = store.identity.open_session(
        ann.id, auth_time=now, expires=now + 60, refresh_hash="1" * 64
    )
    rotated = store.identity.rotate_refresh("1" * 64, "2" * 64, now)
    assert rotated is not None
    assert rotated.id == session
    assert store.identity.rotate_refresh("1" * 64, "3" * 64, now) is None  # reuse
    ended = store.identity.session(session)
    assert ended is not None
    assert ended.revoked_reason == "refresh-reused"
    assert store.identity.rotate_refresh("2" * 64, "4" * 64, now) is None  # session is over
    assert store.identity.rotate_refresh("9" * 64, "5" * 64, now) is None  # unknown


def test_groups_change_their_members_versions(store: Store) -> None:
    ann = store.identity.add_user(new_user("ann", tenant="t1"))
    bob = store.identity.add_user(new_user("bob", tenant="t1"))
    group = store.identity.add_group(GroupRow(new_id(), "t1", "fin-team", members=(ann.id,)))
    assert store.identity.user(ann.id).groups == {"fin-team"}
    assert store.identity.user(ann.id).version == 2
    store.identity.update_group(group.id, add=[bob.id], remove=[ann.id])
    assert store.identity.group(group.id).members == (bob.id,)
    assert store.identity.user(ann.id).groups == frozenset()
    assert store.identity.user(ann.id).version == 3
    with pytest.raises(Conflict):
        store.identity.add_group(GroupRow(new_id(), "t1", "fin-team"))
    with pytest.raises(InvalidInput):
        store.identity.update_group(group.id, add=["no-such-user"])
    store.identity.delete_user(bob.id)
    assert store.identity.group(group.id).members == ()
    store.identity.delete_group(group.id)
    with pytest.raises(NotFound):
        store.identity.group(group.id)


def test_api_tokens_keep_only_hashes(store: Store) -> None:
    ann = store.identity.add_user(new_user("ann", tenant="t1"))
    token = store.identity.add_api_token(
        user_id=ann.id, name="etl", token_hash="f" * 64, scopes=["read", "ingest"], expires=2**40
    )
    assert store.identity.api_token_by_hash("f" * 64) == token
    assert token.scopes == {"read", "ingest"}
    assert store.identity.revoke_api_token(token.id) is True
    assert store.identity.revoke_api_token(token.id) is False
    assert store.identity.api_token(token.id).revoked is not None
    store.identity.delete_user(ann.id)
    assert store.identity.api_tokens() == [store.identity.api_token(token.id)]


def test_authorities_are_logged_when_granted_and_revoked(store: Store) -> None:
    now = int(time.time())
    row = AuthorityRow(
        id="w-1",
        tenant="t1",
        kind="warrant",
        issuer="court",
        reference="1/26",
        purposes=frozenset({"aml"}),
        entities=frozenset({"person-alpha", "person-beta"}),
        licences=frozenset(),
        holders=frozenset({"ann"}),
        not_before=now,
        expires=now + 3600,
        created_by="user:x",
    )
    granted, leaf = store.authorities.grant(row)
    assert granted.entities == {"person-alpha", "person-beta"}
    with pytest.raises(Conflict):
        store.authorities.grant(row)
    revoked, second = store.authorities.revoke("w-1", by="user:y")
    assert revoked.revoked is not None
    assert second > leaf
    with pytest.raises(Conflict):
        store.authorities.revoke("w-1", by="user:y")
    bodies = [json.loads(store.ledger.leaf(i)) for i in (leaf, second)]
    assert [b["action"] for b in bodies] == ["granted", "revoked"]
    assert bodies[0]["digest"] == bodies[1]["digest"] == row.digest()
    assert "person-alpha" not in json.dumps(bodies)  # the leaf holds the digest, not the list
    assert store.authorities.listed("t1") == [revoked]
    assert store.authorities.listed("t2") == []
    changed = replace(row, entities=frozenset({"person-gamma"}))
    assert changed.digest() != row.digest()
