"""Decisions in plain words (relais/moderation/plain_words.py): pure and table-driven, no database.

What a reporter reads must never carry the Transparency Database's vocabulary: every outcome, every
restriction value, both grounds and both languages are written out and checked for enum names and
identifiers, and the dates are checked in the form a letter would use.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from relais.moderation import plain_words as pw
from relais.moderation import statement_of_reasons as sor
from relais.reports.models import CONTENT_KINDS

PARIS = ZoneInfo("Europe/Paris")
DEADLINE = datetime(2027, 6, 2, 23, 59, 59, 999999, tzinfo=PARIS)
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=PARIS)
END = date(2026, 12, 25)
DEADLINE_WORDS = {"fr": "2 juin 2027", "en": "2 June 2027"}
END_WORDS = {"fr": "jusqu'au 25 décembre 2026", "en": "until 25 December 2026"}

IDENTIFIER = re.compile(
    r"DECISION_|KEYWORD_|STATEMENT_|CONTENT_TYPE|"
    r"\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b|"  # SCREAMING_CASE
    r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b|"  # snake_case
    r"[{}]|\bNone\b|\bTrue\b|\bFalse\b"  # a placeholder or a Python value left behind
)


def reads_plainly(text: str) -> None:
    found = IDENTIFIER.findall(text)
    assert not found, (found, text)
    for slip in ("  ", " .", "..", " ,"):
        assert slip not in text, text
    assert text[0].isupper(), text
    assert text.endswith("."), text


def facts(**kw: Any) -> pw.DecisionFacts:
    base: dict[str, Any] = {
        "outcome": "restricted",
        "appeal_deadline": DEADLINE,
        "zone": PARIS,
        "content_kind": "message",
        "ground": "incompatible",
        "terms_ground": "4.2",
        "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "keywords": ("KEYWORD_CYBER_HARASSMENT",),
    }
    return pw.DecisionFacts(**{**base, **kw})


HARASSMENT = facts(visibility=("DECISION_VISIBILITY_CONTENT_REMOVED",))


def test_the_issues_example_word_for_word() -> None:
    assert pw.decision_summary(HARASSMENT, "fr", NOW) == (
        "Le message a été retiré : il enfreint la règle 4.2 (harcèlement). Tu peux contester jusqu'au 2 juin 2027."
    )
    assert pw.decision_summary(HARASSMENT, "en-GB", NOW) == (
        "The message was removed: it breaks rule 4.2 (harassment). You can appeal until 2 June 2027."
    )


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("fr", "fr"),
        ("fr-BE", "fr"),
        ("FR_ca", "fr"),
        ("fr-Latn-CH", "fr"),
        ("en", "en"),
        ("en-US", "en"),
        ("de", "en"),
        ("it-IT", "en"),
        ("ar", "en"),
        ("", "en"),
        ("fry", "en"),
    ],
)
def test_french_for_any_french_tag_and_english_for_every_other_language(tag: str, language: str) -> None:
    assert pw.reader_language(tag) == language
    assert DEADLINE_WORDS[language] in pw.decision_summary(HARASSMENT, tag, NOW)


# --- every restriction value, outcome, ground and language ---

FAMILIES: list[tuple[str, frozenset[str], dict[str, Any]]] = [
    ("visibility", sor.VISIBILITY, {"visibility_other": "shown only to its author's friends"}),
    ("monetary", sor.MONETARY, {"monetary_other": "no more gifts from viewers"}),
    ("provision", sor.PROVISION, {}),
    ("account", sor.ACCOUNT, {}),
]


def test_every_restriction_value_has_words_in_both_languages() -> None:
    assert set(pw.VISIBILITY_WORDS) == sor.VISIBILITY
    assert set(pw.MONETARY_WORDS) == sor.MONETARY
    assert set(pw.PROVISION_WORDS) == sor.PROVISION
    assert set(pw.ACCOUNT_WORDS) == sor.ACCOUNT
    for table in (pw.VISIBILITY_WORDS, pw.MONETARY_WORDS, pw.PROVISION_WORDS, pw.ACCOUNT_WORDS):
        assert all(set(words) == {"fr", "en"} for words in table.values())


RESTRICTIONS = [(family, value, extra) for family, values, extra in FAMILIES for value in sorted(values)]
GROUNDS = [
    {"ground": "incompatible", "terms_ground": "4.2"},
    {"ground": "incompatible", "terms_ground": "Community guidelines: bullying and harassment"},
    {"ground": "incompatible", "terms_ground": ""},
    {"ground": "illegal", "legal_ground": "Code pénal, article 222-33-2-2"},
]
PERMANENT = {
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_ACCOUNT_TERMINATED",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
}


def restricted(family: str, value: str, extra: dict[str, Any], ground: dict[str, Any], **kw: Any) -> pw.DecisionFacts:
    chosen: dict[str, Any] = {family: (value,) if family == "visibility" else value}
    return facts(**chosen, **extra, **ground, end_dates={family: END}, **kw)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("family", "value", "extra"), RESTRICTIONS)
@pytest.mark.parametrize("ground", GROUNDS)
def test_every_restriction_reads_plainly(
    language: str, family: str, value: str, extra: dict[str, Any], ground: dict[str, Any]
) -> None:
    for kind, count in itertools.product([*CONTENT_KINDS, "other"], (1, 3)):
        text = pw.decision_summary(
            restricted(family, value, extra, ground, content_kind=kind, content_count=count), language, NOW
        )
        reads_plainly(text)
        assert text.endswith(("Tu peux contester jusqu'au 2 juin 2027.", "You can appeal until 2 June 2027.")), text
        assert (END_WORDS[language] in text) is (value not in PERMANENT), text
        if ground["ground"] == "illegal":
            assert ("contraire" if language == "fr" else "against the law") in text
            assert "Code pénal, article 222-33-2-2" in text
        elif ground["terms_ground"] == "4.2":
            assert ("la règle 4.2 (harcèlement)" if language == "fr" else "rule 4.2 (harassment)") in text
        elif ground["terms_ground"]:
            assert "Community guidelines: bullying and harassment." in text
        for other in (extra.get("visibility_other"), extra.get("monetary_other")):
            if other and value.endswith("_OTHER"):
                assert f"({other})" in text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_several_restrictions_at_once_say_each_one(language: str) -> None:
    everything = facts(
        visibility=tuple(sorted(sor.VISIBILITY)),
        visibility_other="hidden from search",
        monetary="DECISION_MONETARY_SUSPENSION",
        provision="DECISION_PROVISION_PARTIAL_SUSPENSION",
        account="DECISION_ACCOUNT_SUSPENDED",
        end_dates={"account": END, "monetary": date(2027, 1, 1), "provision": date(2027, 2, 1)},
        content_kind="post",
        content_count=2,
    )
    text = pw.decision_summary(everything, language, NOW)
    reads_plainly(text)
    if language == "fr":
        assert text.startswith("Les publications ont été retirées, ")
        assert "Le compte qui les a publiées a été suspendu jusqu'au 25 décembre 2026" in text
        assert "jusqu'au 1er janvier 2027" in text
        assert "jusqu'au 1er février 2027" in text
    else:
        assert text.startswith("The posts were removed, ")
        assert "The account that posted them was suspended until 25 December 2026" in text
        assert "until 1 January 2027" in text
        assert "until 1 February 2027" in text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_account_restriction_alone_names_the_items(language: str) -> None:
    text = pw.decision_summary(facts(account="DECISION_ACCOUNT_SUSPENDED", end_dates={"account": END}), language, NOW)
    assert (
        text.split(". ")[0]
        == {
            "fr": "Le compte qui a envoyé le message a été suspendu jusqu'au 25 décembre 2026 : le message enfreint la "
            "règle 4.2 (harcèlement)",
            "en": "The account that sent the message was suspended until 25 December 2026: the message breaks rule 4.2 "
            "(harassment)",
        }[language]
    )


@pytest.mark.parametrize(
    ("kind", "count", "expected"),
    [
        ("message", 1, "Le message a été retiré"),
        ("message", 2, "Les messages ont été retirés"),
        ("post", 1, "La publication a été retirée"),
        ("post", 2, "Les publications ont été retirées"),
        ("image", 1, "L'image a été retirée"),
        ("comment", 3, "Les commentaires ont été retirés"),
    ],
)
def test_french_agrees_with_the_items(kind: str, count: int, expected: str) -> None:
    text = pw.decision_summary(replace(HARASSMENT, content_kind=kind, content_count=count), "fr", NOW)
    assert text.startswith(expected + " : ")


# --- no action ---


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("unfounded", [False, True])
@pytest.mark.parametrize("kind", [*CONTENT_KINDS, "other"])
def test_no_action_reads_plainly_and_never_accuses_the_reporter(language: str, unfounded: bool, kind: str) -> None:
    for count in (1, 2):
        no_action = pw.DecisionFacts(
            outcome="no_action",
            appeal_deadline=DEADLINE,
            zone=PARIS,
            content_kind=kind,
            content_count=count,
            manifestly_unfounded=unfounded,
        )
        text = pw.decision_summary(no_action, language, NOW)
        reads_plainly(text)
        assert text.endswith(
            (
                "Si tu n'es pas d'accord, tu peux contester jusqu'au 2 juin 2027.",
                "If you disagree, you can appeal until 2 June 2027.",
            )
        )
        lowered = text.lower()
        for word in ("unfounded", "infondé", "abus", "abuse", "misuse", "faux", "false", "warn", "avert", "suspen"):
            assert word not in lowered, text


def test_no_action_in_both_languages() -> None:
    no_action = pw.DecisionFacts(outcome="no_action", appeal_deadline=DEADLINE, zone=PARIS, content_kind="message")
    assert pw.decision_summary(no_action, "fr", NOW) == (
        "La plateforme a regardé le message et le laisse en ligne : d'après elle, le message n'enfreint ni la loi ni "
        "ses règles. Merci pour ton signalement. Si tu n'es pas d'accord, tu peux contester jusqu'au 2 juin 2027."
    )
    assert pw.decision_summary(replace(no_action, manifestly_unfounded=True), "en", NOW) == (
        "The platform looked at the message and is leaving it up: it found nothing in it that breaks the law or its "
        "rules. If you disagree, you can appeal until 2 June 2027."
    )


# --- dates ---


def test_the_appeal_date_is_the_last_day_in_the_platforms_zone() -> None:
    late_evening_utc = datetime(2027, 6, 2, 22, 30, tzinfo=UTC)  # already 3 June in Paris
    assert "jusqu'au 3 juin 2027." in pw.decision_summary(
        replace(HARASSMENT, appeal_deadline=late_evening_utc), "fr", NOW
    )
    assert "until 2 June 2027." in pw.decision_summary(
        replace(HARASSMENT, appeal_deadline=late_evening_utc, zone=ZoneInfo("UTC")), "en", NOW
    )


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        (date(2027, 1, 1), "1er janvier 2027", "1 January 2027"),
        (date(2027, 2, 28), "28 février 2027", "28 February 2027"),
        (date(2026, 8, 15), "15 août 2026", "15 August 2026"),
        (date(2026, 12, 31), "31 décembre 2026", "31 December 2026"),
    ],
)
def test_dates_are_written_as_in_a_letter(value: date, fr: str, en: str) -> None:
    assert (pw.day(value, "fr"), pw.day(value, "en")) == (fr, en)


def test_after_the_deadline_it_says_the_time_to_appeal_is_over() -> None:
    later = datetime(2027, 6, 3, 0, 0, tzinfo=PARIS)
    assert pw.decision_summary(HARASSMENT, "fr", later).endswith(
        "Le délai pour contester s'est terminé le 2 juin 2027."
    )
    assert pw.decision_summary(HARASSMENT, "en", later).endswith("The time to appeal ended on 2 June 2027.")


# --- the harm named in brackets ---


def test_every_keyword_and_category_a_reporter_can_read_has_words_in_both_languages() -> None:
    assert set(pw.HARMS) == (sor.KEYWORDS | sor.CATEGORIES) - pw.UNNAMED
    assert pw.UNNAMED <= sor.KEYWORDS | sor.CATEGORIES
    for value, (fr, en) in pw.HARMS.items():
        for language, words in (("fr", fr), ("en", en)):
            assert words == words.strip(), value
            assert words[0].islower(), value
            text = pw.decision_summary(replace(HARASSMENT, keywords=(value,), category=""), language, NOW)
            reads_plainly(text)
            assert f"({words})" in text


def test_an_unnamed_keyword_falls_back_to_the_category_then_to_nothing() -> None:
    other = replace(HARASSMENT, keywords=("KEYWORD_OTHER",))
    assert "(violence en ligne)" in pw.decision_summary(other, "fr", NOW)
    vague = replace(other, category="STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE")
    assert pw.decision_summary(vague, "en", NOW).startswith("The message was removed: it breaks rule 4.2. ")


@pytest.mark.parametrize("clause", ["4.2", "Rule 4.2", "règle 4.2", "§ 4.2", "Section 4.2.", "art. 4-2b"])
def test_a_clause_number_is_said_as_a_rule(clause: str) -> None:
    number = clause.rstrip(".").split()[-1].removeprefix("§")
    text = pw.decision_summary(replace(HARASSMENT, terms_ground=clause), "en", NOW)
    assert text.startswith(f"The message was removed: it breaks rule {number} (harassment). You can")


def test_a_long_text_cited_is_cut_at_a_word() -> None:
    text = pw.decision_summary(replace(HARASSMENT, terms_ground="Our rules on respect " * 20), "en", NOW)
    cited = text.split("Rule applied: ")[1].split(" You can")[0]
    assert cited.endswith("…")
    assert len(cited) <= 160
    assert "respect Our" in cited


# --- appeals ---

APPEALS = list(itertools.product(["reporter", "affected_user"], ["upheld", "reversed"], ["restricted", "no_action"]))


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("appellant", "status", "in_force"), APPEALS)
def test_every_appeal_outcome_reads_plainly(language: str, appellant: str, status: str, in_force: str) -> None:
    decision = (
        HARASSMENT
        if in_force == "restricted"
        else pw.DecisionFacts(outcome="no_action", appeal_deadline=DEADLINE, zone=PARIS, content_kind="message")
    )
    decision = replace(decision, on_appeal=status == "reversed")
    text = pw.appeal_summary(pw.AppealFacts(appellant, status, decision), language, NOW)  # type: ignore[arg-type]
    reads_plainly(text)
    fr = language == "fr"
    opening = {
        ("reporter", "fr"): "Tu as contesté la décision : après un nouvel examen, la plateforme ",
        ("reporter", "en"): "You appealed the decision: after looking at it again, the platform ",
        (
            "affected_user",
            "fr",
        ): "La personne qui a envoyé le message a contesté la décision : après un nouvel examen, la plateforme ",
        (
            "affected_user",
            "en",
        ): "The person who sent the message appealed the decision: after looking at it again, the platform ",
    }[appellant, language]
    assert text.startswith(opening)
    kept = {"fr": "la maintient.", "en": "is keeping it."}[language]
    changed = {"fr": "l'a changée.", "en": "changed it."}[language]
    assert text[len(opening) :].startswith(kept if status == "upheld" else changed)
    if in_force == "restricted":
        assert ("Le message a été retiré" if fr else "The message was removed") in text
    elif status == "upheld":
        assert ("Le message reste en ligne." if fr else "The message stays up.") in text
    else:
        assert ("La mesure prise a été levée." if fr else "The restriction was lifted.") in text
    if appellant == "reporter" and status == "upheld":
        assert ("tribunal" if fr else "court") in text
        assert DEADLINE_WORDS[language] not in text
    else:
        assert DEADLINE_WORDS[language] in text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_decision_made_on_appeal_says_so(language: str) -> None:
    lifted = pw.DecisionFacts(outcome="no_action", appeal_deadline=DEADLINE, zone=PARIS, on_appeal=True)
    assert (
        pw.decision_summary(lifted, language, NOW)
        == {
            "fr": "Après une contestation, la plateforme a changé sa décision. La mesure prise a été levée. "
            "Si tu n'es pas d'accord, tu peux contester jusqu'au 2 juin 2027.",
            "en": "After an appeal, the platform changed its decision. The restriction was lifted. "
            "If you disagree, you can appeal until 2 June 2027.",
        }[language]
    )


# --- from a stored statement of reasons ---


def test_the_facts_are_read_back_from_the_statement_as_stored() -> None:
    body = sor.build(
        sor.Decision(
            puid="relais-1",
            ground="illegal",
            explanation="Repeated insults.",
            facts="Insults sent to a child.",
            category="STATEMENT_CATEGORY_CYBER_VIOLENCE",
            content_types=("CONTENT_TYPE_TEXT",),
            content_date=date(2026, 11, 20),
            application_date=date(2026, 11, 25),
            source="article_16",
            legal_ground="Code pénal, article 222-33-2-2",
            visibility=("DECISION_VISIBILITY_CONTENT_REMOVED",),
            account="DECISION_ACCOUNT_SUSPENDED",
            keywords=("KEYWORD_CYBER_HARASSMENT",),
            end_dates={"account": END},
        )
    )
    read = pw.DecisionFacts.from_statement(body, outcome="restricted", appeal_deadline=DEADLINE, zone=PARIS)
    assert (read.visibility, read.account, read.end_dates, read.ground, read.legal_ground, read.keywords) == (
        ("DECISION_VISIBILITY_CONTENT_REMOVED",),
        "DECISION_ACCOUNT_SUSPENDED",
        {"account": END},
        "illegal",
        "Code pénal, article 222-33-2-2",
        ("KEYWORD_CYBER_HARASSMENT",),
    )
    assert pw.END_DATE_FIELDS == sor.END_DATE_FIELDS
    assert pw.decision_summary(read, "fr", NOW) == (
        "Le contenu a été retiré : il est contraire à la loi (harcèlement). Texte appliqué : Code pénal, article "
        "222-33-2-2. Le compte qui l'a publié a été suspendu jusqu'au 25 décembre 2026. Tu peux contester jusqu'au 2 "
        "juin 2027."
    )


def test_every_kind_of_reported_item_has_a_name() -> None:
    assert set(pw.NOUNS) == {*CONTENT_KINDS, "other"}


def test_a_decision_without_a_statement_is_read_from_its_facts_alone() -> None:
    read = pw.DecisionFacts.from_statement(None, outcome="no_action", appeal_deadline=DEADLINE, zone=PARIS)
    assert (read.outcome, read.visibility, read.ground) == ("no_action", (), "")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_illegal_without_the_law_named_says_only_that_it_is_against_the_law(language: str) -> None:
    text = pw.decision_summary(replace(HARASSMENT, ground="illegal", legal_ground=" "), language, NOW)
    assert (
        text.split(". ")[0]
        == {
            "fr": "Le message a été retiré : il est contraire à la loi (harcèlement)",
            "en": "The message was removed: it is against the law (harassment)",
        }[language]
    )


def test_an_appeal_on_a_decision_with_the_moderators_words_ends_with_them() -> None:
    appeal = pw.AppealFacts("reporter", "upheld", HARASSMENT, as_written="  Nous avons retiré le message.  ")
    assert pw.appeal_summary(appeal, "fr", NOW) == (
        "Tu as contesté la décision : après un nouvel examen, la plateforme la maintient. Nous avons retiré le message."
    )
