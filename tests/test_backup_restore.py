"""The backup runbook (docs/backup.md), tried as an operator would: its fenced `sh` blocks are run as written.

Reports with evidence are made through the API and one is shared with a helpline; the *backup* block dumps
the test database and the evidence folder, the *restore* block brings them into a fresh database and folder,
and the *check* block must print the same figures on both (`relais evidence verify` OK). The restored
database, read by a separate `relais` process, must hold the same reports, cases, consents and words, readable
with the key ring, and nothing readable without it. The commands are read from the runbook, so a change there
is what runs here. PostgreSQL only (`pg_dump`): the suite's second pass, always under CI.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings

from relais import clock
from relais.evidence import crypto
from relais.tenants.models import Platform
from relais.tenants.services import add_helpline, add_platform
from relais.webhooks.endpoints import create_endpoint
from tests.test_api import post, report_body
from tests.test_evidence import full_upload
from tests.test_handoffs_api import CONSENT

pytestmark = [
    pytest.mark.django_db(transaction=True),  # committed rows: pg_dump reads from another connection
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"),
]

ROOT = Path(__file__).resolve().parent.parent
RUNBOOK = ROOT / "docs" / "backup.md"
RING = crypto.new_key_text("backup-test")
WORDS = "Ça dure depuis la rentrée."
SAID = "t'es nul, personne ne t'aime"


def runbook_blocks() -> dict[str, str]:
    """The runbook's tested blocks by name: `<!-- runbook: NAME -->` then a fenced sh block."""
    return dict(re.findall(r"<!-- runbook: (\w+) -->\n```sh\n(.*?)```", RUNBOOK.read_text(), flags=re.S))


def database_url(name: str) -> str:
    settings = connection.settings_dict
    user = quote(settings["USER"] or "postgres")
    if settings["PASSWORD"]:
        user += ":" + quote(settings["PASSWORD"])
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"


def environment(database: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """An operator's shell: Relais's variables for one database and folder, `relais` and PostgreSQL on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELAIS_", "DATABASE_URL", "PROMETHEUS_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=database,
        RELAIS_DATA_DIR=str(data_dir),
        RELAIS_EVIDENCE_KEYS=RING,
    )
    env.update(extra)
    return env


def run(block: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def snapshot() -> dict[str, Any]:
    """What a helpline and a platform would find again, read through Relais's models (the words opened with
    the configured ring); run in this process on the source and by `relais shell` on the restored database."""
    from relais.evidence.models import EvidenceItem
    from relais.handoffs.access import cases_visible_to
    from relais.handoffs.models import Case
    from relais.reports.models import Report
    from relais.webhooks.models import Endpoint

    return {
        "reports": [
            [str(r.pk), r.platform_report_id, r.description, [c.text for c in r.content.order_by("position")]]
            for r in Report.objects.order_by("platform_report_id")
        ],
        "evidence": [
            [str(i.report_id), i.position, i.kind, i.size, i.sha256]
            for i in EvidenceItem.objects.order_by("report_id", "position")
        ],
        "cases": [
            [
                c.code,
                str(c.report_id),
                c.status,
                c.consent.text_version,
                sorted(c.consent.scope),
                c.consent.given_at.isoformat(),
                cases_visible_to(c.helpline).get(code=c.code).pk == c.pk,
            ]
            for c in Case.objects.select_related("consent", "helpline").order_by("code")
        ],
        "endpoint secrets": sorted(e.secret for e in Endpoint.objects.all()),
    }


def restored_snapshot(env: dict[str, str]) -> dict[str, Any]:
    code = "import json; from tests.test_backup_restore import snapshot; print(json.dumps(snapshot()))"
    out = run(f"relais shell --command {code!r}", env)
    return dict(json.loads(out.strip().splitlines()[-1]))


@dataclass
class Restored:
    source: dict[str, Any]
    source_env: dict[str, str]
    env: dict[str, str]


@pytest.fixture
def restored(settings: Settings, tmp_path: Path) -> Iterator[Restored]:
    """Two reports with evidence, one shared with a helpline, an endpoint; backed up; restored elsewhere."""
    source_dir, restored_dir = tmp_path / "source", tmp_path / "restored"
    settings.RELAIS_EVIDENCE_KEYS = RING
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(source_dir / "evidence")},
        },
    }
    platform, key = add_platform(name="Sunny Social")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018")
    first = post(api, report_body(platform_report_id="rep-1"))
    second = post(api, report_body(platform_report_id="rep-2", description=""))
    assert (first.status_code, second.status_code) == (201, 201), (first.content, second.content)
    for report in (first, second):
        assert full_upload(api, report.json()["id"]).status_code == 201
    consent = {**CONSENT, "scope": ["report", "content", "description"]}
    shared = api.post(
        f"/api/v1/reports/{first.json()['id']}/share",
        {"helpline_id": "fr-3018", "consent": consent},
        content_type="application/json",
    )
    assert shared.status_code == 201, shared.content
    assert isinstance(platform, Platform)
    create_endpoint(
        tenant=platform,
        url="https://receiver.example/hook",
        event_types_=["report.created"],
        description="",
        now=clock.now(),
    )

    blocks = runbook_blocks()
    assert set(blocks) == {"backup", "restore", "check"}
    source_env = environment(database_url(connection.settings_dict["NAME"]), source_dir)
    backup = str(tmp_path / "backups" / "one")
    run(blocks["backup"], {**source_env, "BACKUP": backup})
    fresh = f"relais_restore_{secrets.token_hex(4)}"
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = environment(database_url(fresh), restored_dir, BACKUP=backup)
        run(blocks["restore"], env)
        yield Restored(source=snapshot(), source_env=source_env, env=env)
    finally:
        with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_a_restored_backup_holds_every_report_case_and_word_and_verifies(restored: Restored) -> None:
    check = runbook_blocks()["check"]
    figures = run(check, restored.env)
    assert figures == run(check, restored.source_env)
    for line in ("6 items checked.", "reports 2", "evidence items 6", "cases 1", "consents 1", "webhook endpoints 1"):
        assert line in figures.splitlines(), figures
    assert "0 sealed texts that do not open" in figures

    again = restored_snapshot(restored.env)
    assert again == restored.source
    reports = again["reports"]
    assert [r[1:] for r in reports] == [["rep-1", WORDS, [SAID, ""]], ["rep-2", "", [SAID, ""]]]
    [case] = again["cases"]
    assert case[1:] == [reports[0][0], "new", CONSENT["text_version"], ["content", "description", "report"],
                        "2026-11-25T21:59:30+00:00", True]  # fmt: skip
    assert len(again["evidence"]) == 6
    [secret] = again["endpoint secrets"]
    assert secret
    assert not secret.startswith("sealed:")


def test_without_the_key_ring_the_restored_backup_gives_nothing_away(restored: Restored) -> None:
    """What the runbook says of a lost ring: the evidence fails its check, the words stay sealed."""
    other = {**restored.env, "RELAIS_EVIDENCE_KEYS": crypto.new_key_text("another")}
    verify = subprocess.run(
        [str(Path(sys.executable).with_name("relais")), "evidence", "verify"],
        env=other,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert verify.returncode == 1
    assert "6 items checked." in verify.stdout
    assert "sealed with key 'backup-test', which is not in RELAIS_EVIDENCE_KEYS" in verify.stderr
    blind = restored_snapshot(other)
    assert [r[1] for r in blind["reports"]] == ["rep-1", "rep-2"]  # what is not sealed is all there
    assert len(blind["cases"]) == 1
    assert blind["reports"][0][2].startswith("sealed:backup-test:")
    assert all(text.startswith("sealed:backup-test:") for r in blind["reports"] for text in r[3] if text)
    assert WORDS not in json.dumps(blind)
    assert SAID not in json.dumps(blind)
    [secret] = blind["endpoint secrets"]
    assert secret.startswith("sealed:backup-test:")
