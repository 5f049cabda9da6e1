"""A platform engineer's first hour: generate a Python client from /api/openapi.json with openapi-python-client's
default settings, and use it. Every operation must come out (none skipped for a schema the generator cannot
read), named after its short operation id, and the generated code must talk to the real API over HTTP."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from django.test import Client
from pytest_django.live_server_helper import LiveServer

from relais import clock
from relais.tenants.services import add_helpline, add_platform
from tests.test_api import report_body

OPERATION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
SKIPPED = ("will not be generated", "Unable to process schema", "Failure to process schema")
"""What openapi-python-client prints when it leaves out an operation or a schema (and so what uses it)."""
PACKAGE = "relais_api_client"


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in doc["paths"].items() for method, op in item.items()]


def test_every_operation_has_a_short_unique_snake_case_id(client: Client) -> None:
    doc = client.get("/api/openapi.json").json()
    ids = [str(op.get("operationId")) for _, _, op in operations(doc)]
    assert all(OPERATION_ID.fullmatch(i) for i in ids), ids  # a missing id reads "None": refused too
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    by_route = {f"{method.upper()} {path}": op["operationId"] for method, path, op in operations(doc)}
    assert by_route["POST /api/v1/reports"] == "create_report"
    assert by_route["POST /api/v1/moderation/notices/{notice_id}/decision"] == "decide_notice"


def test_a_time_zone_is_a_documented_string_not_an_enum_of_every_zone(client: Client) -> None:
    doc = client.get("/api/openapi.json").json()
    help_params = {p["name"]: p for p in doc["paths"]["/api/v1/help"]["get"]["parameters"]}
    reporter_zone = doc["components"]["schemas"]["ReporterIn"]["properties"]["timezone"]
    for schema in (help_params["timezone"]["schema"], reporter_zone):
        zone = next(s for s in schema["anyOf"] if s.get("type") == "string")
        assert "enum" not in zone
        assert zone["format"] == "iana-time-zone"
        assert "Europe/Paris" in zone["examples"]
        assert "IANA time zone" in zone["description"]
    # Still checked: an unknown zone is refused, naming the field.
    answer = client.get("/api/v1/help?country=FR&timezone=Mars/Olympus")
    assert answer.status_code == 422
    assert "timezone" in answer.content.decode()


@pytest.fixture
def generated(live_server: LiveServer, tmp_path: Path) -> Iterator[Any]:
    """The client package, generated from the served document with default settings, imported; forgotten after."""
    document = tmp_path / "openapi.json"
    document.write_bytes(httpx.get(f"{live_server.url}/api/openapi.json").raise_for_status().content)
    venv_bin = str(Path(sys.executable).parent)  # the post-hooks run `ruff`, pinned in requirements-dev.txt
    nowhere = "http://127.0.0.1:9"  # any download attempt would fail here: generation must need no network
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        **dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"), nowhere),
        "NO_PROXY": "",
        "no_proxy": "",
    }
    run = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(document)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert not [line for line in output.splitlines() if any(s in line for s in SKIPPED)], output
    project = tmp_path / "relais-api-client"
    doc = orjson.loads(document.read_bytes())
    modules = {p.stem for p in (project / PACKAGE / "api").glob("*/*.py")}
    assert {op["operationId"] for _, _, op in operations(doc)} <= modules
    sys.path.insert(0, str(project))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(project))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def part(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


# A Wednesday at 10:00 in Paris, when the 3018 is open: the card's first helpline must not depend on the hour
# the suite happens to run (at night the 24/7 119 comes first, as it should).
OPEN_HOURS = "2026-11-25T09:00:00Z"


def test_the_generated_client_reports_shares_and_decides(
    generated: Any, live_server: LiveServer, settings: Any
) -> None:
    settings.RELAIS_FAKE_NOW = OPEN_HOURS
    _, key = add_platform(name="Sunny Social")
    add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")
    platform = generated.AuthenticatedClient(base_url=live_server.url, token=key)
    models = part("models")
    now = clock.now()

    # One report: the answer carries the help card to show the reporter.
    body = report_body(platform_report_id=f"rep-{uuid.uuid4()}", reported_at=(now - timedelta(minutes=1)).isoformat())
    created = part("api.reports.create_report").sync_detailed(client=platform, body=models.ReportIn.from_dict(body))
    assert created.status_code == 201, created.content
    report = created.parsed
    assert isinstance(report, models.ReportCreatedOut)
    assert report.stored is True
    assert report.help_.primary.helpline_id == "fr-3018"

    # One share with the 3018, with the reporter's consent: a case code to read out.
    consent = {"given_at": (now - timedelta(seconds=30)).isoformat(), "text_version": "fr-2026-11", "scope": ["report"]}
    share_in = models.ShareIn.from_dict({"helpline_id": "fr-3018", "consent": consent})
    shared = part("api.handoffs.share").sync_detailed(str(report.id), client=platform, body=share_in)
    assert shared.status_code == 201, shared.content
    assert isinstance(shared.parsed, models.ShareOut)
    assert re.fullmatch(r"[0-9]{4}-[0-9]{3}-[0-9]{3}-[0-9]{4}", shared.parsed.case_code)

    # One moderator decision on the report's notice, found in the platform's queue.
    queue = part("api.moderation.get_queue").sync(client=platform)
    assert isinstance(queue, list)
    notice_id = next(item.id for item in queue if str(item.report_id) == str(report.id))
    decision_in = models.DecisionIn.from_dict(
        {"outcome": "no_action", "facts": "The messages are banter between friends.", "moderator": "mod-a"}
    )
    decided = part("api.moderation.decide_notice").sync_detailed(str(notice_id), client=platform, body=decision_in)
    assert decided.status_code == 201, decided.content
    assert isinstance(decided.parsed, models.DecisionOut)
    assert decided.parsed.outcome.value == "no_action"
    # The decided notice has left the queue.
    assert notice_id not in [item.id for item in part("api.moderation.get_queue").sync(client=platform)]
