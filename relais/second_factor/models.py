"""A passkey is a django-otp device (ADR 0031, passkeys addendum), so `otp_login` and `is_verified()` treat it like
the TOTP app: the same middleware lets a person in, whichever they used."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class PasskeyDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]  # django-otp is untyped
    """One WebAuthn credential: what the server needs to check its signatures, and nothing about the person.

    `verify_token` stays django-otp's "no": a passkey answers a challenge in the browser, not a typed code, so
    `match_token` never picks it for a code. Wrong answers double a wait (ThrottlingMixin) like wrong codes do.
    """

    credential_id: models.BinaryField[bytes, bytes] = models.BinaryField(
        _("credential id"), max_length=1023, unique=True
    )
    public_key: models.BinaryField[bytes, bytes] = models.BinaryField(_("public key (COSE)"))
    sign_count: models.PositiveBigIntegerField[int, int] = models.PositiveBigIntegerField(
        _("signature counter"), default=0
    )
    transports = models.JSONField(_("transports"), default=list, blank=True)

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def get_throttle_factor(self) -> Any:
        return settings.OTP_PASSKEY_THROTTLE_FACTOR
