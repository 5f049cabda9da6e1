"""`RELAIS_REPLICA_DATABASE_URL` (relais/replica.py, ADR 0035): the statements export, the console's statements
page and the appeals list read from the alias `replica`; a replica beside SQLite is refused at start-up.

On PostgreSQL the replica is a second, real connection to the test database (its TEST MIRROR), so it sees only
what the primary committed, as a streaming replica does: the tests are transactional for that reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import checks
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from relais import replica
from relais.checks import replica_settings
from tests.test_moderation_api import RESTRICT, T0, World, call, decide, escalated, make_world, ok, reported

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="a read replica is PostgreSQL's")


def test_without_a_replica_everything_reads_the_primary() -> None:
    assert replica.reading() == "default"


def test_a_replica_beside_sqlite_is_refused_at_start_up(settings: Any) -> None:
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "relais.sqlite3"}
    settings.DATABASES = {"default": sqlite, "replica": {**sqlite, "NAME": "copy.sqlite3"}}
    [error] = replica_settings(None)
    assert error.id == "relais.E008"
    assert "SQLite has no replica" in error.msg
    assert "relais.E008" in {message.id for message in checks.run_checks()}  # what `relais check` runs
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "relais"}
    settings.DATABASES = {"default": postgres, "replica": {**postgres, "HOST": "replica.internal"}}
    assert replica_settings(None) == []
    settings.DATABASES = {"default": postgres}
    assert replica_settings(None) == []


@pytest.fixture
def with_replica(settings: Any, transactional_db: None) -> Iterator[str]:
    """The alias `replica` as RELAIS_REPLICA_DATABASE_URL makes it in tests: a mirror of the test database."""
    mirror = {**connections["default"].settings_dict, "CONN_MAX_AGE": None, "TEST": {"MIRROR": "default"}}
    settings.DATABASES = {**settings.DATABASES, "replica": mirror}
    connections.settings["replica"] = mirror
    # Opened here, one connection for the whole test: the test case refuses to open a connection to an alias
    # it did not know of when it started (pytest-django lists `default` only), not to use an open one.
    connections["replica"].connect()
    try:
        yield "replica"
    finally:
        connections["replica"].close()
        del connections.settings["replica"]
        local = connections._connections  # type: ignore[attr-defined]  # the handler's per-thread connections
        if hasattr(local, "replica"):
            delattr(local, "replica")


@pytest.fixture
def committed_world(transactional_db: None) -> World:
    """The moderation tests' world, committed: the replica's own connection must see it."""
    return make_world()


@on_postgresql
def test_with_a_replica_the_statements_export_and_the_appeals_list_read_from_it(
    with_replica: str, committed_world: World
) -> None:
    w = committed_world
    assert replica.reading() == "replica"
    with time_machine.travel(T0, tick=False):
        _, escalation = escalated(w, reported(w, "golden-1"))
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        decision = decide(w, escalation["id"], RESTRICT)
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            page = ok(call(w.api, "get", "/moderation/statements?since=2026-11-25T00:00:00Z"))
            appeals = ok(call(w.api, "get", "/moderation/appeals"))
    assert decision["puid"] in [s["puid"] for s in page["statements"]]
    assert appeals == []
    read = " ".join(q["sql"] for q in on_replica.captured_queries)
    assert "moderation_decision" in read
    assert "moderation_appeal" in read
    # The other platform's export, through the replica too, stays walled.
    other = ok(call(w.other, "get", "/moderation/statements?since=2026-11-25T00:00:00Z"))
    assert other["statements"] == []
