"""Contract: saved searches and investigations on both backends, each owner's own only."""

from __future__ import annotations

import json

import pytest

from intelgraph.errors import IntelGraphError, NotFound
from intelgraph.store import Store
from intelgraph.store import workspace as workspace_module
from intelgraph.store.workspace import MAX_NODES, MAX_STATE_BYTES, Owner

ANN = Owner("default", "user:ann")
BOB = Owner("default", "user:bob")
ANN_ELSEWHERE = Owner("acme", "user:ann")  # the same principal id in another tenant


def code_of(call: object) -> str:
    with pytest.raises(IntelGraphError) as caught:
        call()  # type: ignore[operator]  # a thunk
    return caught.value.code


def test_saved_searches_belong_to_their_owner(store: Store) -> None:
    work = store.workspace
    first = work.save_search(ANN, " Cyprus people ", "", {"types": ["Person"]})
    assert (first.name, first.query, first.filter) == ("Cyprus people", "", {"types": ["Person"]})
    assert first.id.startswith("search-")
    work.save_search(ANN, "aurora", "aurora", None)
    work.save_search(BOB, "aurora", "aurora bob", {})
    assert [s.name for s in work.saved_searches(ANN)] == ["Cyprus people", "aurora"]
    assert [s.query for s in work.saved_searches(BOB)] == ["aurora bob"]
    assert work.saved_searches(ANN_ELSEWHERE) == []
    # Someone else's id is no id at all.
    assert not work.delete_search(BOB, first.id)
    assert not work.delete_search(ANN_ELSEWHERE, first.id)
    assert work.delete_search(ANN, first.id)
    assert not work.delete_search(ANN, first.id)
    assert [s.name for s in work.saved_searches(ANN)] == ["aurora"]


def test_the_same_name_replaces(store: Store) -> None:
    work = store.workspace
    first = work.save_search(ANN, "limassol", "limassol", {"types": ["Company"]})
    again = work.save_search(ANN, "limassol", "limassol ltd", {"sources": ["src-x"]})
    assert again.id == first.id
    assert again.created_at == first.created_at
    assert again.updated_at >= first.updated_at
    assert (again.query, again.filter) == ("limassol ltd", {"sources": ["src-x"]})
    assert len(work.saved_searches(ANN)) == 1


def test_saved_search_input_is_checked(store: Store) -> None:
    work = store.workspace
    assert code_of(lambda: work.save_search(ANN, "  ", "q", None)) == "name_invalid"
    assert code_of(lambda: work.save_search(ANN, "x" * 201, "q", None)) == "name_invalid"
    assert code_of(lambda: work.save_search(ANN, "a\nb", "q", None)) == "name_invalid"
    assert code_of(lambda: work.save_search(ANN, "bad\x00", "q", None)) == "name_invalid"
    assert code_of(lambda: work.save_search(ANN, "n", "q" * 1001, None)) == "invalid_input"
    assert code_of(lambda: work.save_search(ANN, "n", "q", ["types"])) == "invalid_input"
    huge = {"types": ["x" * 70_000]}
    assert code_of(lambda: work.save_search(ANN, "n", "q", huge)) == "invalid_input"
    assert code_of(lambda: work.save_search(ANN, "n", "\ud800", None)) == "invalid_input"
    assert code_of(lambda: work.save_search(ANN, "\ud800", "q", None)) == "name_invalid"
    lone = {"types": ["\ud800"]}
    assert code_of(lambda: work.save_search(ANN, "n", "q", lone)) == "invalid_input"
    assert work.save_search(ANN, "x" * 200, "", None).name == "x" * 200
    assert work.saved_searches(BOB) == []


def test_investigations_round_trip_their_state(store: Store) -> None:
    work = store.workspace
    state = {
        "nodes": [{"id": "a" * 40, "x": 1.5, "y": -2, "pinned": True}, {"id": "b", "x": 0, "y": 0}],
        "layout": "cose",
        "viewport": {"zoom": 1.25, "pan": {"x": 3, "y": 4}},
        "note": "Zürich ☃",
    }
    made = work.save_investigation(ANN, None, "Aurora", state)
    assert made.id.startswith("inv-")
    assert (made.name, made.state, made.node_count) == ("Aurora", state, 2)
    assert json.dumps(made.state) == json.dumps(state)  # key order kept
    other = work.save_investigation(ANN, None, "Aurora", {"layout": "grid"})  # names may repeat
    assert other.node_count == 0
    assert [i.id for i in work.investigations(ANN)] == [other.id, made.id]  # newest first
    changed = work.save_investigation(ANN, made.id, "Aurora 2", {"nodes": []})
    assert (changed.id, changed.name, changed.state, changed.created_at) == (
        made.id, "Aurora 2", {"nodes": []}, made.created_at,
    )  # fmt: skip
    listed = work.investigations(ANN)
    assert [(i.id, i.name, i.node_count) for i in listed] == [
        (made.id, "Aurora 2", 0),
        (other.id, "Aurora", 0),
    ]
    assert work.investigation(ANN, made.id) == changed


def test_investigations_of_others_look_absent(store: Store) -> None:
    work = store.workspace
    made = work.save_investigation(ANN, None, "Mine", {"nodes": [{"id": "x"}]})
    for stranger in (BOB, ANN_ELSEWHERE):
        assert work.investigation(stranger, made.id) is None
        assert work.investigations(stranger) == []
        with pytest.raises(NotFound) as caught:
            work.save_investigation(stranger, made.id, "Theirs now", {})
        assert caught.value.message == f"no investigation {made.id!r}"
        assert not work.delete_investigation(stranger, made.id)
    with pytest.raises(NotFound) as absent:
        work.save_investigation(BOB, "inv-0000000000000000", "x", {})
    assert absent.value.message == "no investigation 'inv-0000000000000000'"
    assert work.investigation(ANN, made.id) is not None
    assert work.investigation(ANN, "bad\x00id") is None
    assert work.delete_investigation(ANN, made.id)
    assert work.investigation(ANN, made.id) is None


def test_investigation_state_is_checked(store: Store) -> None:
    work = store.workspace

    def save(state: object, name: str = "n") -> None:
        work.save_investigation(ANN, None, name, state)

    assert code_of(lambda: save([])) == "state_invalid"
    assert code_of(lambda: save("nodes")) == "state_invalid"
    assert code_of(lambda: save(None)) == "state_invalid"
    assert code_of(lambda: save({"nodes": {"a": 1}})) == "state_invalid"
    assert code_of(lambda: save({"x": float("nan")})) == "state_invalid"
    assert code_of(lambda: save({"nodes": [{}] * (MAX_NODES + 1)})) == "state_too_large"
    save({"nodes": [{}] * MAX_NODES})
    big = {"blob": "x" * MAX_STATE_BYTES}
    with pytest.raises(IntelGraphError) as caught:
        save(big)
    assert caught.value.code == "state_too_large"
    assert caught.value.details["allowed"] == MAX_STATE_BYTES
    save({"blob": "x" * (MAX_STATE_BYTES - 20)})  # just fits: {"blob":"…"} is 11 more
    assert code_of(lambda: save({}, name="")) == "name_invalid"
    assert code_of(lambda: save({}, name="é" * 201)) == "name_invalid"
    save({}, name="é" * 200)


def test_a_workspace_holds_a_bounded_number(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    work = store.workspace
    monkeypatch.setattr(workspace_module, "MAX_SAVED_SEARCHES", 2)
    monkeypatch.setattr(workspace_module, "MAX_INVESTIGATIONS", 1)
    work.save_search(ANN, "a", "a", None)
    work.save_search(ANN, "b", "b", None)
    assert code_of(lambda: work.save_search(ANN, "c", "c", None)) == "workspace_full"
    work.save_search(ANN, "b", "b again", None)  # replacing is fine
    work.save_search(BOB, "c", "c", None)  # per owner
    made = work.save_investigation(ANN, None, "one", {})
    assert code_of(lambda: work.save_investigation(ANN, None, "two", {})) == "workspace_full"
    work.save_investigation(ANN, made.id, "one again", {})
