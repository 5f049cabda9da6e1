"""Readiness (`GET /api/v1/ready`): can this process do its work, not only answer (that is /api/v1/health).

A load balancer or an orchestrator takes a process that is not ready out of rotation; an operator reads which
check failed. Each check is quick and bounded: the database answers a trivial query within
READY_DATABASE_TIMEOUT_SECONDS, the cache stores and returns a value, and the tasks have a worker.

The worker check (ADR 0026): django-tasks-db workers leave no heartbeat, but every task they claim gets a
`started_at`. A worker is missing when a task has been ready for more than RELAIS_READY_WORKER_SECONDS and no
task was started in that time. A quiet deployment with no task waiting is ready: nothing is delayed, and a
heartbeat would only add writes. With RELAIS_TASKS_BACKEND=immediate the tasks run in the request: ready.

With RELAIS_TASKS_BACKEND=rq, rq's own worker registry in Redis is read: a worker listening on the queue must
have sent its heartbeat within RELAIS_READY_WORKER_SECONDS (every worker does, every few seconds, idle or
not), and no delayed task (a retry, a watchdog) may be overdue by that long, which is what a worker started
without `--with-scheduler` leaves behind. Redis not answering within READY_DATABASE_TIMEOUT_SECONDS fails it.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

READY_DATABASE_TIMEOUT_SECONDS = 2
CHECKS = ("database", "cache", "worker")


def check_database() -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {READY_DATABASE_TIMEOUT_SECONDS * 1000}")
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except Exception:
        logger.warning("readiness: the database did not answer", exc_info=True)
        return False


def check_cache() -> bool:
    key, value = f"ready:{secrets.token_hex(8)}", secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=10)
        answered = cache.get(key)
        cache.delete(key)
    except Exception:
        logger.warning("readiness: the cache did not answer", exc_info=True)
        return False
    return bool(answered == value)


def check_rq_worker() -> bool:
    import redis
    from rq import Queue, Worker
    from rq.registry import ScheduledJobRegistry

    cutoff = timezone.now() - timedelta(seconds=settings.RELAIS_READY_WORKER_SECONDS)
    timeout = READY_DATABASE_TIMEOUT_SECONDS
    try:
        with redis.Redis.from_url(
            settings.RELAIS_REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout
        ) as connection:
            queue = Queue("default", connection=connection)
            beating = any(
                worker.last_heartbeat is not None and worker.last_heartbeat >= cutoff
                for worker in Worker.all(queue=queue)
            )
            # The registry's scores are the times the delayed tasks are due (seconds since the epoch).
            key = ScheduledJobRegistry(queue=queue).key  # type: ignore[no-untyped-call]
            overdue = connection.zrangebyscore(key, 0, cutoff.timestamp(), start=0, num=1)
            if overdue:
                return False
            return beating
    except Exception:
        logger.warning("readiness: Redis (the rq task queue) did not answer", exc_info=True)
        return False


def check_worker() -> bool:
    if settings.RELAIS_TASKS_BACKEND == "rq":
        return check_rq_worker()
    if settings.RELAIS_TASKS_BACKEND != "database":
        return True
    from django_tasks_db.models import DBTaskResult, get_date_max

    cutoff = timezone.now() - timedelta(seconds=settings.RELAIS_READY_WORKER_SECONDS)
    try:
        overdue = (
            DBTaskResult.objects.ready()
            .filter(Q(run_after=get_date_max(), enqueued_at__lt=cutoff) | Q(run_after__lt=cutoff))
            .exists()
        )
        return not overdue or DBTaskResult.objects.filter(started_at__gte=cutoff).exists()
    except Exception:
        return False


def readiness() -> dict[str, str]:
    """{"database": "ok" | "failed", "cache": …, "worker": …}; the worker is not checked without a database."""
    database = check_database()
    return {
        "database": "ok" if database else "failed",
        "cache": "ok" if check_cache() else "failed",
        "worker": "ok" if database and check_worker() else "failed",
    }
