from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from relais.demo.views import demo_platform
from relais.tenants.models import ApiKey


class Command(BaseCommand):
    help = "Create the demo platform used by the demo feed, and print an API key to try the API with."

    def handle(self, *args: Any, **options: Any) -> None:
        platform = demo_platform()
        _, key = ApiKey.issue(platform)
        self.stdout.write(f"Demo platform: {platform.name} ({platform.slug}), presentation {platform.presentation}.")
        self.stdout.write("Try the API with this key (a new one is issued at each run):")
        self.stdout.write(f"  export RELAIS_KEY={key}")
        self.stdout.write(
            '  curl -s -X POST http://127.0.0.1:8000/api/v1/reports -H "Authorization: Bearer $RELAIS_KEY" '
            '-H \'Content-Type: application/json\' -d \'{"platform_report_id": "try-1", "category": "harassment", '
            '"reporter": {"country": "FR", "language": "fr", "age": 14}, "content": [{"kind": "message", '
            '"text": "..."}]}\''
        )
