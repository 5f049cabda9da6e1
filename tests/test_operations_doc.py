"""docs/operations.md lists every environment variable Relais reads, so an operator never has to read the code.

The names are taken from the code two ways: every literal name read from the environment in relais/settings.py
and relais/management/commands/serve.py, and every name the settings module actually asks for when it runs (in
development on SQLite, and in production on PostgreSQL: some are read only there; some, like
RELAIS_SLA_<CLASS>_HOURS, are built in a loop and appear in no literal).
"""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "docs" / "operations.md"
READERS = [ROOT / "relais" / "settings.py", ROOT / "relais" / "management" / "commands" / "serve.py"]
LITERAL = re.compile(r"""(?:environ(?:\.get)?[\[(]|env_bool\(|env_list\()\s*"([A-Z][A-Z0-9_]*)\"""")


class RecordingEnviron(dict[str, str]):
    """A stand-in for os.environ that remembers every name asked for."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)


def names_in_the_code() -> set[str]:
    return {name for path in READERS for name in LITERAL.findall(path.read_text())}


def names_asked_when_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> set[str]:
    asked: set[str] = set()
    for extra in (
        {},
        {
            "RELAIS_ENVIRONMENT": "production",
            "DATABASE_URL": "postgres://relais@db.invalid/relais",
            "RELAIS_CSP_REPORT_URI": "https://csp.example/report",
        },
    ):
        recording = RecordingEnviron({"PATH": os.environ.get("PATH", ""), "RELAIS_DATA_DIR": str(tmp_path), **extra})
        with monkeypatch.context() as patch:
            patch.setattr(os, "environ", recording)
            runpy.run_path(str(READERS[0]))
        asked |= recording.asked
    return asked


def documented() -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", OPERATIONS.read_text(), flags=re.M))


def test_every_environment_variable_relais_reads_is_in_the_operations_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    read = names_in_the_code() | names_asked_when_run(monkeypatch, tmp_path)
    assert {"RELAIS_EVIDENCE_KEYS", "RELAIS_SLA_MINOR_HOURS", "RELAIS_HSTS_PRELOAD", "RELAIS_BIND"} <= read
    relais = {name for name in read if name.startswith("RELAIS_")}
    assert len(relais) > 60, sorted(relais)
    missing = sorted(read - documented() - {"PATH"})
    assert not missing, f"add to docs/operations.md, *Every environment variable*: {missing}"


def test_the_operations_table_names_nothing_relais_does_not_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stale = sorted(documented() - names_in_the_code() - names_asked_when_run(monkeypatch, tmp_path))
    assert not stale, f"docs/operations.md lists variables Relais no longer reads: {stale}"


def test_every_literal_setting_has_a_line_in_env_example() -> None:
    """`.env.example` is the file an operator copies: every name settings.py reads by name has a line there
    (names built in a loop, like RELAIS_SLA_<CLASS>_HOURS, are in the operations table only)."""
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, flags=re.M))
    read = set(LITERAL.findall(READERS[0].read_text()))
    assert {"RELAIS_EVIDENCE_KEYS", "DATABASE_URL"} <= read
    missing = sorted(read - listed)
    assert not missing, f"add to .env.example: {missing}"
