"""The reporter's private link: a token that opens one report's page for the person who sent it.

Why a token and not the report id: the id is the platform's handle on the report (it travels in API calls,
webhooks and logs); the link is what a child carries in a direct message or an e-mail, so it must open the
page and nothing else, and be revocable without touching the report.

The token is an HMAC-SHA256 of the report's id and a random salt under a key derived from SECRET_KEY
(256 bits, base64url): unguessable, and reproducible, so a retried report answers with the same link without
the token being stored. Only its SHA-256 is stored, with a unique index: a lookup hashes whatever was
presented and asks the index, so a changed character and a missing token cost the same one query and give
the same 404. Revoking blanks the salt and the digest; a new link is a new salt. ADR 0017.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid

TOKEN_LENGTH = 43
"""base64url characters of a 32-byte HMAC, without padding."""
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
SALT_BYTES = 16


def new_salt() -> str:
    return secrets.token_hex(SALT_BYTES)


def token_for(key: bytes, report_id: uuid.UUID, salt: str) -> str:
    """The link's token for this report and salt; the same inputs always give the same token."""
    mac = hmac.new(key, f"relais.reporter-link:{report_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def digest(token: str) -> str:
    """What the database keeps of a token: enough to find it, useless to open the page."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def key_from_secret(secret: str) -> bytes:
    """A key of its own for links, so that no other use of SECRET_KEY can produce one."""
    return hashlib.sha256(b"relais.reporter-link.key\0" + secret.encode()).digest()
