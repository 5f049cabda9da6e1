from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction

from relais.directory.routing import HelpRequest
from relais.evidence import reported
from relais.moderation.services import note_target, open_article_16_notice
from relais.reports import links
from relais.reports.models import Report, ReportedContent
from relais.reports.schemas import ContentIn, ReportIn, strip_control
from relais.tenants import reporter_defaults
from relais.tenants.models import Platform, Presentation
from relais.webhooks import events as webhook_events


def receive_report(
    *, platform: Platform, data: ReportIn, help_card: dict[str, Any], received_at: datetime
) -> tuple[Report, bool]:
    """Store a report once per (platform, platform_report_id); a retry returns the first one, not a copy.

    Returns (report, created). Raises DatabaseError when storage fails: the caller still has its help card.
    With the report go its reported content, its DSA Art. 16 notice and its `report.created` deliveries, all
    or nothing. On PostgreSQL that is one statement (reports/postgresql.py, ADR 0015); elsewhere the ORM path
    below, which writes the same rows.
    """
    if connection.vendor == "postgresql":
        from relais.reports import postgresql

        return postgresql.receive_report(platform=platform, data=data, help_card=help_card, received_at=received_at)
    return receive_report_with_orm(platform=platform, data=data, help_card=help_card, received_at=received_at)


def new_report(*, platform: Platform, data: ReportIn, help_card: dict[str, Any], received_at: datetime) -> Report:
    """The report as stored, not yet saved: both intake paths take their values from here.

    A report without a country takes the platform's default (the API has refused it when there is none)."""
    reporter = data.reporter
    report = Report(
        platform=platform,
        platform_report_id=data.platform_report_id,
        category=data.category,
        danger=data.danger,
        reporter_country=reporter.country or platform.reporter_country,
        reporter_country_assumed=reporter.country is None,
        reporter_language=reporter.language,
        reporter_age=reporter.age,
        reporter_timezone=reporter.timezone or "",
        reporter_pseudonym=reporter.pseudonym or "",
        description=strip_control(data.description or ""),
        reported_at=data.reported_at,
        received_at=received_at,
        help_card=help_card,
    )
    # The reporter's private link comes with the report, so both intake paths write it (ADR 0017).
    links.issue(report)
    return report


def help_request_for(report: Report, *, presentation: str, country: str | None = None) -> HelpRequest:
    """The routing request for a report, stored or about to be: its country, or `country` when the reporter
    chose another (the reporter's page), with its language, age, category and danger.

    The zone is the report's own, else the platform's default for reporters of that country, else None (the
    country's: routing decides), so a card recomputed later or for another country follows the same rule as
    intake. Reads `report.platform`: select it with the report (intake's report already holds it).
    """
    return help_request(
        platform=report.platform,
        country=country or report.reporter_country,
        language=report.reporter_language,
        category=report.category,
        danger=report.danger,
        age=report.reporter_age,
        timezone=report.reporter_timezone or None,
        presentation=presentation,
        location_country=location_of(report),
    )


def location_of(report: Report) -> str | None:
    """Where the reporter was, as the card shown at intake kept it (ADR 0036: the location is kept only in the
    card as shown, never in a column of its own), so a card recomputed for them (the reporter's page) still
    gives the emergency numbers of where they are and only the services reachable from there."""
    card = report.help_card if isinstance(report.help_card, dict) else {}
    location = card.get("location_country")
    return location if isinstance(location, str) and len(location) == 2 else None


def help_request(
    *,
    platform: Platform | None,
    country: str,
    language: str,
    category: str,
    danger: str,
    age: int | None,
    timezone: str | None,
    presentation: str,
    location_country: str | None = None,
) -> HelpRequest:
    """What intake and `help_request_for` share: the zone rule and the presentation's name for routing.
    `platform` None: unknown (its key could not be checked), so no default zone."""
    country = country.upper()
    if timezone is None and platform is not None:
        timezone = reporter_defaults.platform_zone(
            country, default_country=platform.reporter_country, default_zone=platform.reporter_timezone
        )
    return HelpRequest(
        country=country,
        language=language,
        category=category,
        danger="immediate" if danger == "immediate" else "none",
        age=age,
        timezone=timezone,
        presentation="link" if presentation == Presentation.LINK else "call_button",
        location_country=location_country,
    )


def new_content(report: Report, data: ReportIn) -> list[ReportedContent]:
    """The content rows as stored, not yet saved, each with its fingerprint: both intake paths insert these."""
    return [_content(report, i, item) for i, item in enumerate(data.content)]


def _content(report: Report, position: int, item: ContentIn) -> ReportedContent:
    content = ReportedContent(
        report=report,
        position=position,
        kind=item.kind,
        url=item.url or "",
        content_id=item.content_id or "",
        text=strip_control(item.text or ""),
        author_handle=strip_control(item.author_handle or ""),
        author_profile_url=item.author_profile_url or "",
        posted_at=item.posted_at,
    )
    content.sha256 = reported.content_sha256(canonical_of(content))
    return content


def canonical_of(content: ReportedContent) -> bytes:
    """The item's canonical form (evidence/reported.py) from its stored values: what its `sha256` covers."""
    return reported.canonical_content(
        kind=content.kind,
        content_id=content.content_id,
        url=content.url,
        text=content.text,
        author_handle=content.author_handle,
        author_profile_url=content.author_profile_url,
        posted_at=content.posted_at,
    )


def receive_report_with_orm(
    *, platform: Platform, data: ReportIn, help_card: dict[str, Any], received_at: datetime
) -> tuple[Report, bool]:
    """Insert first, look up only on a unique violation: retries are rare, and a SELECT before every INSERT cost
    about a fifth of intake (docs/benchmarks.md §3). The atomic block is the savepoint a violation rolls
    back to when the caller holds a transaction (the idempotency middleware does).
    """
    try:
        with transaction.atomic():
            report = new_report(platform=platform, data=data, help_card=help_card, received_at=received_at)
            report.save(force_insert=True)
            content = ReportedContent.objects.bulk_create(new_content(report, data))
            # Every report is also a DSA Art. 16 notice, acknowledged by this very answer.
            notice = open_article_16_notice(report, content)
            # The report.created delivery commits with the report, or not at all (sent after commit).
            webhook_events.report_created(report)
    except IntegrityError:
        # A retry, or a concurrent twin: the row that is already there (committed: the INSERT waited for the
        # twin's transaction) is the answer.
        existing = first_received(platform, data.platform_report_id)
        if existing is None:
            raise
        return existing, False
    # Many reports about one account or post are one pile-on (ADR 0034): after the report is stored, as on
    # the PostgreSQL path, and never failing it.
    note_target(notice=notice, content=content)
    return report, True


def first_received(platform: Platform, platform_report_id: str) -> Report | None:
    return Report.objects.filter(platform=platform, platform_report_id=platform_report_id).first()
