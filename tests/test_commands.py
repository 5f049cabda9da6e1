"""The `relais` command as an operator uses it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory

from relais.tenants.models import ApiKey, Platform

RELAIS = str(Path(sys.executable).with_name("relais"))


@pytest.mark.django_db
def test_platform_add_prints_the_key_once_and_keeps_only_its_hash() -> None:
    out = io.StringIO()
    call_command("platform", "add", "Sunny Social", "--presentation", "link", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert key.startswith("rls_")
    platform = Platform.objects.get(slug="sunny-social")
    assert platform.presentation == "link"
    stored = ApiKey.objects.get(platform=platform)
    assert key not in (stored.key_hash, stored.hint)
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/reports/x").status_code == 404


@pytest.mark.django_db
def test_platform_add_refuses_a_duplicate_and_a_bad_presentation() -> None:
    call_command("platform", "add", "Sunny Social", stdout=io.StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("platform", "add", "Sunny Social", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("platform", "add", "Other", "--presentation", "popup", stdout=io.StringIO())


@pytest.mark.django_db
def test_help_json_is_the_apis_card(client: Client) -> None:
    out = io.StringIO()
    args = ["--country", "FR", "--language", "fr", "--age", "14", "--at", "2026-11-25T22:59:00+01:00"]
    call_command("help_card", *args, "--json", stdout=out)
    api = client.get(
        "/api/v1/help", {"country": "FR", "language": "fr", "age": "14", "at": "2026-11-25T22:59:00+01:00"}
    )
    assert json.loads(out.getvalue()) == api.json()
    assert api.json()["primary"]["uri"] == "tel:3018"


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RELAIS, *args], capture_output=True, text=True, env=env, timeout=120, check=False)


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'cli.sqlite3'}", "RELAIS_DATA_DIR": str(folder)}
    env.pop("RELAIS_FAKE_NOW", None)
    assert _run("migrate", "-v0", env=env).returncode == 0
    return env


def test_the_relais_command_prints_a_readable_card_and_the_json_one(cli_env: dict[str, str]) -> None:
    base = ["help", "--country", "FR", "--language", "fr", "--age", "14", "--category", "harassment"]
    text = _run(*base, "--at", "2026-11-25T22:59:00+01:00", env=cli_env)
    assert text.returncode == 0, text.stderr
    assert "Action principale: Appeler le 3018 <tel:3018>" in text.stdout
    assert "[ouvert, jusqu'à 23:00] Appeler le 3018" in text.stdout
    closed = _run(*base, "--at", "2026-11-25T23:00:00+01:00", env=cli_env)
    assert "[fermé, ouvre 2026-11-26 09:00] Appeler le 3018" in closed.stdout
    as_json = json.loads(_run(*base, "--danger", "immediate", "--json", env=cli_env).stdout)
    assert as_json["primary"]["uri"] == "tel:112"
    assert as_json["danger"] == "immediate"


def test_the_relais_command_reports_bad_options_by_name(cli_env: dict[str, str]) -> None:
    bad = _run("help", "--country", "FRANCE", env=cli_env)
    assert bad.returncode != 0
    assert "--country" in bad.stderr
    assert "Traceback" not in bad.stderr
    # Plain `relais help` is still Django's list of commands.
    assert "platform" in _run("help", env=cli_env).stdout


def test_platform_add_then_report_through_the_cli_database(cli_env: dict[str, str]) -> None:
    added = _run("platform", "add", "Cli Social", env=cli_env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip().splitlines()[-1].startswith("rls_")
    assert "cli-social" in _run("platform", "list", env=cli_env).stdout


def test_production_refuses_to_start_with_development_settings(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "RELAIS_ENVIRONMENT": "production", "RELAIS_FAKE_NOW": "2026-11-25T22:59:00+01:00"}
    result = _run("check", env=env)
    assert result.returncode != 0
    for code in ("relais.E001", "relais.E003", "relais.E004", "relais.E005"):
        assert code in result.stderr
    safe = {
        **cli_env,
        "RELAIS_ENVIRONMENT": "production",
        "SECRET_KEY": "a-long-random-production-secret-" + "0123456789abcdef" * 2,
        "RELAIS_EVIDENCE_KEYS": "2026a:" + "A" * 43 + "=",
        "ALLOWED_HOSTS": "relais.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    }
    checked = _run("check", env=safe).stderr
    assert "relais.E" not in checked
    assert "relais.W007" in checked  # no public address: reporters' links rest on each request's Host
    assert "relais.W008" not in checked  # the second factor is on by default in production
    assert "relais.W008" in _run("check", env={**safe, "RELAIS_REQUIRE_SECOND_FACTOR": "false"}).stderr
    assert "relais.E007" in _run("check", env={**safe, "RELAIS_PUBLIC_URL": "http://relais.example"}).stderr
    # Django's deployment checklist: nothing to say of a production configuration (HSTS preload is the
    # domain owner's promise, silenced: ADR 0024), once the public address and the shared cache are set.
    complete = {**safe, "RELAIS_PUBLIC_URL": "https://relais.example", "RELAIS_CACHE_URL": "redis://127.0.0.1:6379/0"}
    complete.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests in this process; refused in production
    deploy = _run("check", "--deploy", env=complete)
    assert deploy.returncode == 0, deploy.stderr
    assert "System check identified no issues (1 silenced)." in deploy.stdout, deploy.stderr


@pytest.mark.django_db
def test_helpline_add_ties_a_tenant_to_a_directory_helpline_and_prints_its_key() -> None:
    out = io.StringIO()
    call_command("helpline", "add", "3018 (e-Enfance)", "--directory-id", "fr-3018", "--slug", "3018", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert key.startswith("rls_")
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/helpline/cases").json() == []
    # A helpline's key opens no platform endpoint.
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/reports/x").status_code == 401
    with pytest.raises(CommandError, match="no helpline 'fr-9999'"):
        call_command("helpline", "add", "Nope", "--directory-id", "fr-9999", stdout=io.StringIO())


@pytest.mark.django_db
def test_staff_add_creates_an_account_with_a_generated_or_given_password(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.contrib.auth import authenticate

    call_command("helpline", "add", "3018", "--directory-id", "fr-3018", "--slug", "3018", stdout=io.StringIO())
    out = io.StringIO()
    call_command("staff", "add", "camille", "--helpline", "3018", stdout=out)
    password = out.getvalue().split("Password (shown once): ")[1].strip()
    user = authenticate(RequestFactory().post("/"), username="camille", password=password)
    assert user is not None
    assert user.staff.role == "counsellor"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    call_command(
        "staff", "add", "sami", "--helpline", "3018", "--role", "supervisor", "--password-stdin", stdout=io.StringIO()
    )
    assert authenticate(RequestFactory().post("/"), username="sami", password="a long enough passphrase") is not None
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="12"):  # the validators ask for 12 characters
        call_command("staff", "add", "kim", "--helpline", "3018", "--password-stdin", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no helpline"):
        call_command("staff", "add", "lou", "--helpline", "nowhere", stdout=io.StringIO())


@pytest.mark.django_db
def test_demo_data_prints_working_credentials_and_can_run_twice() -> None:
    from django.contrib.auth import authenticate

    for _ in range(2):
        out = io.StringIO()
        call_command("demo_data", stdout=out)
    text = out.getvalue()
    for username in ("conseillere", "superviseur"):
        line = next(li for li in text.splitlines() if f" {username} / " in li)
        password = line.split(" / ")[1].strip()
        assert authenticate(RequestFactory().post("/"), username=username, password=password) is not None
    assert "platform API key: rls_" in text
    assert "helpline API key: rls_" in text
