"""What operators do with evidence: rotate keys, verify and sweep the store; and the start-up checks that
refuse a production without its own keys."""

from __future__ import annotations

import base64
import io
import os
import time
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django.fixtures import Settings

from relais.evidence import crypto
from relais.evidence.checks import evidence_settings
from relais.evidence.models import CustodyEvent, EvidenceItem
from relais.reports.models import Report
from tests.test_api import report_body
from tests.test_evidence import (  # noqa: F401  (fixtures)
    AT_2300,
    evidence_store,
    flip_one_byte,
    full_upload,
    reported,
    stored_files,
)

pytestmark = pytest.mark.django_db
OLD = f"2026a:{base64.b64encode(bytes(range(32))).decode()}"
NEW = f"2026b:{base64.b64encode(bytes(range(100, 132))).decode()}"


def dev(settings: Settings) -> str:
    """The development key the fixtures' report was sealed with (its words are sealed at intake)."""
    return f"{crypto.DEVELOPMENT_KEY_ID}:{base64.b64encode(crypto.development_key(settings.SECRET_KEY)).decode()}"


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("evidence", *args, stdout=out, stderr=out)
    return out.getvalue()


@time_machine.travel(AT_2300, tick=False)
def test_a_key_rotation_reseals_old_blobs_under_the_new_key(
    api: Client,
    reported: str,
    settings: Settings,
    evidence_store: Path,
) -> None:
    settings.RELAIS_EVIDENCE_KEYS = f"{OLD},{dev(settings)}"
    full_upload(api, reported)
    before = {p.name for p in stored_files(evidence_store)}
    settings.RELAIS_EVIDENCE_KEYS = f"{NEW},{OLD},{dev(settings)}"
    assert api.get(f"/api/v1/reports/{reported}/evidence.pdf").status_code == 200  # every key opens
    assert command("rekey") == ("3 items re-encrypted.\n2 texts (reporters' words, reported content) re-encrypted.\n")
    assert set(EvidenceItem.objects.values_list("key_id", flat=True)) == {"2026b"}
    after = {p.name for p in stored_files(evidence_store)}
    assert len(after) == 3
    assert not before & after  # new blobs, the old ones deleted
    assert CustodyEvent.objects.filter(action="resealed").count() == 3
    settings.RELAIS_EVIDENCE_KEYS = NEW  # the old key can now be dropped
    assert api.get(f"/api/v1/reports/{reported}/evidence.pdf").status_code == 200
    assert command("rekey") == "0 items re-encrypted.\n0 texts (reporters' words, reported content) re-encrypted.\n"
    report = Report.objects.get(pk=reported)
    assert report.description == report_body()["description"]  # opened under the new key alone


@time_machine.travel(AT_2300, tick=False)
def test_without_its_key_a_blob_is_an_integrity_failure_not_a_crash(
    api: Client, reported: str, settings: Settings
) -> None:
    settings.RELAIS_EVIDENCE_KEYS = f"{OLD},{dev(settings)}"
    full_upload(api, reported)
    settings.RELAIS_EVIDENCE_KEYS = f"{NEW},{dev(settings)}"  # the report's words stay readable
    response = api.get(f"/api/v1/reports/{reported}/evidence.zip")
    assert response.status_code == 409
    assert "sealed with key '2026a', which is not in RELAIS_EVIDENCE_KEYS" in response.json()["detail"]


@time_machine.travel(AT_2300, tick=False)
def test_verify_checks_every_stored_item(api: Client, reported: str, evidence_store: Path) -> None:
    full_upload(api, reported)
    assert command("verify") == "3 items checked.\n"
    flip_one_byte(evidence_store / EvidenceItem.objects.get(position=2).storage_name)
    with pytest.raises(CommandError, match="1 items failed their integrity check"):
        command("verify")


@time_machine.travel(AT_2300, tick=False)
def test_sweep_deletes_only_old_files_no_item_uses(api: Client, reported: str, evidence_store: Path) -> None:
    full_upload(api, reported)
    stale = evidence_store / reported / "left-by-a-crash.sealed"
    fresh = evidence_store / reported / "being-written.sealed"
    stale.write_bytes(b"RLVE")
    fresh.write_bytes(b"RLVE")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))
    with time_machine.travel(time.time(), tick=False):  # the files' clock, not the pinned one
        assert command("sweep", "--dry-run").endswith("1 unused stored files found.\n")
        assert stale.exists()
        assert command("sweep") == f"{reported}/left-by-a-crash.sealed\n1 unused stored files deleted.\n"
    assert not stale.exists()
    assert fresh.exists()
    assert len(stored_files(evidence_store)) == 4


def test_newkey_prints_an_entry_for_the_setting() -> None:
    entry = command("newkey", "2027a").strip()
    assert crypto.parse_keys(entry).sealing_id == "2027a"
    with pytest.raises(CommandError):
        command("newkey", "bad id")


@pytest.mark.parametrize(
    ("production", "keys", "errors"),
    [
        (False, "", []),
        (True, "", ["relais.E301"]),
        (
            True,
            f"dev:{base64.b64encode(crypto.development_key('relais-development-only-not-secret')).decode()}",
            ["relais.E301"],
        ),
        (True, NEW, []),
        (False, "oops", ["relais.E302"]),
    ],
    ids=["development", "production without keys", "production with the development key", "production", "unreadable"],
)
def test_production_refuses_to_start_without_its_own_evidence_keys(
    settings: Settings, production: bool, keys: str, errors: list[str]
) -> None:
    settings.PRODUCTION = production
    settings.RELAIS_EVIDENCE_KEYS = keys
    assert [e.id for e in evidence_settings(None)] == errors


@time_machine.travel(AT_2300, tick=False)
def test_the_admin_lists_evidence_and_purges_read_only(api: Client, reported: str) -> None:
    from django.contrib.auth.models import User

    full_upload(api, reported)
    admin = Client()
    admin.force_login(User.objects.create_superuser("ops", "ops@example.org", "a long admin password"))
    assert admin.get("/admin/evidence/purgerecord/").status_code == 200
    listing = admin.get("/admin/evidence/evidenceitem/")
    assert listing.status_code == 200
    item = EvidenceItem.objects.get(position=2)
    page = admin.get(f"/admin/evidence/evidenceitem/{item.pk}/change/")
    assert page.status_code == 200
    assert item.storage_name not in page.content.decode()
    assert admin.post(f"/admin/evidence/evidenceitem/{item.pk}/delete/", {"post": "yes"}).status_code == 403


def test_every_evidence_setting_is_documented() -> None:
    import re

    root = Path(__file__).resolve().parent.parent
    settings_py = (root / "relais" / "settings.py").read_text()
    operations, example = (root / "docs" / "operations.md").read_text(), (root / ".env.example").read_text()
    names = set(
        re.findall(r'os\.environ\.get\("((?:RELAIS_EVIDENCE|RELAIS_PDQ|RELAIS_RETENTION)_[A-Z_]+)"', settings_py)
    )
    assert len(names) == 10
    for name in names:
        assert f"| `{name}` |" in operations, name
        assert f"\n{name}=" in example, name


def test_sweep_removes_the_folder_of_a_purged_report_whose_last_blob_it_deletes(evidence_store: Path) -> None:
    left = evidence_store / "7d0c6a52-4b1e-4c8a-9d3e-2f1a0b9c8d7e" / "12.sealed"  # a delete that failed at purge
    left.parent.mkdir(parents=True)
    left.write_bytes(b"RLVE")
    two_days_ago = time.time() - 2 * 86400
    os.utime(left, (two_days_ago, two_days_ago))
    assert command("sweep").endswith("1 unused stored files deleted.\n")
    assert not left.parent.exists()
    assert evidence_store.exists()
