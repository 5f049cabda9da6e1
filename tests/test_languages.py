"""Reporter languages: the negotiation among the nine, and that every reporter-facing text exists in each of them
(issue #15, ADR 0041). Pure, except for compiling the catalogues with `msgfmt`."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from relais.directory import directory, routing
from relais.handoffs import case_codes, prefill
from relais.languages import REPORTER_LANGUAGES, STAFF_LANGUAGES, from_accept_language, requested_language, supported

ROOT = Path(__file__).resolve().parent.parent / "relais"
CATALOGUES = {
    "reporters": ROOT / "reporters" / "locale",
    "base": ROOT / "locale",
}
"""The catalogues the reporter's page reads: its own, and the project's (base.html's skip link)."""
NEW = [lang for lang in REPORTER_LANGUAGES if lang not in STAFF_LANGUAGES]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-AT,de;q=0.9,en;q=0.5", "de"),
        ("pt-BR", "pt"),
        ("ja", None),
        ("ja,pl;q=0.3", "pl"),
        ("en;q=0.2, sv;q=0.8", "sv"),
        ("nl;q=0, fr", "fr"),
        ("*", None),
        ("", None),
        ("es;q=abc, it", "it"),
    ],
)
def test_the_browser_language_is_the_best_of_the_nine_it_asks_for(header: str, expected: str | None) -> None:
    assert from_accept_language(header) == expected


@pytest.mark.parametrize(
    ("tag", "primary", "asked"),
    [("de-AT", "de", "de"), ("pt_BR", "pt", "pt"), ("ja", None, "ja"), ("", None, "en"), ("x!", None, "en")],
)
def test_a_tag_is_read_by_its_primary_subtag(tag: str, primary: str | None, asked: str) -> None:
    assert supported(tag) == primary
    assert requested_language(tag) == asked


def test_every_text_made_in_code_exists_in_every_reporter_language() -> None:
    tables = {
        "routing.ABROAD_NOTE": routing.ABROAD_NOTE,
        "routing.ABROAD_LABEL": routing.ABROAD_LABEL,
        "directory._WORLD_NAMES": directory._WORLD_NAMES,
        "prefill._MESSAGE": prefill._MESSAGE,
        "case_codes._DIGIT_WORDS": case_codes._DIGIT_WORDS,
        **{f"directory._DEFAULT_LABELS[{kind}]": texts for kind, texts in directory._DEFAULT_LABELS.items()},
    }
    for name, table in tables.items():
        assert sorted(table) == sorted(REPORTER_LANGUAGES), name
        assert all(table.values()), name


def _entries(po: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (single forms: the reporter catalogues have no plural)."""
    entries: dict[str, str] = {}
    for block in po.read_text().split("\n\n"):
        body = [line for line in block.splitlines() if not line.startswith("#")]
        text = "\n".join(body)
        match = re.match(r'msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', text)
        if match is None:
            continue
        msgid, msgstr = ("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', part)) for part in match.groups())
        if msgid:
            entries[msgid] = msgstr
    return entries


def _reporter_facing_french(name: str) -> dict[str, str]:
    french = _entries(CATALOGUES[name] / "fr" / "LC_MESSAGES" / "django.po")
    if name == "base":  # the consoles' catalogue: only what base.html shows on the reporter's page
        return {"Skip to content": french["Skip to content"]}
    return french


@pytest.mark.parametrize("language", NEW)
@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_each_new_catalogue_translates_every_reporter_facing_entry(name: str, language: str) -> None:
    french = _reporter_facing_french(name)
    theirs = _entries(CATALOGUES[name] / language / "LC_MESSAGES" / "django.po")
    assert sorted(theirs) == sorted(french), f"{name}/{language}: not the French catalogue's msgids"
    empty = [msgid for msgid, msgstr in theirs.items() if not msgstr.strip()]
    assert not empty, f"{name}/{language}: empty msgstr for {empty}"
    for msgid, msgstr in theirs.items():
        assert sorted(re.findall(r"%\(\w+\)s", msgstr)) == sorted(re.findall(r"%\(\w+\)s", msgid)), msgid


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("language", NEW)
@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_each_new_catalogue_compiles_and_its_compiled_file_is_current(name: str, language: str, tmp_path: Path) -> None:
    folder = CATALOGUES[name] / language / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-c", "-o", str(compiled), str(folder / "django.po")], check=True)
    # Compared as catalogues, not bytes: another msgfmt version may lay the same entries out differently.
    assert _catalogue(compiled) == _catalogue(folder / "django.mo"), f"django.mo is stale: run msgfmt in {folder}"


def _catalogue(mo: Path) -> dict[object, str]:
    with mo.open("rb") as stream:
        return dict(gettext.GNUTranslations(stream)._catalog)  # type: ignore[attr-defined]
