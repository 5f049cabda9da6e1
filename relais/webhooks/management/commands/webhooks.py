from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from relais import clock
from relais.webhooks import delivery
from relais.webhooks.models import Delivery


class Command(BaseCommand):
    help = "Webhooks: `webhooks sweep` (re-enqueue due deliveries that no task holds), `webhooks dead` (dead letters)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "sweep",
            help="Enqueue every due delivery that no worker holds (safe any time; run it every few minutes).",
        )
        dead = sub.add_parser("dead", help="List dead letters (deliveries that will not be retried).")
        dead.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            count = delivery.sweep(now=clock.now())
            self.stdout.write(f"{count} deliveries enqueued.")
            return
        failed = Delivery.objects.filter(status=Delivery.Status.FAILED).select_related("endpoint")
        for d in failed.order_by("-id")[: options["limit"]]:
            when = d.finished_at.isoformat() if d.finished_at else "-"
            self.stdout.write(f"{d.uid}\t{when}\t{d.event_type}\t{d.endpoint.url}\t{d.attempts}\t{d.last_error}")
