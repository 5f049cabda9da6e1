"""The evidence key ring as configured (RELAIS_EVIDENCE_KEYS), for the blobs (vault.py) and the sealed
columns (sealed_text.py) alike. Apart from vault.py so that models can use it without importing models."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from relais.evidence import crypto


@cache
def _keyring(keys_text: str, secret: str, production: bool) -> crypto.Keyring:
    if keys_text:
        return crypto.parse_keys(keys_text)
    if production:
        raise ImproperlyConfigured("RELAIS_EVIDENCE_KEYS is required in production (relais.E301)")
    return crypto.Keyring(((crypto.DEVELOPMENT_KEY_ID, crypto.development_key(secret)),))


def keyring() -> crypto.Keyring:
    """The configured keys (cached per value, so tests that change the setting get the new ring)."""
    return _keyring(settings.RELAIS_EVIDENCE_KEYS, settings.SECRET_KEY, settings.PRODUCTION)
