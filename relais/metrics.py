"""`/metrics`: Prometheus text format, behind `RELAIS_METRICS_TOKEN` (ADR 0026).

Two kinds of figure:
* what happens in a web process (request latency per route, help cards served, reports stored and refused):
  counted as it happens, with prometheus-client's multiprocess mode under `relais serve` (every gunicorn worker
  writes its own file in `PROMETHEUS_MULTIPROC_DIR`; a scrape, answered by any one worker, sums them);
* what the database knows (delivery queue per endpoint, tasks waiting and failed, statements waiting for the
  Transparency Database): queried at scrape time, so a figure is the same whichever worker or machine answers,
  and includes what `relais db_worker` processes did (they are other processes, often other machines).

Labels never hold a path: the route is the URL pattern (`api/v1/helpline/cases/<case_id>`), endpoints are ids.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

import prometheus_client
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric

from relais import clock

REQUEST_SECONDS = Histogram(
    "relais_request_duration_seconds",
    "Time to answer a request, by route pattern (never the path), method and status.",
    ["route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HELP_CARDS = Counter(
    "relais_help_cards_served",
    "Help cards answered: `help` by GET /api/v1/help, `report` with a report (stored or not).",
    ["via"],
)
REPORTS_STORED = Counter("relais_reports_stored", "Reports received and stored (201).")
REPORTS_REFUSED = Counter(
    "relais_reports_refused",
    "Reports not stored, by answer: 422 (invalid), 429 (over the rate limit), 503 (storage failed).",
    ["reason"],
)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
HELP_ROUTE = "api/v1/help"
REPORTS_ROUTE = "api/v1/reports"


def observe_request(*, route: str, method: str, status: int, seconds: float, replayed: bool = False) -> None:
    """Counts one answered request (called by relais.middleware.RequestLog for every request). An answer
    replayed for an Idempotency-Key (`replayed`) was counted as stored or refused the first time."""
    method = method if method in _METHODS else "OTHER"
    REQUEST_SECONDS.labels(route, method, str(status)).observe(seconds)
    if route == HELP_ROUTE and method == "GET" and status == 200:
        HELP_CARDS.labels("help").inc()
    elif route == REPORTS_ROUTE and method == "POST":
        if status in (200, 201, 429, 503):  # each of these carries the help card (help first)
            HELP_CARDS.labels("report").inc()
        if replayed:
            return
        if status == 201:
            REPORTS_STORED.inc()
        elif status in (422, 429, 503):
            REPORTS_REFUSED.labels(str(status)).inc()


class DatabaseFigures:
    """The figures read from the database at scrape time (a failed query reports `relais_database_up 0`)."""

    def describe(self) -> list[Metric]:
        return []  # registered without running its queries

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("relais_database_up", "1 if the scrape could read the database's figures.")
        try:
            figures = list(_database_figures())
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures


def _database_figures() -> Iterator[Metric]:
    from django_tasks_db.models import DBTaskResult

    from relais.moderation.models import Decision
    from relais.webhooks.models import Delivery

    now = clock.now()
    depth = GaugeMetricFamily(
        "relais_webhook_queue_depth", "Deliveries waiting to be sent (pending), by endpoint id.", labels=["endpoint"]
    )
    lag = GaugeMetricFamily(
        "relais_webhook_oldest_due_lag_seconds",
        "How long the oldest due pending delivery has been due, by endpoint id (0: none due).",
        labels=["endpoint"],
    )
    rows = (
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .order_by()
        .values("endpoint_id")
        .annotate(waiting=Count("id"), oldest=Min(Coalesce("next_attempt_at", "created_at")))
    )
    for row in rows:
        endpoint = str(row["endpoint_id"])
        depth.add_metric([endpoint], row["waiting"])
        lag.add_metric([endpoint], max(0.0, (now - row["oldest"]).total_seconds()))
    yield depth
    yield lag

    statements = GaugeMetricFamily(
        "relais_statements_waiting",
        "Statements of reasons due for the Transparency Database and not yet accepted by it.",
    )
    statements.add_metric(
        [], Decision.objects.filter(submitted_at__isnull=True, submission_due_at__isnull=False).count()
    )
    yield statements

    if settings.RELAIS_TASKS_BACKEND != "database":
        return
    failed = GaugeMetricFamily(
        "relais_task_failures",
        "Task runs that failed (results kept by the database backend), by task.",
        labels=["task"],
    )
    for row in (
        DBTaskResult.objects.failed().order_by().values("task_path").annotate(n=Count("id")).order_by("task_path")
    ):
        failed.add_metric([row["task_path"]], row["n"])
    yield failed
    waiting = GaugeMetricFamily("relais_tasks_waiting", "Tasks ready to run and not yet claimed by a worker.")
    waiting.add_metric([], DBTaskResult.objects.ready().count())
    yield waiting


class _ThisProcess:
    """The counters of this process (no PROMETHEUS_MULTIPROC_DIR: `relais runserver`, tests)."""

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        yield from prometheus_client.REGISTRY.collect()


def scrape() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseFigures())
    return prometheus_client.generate_latest(registry)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics with `Authorization: Bearer <RELAIS_METRICS_TOKEN>`; without a token set, there is no
    such page (404)."""
    token = settings.RELAIS_METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return HttpResponse(
            "Send Authorization: Bearer <RELAIS_METRICS_TOKEN>\n",
            status=401,
            content_type="text/plain; charset=utf-8",
            headers={"WWW-Authenticate": 'Bearer realm="relais-metrics"'},
        )
    return HttpResponse(scrape(), content_type=prometheus_client.CONTENT_TYPE_LATEST)
