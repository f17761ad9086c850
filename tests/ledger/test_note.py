"""Signed notes and checkpoints, byte-compatible with Go's golang.org/x/mod/sumdb/note."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intelgraph.ledger.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    open_checkpoint,
    open_note,
    sign_note,
)

# The example of the Go package's documentation: Ed25519 is deterministic, so the
# same key must give the same signature byte for byte.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgK"
    "vqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_matches_the_go_reference_example() -> None:
    signer = Signer.parse(GO_SKEY)
    assert signer.verifier.vkey() == GO_VKEY
    assert signer.skey() == GO_SKEY
    assert sign_note(GO_TEXT, [signer]) == GO_NOTE
    text, signed = open_note(GO_NOTE, [Verifier.parse(GO_VKEY)])
    assert text == GO_TEXT
    assert signed == [Verifier.parse(GO_VKEY)]


def test_unknown_keys_are_ignored_and_bad_known_ones_refused() -> None:
    ours, theirs = Signer.generate("log.example/a"), Signer.generate("witness.example")
    note = sign_note("log.example/a\n5\n" + "A" * 43 + "=\n", [ours, theirs])
    _, signed = open_note(note, [ours.verifier])  # the witness's signature is skipped
    assert signed == [ours.verifier]
    with pytest.raises(NoteError, match="no valid signature by a known key"):
        open_note(note, [Signer.generate("log.example/a").verifier])
    forged = note.replace("\n5\n", "\n6\n")
    with pytest.raises(NoteError, match="invalid"):
        open_note(forged, [ours.verifier])


@pytest.mark.parametrize(
    "note",
    [
        "",
        "no signatures\n",
        "text\n\n",
        "text\n\nnot a dash line\n",
        "text\n\n— name\n",
        "text\n\n— name !!!\n",
        "text\n\n— name AAAA\n",
        "text\n\n— name Zm9v\u00e9\n",
        "text without newline\n\n— name AAAAAAAA",
        "tab\there\n\n— name AAAAAAAA\n",
    ],
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(NoteError):
        open_note(note, [Signer.generate("name").verifier])


def test_checkpoint_text_round_trips_and_checks_its_origin() -> None:
    signer = Signer.generate("intelgraph.local/test")
    checkpoint = Checkpoint("intelgraph.local/test", 42, bytes(range(32)), ("ext line",))
    assert checkpoint.text().splitlines()[:2] == ["intelgraph.local/test", "42"]
    note = sign_note(checkpoint.text(), [signer])
    opened, _ = open_checkpoint(note, [signer.verifier], origin="intelgraph.local/test")
    assert opened == checkpoint
    with pytest.raises(NoteError, match="not 'other'"):
        open_checkpoint(note, [signer.verifier], origin="other")


@pytest.mark.parametrize(
    "text",
    [
        "o\n",
        "o\n01\n" + "A" * 43 + "=\n",
        "o\n-1\nAAAA\n",
        "o\n1\nAAAA\n",
        "\n1\n" + "A" * 43 + "=\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(text)


@pytest.mark.parametrize(
    "key",
    [
        "name+c74f20a3",
        "name+zzzz+AAAA",
        GO_VKEY.replace("c74f20a3", "c74f20a4"),
        "PeterNeumann+c74f20a3+AhpjZ0QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_malformed_verifier_keys_are_refused(key: str) -> None:
    with pytest.raises(NoteError):
        Verifier.parse(key)


STRANGER = Signer.generate("name")


@given(st.binary(min_size=1, max_size=400))
def test_random_bytes_are_refused_with_a_note_error(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    with pytest.raises(NoteError):  # never another exception, and never accepted
        open_note(text, [STRANGER.verifier])


@given(st.text(min_size=1, max_size=200), st.binary(min_size=1, max_size=80))
def test_random_signatures_by_a_known_key_are_refused(text: str, signature: bytes) -> None:
    blob = base64.b64encode(STRANGER.verifier.key_id + signature).decode()
    with pytest.raises(NoteError):
        open_note(f"{text}\n\n\u2014 name {blob}\n", [STRANGER.verifier])
