"""Every console page wants a verified second factor when RELAIS_REQUIRE_SECOND_FACTOR is on (ADR 0031)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

CONSOLES = ("/console/", "/moderation/", "/admin/")


def second_factor_url(path: str) -> str:
    """The second step of the console a path belongs to (the admin's is the helpline console's)."""
    return reverse("moderation:second_factor" if path.startswith("/moderation/") else "console:second_factor")


def _open_paths() -> set[str]:
    """Pages a signed-in person reaches before the second step: signing in and out, and the step itself."""
    names = ["console:login", "console:logout", "console:second_factor"]
    names += ["moderation:login", "moderation:logout", "moderation:second_factor", "admin:login", "admin:logout"]
    return {reverse(name) for name in names}


class SecondFactorRequired:
    """A person signed in with their password only is sent to enrol or to enter their code, then back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.RELAIS_REQUIRE_SECOND_FACTOR
            and request.path.startswith(CONSOLES)
            and request.user.is_authenticated
            and not request.user.is_verified()  # type: ignore[attr-defined]  # django-otp's OTPMiddleware adds it
            and request.path not in _open_paths()
        ):
            back = request.get_full_path() if request.method == "GET" else request.path
            return HttpResponseRedirect(f"{second_factor_url(request.path)}?{urlencode({'next': back}, safe='/')}")
        return self.get_response(request)
