"""The help card of every bundled country, written out as text at three instants and compared with a reviewed
snapshot (tests/snapshots/cards/<country>.txt).

Why: a data change (new hours, a new service, a new country) changes what a child is offered, and the routing
tests only look at a few countries. A snapshot makes every change to every card visible in review, line by line.
Each new or changed snapshot is read by eye once before it is committed (issue #15's quality bar).

To write them after a deliberate change: `RELAIS_UPDATE_SNAPSHOTS=1 pytest tests/test_card_snapshots.py`, then
read `git diff tests/snapshots`. A text shown in English because the directory has none in the card's
language is named after its service, `(in en: description, web label)`: the list of translations still to write. Under CI a missing or different snapshot fails; nothing is written.

Pure: the bundled files, the routing rules and fixed instants; no database.
"""

from __future__ import annotations

import collections
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from relais.directory import directory as directory_module
from relais.directory.directory import Directory
from relais.directory.routing import HelpCard, HelpRequest, route
from relais.languages import FALLBACK_LANGUAGE

SNAPSHOTS = Path(__file__).parent / "snapshots" / "cards"
UPDATE = os.environ.get("RELAIS_UPDATE_SNAPSHOTS") == "1" and os.environ.get("CI") != "true"

# Local wall-clock instants, in each country's own zone: a school morning, a weekday evening, a Sunday night.
# 25 and 29 November 2026 are no public holiday in any bundled country (Thanksgiving is the 26th).
# Wall-clock instants, read in each country's own zone: (label, year, month, day, hour, minute).
INSTANTS = (
    ("Wednesday 10:00", (2026, 11, 25, 10, 0)),
    ("Wednesday 21:30", (2026, 11, 25, 21, 30)),
    ("Sunday 03:00", (2026, 11, 29, 3, 0)),
)
AGE = 14
CATEGORY = "harassment"

_DIRECTORY = directory_module.load()


def _languages(directory: Directory, code: str) -> list[str]:
    """The languages the country's services speak, most services first: a reporter speaking each. In BE, CH and
    CA each language gets its own cards, since the reporter's language orders the services there."""
    country = directory.countries[code]
    counts = collections.Counter(language for helpline in country.helplines for language in helpline.languages)
    return sorted(counts, key=lambda language: (-counts[language], language))


def _render(card: HelpCard) -> list[str]:
    lines = []
    if card.primary is not None:
        p = card.primary
        lines.append(f"  big button: {p.helpline_id} · {p.kind} {p.uri}{' (emergency)' if p.emergency else ''}")
    else:
        lines.append("  big button: none")
    lines.append("  emergency: " + ", ".join(f"{e.number} {e.kind}" for e in card.emergency))
    if card.fallback:
        lines.append("  (international fallback)")
    for rank, h in enumerate(card.helplines, start=1):
        ages = "any age" if h.ages == (None, None) else f"ages {h.ages[0] or 0}-{h.ages[1] or ''}"
        fallen = ["description"] if h.description_language != card.language else []
        fallen += [f"{c.kind} label" for c in h.channels if c.label_language != card.language]
        shown_in = f"  (in {FALLBACK_LANGUAGE}: {', '.join(fallen)})" if fallen else ""
        lines.append(f"  {rank}. {h.id} [{', '.join(h.languages)}; {ages}]{shown_in}")
        for c in h.channels:
            if c.open_now:
                state = "open" + (f", closes {c.closes_at[11:16]}" if c.closes_at else "")
            else:
                state = "closed" + (f", opens {c.opens_at[:16].replace('T', ' ')}" if c.opens_at else "")
            lines.append(f"     {c.kind:6} {c.uri}  {state}{'' if c.free else '  (not free)'}")
    return lines


def snapshot(code: str, directory: Directory = _DIRECTORY) -> str:
    country = directory.countries[code]
    out = [f"# {code}: help card for a {AGE}-year-old, {CATEGORY}, in {country.zone.key}", ""]
    for language in _languages(directory, code):
        for label, wall in INSTANTS:
            now = datetime(*wall, tzinfo=ZoneInfo(country.zone.key))
            card = route(directory, HelpRequest(country=code, language=language, category=CATEGORY, age=AGE), now)
            texts = "" if card.language == language else f", card texts in {card.language}"
            out.append(f"## a reporter speaking {language}{texts} · {label} ({now.isoformat()})")
            out.extend(_render(card))
            out.append("")
    return "\n".join(out)


COUNTRIES = sorted(_DIRECTORY.countries)


def test_every_bundled_country_has_a_snapshot_and_no_snapshot_is_left_over() -> None:
    files = {p.stem.upper() for p in SNAPSHOTS.glob("*.txt")}
    if UPDATE:
        for stale in files - set(COUNTRIES):
            (SNAPSHOTS / f"{stale.lower()}.txt").unlink()
        return
    assert files == set(COUNTRIES), (
        "missing: "
        + ", ".join(sorted(set(COUNTRIES) - files))
        + "; left over: "
        + ", ".join(sorted(files - set(COUNTRIES)))
    )


@pytest.mark.parametrize("code", COUNTRIES)
def test_the_card_matches_its_reviewed_snapshot(code: str) -> None:
    path = SNAPSHOTS / f"{code.lower()}.txt"
    text = snapshot(code)
    if UPDATE:
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")
        return
    assert path.exists(), f"{path} is missing: run RELAIS_UPDATE_SNAPSHOTS=1 pytest {__file__} and review it"
    assert path.read_text() == text + "\n"
