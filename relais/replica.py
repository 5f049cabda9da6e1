"""Where long read-only lists and figures read from: the read replica when one is configured, else the primary.

`RELAIS_REPLICA_DATABASE_URL` adds the Django database alias `replica` (settings.py). Only what tolerates a
replica's lag (seconds, in an ordinary streaming-replication setup; docs/operations.md) goes there, each
call site choosing it by name through `reading()`: the statements-of-reasons export and the console's
statements page, and the API's appeals list. Everything that writes, and everything a person reads right
after writing (the queue, a notice, a case, the reporter's page, the consoles' open appeals), stays on the
primary, so nobody decides something and then sees it undecided (ADR 0035). There is deliberately no
database router: a router would send every read of a model to the replica, and the lag would then show
wherever someone reads their own write.
"""

from __future__ import annotations

from django.conf import settings

REPLICA = "replica"


def reading() -> str:
    """The alias a read-only list or figure may read from: `replica` when configured, else `default`."""
    return REPLICA if REPLICA in settings.DATABASES else "default"
