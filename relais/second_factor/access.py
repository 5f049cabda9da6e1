"""One person's second factors, always looked up by the signed-in user: nobody reaches another's devices."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.second_factor.models import PasskeyDevice


def confirmed_app(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def unconfirmed_app(user: AbstractBaseUser) -> TOTPDevice | None:
    """The app being set up: its key is on the enrolment page until one right code confirms it."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def passkeys_of(user: AbstractBaseUser) -> QuerySet[PasskeyDevice]:
    """The person's confirmed passkeys, oldest first."""
    passkeys: QuerySet[PasskeyDevice] = PasskeyDevice.objects.filter(user=user, confirmed=True)
    return passkeys.order_by("created_at", "pk")


def all_passkeys_of(user: AbstractBaseUser) -> QuerySet[PasskeyDevice]:
    """Confirmed or not: throttling is judged over every passkey the person has."""
    passkeys: QuerySet[PasskeyDevice] = PasskeyDevice.objects.filter(user=user)
    return passkeys


def passkey_of(user: AbstractBaseUser, device_id: int) -> PasskeyDevice:
    """One of the person's own passkeys; another's id is a 404."""
    return get_object_or_404(PasskeyDevice, pk=device_id, user=user)


def second_factors(user: AbstractBaseUser) -> int:
    """The ways in besides recovery codes: confirmed apps and passkeys."""
    apps = int(TOTPDevice.objects.filter(user=user, confirmed=True).count())
    return apps + int(passkeys_of(user).count())
