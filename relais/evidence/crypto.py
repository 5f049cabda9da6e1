"""Evidence at rest: each stored blob is sealed with AES-256-GCM under a key named in its own header.

Blob layout (format 1):

    b"RLVE" | version (1 byte, 1) | key id length (1 byte) | key id (ASCII) | nonce (12 bytes) | ciphertext+tag

The associated data is the header itself plus the blob's *context* (its report and item ids), so a blob
copied onto another item, or a header edited to name another key, fails to open exactly like a flipped
byte does: GCM's tag covers all of it. Nonces are 96 random bits, fresh per blob; with one key, the NIST
bound of 2^32 random nonces is far beyond any evidence store's size, and rotation (a new first key) resets it.

Keys come from RELAIS_EVIDENCE_KEYS as `id:base64key,id2:base64key2`: the first key seals, every key
opens, so a rotation is "add the new key first, re-seal (`relais evidence rekey`), then drop the old one".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"RLVE"
VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
DEVELOPMENT_KEY_ID = "dev"


class KeyConfigError(ValueError):
    """RELAIS_EVIDENCE_KEYS cannot be read; the message says which entry and why."""


class SealBroken(ValueError):
    """A blob cannot be opened: unknown format or key, or its tag does not verify (changed bytes)."""


@dataclass(frozen=True)
class Keyring:
    keys: tuple[tuple[str, bytes], ...]
    """(key id, 32-byte key) pairs; the first seals."""

    @property
    def sealing_id(self) -> str:
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes | None:
        return next((key for ident, key in self.keys if ident == key_id), None)


def parse_keys(text: str) -> Keyring:
    """`id:base64key[,id:base64key…]` → a Keyring; raises KeyConfigError naming the bad entry."""
    keys: list[tuple[str, bytes]] = []
    for n, entry in enumerate((e.strip() for e in text.split(",")), start=1):
        if not entry:
            continue
        ident, sep, encoded = entry.partition(":")
        if not sep or not _KEY_ID.match(ident):
            raise KeyConfigError(f"entry {n}: expected id:base64key, the id made of 1-32 letters, digits, . _ -")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise KeyConfigError(f"entry {n} ({ident}): the key is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise KeyConfigError(f"entry {n} ({ident}): the key is {len(key)} bytes, not {KEY_BYTES} (AES-256)")
        if any(ident == known for known, _ in keys):
            raise KeyConfigError(f"entry {n}: the id {ident} is used twice")
        keys.append((ident, key))
    if not keys:
        raise KeyConfigError("no key given")
    return Keyring(tuple(keys))


def development_key(secret: str) -> bytes:
    """A key derived from Django's SECRET_KEY, for development only (refused in production by relais.E301)."""
    return hmac.new(secret.encode(), b"relais evidence development key v1", hashlib.sha256).digest()


def new_key_text(key_id: str) -> str:
    """A fresh `id:base64key` entry for RELAIS_EVIDENCE_KEYS (`relais evidence newkey`)."""
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


def _header(key_id: str) -> bytes:
    ident = key_id.encode("ascii")
    return MAGIC + bytes([VERSION, len(ident)]) + ident


def seal(plaintext: bytes, keyring: Keyring, *, context: str) -> bytes:
    key_id = keyring.sealing_id
    key = keyring.key(key_id)
    assert key is not None  # noqa: S101 - the sealing id is the first key's
    header = _header(key_id)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + context.encode())


def key_id_of(blob: bytes) -> str:
    """The id of the key that sealed `blob` (read from its header, not verified)."""
    if len(blob) < 6 or blob[:4] != MAGIC:
        raise SealBroken("not a Relais evidence blob (bad magic)")
    if blob[4] != VERSION:
        raise SealBroken(f"unknown blob format version {blob[4]}")
    length = blob[5]
    try:
        return blob[6 : 6 + length].decode("ascii")
    except UnicodeDecodeError:
        raise SealBroken("the blob's key id is not ASCII") from None


def open_sealed(blob: bytes, keyring: Keyring, *, context: str) -> bytes:
    key_id = key_id_of(blob)
    key = keyring.key(key_id)
    if key is None:
        raise SealBroken(f"sealed with key {key_id!r}, which is not in RELAIS_EVIDENCE_KEYS")
    header_end = 6 + blob[5]
    header, nonce, body = (
        blob[:header_end],
        blob[header_end : header_end + NONCE_BYTES],
        blob[header_end + NONCE_BYTES :],
    )
    try:
        return AESGCM(key).decrypt(nonce, body, header + context.encode())
    except InvalidTag:
        raise SealBroken("the authentication tag does not match: the stored bytes were changed") from None
