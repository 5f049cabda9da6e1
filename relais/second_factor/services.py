"""Writes of the second step: an app to set up, and fresh recovery codes."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.second_factor import access

RECOVERY_CODES = 10


def app_to_enrol(user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed app whose key the enrolment page shows, made the first time it is asked for."""
    enrolling = access.unconfirmed_app(user)
    if enrolling is None:
        enrolling = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return enrolling


def new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Ten fresh codes, each good once; earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
