"""The second step of signing in (ADR 0031): enrol a passkey or an authenticator app on first sign-in, else use
one. The passkey's part of each page works only with the script (static/second_factor/passkey.js); without it
the section stays hidden and the page offers the app's code, as before.

Enrolment shows the app's QR code as inline SVG (no script, no data: URI: the CSP allows it) and the secret as
text to type in; one right code confirms it and shows ten recovery codes, once. A wrong code counts as a failed
sign-in for django-axes, like a wrong password: at AXES_FAILURE_LIMIT the person is signed out and paused.
django-otp also refuses codes for a doubling delay after each wrong one.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.second_factor import access, passkeys, services
from relais.second_factor.passkeys import PasskeyRefused, Refusal

FRAMES: dict[str, dict[str, str]] = {
    "console": {
        "login_url": "console:login",
        "home": "console:queue",
        "logout_url": "console:logout",
        "passkeys_url": "console:passkeys",
        "settings_url": "console:settings",
    },
    "moderation": {
        "base_template": "moderation/console_base.html",
        "login_url": "moderation:login",
        "home": "moderation:queue",
        "logout_url": "moderation:logout",
        "passkeys_url": "moderation:passkeys",
        "settings_url": "moderation:settings",
    },
}
"""What the shared pages in templates/registration/ need to speak for each console."""


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("The 6 digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


def _code(form: CodeForm) -> str:
    return "".join(str(form.cleaned_data["code"]).split()).lower()


def _credentials(user: AbstractBaseUser) -> dict[str, str]:
    return {"username": user.get_username()}  # AXES_USERNAME_FORM_FIELD, django-axes' default


def _next(request: HttpRequest, frame: dict[str, str]) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return resolve_url(frame["home"])


def _refused(request: HttpRequest, user: AbstractBaseUser) -> HttpResponse | None:
    """Counts a wrong code as a failed sign-in; at the limit, signs the person out onto the lockout page."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return _paused(request, user)


def _paused(request: HttpRequest, user: AbstractBaseUser) -> HttpResponse | None:
    if not AxesProxyHandler.is_locked(request, _credentials(user)):
        return None
    logout(request)
    from relais.moderation.views import locked_out  # the lockout page of the console the path belongs to

    return locked_out(request, None, _credentials(user))


def _throttled(user: AbstractBaseUser) -> bool:
    return any(not device.verify_is_allowed()[0] for device in devices_for_user(user, confirmed=None))


def _wrong(form: CodeForm, *, throttled: bool) -> None:
    if throttled:
        form.add_error("code", _("Too many wrong codes in a row: wait a minute, then type the code your app shows."))
    else:
        form.add_error("code", _("This code is not right. Type the 6 digits your app shows now, or a recovery code."))


def _qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG drawn on white, with a text alternative, to go inline in the page."""
    qr = segno.make(device.config_url, error="m")
    return mark_safe(qr.svg_inline(scale=4, border=4, dark="#000", light="#fff", title=_("QR code to scan")))  # noqa: S308 - segno's own markup


def _spaced(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest, *, console: str) -> HttpResponse:
    frame = FRAMES[console]
    user = request.user
    if not isinstance(user, AbstractBaseUser):  # login_required let no anonymous visitor in
        return HttpResponseRedirect(resolve_url(frame["login_url"]))
    context: dict[str, Any] = {**frame, "next": _next(request, frame)}
    if user.is_verified():  # type: ignore[attr-defined]  # django-otp's OTPMiddleware adds it
        return HttpResponseRedirect(context["next"])
    paused = _paused(request, user)
    if paused is not None:
        return paused
    totp = access.confirmed_app(user)
    has_passkey = access.passkeys_of(user).exists()
    answer = request.POST.get("passkey") if request.method == "POST" else None
    form = CodeForm(request.POST if request.method == "POST" and answer is None else None)
    if totp is not None or has_passkey:
        context |= {"has_app": totp is not None, "has_passkey": has_passkey}
        return _code_or_passkey(request, user, form, answer, context)
    return _enrolment(request, user, form, answer, context)


def _code_or_passkey(
    request: HttpRequest, user: AbstractBaseUser, form: CodeForm, answer: str | None, context: dict[str, Any]
) -> HttpResponse:
    """The step of every later sign-in: the passkey's button (with the script), and the code form always (the
    app's code, or a recovery code)."""
    if not context["has_app"]:
        form.fields["code"].help_text = _("One of the recovery codes you kept when you set up your passkey.")
    passkey_error = None
    if answer is not None:
        throttled = _passkeys_throttled(user)
        try:
            if throttled:
                raise PasskeyRefused(Refusal.THROTTLED)
            device = passkeys.authenticate(request, user, answer)
        except PasskeyRefused as refusal:
            if not throttled:
                for each in access.passkeys_of(user):
                    each.throttle_increment()
            refused = _refused(request, user)
            if refused is not None:
                return refused
            passkey_error = _refusal_message(refusal.reason)
        else:
            device.throttle_reset(commit=False)
            device.set_last_used_timestamp(commit=False)
            device.save()
            otp_login(request, device)
            return HttpResponseRedirect(context["next"])
    elif form.is_bound and form.is_valid():
        throttled = _throttled(user)  # then even the right code is refused: say so
        code_device = match_token(user, _code(form))
        if code_device is not None:
            otp_login(request, code_device)
            return HttpResponseRedirect(context["next"])
        refused = _refused(request, user)
        if refused is not None:
            return refused
        _wrong(form, throttled=throttled)
    if context["has_passkey"]:
        context["passkey_options"] = passkeys.authentication_options(request, user)
    context |= {"form": form, "passkey_error": passkey_error}
    status = 422 if form.is_bound or passkey_error else 200
    return render(request, "registration/second_factor.html", context, status=status)


def _enrolment(
    request: HttpRequest, user: AbstractBaseUser, form: CodeForm, answer: str | None, context: dict[str, Any]
) -> HttpResponse:
    """First sign-in: a passkey (offered first, where the browser can make one) or an authenticator app."""
    enrolling = services.app_to_enrol(user)
    passkey_error = None
    if answer is not None:
        try:
            device = passkeys.register(request, user, answer, name=_("Passkey"))
        except PasskeyRefused as refusal:
            passkey_error = _refusal_message(refusal.reason)
        else:
            enrolling.delete()  # the app's key shown on the page will never be confirmed
            otp_login(request, device)
            codes = services.new_recovery_codes(user)
            return render(request, "registration/recovery_codes.html", {**context, "codes": codes, "via_passkey": True})
    elif form.is_bound and form.is_valid():
        throttled = not enrolling.verify_is_allowed()[0]
        if enrolling.verify_token(_code(form)):
            enrolling.confirmed = True
            enrolling.save(update_fields=["confirmed"])
            otp_login(request, enrolling)
            codes = services.new_recovery_codes(user)
            return render(request, "registration/recovery_codes.html", {**context, "codes": codes})
        refused = _refused(request, user)
        if refused is not None:
            return refused
        _wrong(form, throttled=throttled)
    context |= {
        "form": form,
        "qr_svg": _qr_svg(enrolling),
        "secret": _spaced(b32encode(enrolling.bin_key).decode().rstrip("=")),
        "passkey_options": passkeys.registration_options(request, user),
        "passkey_error": passkey_error,
    }
    status = 422 if form.is_bound or passkey_error else 200
    return render(request, "registration/enrol.html", context, status=status)


def _passkeys_throttled(user: AbstractBaseUser) -> bool:
    return any(not device.verify_is_allowed()[0] for device in access.all_passkeys_of(user))


def _refusal_message(reason: Refusal) -> str:
    """What the person reads when the passkey did not let them in, in their words rather than the spec's."""
    messages = {
        Refusal.EXPIRED: _("The passkey request expired. Try again."),
        Refusal.UNREADABLE: _("Your browser's answer could not be read. Try again, or use a code instead."),
        Refusal.UNKNOWN: _("This passkey is not registered for your account. Use another passkey, or a code."),
        Refusal.INVALID: _("This passkey's answer could not be verified. Try again, or use a code instead."),
        Refusal.CLONED: _(
            "This passkey's counter went backwards, which can mean it was copied. Sign in with a code from "
            "your app or a recovery code, and tell your Relais administrator."
        ),
        Refusal.ALREADY_REGISTERED: _("This passkey is already registered."),
        Refusal.THROTTLED: _("Too many failed attempts in a row: wait a minute, then try again."),
    }
    return messages[reason]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def passkey_settings(request: HttpRequest, *, console: str) -> HttpResponse:
    """A person's passkeys: add one (with the script), remove one, but never the last way in while the second
    factor is required."""
    frame = FRAMES[console]
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        return HttpResponseRedirect(resolve_url(frame["login_url"]))
    error = None
    name_value = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            name_value = " ".join(request.POST.get("name", "").split())[:64]
            try:
                passkeys.register(request, user, request.POST.get("passkey", ""), name=name_value or _("Passkey"))
            except PasskeyRefused as refusal:
                error = _refusal_message(refusal.reason)
            else:
                return HttpResponseRedirect(request.path)
        elif action == "remove":
            device_id = request.POST.get("device", "")
            if not device_id.isdigit():
                raise Http404
            device = access.passkey_of(user, int(device_id))
            if settings.RELAIS_REQUIRE_SECOND_FACTOR and access.second_factors(user) <= 1:
                error = _(
                    "This passkey is your only way to sign in besides recovery codes: add another passkey or an "
                    "authenticator app before removing it."
                )
            else:
                device.delete()
                return HttpResponseRedirect(request.path)
        else:
            error = _("Choose to add or to remove a passkey.")
    context: dict[str, Any] = {
        **frame,
        "devices": access.passkeys_of(user),
        "passkey_options": passkeys.registration_options(request, user),
        "passkey_error": error,
        "name_value": name_value,
    }
    return render(request, "registration/passkeys.html", context, status=422 if error else 200)
