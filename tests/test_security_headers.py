"""Every kind of page answers with a strict Content-Security-Policy and a Permissions-Policy (issue 16, ADR 0024):
the demo feed, the reporter's page, both consoles signed in, sign-in and lockout pages, the admin, the API and
its docs, and error pages. HSTS with includeSubDomains is checked on a production server in tests/test_serve.py."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from relais import clock
from relais.handoffs.models import Case
from relais.handoffs.services import share_report
from relais.middleware import permissions_policy_header
from relais.reports import links
from relais.settings import csp_extra
from relais.tenants.models import Platform
from relais.tenants.services import add_helpline, add_moderator, add_platform, add_staff
from tests.test_moderation_console import make_report

PASSWORD = "a long enough passphrase"
STRICT = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
OFF = ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort", "browsing-topics")


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_strict(response: object, where: str) -> dict[str, str]:
    headers = response.headers  # type: ignore[attr-defined]
    assert "Content-Security-Policy" in headers, f"{where}: no Content-Security-Policy"
    policy = directives(headers["Content-Security-Policy"])
    for directive, sources in STRICT.items():
        assert policy.get(directive) == sources, f"{where}: {directive} is {policy.get(directive)!r}"
    assert "unsafe-inline" not in headers["Content-Security-Policy"], where
    assert "unsafe-eval" not in headers["Content-Security-Policy"], where
    features = dict(item.strip().split("=", 1) for item in headers["Permissions-Policy"].split(","))
    for feature in OFF:
        assert features.get(feature) == "()", f"{where}: {feature} is not off"
    assert "clipboard-write" not in features  # the reporter's page copies its case code
    return policy


@dataclass(frozen=True)
class Everyone:
    """One of each person whose pages carry the policies, signed in with PASSWORD."""

    platform: Platform
    case: Case  # shared with the 3018, for the counsellor (camille)
    reporter_path: str  # another report's private page, not shared yet


def everyone() -> Everyone:
    """A platform with its moderator (ines), the 3018 with its counsellor (camille), an admin (root)."""
    platform, _ = add_platform(name="Sunny Social", country="IE")
    helpline, _ = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    add_staff(username="camille", helpline=helpline, password=PASSWORD)
    add_moderator(username="ines", platform=platform, password=PASSWORD)
    User.objects.create_superuser("root", password=PASSWORD)
    reporter = {"country": "FR", "language": "fr", "age": 14}
    case, _ = share_report(
        platform=platform,
        report=make_report(platform, "r-shared", reporter=reporter),
        helpline_id="fr-3018",
        given_at=clock.now(),
        text_version="fr-2026-11",
        scope=["report", "content"],
        now=clock.now(),
    )
    url = links.reporter_url(make_report(platform, "r-own", reporter=reporter))
    assert url is not None
    return Everyone(platform=platform, case=case, reporter_path=url[url.index("/r/") :])


@pytest.mark.django_db
def test_every_kind_of_page_answers_with_a_strict_policy_and_the_features_off() -> None:
    world = everyone()
    platform, case = world.platform, world.case

    anonymous = Client()
    pages = {
        "/": 200,  # the demo feed
        world.reporter_path: 200,
        "/r/not-a-real-link": 404,
        "/console/login/": 200,
        "/moderation/login/": 200,
        "/admin/login/": 200,
        "/api/v1/health": 200,
        "/api/v1/reports/x": 401,
        "/no/such/page": 404,
    }
    for path, status in pages.items():
        response = anonymous.get(path)
        assert response.status_code == status, path
        assert_strict(response, path)

    signed_in = {
        "camille": ["/console/", "/console/lookup/", f"/console/cases/{case.pk}/"],
        "ines": ["/moderation/", "/moderation/decided/", "/moderation/appeals/", "/moderation/statements/"],
        "root": ["/admin/", "/admin/tenants/platform/", f"/admin/tenants/platform/{platform.pk}/change/"],
    }
    for username, paths in signed_in.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert_strict(response, path)

    # A form posted without its CSRF token: Django's own 403 page.
    refused = Client(enforce_csrf_checks=True).post("/console/login/", {"username": "camille"})
    assert refused.status_code == 403
    assert_strict(refused, "CSRF failure")


@pytest.mark.django_db
def test_the_api_docs_add_only_inline_images_for_swagger_ui() -> None:
    """Swagger UI's assets ship inside django-ninja and are served from here: no third-party origin, only
    the `data:` images its stylesheet draws its icons with."""
    assert Client().get("/api/openapi.json").status_code == 200  # what the page reads (same decorator)
    response = Client().get("/api/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "cdn" not in body.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in body
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["img-src"] == "'self' data:"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"


def test_the_permissions_policy_header_reads_as_browsers_expect() -> None:
    assert permissions_policy_header({"camera": [], "fullscreen": ["self", "https://video.example"]}) == (
        'camera=(), fullscreen=(self "https://video.example")'
    )


def test_an_operator_adds_sources_per_directive_and_a_wrong_directive_is_refused() -> None:
    assert csp_extra("img-src=https://cdn.example https://b.example; connect-src=https://errors.example;") == {
        "img-src": ["https://cdn.example", "https://b.example"],
        "connect-src": ["https://errors.example"],
    }
    assert csp_extra("") == {}
    for wrong in ("script-scr=https://x.example", "img-src", "img-src=", "https://cdn.example"):
        with pytest.raises(ImproperlyConfigured, match="RELAIS_CSP_EXTRA"):
            csp_extra(wrong)
