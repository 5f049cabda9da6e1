"""`relais directory check` refuses what would make a help card wrong, naming file, line, id and field."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from relais.directory import facts, schema

SOURCE = '{url: "https://example.org/a", date: 2025-01-01}'

XX = f"""country: XX
name: {{en: Your country, fr: Votre pays}}
timezone: UTC
emergency:
  - id: xx-112
    name: {{en: Emergency, fr: Urgence}}
    number: "112"
    kind: general
    source: {SOURCE}
"""


def fr_file(*, channel: str = "", helpline: str = "", emergency_number: str = "112", holidays: str = "FR") -> str:
    holidays_line = f"public_holidays: {holidays}\n" if holidays else ""
    return f"""country: FR
name: {{en: France, fr: France}}
timezone: Europe/Paris
{holidays_line}emergency:
  - id: fr-112
    name: {{en: Emergency, fr: Urgence}}
    number: "{emergency_number}"
    kind: general
    source: {SOURCE}
helplines:
  - id: fr-line
    name: "Line"
    operator: "Operator"
    description: {{en: A line, fr: Une ligne}}
    languages: [fr]
    topics: [general]
    source: {SOURCE}
{helpline}    channels:
      - id: fr-line-phone
        kind: phone
        uri: "tel:3018"
        hours: "Mo-Su 09:00-23:00"
        free: true
        source: {SOURCE}
{channel}"""


def write(tmp_path: Path, fr: str, **others: str) -> Path:
    (tmp_path / "xx.yaml").write_text(XX)
    (tmp_path / "fr.yaml").write_text(fr)
    for name, text in others.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    return tmp_path


def refusals(folder: Path) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("directory", "check", "--path", str(folder), stderr=err, stdout=io.StringIO())
    return err.getvalue()


def test_a_valid_small_directory_passes_and_warns_about_unread_sources(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("directory", "check", "--path", str(write(tmp_path, fr_file())), stdout=out)
    assert "is valid" in out.getvalue()
    assert "4 of 4 facts have no source.verified_at" in out.getvalue()
    assert "1 channels where a person answers do not say what happens on public holidays" in out.getvalue()


def test_a_fact_without_a_source_is_refused(tmp_path: Path) -> None:
    text = fr_file().replace(f"        free: true\n        source: {SOURCE}\n", "        free: true\n")
    err = refusals(write(tmp_path, text))
    assert "fr.yaml:20: fr-line-phone: helplines.0.channels.0.source: Field required" in err


def test_invalid_opening_hours_are_refused(tmp_path: Path) -> None:
    err = refusals(write(tmp_path, fr_file().replace("Mo-Su 09:00-23:00", "Mo-Su 9h-23h")))
    assert "fr.yaml:23: fr-line-phone: helplines.0.channels.0.hours: Value error, not valid OpenStreetMap" in err


def test_public_holidays_without_the_country_holidays_are_refused(tmp_path: Path) -> None:
    text = fr_file(holidays="").replace("Mo-Su 09:00-23:00", "Mo-Su 09:00-23:00; PH off")
    err = refusals(write(tmp_path, text))
    assert "fr.yaml:22: fr-line-phone: hours: the hours name public holidays (PH)" in err


@pytest.mark.parametrize(
    ("uri", "shown"),
    [("tel:1234567", "1234567"), ("tel:+3314275800", "+3314275800")],
)
def test_a_number_not_valid_in_its_country_is_refused(tmp_path: Path, uri: str, shown: str) -> None:
    err = refusals(write(tmp_path, fr_file().replace('"tel:3018"', f'"{uri}"')))
    assert f"fr-line-phone: uri: {shown} is not a valid number in FR" in err


def test_short_and_full_numbers_of_the_country_pass() -> None:
    assert facts.number_is_valid("3018", "FR")
    assert facts.number_is_valid("116111", "DE")
    assert facts.number_is_valid("+33142758000", "FR")
    assert facts.number_is_valid("112", "XX", ["FR"])
    assert not facts.number_is_valid("1234567", "FR")
    assert not facts.number_is_valid("999999", "XX", ["FR"])


def test_an_emergency_number_not_valid_in_its_country_is_refused(tmp_path: Path) -> None:
    err = refusals(write(tmp_path, fr_file(emergency_number="1234")))
    assert "fr.yaml:8: fr-112: number: 1234 is not a valid number in FR" in err


def test_a_number_libphonenumber_does_not_know_passes_with_a_stated_reason(tmp_path: Path) -> None:
    channel_extra = '        number_unlisted: "new short number, the source gives it"\n'
    text = (
        fr_file()
        .replace('"tel:3018"', '"tel:99"')
        .replace(
            f"        free: true\n        source: {SOURCE}\n",
            f"        free: true\n        source: {SOURCE}\n{channel_extra}",
        )
    )
    out = io.StringIO()
    call_command("directory", "check", "--path", str(write(tmp_path, text)), stdout=out)
    assert "fr-line-phone: uri: accepted without libphonenumber: new short number" in out.getvalue()


@pytest.mark.parametrize(
    ("note", "ages", "field"),
    [
        ("for children and young people under 18", "", "ages.max"),
        ("pour les moins de 18 ans", "    ages: {max: 20}\n", "ages.max"),
        ("jusqu'à 21 ans", "    ages: {max: 25}\n", "ages.max"),
        ("a line for adults only", "    ages: {max: 99}\n", "ages.min"),
        ("réservé aux adultes", "", "ages.min"),
        ("18+ only", "    ages: {min: 16}\n", "ages.min"),
    ],
)
def test_an_age_range_contradicting_its_source_note_is_refused(
    tmp_path: Path, note: str, ages: str, field: str
) -> None:
    text = fr_file(helpline=ages).replace(
        f"    topics: [general]\n    source: {SOURCE}\n",
        f'    topics: [general]\n    source: {{url: "https://example.org/a", date: 2025-01-01, note: "{note}"}}\n',
    )
    err = refusals(write(tmp_path, text))
    assert f"fr.yaml:{19 if ages else 12}: fr-line: {field}: the source note says" in err


@pytest.mark.parametrize(
    ("note", "ages"),
    [
        ("for children and young people under 18", "    ages: {max: 17}\n"),
        ("up to the age of 19", "    ages: {max: 18}\n"),
        ("removes photos and videos of people under 18", ""),
        ("minors and adults", ""),
    ],
)
def test_an_age_range_agreeing_with_its_note_passes(tmp_path: Path, note: str, ages: str) -> None:
    helpline = schema.Helpline.model_validate(
        {
            "id": "fr-line",
            "name": "L",
            "operator": "O",
            "description": {"en": "a", "fr": "b"},
            "languages": ["fr"],
            "topics": ["general"],
            "ages": {} if not ages else {"max": int(ages.split(":")[-1].strip(" }\n"))},
            "source": {"url": "https://example.org", "date": "2025-01-01", "note": note},
            "channels": [
                {
                    "kind": "web",
                    "uri": "https://example.org",
                    "hours": "24/7",
                    "free": True,
                    "source": {"url": "https://example.org", "date": "2025-01-01"},
                }
            ],
        }
    )
    assert facts.age_contradictions(helpline) == []


def test_a_duplicate_id_across_files_is_refused(tmp_path: Path) -> None:
    be = fr_file().replace("country: FR", "country: BE").replace("timezone: Europe/Paris", "timezone: Europe/Brussels")
    be = be.replace("public_holidays: FR", "public_holidays: BE").replace("id: fr-112", "id: be-112")
    be = be.replace('"tel:3018"', '"tel:+3280032123"')
    err = refusals(write(tmp_path, fr_file(), be=be))
    # Files are read in name order: the second use (in fr.yaml) is the one refused, pointing at the first.
    assert "fr.yaml:12: fr-line: id: id already used in be.yaml:12" in err
    assert "fr.yaml:20: fr-line-phone: id: id already used in be.yaml:20" in err


def test_the_holiday_rule_is_read_from_the_hours() -> None:
    assert facts.holiday_rule("Mo-Fr 09:00-18:00; PH off") == "off"
    assert facts.holiday_rule("Mo-Fr 09:00-18:00; PH 10:00-12:00") == "open"
    assert facts.holiday_rule("24/7") == "open"
    assert facts.holiday_rule("24/7; PH off") == "off"
    assert facts.holiday_rule("Mo-Fr 09:00-18:00") == "unknown"


def test_a_second_source_from_another_site_corroborates_and_verified_at_dates_the_reading(tmp_path: Path) -> None:
    channel_sources = '        sources: [{url: "https://other.example/b", date: 2024-01-01, verified_at: 2026-11-30}]\n'
    text = fr_file().replace(
        f"        free: true\n        source: {SOURCE}\n",
        f"        free: true\n        source: {SOURCE}\n{channel_sources}",
    )
    parsed = [schema.parse_with_lines(p) for p in schema.iter_country_files(write(tmp_path, text))]
    by_id = {f.id: f for f in facts.facts(parsed)}
    assert by_id["fr-line-phone"].corroborated
    assert by_id["fr-line-phone"].verified
    assert by_id["fr-line-phone"].checked_on == dt.date(2026, 11, 30)
    assert not by_id["fr-line"].corroborated
    assert by_id["fr-line"].checked_on == dt.date(2025, 1, 1)


def test_stale_lists_facts_by_the_day_they_were_read_as_a_table_and_as_json(tmp_path: Path) -> None:
    channel_sources = '        sources: [{url: "https://other.example/b", date: 2024-01-01, verified_at: 2099-01-01}]\n'
    text = fr_file().replace(
        f"        free: true\n        source: {SOURCE}\n",
        f"        free: true\n        source: {SOURCE}\n{channel_sources}",
    )
    folder = write(tmp_path, text)
    out = io.StringIO()
    call_command("directory", "stale", "--path", str(folder), "--older-than", "180d", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["id"] for r in rows] == ["fr-112", "fr-line", "xx-112"]  # fr-line-phone was read (verified_at) later
    assert rows[0] | {"urls": None} == {
        "id": "fr-112",
        "kind": "emergency",
        "file": "fr.yaml",
        "line": 6,
        "checked_on": "2025-01-01",
        "verified": False,
        "corroborated": False,
        "urls": None,
    }
    table = io.StringIO()
    call_command("directory", "stale", "--path", str(folder), stdout=table)
    assert "2025-01-01  dated     single  fr-line" in table.getvalue()
    assert "3 fact(s) last read more than 180 days" in table.getvalue()
