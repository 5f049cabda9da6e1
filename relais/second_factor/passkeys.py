"""The two WebAuthn ceremonies (W3C Web Authentication Level 3, §7.1 and §7.2), checked by py_webauthn 3.0.1.

The challenge lives in the session, server-side: one at a time, for one ceremony, for five minutes, and taken
out as it is used, so an answer can never be replayed. Every way an answer can be wrong ends in a `Refusal`
with a reason the page can say in words; none raises.
"""

from __future__ import annotations

import binascii
import enum
import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.parse_authentication_credential_json import parse_authentication_credential_json
from webauthn.helpers.parse_registration_credential_json import parse_registration_credential_json
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from relais import clock
from relais.second_factor.models import PasskeyDevice
from relais.second_factor.relying_party import RelyingParty, relying_party

SESSION_KEY = "relais_passkey_challenge"
CHALLENGE_LIFETIME = timedelta(minutes=5)
USER_VERIFICATION = UserVerificationRequirement.PREFERRED
"""The password was the first factor; the passkey proves the device. Asking the authenticator to check a PIN or
a fingerprint when it can adds a third, but requiring it would turn away security keys without a PIN
(ADR 0031, passkeys addendum)."""
MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError, IndexError, binascii.Error)
"""What a hand-made or truncated answer makes the parser raise: each is a refusal, never a 500."""


class Ceremony(enum.StrEnum):
    REGISTER = "register"
    SIGN_IN = "sign-in"


class Refusal(enum.Enum):
    EXPIRED = "expired"  # no challenge, another ceremony's, or older than five minutes
    UNREADABLE = "unreadable"  # not JSON, or not a WebAuthn answer
    UNKNOWN = "unknown"  # a credential this account did not register
    INVALID = "invalid"  # wrong signature, origin, site, challenge or flags
    CLONED = "cloned"  # the signature counter went backwards (§7.2 step 22)
    ALREADY_REGISTERED = "already-registered"
    THROTTLED = "throttled"  # too many wrong answers in a row: django-otp's doubling wait


class PasskeyRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def current_relying_party(request: HttpRequest) -> RelyingParty:
    return relying_party(
        rp_id=settings.RELAIS_PASSKEY_RP_ID,
        origins=settings.RELAIS_PASSKEY_ORIGINS,
        public_url=settings.RELAIS_PUBLIC_URL,
        request_origin=f"{request.scheme}://{request.get_host()}",
    )


def _transports(stored: list[str]) -> list[AuthenticatorTransport] | None:
    """The stored hints the library knows (a browser may report newer ones, which are left out)."""
    known = {transport.value: transport for transport in AuthenticatorTransport}
    return [known[name] for name in stored if name in known] or None


def _descriptors(user: AbstractBaseUser) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=bytes(device.credential_id), transports=_transports(device.transports))
        for device in PasskeyDevice.objects.filter(user=user, confirmed=True)
    ]


def _remember(session: SessionBase, ceremony: Ceremony, challenge: bytes) -> None:
    expires = clock.now() + CHALLENGE_LIFETIME
    session[SESSION_KEY] = {
        "ceremony": ceremony.value,
        "challenge": bytes_to_base64url(challenge),
        "expires": expires.isoformat(),
    }


def take_challenge(session: SessionBase, ceremony: Ceremony) -> bytes:
    """The session's challenge for this ceremony, removed as it is read: a second answer finds none."""
    stored = session.pop(SESSION_KEY, None)
    if not isinstance(stored, dict) or stored.get("ceremony") != ceremony.value:
        raise PasskeyRefused(Refusal.EXPIRED)
    if clock.parse_instant(str(stored["expires"])) <= clock.now():
        raise PasskeyRefused(Refusal.EXPIRED)
    return base64url_to_bytes(str(stored["challenge"]))


def registration_options(request: HttpRequest, user: AbstractBaseUser) -> dict[str, Any]:
    """What `navigator.credentials.create()` needs, as JSON-ready data; the challenge is kept in the session."""
    party = current_relying_party(request)
    options = generate_registration_options(
        rp_id=party.id,
        rp_name="Relais",
        user_name=user.get_username(),
        timeout=int(CHALLENGE_LIFETIME.total_seconds() * 1000),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=USER_VERIFICATION
        ),
        exclude_credentials=_descriptors(user),
    )
    _remember(request.session, Ceremony.REGISTER, options.challenge)
    data: dict[str, Any] = json.loads(options_to_json(options))
    return data


def authentication_options(request: HttpRequest, user: AbstractBaseUser) -> dict[str, Any]:
    """What `navigator.credentials.get()` needs: only this account's passkeys are allowed."""
    party = current_relying_party(request)
    options = generate_authentication_options(
        rp_id=party.id,
        timeout=int(CHALLENGE_LIFETIME.total_seconds() * 1000),
        allow_credentials=_descriptors(user),
        user_verification=USER_VERIFICATION,
    )
    _remember(request.session, Ceremony.SIGN_IN, options.challenge)
    data: dict[str, Any] = json.loads(options_to_json(options))
    return data


def register(request: HttpRequest, user: AbstractBaseUser, answer: str, *, name: str) -> PasskeyDevice:
    """Checks the browser's answer to `create()` and keeps the new passkey (attestation "none": we trust the
    person who just proved their password, not a vendor's certificate)."""
    challenge = take_challenge(request.session, Ceremony.REGISTER)
    party = current_relying_party(request)
    try:
        credential = parse_registration_credential_json(answer)
    except MALFORMED as error:
        raise PasskeyRefused(Refusal.UNREADABLE) from error
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=party.id,
            expected_origin=list(party.origins),
            require_user_verification=False,
        )
    except MALFORMED as error:
        raise PasskeyRefused(Refusal.INVALID) from error
    if PasskeyDevice.objects.filter(credential_id=verified.credential_id).exists():
        raise PasskeyRefused(Refusal.ALREADY_REGISTERED)
    transports = [transport.value for transport in credential.response.transports or []]
    device: PasskeyDevice = PasskeyDevice.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=transports,
    )
    return device


def authenticate(request: HttpRequest, user: AbstractBaseUser, answer: str) -> PasskeyDevice:
    """Checks the browser's answer to `get()` against this account's passkey, then its signature counter."""
    challenge = take_challenge(request.session, Ceremony.SIGN_IN)
    party = current_relying_party(request)
    try:
        credential = parse_authentication_credential_json(answer)
    except MALFORMED as error:
        raise PasskeyRefused(Refusal.UNREADABLE) from error
    device: PasskeyDevice | None = PasskeyDevice.objects.filter(
        user=user, confirmed=True, credential_id=credential.raw_id
    ).first()
    if device is None:
        raise PasskeyRefused(Refusal.UNKNOWN)
    try:
        # Counter 0 here so that py_webauthn checks the signature first; the counter is judged below, once
        # we know the answer really comes from this passkey.
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=party.id,
            expected_origin=list(party.origins),
            credential_public_key=bytes(device.public_key),
            credential_current_sign_count=0,
            require_user_verification=False,
        )
    except MALFORMED as error:
        raise PasskeyRefused(Refusal.INVALID) from error
    if counter_went_back(stored=device.sign_count, received=verified.new_sign_count):
        raise PasskeyRefused(Refusal.CLONED)
    device.sign_count = verified.new_sign_count
    device.save(update_fields=["sign_count"])
    return device


def counter_went_back(*, stored: int, received: int) -> bool:
    """§7.2 step 22: when either counter is non-zero, a received one not above the stored one signals that the
    authenticator may have been copied. Synced passkeys always send 0 and are not judged by it."""
    return (stored > 0 or received > 0) and received <= stored
