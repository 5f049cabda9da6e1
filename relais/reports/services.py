from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from relais.moderation.services import open_article_16_notice
from relais.reports.models import Report, ReportedContent
from relais.reports.schemas import ReportIn, strip_control
from relais.tenants.models import Platform
from relais.webhooks import events as webhook_events


def receive_report(
    *, platform: Platform, data: ReportIn, help_card: dict[str, Any], received_at: datetime
) -> tuple[Report, bool]:
    """Store a report once per (platform, platform_report_id); a retry returns the first one, not a copy.

    Returns (report, created). Raises DatabaseError when storage fails: the caller still has its help card.

    Insert first, look up only on a unique violation: retries are rare, and a SELECT before every INSERT cost
    about a fifth of intake (docs/benchmarks.md §3). The atomic block is the savepoint a violation rolls
    back to when the caller holds a transaction (the idempotency middleware does).
    """
    reporter = data.reporter
    try:
        with transaction.atomic():
            report = Report.objects.create(
                platform=platform,
                platform_report_id=data.platform_report_id,
                category=data.category,
                danger=data.danger,
                reporter_country=reporter.country,
                reporter_language=reporter.language,
                reporter_age=reporter.age,
                reporter_timezone=reporter.timezone or "",
                reporter_pseudonym=reporter.pseudonym or "",
                description=strip_control(data.description or ""),
                reported_at=data.reported_at,
                received_at=received_at,
                help_card=help_card,
            )
            ReportedContent.objects.bulk_create(
                ReportedContent(
                    report=report,
                    position=i,
                    kind=item.kind,
                    url=item.url or "",
                    content_id=item.content_id or "",
                    text=strip_control(item.text or ""),
                    posted_at=item.posted_at,
                )
                for i, item in enumerate(data.content)
            )
            # Every report is also a DSA Art. 16 notice, acknowledged by this very answer.
            open_article_16_notice(report)
            # The report.created delivery commits with the report, or not at all (sent after commit).
            webhook_events.report_created(report)
    except IntegrityError:
        # A retry, or a concurrent twin: the row that is already there (committed: the INSERT waited for the
        # twin's transaction) is the answer.
        existing = Report.objects.filter(platform=platform, platform_report_id=data.platform_report_id).first()
        if existing is None:
            raise
        return existing, False
    return report, True
