"""Issuing, finding and revoking reporters' private links (the rules are in reporter_links.py, ADR 0017)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from relais.reports import reporter_links
from relais.reports.models import Report


def _keys() -> list[bytes]:
    """The current key first, then those of SECRET_KEY_FALLBACKS: a link issued before a rotation still
    reproduces (its digest was stored), so a retried report keeps answering with the same link."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [reporter_links.key_from_secret(s) for s in secrets]


def issue(report: Report) -> None:
    """Give an (unsaved or saved) report a new link; the caller saves it."""
    report.reporter_link_salt = reporter_links.new_salt()
    token = reporter_links.token_for(_keys()[0], report.id, report.reporter_link_salt)
    report.reporter_link_digest = reporter_links.digest(token)


def token_of(report: Report) -> str | None:
    """The report's live token, or None when its link was revoked."""
    if not report.reporter_link_salt or not report.reporter_link_digest:
        return None
    for key in _keys():
        token = reporter_links.token_for(key, report.id, report.reporter_link_salt)
        if reporter_links.digest(token) == report.reporter_link_digest:
            return token
    return None


def base_url(request: HttpRequest | None = None) -> str:
    if settings.RELAIS_PUBLIC_URL:
        return str(settings.RELAIS_PUBLIC_URL)
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return "http://127.0.0.1:8000"


def reporter_url(report: Report, request: HttpRequest | None = None) -> str | None:
    """The absolute link to the reporter's page, to send by any channel; None when revoked."""
    token = token_of(report)
    return None if token is None else f"{base_url(request)}/r/{token}"


def digest_of(token: str) -> str:
    """What is looked up for a presented token, whatever it is (cut short: a huge one costs no more)."""
    return reporter_links.digest(token[:200])


def report_for_token(token: str) -> Report | None:
    """The report a presented token opens. Whatever was presented is hashed and looked up, so every wrong
    token — malformed, one character changed, revoked — costs the same single query."""
    return Report.objects.select_related("platform").filter(reporter_link_digest=digest_of(token)).first()


def revoke(report: Report) -> bool:
    """The link stops working at once; True when there was one."""
    with transaction.atomic():
        changed = Report.objects.filter(pk=report.pk, reporter_link_digest__isnull=False).update(
            reporter_link_salt="", reporter_link_digest=None
        )
    report.reporter_link_salt, report.reporter_link_digest = "", None
    return bool(changed)


def reissue(report: Report) -> tuple[Report, bool]:
    """A link for a report whose link was revoked (or the live one again): (report, created)."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if token_of(locked) is not None:
            return locked, False
        issue(locked)
        locked.save(update_fields=["reporter_link_salt", "reporter_link_digest"])
    return locked, True
