"""When a report goes (retention purge, an operator in the admin), its notices forget the reporter too.

Notices and decisions stay — statements of reasons hold no personal data and transparency reports count
them — but what could point to a person goes with the report: the pseudonym behind `notifier`, the age,
and the words a notifier wrote about the case. Done on the report's deletion, whoever deletes it.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from relais.moderation.models import Notice, Source
from relais.reports.models import Report


@receiver(pre_delete, sender=Report, dispatch_uid="moderation-forget-reporter")
def forget_reporter(sender: type[Report], instance: Report, **kwargs: Any) -> None:
    notices = Notice.objects.filter(report=instance)
    notices.filter(source=Source.ARTICLE_16).update(notifier="")
    notices.update(reporter_age=None, explanation="", ground="", content_positions=[])
