"""What a moderator is warned of before reading a notice's content: wellness by default (ADR 0028).

A moderator reads harmful content all day. The worst of it — sexual content, above all involving a child,
self-harm and suicide, threats of violence — is announced before it is shown, in one short line
(« Contenu possiblement choquant : automutilation ou suicide. »), and the reported text stays folded until
they open it. The other categories (insults, hate, impersonation…) are the everyday of the queue: a warning
on every notice would be read as noise and the real ones would be missed.

The categories are Relais's own vocabulary (relais/directory/schema.py's CATEGORIES, what a report and an
escalation carry). A notice about a minor is « sexual content involving a minor » whatever the category
of sexual harm, since that is what the moderator needs to brace for. The wording is in both console
languages here, not in the .po, so a table test covers every pair without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["fr", "en"]

INTRO: dict[Language, str] = {
    "fr": "Contenu possiblement choquant : {what}.",
    "en": "Possibly distressing content: {what}.",
}

SEXUAL_CATEGORIES = frozenset(
    {"sextortion", "non_consensual_intimate_imagery", "grooming", "child_sexual_abuse_material"}
)
"""Categories whose content is sexual: with a minor involved, the warning says so."""

MINOR_SEXUAL: dict[Language, str] = {
    "fr": "contenu sexuel impliquant un mineur",
    "en": "sexual content involving a minor",
}

WARNED: dict[str, dict[Language, str]] = {
    "sextortion": {"fr": "chantage à caractère sexuel", "en": "sexual blackmail"},
    "non_consensual_intimate_imagery": {
        "fr": "images intimes diffusées sans consentement",
        "en": "intimate images shared without consent",
    },
    "self_harm": {"fr": "automutilation ou suicide", "en": "self-harm or suicide"},
    "threat": {"fr": "menaces de violence", "en": "threats of violence"},
    "grooming": {"fr": "sollicitation sexuelle d'un mineur", "en": "sexual solicitation of a minor"},
    "child_sexual_abuse_material": MINOR_SEXUAL,
}
"""The worst categories, each with what the warning names. Every other category gets no warning."""


@dataclass(frozen=True)
class ContentWarning:
    """The line shown before the content, and the shorter label of the folded text's summary."""

    text: str
    what: str


def console_language(tag: str) -> Language:
    """`fr`, `fr-BE` → French; anything else → English (the console's two languages)."""
    return "fr" if tag.strip().replace("_", "-").split("-")[0].lower() == "fr" else "en"


def content_warning(category: str, *, minor_involved: bool, language: Language) -> ContentWarning | None:
    """The warning for a notice of `category`, or None when its content needs none."""
    if minor_involved and category in SEXUAL_CATEGORIES:
        what = MINOR_SEXUAL[language]
    elif category in WARNED:
        what = WARNED[category][language]
    else:
        return None
    return ContentWarning(text=INTRO[language].format(what=what), what=what)
