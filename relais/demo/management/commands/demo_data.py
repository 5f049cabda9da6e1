from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from relais.demo.views import demo_platform
from relais.tenants.models import ApiKey, Helpline, Role, StaffMember

DEMO_HELPLINE = "fr-3018"
DEMO_STAFF = (("conseillere", Role.COUNSELLOR, "Camille"), ("superviseur", Role.SUPERVISOR, "Sami"))


class Command(BaseCommand):
    help = (
        "Create the demo platform, the 3018 as a helpline tenant with a counsellor and a supervisor, and print "
        "their credentials (fresh passwords and keys at each run)."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        platform = demo_platform()
        _, platform_key = ApiKey.issue(platform)
        helpline, _ = Helpline.objects.get_or_create(
            directory_id=DEMO_HELPLINE, defaults={"slug": "3018", "name": "3018 (e-Enfance)"}
        )
        _, helpline_key = ApiKey.issue(helpline)
        logins = []
        for username, role, first_name in DEMO_STAFF:
            user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.save()
            StaffMember.objects.update_or_create(user=user, defaults={"helpline": helpline, "role": role})
            logins.append((username, password, role))

        out = self.stdout.write
        out(f"Demo platform: {platform.name} ({platform.slug}), presentation {platform.presentation}.")
        out(f"  platform API key: {platform_key}")
        out(f"Helpline: {helpline.name} ({helpline.directory_id})")
        out(f"  helpline API key: {helpline_key}")
        out("Helpline console, http://127.0.0.1:8000/console/ (new passwords at each run):")
        for username, password, role in logins:
            out(f"  {role:<11} {username} / {password}")
        out("Try the API:")
        out(f"  export RELAIS_KEY={platform_key}")
        out(
            '  curl -s -X POST http://127.0.0.1:8000/api/v1/reports -H "Authorization: Bearer $RELAIS_KEY" '
            '-H \'Content-Type: application/json\' -d \'{"platform_report_id": "try-1", "category": "harassment", '
            '"reporter": {"country": "FR", "language": "fr", "age": 14}, "content": [{"kind": "message", '
            '"text": "..."}]}\''
        )
