from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from relais.demo.access import demo_platform
from relais.moderation.models import Notice, Source, TrustedFlaggerStatus
from relais.moderation.services import OPEN_STATUSES, open_article_16_notice
from relais.reports.models import Report
from relais.tenants.models import ApiKey, Helpline, Moderator, ModeratorRole, Role, StaffMember

DEMO_HELPLINE = "fr-3018"
DEMO_STAFF = (("conseillere", Role.COUNSELLOR, "Camille"), ("superviseur", Role.SUPERVISOR, "Sami"))
DEMO_MODERATORS = (("moderatrice", ModeratorRole.MODERATOR, "Inès"), ("responsable", ModeratorRole.LEAD, "Yann"))
ARCOM_DESIGNATION = (
    "https://arcom.fr/presse/mise-en-oeuvre-du-reglement-europeen-sur-les-services-numeriques-rsndsa-"
    "premiere-designation-dun-signaleur-de-confiance-e-enfance"
)
"""Arcom's press release naming e-Enfance (the 3018's operator) France's first DSA trusted flagger, 6 Nov 2024."""


class Command(BaseCommand):
    help = (
        "Create the demo platform (with a moderator and a lead), the 3018 as a helpline tenant with a counsellor "
        "and a supervisor and its trusted-flagger status, and print their credentials (fresh passwords and keys "
        "at each run)."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        platform = demo_platform()
        if platform.country != "IE":  # established in Ireland, as the large platforms are: the 3018's status counts
            platform.country = "IE"
            platform.save(update_fields=["country"])
        _, platform_key = ApiKey.issue(platform)
        helpline, _ = Helpline.objects.get_or_create(
            directory_id=DEMO_HELPLINE, defaults={"slug": "3018", "name": "3018 (e-Enfance)"}
        )
        _, helpline_key = ApiKey.issue(helpline)
        logins = []
        for username, role, first_name in DEMO_STAFF:
            user, password = _account(username, first_name)
            StaffMember.objects.update_or_create(user=user, defaults={"helpline": helpline, "role": role})
            logins.append((username, password, role))
        TrustedFlaggerStatus.objects.update_or_create(
            helpline=helpline,
            authority="Arcom",
            defaults={
                "awarded_in": "FR",
                "scope": "EU",
                "areas": [
                    "harassment",
                    "cyberbullying",
                    "sextortion",
                    "non_consensual_intimate_imagery",
                    "threat",
                    "doxxing",
                    "impersonation",
                    "hate",
                ],
                "awarded_on": date(2024, 11, 6),
                "source_url": ARCOM_DESIGNATION,
            },
        )
        moderator_logins = []
        for username, moderator_role, first_name in DEMO_MODERATORS:
            user, password = _account(username, first_name)
            Moderator.objects.update_or_create(user=user, defaults={"platform": platform, "role": moderator_role})
            moderator_logins.append((username, password, moderator_role))
        # Reports sent before the moderation queue existed become its Art. 16 notices, as new ones do on arrival.
        before = Report.objects.filter(platform=platform).exclude(notices__source=Source.ARTICLE_16)
        opened = [open_article_16_notice(report) for report in before]
        waiting = Notice.objects.filter(platform=platform, status__in=OPEN_STATUSES).count()

        out = self.stdout.write
        out(f"Demo platform: {platform.name} ({platform.slug}), presentation {platform.presentation}.")
        out(f"  platform API key: {platform_key}")
        out(f"Helpline: {helpline.name} ({helpline.directory_id})")
        out(f"  helpline API key: {helpline_key}")
        out("Helpline console, http://127.0.0.1:8000/console/ (new passwords at each run):")
        for username, password, role in logins:
            out(f"  {role:<11} {username} / {password}")
        out(f"  trusted flagger for {platform.name}: Arcom, since 6 Nov 2024 ({ARCOM_DESIGNATION})")
        out("Moderation console, http://127.0.0.1:8000/moderation/ (new passwords at each run):")
        for username, password, moderator_role in moderator_logins:
            out(f"  {moderator_role:<11} {username} / {password}")
        out(f"  {waiting} notice(s) waiting in the queue ({len(opened)} opened now from earlier reports)")
        out("Try the API:")
        out(f"  export RELAIS_KEY={platform_key}")
        out(
            '  curl -s -X POST http://127.0.0.1:8000/api/v1/reports -H "Authorization: Bearer $RELAIS_KEY" '
            '-H \'Content-Type: application/json\' -d \'{"platform_report_id": "try-1", "category": "harassment", '
            '"reporter": {"country": "FR", "language": "fr", "age": 14}, "content": [{"kind": "message", '
            '"text": "..."}]}\''
        )


def _account(username: str, first_name: str) -> tuple[User, str]:
    """The demo account, made or found, with a fresh password (printed: a demo has no secrets to keep)."""
    user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
    password = secrets.token_urlsafe(9)
    user.set_password(password)
    user.save()
    return user, password
