"""Content warnings (relais/moderation/wellness.py): pure and table-driven, no database.

Every category of Relais's vocabulary is listed with the warning a moderator reads in each console
language, or none: a new category fails here until someone decides whether it is one of the worst.
"""

from __future__ import annotations

import pytest

from relais.directory.schema import CATEGORIES
from relais.moderation import wellness

EXPECTED: dict[tuple[str, bool], dict[wellness.Language, str] | None] = {
    ("sextortion", False): {
        "fr": "Contenu possiblement choquant : chantage à caractère sexuel.",
        "en": "Possibly distressing content: sexual blackmail.",
    },
    ("sextortion", True): {
        "fr": "Contenu possiblement choquant : contenu sexuel impliquant un mineur.",
        "en": "Possibly distressing content: sexual content involving a minor.",
    },
    ("non_consensual_intimate_imagery", False): {
        "fr": "Contenu possiblement choquant : images intimes diffusées sans consentement.",
        "en": "Possibly distressing content: intimate images shared without consent.",
    },
    ("non_consensual_intimate_imagery", True): {
        "fr": "Contenu possiblement choquant : contenu sexuel impliquant un mineur.",
        "en": "Possibly distressing content: sexual content involving a minor.",
    },
    ("self_harm", False): {
        "fr": "Contenu possiblement choquant : automutilation ou suicide.",
        "en": "Possibly distressing content: self-harm or suicide.",
    },
    ("self_harm", True): {
        "fr": "Contenu possiblement choquant : automutilation ou suicide.",
        "en": "Possibly distressing content: self-harm or suicide.",
    },
    ("threat", False): {
        "fr": "Contenu possiblement choquant : menaces de violence.",
        "en": "Possibly distressing content: threats of violence.",
    },
    ("threat", True): {
        "fr": "Contenu possiblement choquant : menaces de violence.",
        "en": "Possibly distressing content: threats of violence.",
    },
    ("grooming", False): {
        "fr": "Contenu possiblement choquant : sollicitation sexuelle d'un mineur.",
        "en": "Possibly distressing content: sexual solicitation of a minor.",
    },
    ("grooming", True): {
        "fr": "Contenu possiblement choquant : contenu sexuel impliquant un mineur.",
        "en": "Possibly distressing content: sexual content involving a minor.",
    },
    **{
        ("child_sexual_abuse_material", minor): {
            "fr": "Contenu possiblement choquant : contenu sexuel impliquant un mineur.",
            "en": "Possibly distressing content: sexual content involving a minor.",
        }
        for minor in (False, True)
    },
    **{
        (category, minor): None
        for category in ("harassment", "cyberbullying", "hate", "impersonation", "doxxing", "other")
        for minor in (False, True)
    },
}


def test_every_category_of_the_vocabulary_is_in_the_table() -> None:
    assert {category for category, _ in EXPECTED} == set(CATEGORIES)


@pytest.mark.parametrize(("category", "minor"), sorted(EXPECTED))
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_warning_a_moderator_reads(category: str, minor: bool, language: wellness.Language) -> None:
    warning = wellness.content_warning(category, minor_involved=minor, language=language)
    expected = EXPECTED[(category, minor)]
    if expected is None:
        assert warning is None
    else:
        assert warning is not None
        assert warning.text == expected[language]
        assert warning.what in warning.text


@pytest.mark.parametrize(
    ("tag", "language"), [("fr", "fr"), ("fr-BE", "fr"), ("FR_ca", "fr"), ("en", "en"), ("de", "en"), ("", "en")]
)
def test_the_console_language(tag: str, language: str) -> None:
    assert wellness.console_language(tag) == language


def test_an_unknown_category_gets_no_warning() -> None:
    assert wellness.content_warning("spam", minor_involved=True, language="fr") is None
