"""Shared test set-up. Settings below are adjusted once, at import, for the whole run:
- the directory is refreshed only when a test asks (a background refresh would race with test data);
- passwords hash fast (Argon2 costs ~120 ms here, and tests create many accounts);
- webhook hosts resolve through tests/dns.py, and no test connects outside this machine.
Every `/api/` answer a test receives (django.test.Client or a live server) is checked against the served OpenAPI
document (tests/contract.py); `@pytest.mark.undocumented_answer` opts a test out, and should stay rare.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase
from django.test import Client

from tests import dns
from tests.contract import ContractError, served_contract

settings.RELAIS_DIRECTORY_REFRESH_SECONDS = 1e9
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
settings.RELAIS_WEBHOOK_RESOLVER = "tests.dns.resolve"  # webhook hosts are resolved in every mode
dns.guard_connections()

if os.environ.get("CI") == "true" and os.environ.get("RELAIS_TEST_DATABASE") == "postgresql":
    # Under CI the PostgreSQL pass must really run on PostgreSQL, never silently on SQLite.
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", settings.DATABASES


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


@pytest.fixture(autouse=True)
def _fresh_runtime(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each database test starts from the bundled directory (no overrides) and an empty API-key memo."""
    marker = request.node.get_closest_marker("django_db")
    if not (_DB_FIXTURES & set(request.fixturenames) or marker):
        yield
        return
    from relais.directory.runtime import holder
    from relais.reporters.access import forget_registered_helplines
    from relais.tenants.access import forget_keys

    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    transactional = transactional or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    forget_keys()
    forget_registered_helplines()
    holder.reload()
    yield
    forget_keys()
    forget_registered_helplines()


@pytest.fixture
def platform_key(db: None) -> tuple[object, str]:
    from relais.tenants.services import add_platform

    return add_platform(name="Sunny Social")


@pytest.fixture
def api(platform_key: tuple[object, str]) -> Client:
    return Client(headers={"Authorization": f"Bearer {platform_key[1]}"})


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What a production log handler writes (JSON lines, redacted), on the root logger."""
    from relais.logs import JsonLines, RedactReporterLinks

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    handler.addFilter(RedactReporterLinks())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


_get_response = BaseHandler.get_response


@pytest.fixture(autouse=True)
def _api_contract(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Checks each `/api/` answer against the OpenAPI document, as Zulip's test client does
    (`validate_api_response_openapi`, tests/contract.py): the whole suite is then a contract test.

    The hook is Django's `BaseHandler.get_response`, which both django.test.Client and a live server's thread
    go through. A Client request fails where it is made; an answer of a live server (another thread, whose
    exception would only become a 500) is noted and fails the test at its end.
    """
    if request.node.get_closest_marker("undocumented_answer"):
        yield
        return
    from_live_server: list[str] = []

    def checked(self: BaseHandler, http_request: HttpRequest) -> HttpResponseBase:
        response = _get_response(self, http_request)
        if http_request.path_info.startswith("/api/"):
            try:
                served_contract().check(http_request.method or "GET", http_request.path_info, response)
            except ContractError as error:
                if threading.current_thread() is threading.main_thread():
                    raise
                from_live_server.append(str(error))
        return response

    monkeypatch.setattr(BaseHandler, "get_response", checked)
    yield
    if from_live_server:
        pytest.fail("Live-server answers the OpenAPI document does not describe:\n" + "\n".join(from_live_server))
