"""When a deferred task is due: its `run_after`, rounded up to a whole second.

rq (RELAIS_TASKS_BACKEND=rq) keeps a scheduled job's due time in whole seconds, truncated, and runs it up to a
second early; a task that checks its row is due (a webhook retry, a help message, a statement) would then
return without doing anything and wait for a sweep. Rounding up costs the database backend at most a second.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def due_at(run_after: datetime) -> datetime:
    if not run_after.microsecond:
        return run_after
    return run_after.replace(microsecond=0) + timedelta(seconds=1)
