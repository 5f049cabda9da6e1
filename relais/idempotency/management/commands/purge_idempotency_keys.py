from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from relais import clock
from relais.idempotency import services


class Command(BaseCommand):
    help = (
        "Delete the answers remembered for Idempotency-Keys older than RELAIS_IDEMPOTENCY_HOURS (default 24). "
        "Each web process also does this every few minutes; run it from cron where traffic is sparse."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = services.purge_expired(now=clock.now())
        self.stdout.write(f"{deleted} expired idempotency key(s) deleted")
