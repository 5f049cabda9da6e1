"""The bundled directory is valid and sourced, and a broken file is reported by file and line."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from relais.directory import directory as directory_module
from relais.directory.schema import DirectoryFileError, parse_country_file

DATA = directory_module.DATA_DIR


def test_the_bundled_directory_loads_with_france_complete_and_twelve_more_countries() -> None:
    loaded = directory_module.load()
    assert len(loaded.countries) >= 13
    fr = loaded.countries["FR"]
    ids = {h.id for h in fr.helplines}
    assert {"fr-3018", "fr-119", "fr-3919", "fr-3114", "fr-pharos"} <= ids
    assert {e.id for e in fr.emergency} >= {"fr-112", "fr-17", "fr-15", "fr-18", "fr-114"}
    phone_3018 = next(c for h in fr.helplines if h.id == "fr-3018" for c in h.channels if c.kind == "phone")
    assert (phone_3018.uri, phone_3018.hours) == ("tel:3018", "Mo-Su,PH 09:00-23:00")


def test_every_country_has_an_emergency_number_and_every_channel_a_dated_source() -> None:
    for path in sorted(DATA.glob("*.yaml")):
        parsed = parse_country_file(path)
        assert parsed.emergency, path
        for helpline in parsed.helplines:
            assert helpline.source.url.startswith("http"), helpline.id
            for channel in helpline.channels:
                assert channel.source.date <= datetime.now(UTC).date(), (helpline.id, channel.kind)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    shutil.copy(DATA / "fr.yaml", tmp_path / "fr.yaml")
    shutil.copy(DATA / "xx.yaml", tmp_path / "xx.yaml")
    return tmp_path


def _break(path: Path, old: str, new: str) -> int:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('hours: "Mo-Su,PH 09:00-23:00"', 'hours: "Mo-Su,PH 9h-23h"', "opening_hours"),
        ('uri: "tel:3018"', 'uri: "https://3018.fr/call"', "needs a tel: URI"),
        ("id: fr-3018\n", "id: FR_3018\n", "String should match pattern"),
        ("timezone: Europe/Paris", "timezone: Europe/Pariss", "unknown IANA time zone"),
        ("    topics: [self_harm]", "    topics: [selfharm]", "topics"),
        ("  - id: fr-119\n", "  - id: fr-3018\n", "used twice"),
    ],
)
def test_a_mistake_is_reported_with_its_file_and_line(data_copy: Path, old: str, new: str, message: str) -> None:
    line = _break(data_copy / "fr.yaml", old, new)
    with pytest.raises(DirectoryFileError) as caught:
        parse_country_file(data_copy / "fr.yaml")
    problem = caught.value.problems[0]
    assert message in problem.message
    assert problem.path.name == "fr.yaml"
    if "twice" not in message:
        # A field's own error points at its line; a rule across fields, at the start of its block.
        assert line - 3 <= problem.line <= line, (problem, line)
    assert str(problem).startswith(f"{data_copy / 'fr.yaml'}:{problem.line}: ")


def test_a_missing_french_text_is_named(data_copy: Path) -> None:
    _break(data_copy / "fr.yaml", "en: France, fr: France,", "en: France,")
    with pytest.raises(DirectoryFileError, match=r"fr.yaml:4: name: Value error, text missing in fr"):
        parse_country_file(data_copy / "fr.yaml")


def test_broken_yaml_is_located(data_copy: Path) -> None:
    (data_copy / "fr.yaml").write_text("country: FR\nname: {en: France\n")
    with pytest.raises(DirectoryFileError, match=r"fr.yaml:\d+: not valid YAML"):
        parse_country_file(data_copy / "fr.yaml")


def test_directory_check_command_passes_on_the_bundled_files() -> None:
    out = io.StringIO()
    call_command("directory", "check", stdout=out)
    assert "is valid" in out.getvalue()


def test_directory_check_command_prints_file_line_errors(data_copy: Path) -> None:
    line = _break(data_copy / "fr.yaml", 'hours: "Mo-Su,PH 09:00-23:00"', 'hours: "sometimes"')
    err = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("directory", "check", "--path", str(data_copy), stderr=err)
    assert f"fr.yaml:{line}: " in err.getvalue()
