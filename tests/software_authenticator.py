"""A passkey made of code: a P-256 key and the bytes an authenticator sends (W3C WebAuthn L3 §6.1, §6.5, §8.7).

It builds what a browser posts after `navigator.credentials.create()` (attestation "none") and `.get()`
(an ECDSA-SHA256 signature over authenticatorData ‖ SHA-256(clientDataJSON)), so the server's tests run the
real py_webauthn verification, nothing mocked.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_USER_PRESENT = 0x01
FLAG_USER_VERIFIED = 0x04
FLAG_ATTESTED_DATA = 0x40


def b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def _from_b64url(text: str) -> bytes:
    from base64 import urlsafe_b64decode

    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftwareAuthenticator:
    origin: str = "http://testserver"
    sign_count: int = 0
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))

    def _cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        # COSE_Key, EC2 on P-256 for ES256 (RFC 9053 §7.1): kty 2, alg -7, crv 1, x, y
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        data = {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        return json.dumps(data).encode()

    def create(self, options: dict[str, Any], *, origin: str | None = None) -> str:
        """The JSON a browser posts for these registration options."""
        rp_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        flags = FLAG_USER_PRESENT | FLAG_USER_VERIFIED | FLAG_ATTESTED_DATA
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
        auth_data = rp_hash + bytes([flags]) + struct.pack(">I", self.sign_count) + attested + self._cose_public_key()
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "attestationObject": b64url(attestation),
                    "transports": ["internal"],
                },
                "clientExtensionResults": {},
            }
        )

    def get(
        self, options: dict[str, Any], *, origin: str | None = None, rp_id: str | None = None, count: int | None = None
    ) -> str:
        """The JSON a browser posts for these authentication options; the counter moves on by one unless given."""
        allowed = {_from_b64url(item["id"]) for item in options.get("allowCredentials", [])}
        assert not allowed or self.credential_id in allowed, "the server did not allow this credential"
        self.sign_count = self.sign_count + 1 if count is None else count
        rp_hash = hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
        flags = FLAG_USER_PRESENT | FLAG_USER_VERIFIED
        auth_data = rp_hash + bytes([flags]) + struct.pack(">I", self.sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                    "userHandle": None,
                },
                "clientExtensionResults": {},
            }
        )
