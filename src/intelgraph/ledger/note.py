"""C2SP signed notes and tlog checkpoints, with Ed25519 keys.

Follows https://c2sp.org/signed-note and https://c2sp.org/tlog-checkpoint so
that any verifier written for transparency logs (Go's ``golang.org/x/mod/sumdb/note``,
Sigsum, …) can check our checkpoints:

- a note is UTF-8 text ending in a newline, then a blank line, then signature
  lines ``— <key name> <base64(4-byte key id ‖ signature)>``;
- the key id is the first 4 bytes of ``SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)``;
- a verifier key is written ``<name>+<key id, 8 hex digits>+<base64(0x01 ‖ public key)>``;
- a checkpoint's text is the origin line, the tree size in decimal, the base64
  root hash, and optional extension lines.

Verification ignores signatures by keys it does not know, refuses a note whose
known signatures do not check, and refuses a note with no known signature.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

ALG_ED25519 = 0x01
_DASH = "\u2014 "
_MAX_NOTE = 1 << 20


class NoteError(ValueError):
    """A malformed note or checkpoint, or one no known key has signed."""


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


def _check_name(name: str) -> str:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")
    return name


@dataclass(frozen=True, slots=True)
class Verifier:
    """A public key that may sign notes under ``name``."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != 32:
            raise NoteError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    @property
    def key_hex(self) -> str:
        return self.key_id.hex()

    def vkey(self) -> str:
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_hex}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Read a verifier key (``name+keyid+base64``)."""
        parts = text.strip().split("+", 2)  # base64 may itself contain '+'
        if len(parts) != 3:
            raise NoteError("a verifier key is written name+keyid+base64key")
        name, hex_id, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
            wanted = bytes.fromhex(hex_id)
        except ValueError:  # binascii.Error, or non-ASCII text
            raise NoteError("the verifier key is not valid hex/base64") from None
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("the verifier key is not an Ed25519 key")
        verifier = cls(name, raw[1:])
        if verifier.key_id != wanted:
            raise NoteError("the verifier key's id does not match its name and key")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class Signer:
    """A private Ed25519 key that signs notes under ``name``."""

    name: str
    seed: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.seed) != 32:
            raise NoteError("an Ed25519 private key seed is 32 bytes")

    @classmethod
    def generate(cls, name: str) -> Signer:
        key = Ed25519PrivateKey.generate()
        seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls(name, seed)

    @property
    def verifier(self) -> Verifier:
        public = (
            Ed25519PrivateKey.from_private_bytes(self.seed)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        return Verifier(self.name, public)

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)

    def skey(self) -> str:
        """The private key in the signed-note text form (keep it secret)."""
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_hex}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> Signer:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("a signing key is written PRIVATE+KEY+name+keyid+base64key")
        _, _, name, hex_id, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:  # binascii.Error, or non-ASCII text
            raise NoteError("the signing key is not valid base64") from None
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("the signing key is not an Ed25519 key")
        signer = cls(name, raw[1:])
        if signer.verifier.key_hex != hex_id.lower():
            raise NoteError("the signing key's id does not match its name and key")
        return signer


@dataclass(frozen=True, slots=True)
class SignatureLine:
    name: str
    key_id: bytes
    signature: bytes


def sign_note(text: str, signers: list[Signer]) -> str:
    """The note ``text`` with one signature line per signer."""
    _check_text(text)
    if not signers:
        raise NoteError("a note needs at least one signer")
    message = text.encode()
    lines = []
    for signer in signers:
        blob = signer.verifier.key_id + signer.sign(message)
        lines.append(f"{_DASH}{signer.name} {base64.b64encode(blob).decode()}\n")
    return text + "\n" + "".join(lines)


def split_note(note: str) -> tuple[str, list[SignatureLine]]:
    """The text and the parsed signature lines of a note (nothing verified yet)."""
    if len(note) > _MAX_NOTE:
        raise NoteError("the note is too large")
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("a signed note is text, a blank line, then signature lines")
    text, block = note[: cut + 1], note[cut + 2 :]
    _check_text(text)
    signatures = []
    for line in block.splitlines():
        if not line.startswith(_DASH):
            raise NoteError("a signature line starts with an em dash and a space")
        fields = line[len(_DASH) :].split(" ")
        if len(fields) != 2:
            raise NoteError("a signature line is '— name base64'")
        name, encoded = fields
        try:
            blob = base64.b64decode(encoded, validate=True)
        except ValueError:  # binascii.Error, or non-ASCII text
            raise NoteError("a signature is not valid base64") from None
        if len(blob) < 5 or not name:
            raise NoteError("a signature is too short")
        signatures.append(SignatureLine(name, blob[:4], blob[4:]))
    if not signatures:
        raise NoteError("the note has no signature")
    return text, signatures


def open_note(note: str, verifiers: list[Verifier]) -> tuple[str, list[Verifier]]:
    """The text of a note and the known keys that signed it.

    Unknown keys are ignored; a known key whose signature fails, or a note with no
    signature by a known key, is refused.
    """
    text, signatures = split_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    signed: list[Verifier] = []
    for line in signatures:
        verifier = known.get((line.name, line.key_id))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), line.signature):
            raise NoteError(f"the signature by key {line.name}+{line.key_id.hex()} is invalid")
        if verifier not in signed:
            signed.append(verifier)
    if not signed:
        raise NoteError("the note has no valid signature by a known key")
    return text, signed


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if "\n\n" in text:
        raise NoteError("note text must not contain a blank line")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text must not contain control characters")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tlog checkpoint: which log, how many leaves, and the root over them."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        root = base64.b64encode(self.root).decode()
        lines = [self.origin, str(self.size), root, *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint has an origin, a size and a root hash line")
        origin, size_text, root_text, *extensions = lines[:-1]
        if not origin:
            raise NoteError("the checkpoint's origin line is empty")
        if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
            raise NoteError("the checkpoint's size is not a decimal number")
        try:
            root = base64.b64decode(root_text, validate=True)
        except ValueError:  # binascii.Error, or non-ASCII text
            raise NoteError("the checkpoint's root is not base64") from None
        if len(root) != 32:
            raise NoteError("the checkpoint's root is not a SHA-256 hash")
        return cls(origin, int(size_text), root, tuple(extensions))


def open_checkpoint(
    note: str, verifiers: list[Verifier], *, origin: str | None = None
) -> tuple[Checkpoint, list[Verifier]]:
    """Parse and verify a signed checkpoint (and its origin when one is expected)."""
    text, signed = open_note(note, verifiers)
    checkpoint = Checkpoint.parse(text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for log {checkpoint.origin!r}, not {origin!r}")
    return checkpoint, signed


__all__ = [
    "Checkpoint",
    "NoteError",
    "SignatureLine",
    "Signer",
    "Verifier",
    "key_id",
    "open_checkpoint",
    "open_note",
    "sign_note",
    "split_note",
]
