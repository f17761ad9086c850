"""Persisted queries in every mode, both registry formats, and refusal before parsing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intelgraph.api.graphql.persisted import (
    PersistedMode,
    PersistedQueries,
    PersistedQueryError,
    document_hash,
)
from intelgraph.errors import ConfigError

KNOWN = "query Known { entities(first: 10) { id } }"
OTHER = "query Other { me { id } }"
KNOWN_HASH = hashlib.sha256(KNOWN.encode()).hexdigest()
OTHER_HASH = hashlib.sha256(OTHER.encode()).hexdigest()
REGISTRY = {KNOWN_HASH: KNOWN}


def ext(digest: str, version: Any = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


def code_of(pq: PersistedQueries, query: Any, extensions: Any) -> str:
    with pytest.raises(PersistedQueryError) as caught:
        pq.resolve(query, extensions)
    return caught.value.code


def test_document_hash_is_hex_sha256_of_utf8() -> None:
    assert document_hash("é") == hashlib.sha256("é".encode()).hexdigest()
    assert document_hash(KNOWN) == KNOWN_HASH
    assert len(document_hash("")) == 64


# --- off -------------------------------------------------------------------------------


def test_off_runs_query_and_ignores_the_extension() -> None:
    pq = PersistedQueries(PersistedMode.OFF, REGISTRY)
    assert pq.resolve(OTHER, None) == OTHER
    assert pq.resolve(OTHER, ext(KNOWN_HASH)) == OTHER  # even a mismatching hash is ignored
    assert pq.resolve(OTHER, {"persistedQuery": "garbage"}) == OTHER


def test_off_hash_only_is_not_supported() -> None:
    pq = PersistedQueries("off", REGISTRY)
    with pytest.raises(PersistedQueryError) as caught:
        pq.resolve(None, ext(KNOWN_HASH))  # registered or not, off means off
    assert caught.value.code == "persisted_query_not_supported"
    assert caught.value.message == "PersistedQueryNotSupported"


def test_off_nothing_sent_asks_for_a_query() -> None:
    pq = PersistedQueries(PersistedMode.OFF)
    with pytest.raises(PersistedQueryError) as caught:
        pq.resolve(None, None)
    assert caught.value.code == "invalid_request"
    assert caught.value.hint is not None
    assert "query" in caught.value.hint
    assert code_of(pq, "", {}) == "invalid_request"


# --- allow (APQ) -----------------------------------------------------------------------


def test_allow_hash_only_unknown_is_not_found_with_apollo_message() -> None:
    pq = PersistedQueries(PersistedMode.ALLOW)
    with pytest.raises(PersistedQueryError) as caught:
        pq.resolve(None, ext(OTHER_HASH))
    assert caught.value.code == "persisted_query_not_found"
    assert caught.value.message == "PersistedQueryNotFound"
    assert str(caught.value).startswith("PersistedQueryNotFound")


def test_allow_apq_round_trip_caches_then_serves_by_hash() -> None:
    pq = PersistedQueries(PersistedMode.ALLOW)
    assert code_of(pq, None, ext(OTHER_HASH)) == "persisted_query_not_found"
    assert pq.resolve(OTHER, ext(OTHER_HASH)) == OTHER
    assert pq.cached_count == 1
    assert pq.resolve(None, ext(OTHER_HASH.upper())) == OTHER  # hashes are case-insensitive


def test_allow_hash_only_serves_registered_documents() -> None:
    pq = PersistedQueries(PersistedMode.ALLOW, REGISTRY)
    assert pq.resolve(None, ext(KNOWN_HASH)) == KNOWN
    assert pq.resolve(KNOWN, ext(KNOWN_HASH)) == KNOWN
    assert pq.cached_count == 0  # registered documents need no cache slot


def test_allow_mismatch_is_refused_and_not_cached() -> None:
    pq = PersistedQueries(PersistedMode.ALLOW)
    with pytest.raises(PersistedQueryError) as caught:
        pq.resolve(OTHER, ext(KNOWN_HASH))
    assert caught.value.code == "persisted_query_mismatch"
    assert OTHER not in caught.value.message
    assert pq.cached_count == 0
    assert code_of(pq, None, ext(KNOWN_HASH)) == "persisted_query_not_found"


def test_allow_query_only_runs() -> None:
    pq = PersistedQueries(PersistedMode.ALLOW)
    assert pq.resolve(OTHER, None) == OTHER
    assert pq.resolve(OTHER, {}) == OTHER
    assert pq.cached_count == 0
    assert code_of(pq, None, None) == "invalid_request"


def test_allow_cache_is_a_bounded_lru() -> None:
    pq = PersistedQueries(PersistedMode.ALLOW, cache_size=3)
    docs = [f"query Q{i} {{ n{i} }}" for i in range(5)]
    for doc in docs[:3]:
        pq.resolve(doc, ext(document_hash(doc)))
    pq.resolve(None, ext(document_hash(docs[0])))  # docs[0] is now the most recent
    pq.resolve(docs[3], ext(document_hash(docs[3])))  # evicts docs[1], the least recent
    assert pq.cached_count == 3
    assert pq.resolve(None, ext(document_hash(docs[0]))) == docs[0]
    assert code_of(pq, None, ext(document_hash(docs[1]))) == "persisted_query_not_found"
    assert pq.resolve(None, ext(document_hash(docs[2]))) == docs[2]


def test_allow_cache_size_zero_never_caches() -> None:
    pq = PersistedQueries(PersistedMode.ALLOW, cache_size=0)
    pq.resolve(OTHER, ext(OTHER_HASH))
    assert code_of(pq, None, ext(OTHER_HASH)) == "persisted_query_not_found"


# --- enforce ---------------------------------------------------------------------------


def test_enforce_hash_only() -> None:
    pq = PersistedQueries(PersistedMode.ENFORCE, REGISTRY)
    assert pq.resolve(None, ext(KNOWN_HASH)) == KNOWN
    with pytest.raises(PersistedQueryError) as caught:
        pq.resolve(None, ext(OTHER_HASH))
    assert caught.value.code == "persisted_query_not_found"
    assert caught.value.message == "PersistedQueryNotFound"


def test_enforce_registered_query_runs_with_or_without_hash() -> None:
    pq = PersistedQueries(PersistedMode.ENFORCE, REGISTRY)
    assert pq.resolve(KNOWN, None) == KNOWN
    assert pq.resolve(KNOWN, ext(KNOWN_HASH)) == KNOWN


def test_enforce_unregistered_query_is_required_error_and_never_cached() -> None:
    pq = PersistedQueries(PersistedMode.ENFORCE, REGISTRY)
    for extensions in (None, ext(OTHER_HASH)):
        with pytest.raises(PersistedQueryError) as caught:
            pq.resolve(OTHER, extensions)
        assert caught.value.code == "persisted_query_required"
        assert caught.value.hint is not None
        assert "registered" in caught.value.hint
        assert OTHER not in str(caught.value.to_dict())
    assert pq.cached_count == 0
    # The APQ round trip does not open a back door in enforce mode.
    assert code_of(pq, None, ext(OTHER_HASH)) == "persisted_query_not_found"


def test_enforce_registered_query_with_wrong_hash_is_mismatch() -> None:
    pq = PersistedQueries(PersistedMode.ENFORCE, REGISTRY)
    assert code_of(pq, KNOWN, ext(OTHER_HASH)) == "persisted_query_mismatch"


def test_enforce_nothing_sent() -> None:
    pq = PersistedQueries(PersistedMode.ENFORCE, REGISTRY)
    assert code_of(pq, None, None) == "invalid_request"
    assert pq.registered_count == 1


@settings(max_examples=300, deadline=None)
@given(
    query=st.one_of(st.none(), st.text(min_size=1, max_size=200)),
    digest=st.one_of(
        st.none(), st.text(alphabet="0123456789abcdefABCDEF", min_size=64, max_size=64)
    ),
)
def test_enforce_refuses_anything_unregistered(query: str | None, digest: str | None) -> None:
    pq = PersistedQueries(PersistedMode.ENFORCE, REGISTRY)
    if query == KNOWN or (query is None and digest is not None and digest.lower() == KNOWN_HASH):
        return  # the one registered document (vanishingly unlikely to be generated)
    if query is None and digest is None:
        assert code_of(pq, query, None) == "invalid_request"
        return
    extensions = None if digest is None else ext(digest)
    assert code_of(pq, query, extensions) in {
        "persisted_query_required",
        "persisted_query_not_found",
    }
    assert pq.cached_count == 0


# --- request shape validation ----------------------------------------------------------


@pytest.mark.parametrize("mode", [PersistedMode.ALLOW, PersistedMode.ENFORCE])
@pytest.mark.parametrize(
    ("query", "extensions"),
    [
        (42, None),
        (None, ["not", "a", "mapping"]),
        (None, {"persistedQuery": "abc"}),
        (None, {"persistedQuery": {"sha256Hash": KNOWN_HASH}}),
        (None, ext(KNOWN_HASH, version=2)),
        (None, ext(KNOWN_HASH, version=True)),
        (None, ext(KNOWN_HASH, version="1")),
        (None, ext(KNOWN_HASH[:63])),
        (None, ext(KNOWN_HASH + "0")),
        (None, ext("g" * 64)),
        (None, {"persistedQuery": {"version": 1, "sha256Hash": 123}}),
        (KNOWN, ext("zz")),
    ],
)
def test_malformed_requests_are_invalid_request(
    mode: PersistedMode, query: Any, extensions: Any
) -> None:
    pq = PersistedQueries(mode, REGISTRY)
    assert code_of(pq, query, extensions) == "invalid_request"


def test_errors_never_echo_the_document() -> None:
    secret = "query Secret { " + "x " * 500 + "}"
    pq = PersistedQueries(PersistedMode.ALLOW)
    with pytest.raises(PersistedQueryError) as caught:
        pq.resolve(secret, ext(KNOWN_HASH))
    assert "Secret" not in json.dumps(caught.value.to_dict())


# --- registries ------------------------------------------------------------------------


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def manifest(*ops: Any) -> dict[str, Any]:
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": list(ops)}


def test_constructor_rejects_a_wrong_hash() -> None:
    with pytest.raises(ConfigError) as caught:
        PersistedQueries(PersistedMode.ENFORCE, {OTHER_HASH: KNOWN})
    assert OTHER_HASH[:12] in caught.value.message
    assert caught.value.code == "config_invalid"


def test_constructor_rejects_non_hash_keys_and_unknown_mode() -> None:
    with pytest.raises(ConfigError, match="hex sha256"):
        PersistedQueries(PersistedMode.ENFORCE, {"Known": KNOWN})
    with pytest.raises(ConfigError, match="mode"):
        PersistedQueries("strict", REGISTRY)


def test_load_plain_object_and_manifest_together(tmp_path: Path) -> None:
    plain = write(tmp_path, "plain.json", {KNOWN_HASH.upper(): KNOWN})
    apollo = write(
        tmp_path,
        "manifest.json",
        manifest({"id": OTHER_HASH, "name": "Other", "type": "query", "body": OTHER}),
    )
    pq = PersistedQueries.load(PersistedMode.ENFORCE, [plain, apollo])
    assert pq.registered_count == 2
    assert pq.resolve(None, ext(KNOWN_HASH)) == KNOWN
    assert pq.resolve(OTHER, None) == OTHER


def test_load_empty_list_of_paths(tmp_path: Path) -> None:
    pq = PersistedQueries.load("enforce", [])
    assert pq.registered_count == 0
    assert code_of(pq, KNOWN, None) == "persisted_query_required"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ([KNOWN], "must be a JSON object"),
        ({KNOWN_HASH: 3}, "not a document string"),
        ({"not-a-hash": KNOWN}, "hex sha256"),
        ({OTHER_HASH: KNOWN}, "does not match"),
        ({KNOWN_HASH: ""}, "no document text"),
        ({"format": "relay", "version": 1, "operations": []}, "'format'"),
        ({**manifest(), "version": 2}, "version"),
        ({**manifest(), "operations": {}}, "'operations' must be a list"),
        (manifest("op"), "operations[0] is not an object"),
        (manifest({"id": KNOWN_HASH, "name": "K"}), "no string 'body'"),
        (manifest({"body": KNOWN, "name": "K"}), "no string 'id'"),
        (manifest({"id": OTHER_HASH, "name": "Known", "body": KNOWN}), "(Known)"),
        (manifest({"id": "short", "name": "K", "body": KNOWN}), "hex sha256"),
    ],
)
def test_load_malformed_files_name_the_file(tmp_path: Path, content: Any, fragment: str) -> None:
    path = write(tmp_path, "registry.json", content)
    with pytest.raises(ConfigError) as caught:
        PersistedQueries.load(PersistedMode.ENFORCE, [path])
    assert str(path) in caught.value.message
    assert fragment in caught.value.message
    assert caught.value.hint


def test_load_missing_and_non_utf8_files(tmp_path: Path) -> None:
    missing = tmp_path / "absent.json"
    with pytest.raises(ConfigError, match="Cannot read") as caught:
        PersistedQueries.load(PersistedMode.ENFORCE, [missing])
    assert str(missing) in caught.value.message
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="not UTF-8"):
        PersistedQueries.load(PersistedMode.ENFORCE, [binary])
