"""Priority, appeal deadlines, misuse thresholds and statements of reasons. Pure and table-driven; `make
test` runs these with branch coverage and requires 100 % of the five modules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from relais.moderation import flaggers
from relais.moderation import statement_of_reasons as sor
from relais.moderation.appeals import add_months, appeal_deadline, can_appeal
from relais.moderation.misuse import Action, Policy, Record, assess
from relais.moderation.priority import NoticeFacts, priority, sla_class

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=PARIS)


# --- priority ---


def notice(hours_ago: float, category: str = "harassment", **kw: Any) -> NoticeFacts:
    return NoticeFacts(received_at=NOW - timedelta(hours=hours_ago), category=category, **kw)


def test_the_queue_puts_trusted_flaggers_then_danger_then_minors_then_gravity_then_waiting() -> None:
    queue = {
        "old ordinary report": notice(70),
        "trusted flagger, fresh": notice(0.1, trusted_flagger=True),
        "immediate danger": notice(0.2, danger_immediate=True),
        "minor": notice(0.3, reporter_age=13),
        "sextortion, adult": notice(0.4, "sextortion", reporter_age=30),
        "harassment, adult, older": notice(5, reporter_age=30),
        "harassment, adult, newer": notice(1, reporter_age=30),
    }
    order = sorted(queue, key=lambda name: priority(queue[name], NOW).rank)
    assert order == [
        "trusted flagger, fresh",
        "immediate danger",
        "minor",
        "sextortion, adult",
        "old ordinary report",
        "harassment, adult, older",
        "harassment, adult, newer",
    ]


@pytest.mark.parametrize(
    ("facts", "kind", "due_hours"),
    [
        (notice(0, danger_immediate=True, trusted_flagger=True), "immediate", 1),
        (notice(0, trusted_flagger=True), "trusted_flagger", 24),
        (notice(0, reporter_age=17), "minor", 24),
        (notice(0, reporter_age=18), "standard", 72),
        (notice(0), "standard", 72),
    ],
)
def test_each_class_of_notice_has_its_service_level(facts: NoticeFacts, kind: str, due_hours: int) -> None:
    assert sla_class(facts) == kind
    assert priority(facts, NOW).due_at == facts.received_at + timedelta(hours=due_hours)


def test_the_sla_clock_runs_and_says_when_a_notice_is_overdue() -> None:
    half = priority(notice(36), NOW)
    assert (half.sla_used, half.overdue) == (0.5, False)
    late = priority(notice(73), NOW)
    assert late.overdue
    assert priority(notice(-1), NOW).sla_used == 0  # a clock skew never gives negative waiting
    assert priority(notice(0, "unknown-category"), NOW).rank[3] == -1


def test_priority_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        priority(NoticeFacts(received_at=datetime(2026, 1, 1), category="other"), NOW)  # noqa: DTZ001


# --- appeals ---


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 25), 6, date(2027, 5, 25)),
        (date(2026, 7, 15), 6, date(2027, 1, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_months_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_an_appeal_is_open_until_the_end_of_the_day_six_months_after_being_informed() -> None:
    informed = datetime(2026, 8, 31, 23, 30, tzinfo=PARIS)
    deadline = appeal_deadline(informed, PARIS)
    assert deadline == datetime(2027, 2, 28, 23, 59, 59, 999999, tzinfo=PARIS)
    assert can_appeal(informed, deadline, PARIS)
    assert not can_appeal(informed, deadline + timedelta(microseconds=1), PARIS)
    assert can_appeal(None, NOW, PARIS)  # not informed yet: the period has not even started
    assert appeal_deadline(informed, PARIS, months=12).date() == date(2027, 8, 31)


def test_the_appeal_period_cannot_be_set_below_the_law() -> None:
    with pytest.raises(ValueError, match="at least 6 months"):
        appeal_deadline(NOW, PARIS, months=3)
    with pytest.raises(ValueError, match="aware"):
        appeal_deadline(datetime(2026, 1, 1), PARIS)  # noqa: DTZ001


# --- misuse ---

POLICY = Policy(window=timedelta(days=90), warn_at=5, suspend_at=10, min_share=0.5, suspension=timedelta(days=30))


@pytest.mark.parametrize(
    ("record", "action"),
    [
        (Record(total=0, unfounded=0), Action.NONE),
        (Record(total=4, unfounded=4), Action.NONE),  # too few to call frequent
        (Record(total=50, unfounded=9), Action.NONE),  # many, but most were founded
        (Record(total=8, unfounded=5), Action.WARN),
        (Record(total=12, unfounded=12), Action.WARN),  # never a suspension without a prior warning
        (Record(total=12, unfounded=12, warned_at=NOW - timedelta(days=200)), Action.WARN),  # an old warning
        (Record(total=12, unfounded=12, warned_at=NOW - timedelta(days=10)), Action.SUSPEND),
        (Record(total=8, unfounded=6, warned_at=NOW - timedelta(days=10)), Action.NONE),  # warned, not yet worse
        (Record(total=1, unfounded=0, suspended_until=NOW + timedelta(days=3)), Action.SUSPEND),
        (Record(total=1, unfounded=0, suspended_until=NOW - timedelta(days=3)), Action.NONE),
    ],
)
def test_misuse_is_warned_then_suspended_on_numbers_and_share(record: Record, action: Action) -> None:
    verdict = assess(record, NOW, POLICY)
    assert verdict.action == action, verdict.reason
    if action == Action.SUSPEND and record.suspended_until is None:
        assert verdict.until == NOW + timedelta(days=30)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"warn_at": 0}, "warn_at"),
        ({"warn_at": 11}, "warn_at"),
        ({"min_share": 0}, "min_share"),
        ({"min_share": 1.5}, "min_share"),
    ],
)
def test_a_policy_that_makes_no_sense_is_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Policy(**kwargs)


def test_a_record_that_makes_no_sense_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and total"):
        assess(Record(total=1, unfounded=2), NOW)


# --- statements of reasons ---


def harassment_decision(**overrides: Any) -> sor.Decision:
    category, keywords, additions = sor.suggest("harassment", minor_involved=True)
    fields: dict[str, Any] = {
        "puid": "relais-dec-7f3a9c",
        "ground": "incompatible",
        "terms_ground": "Community Guidelines §4 Harassment and bullying",
        "explanation": "Repeated insulting messages sent to a minor who asked the sender to stop.",
        "facts": "Reported through the notice mechanism; the messages were reviewed by a moderator and removed.",
        "category": category,
        "category_additions": additions,
        "keywords": keywords,
        "content_types": ("CONTENT_TYPE_TEXT",),
        "content_date": date(2026, 11, 20),
        "application_date": date(2026, 11, 25),
        "source": "trusted_flagger",
        "source_identity": "e-Enfance (3018)",
        "visibility": ("DECISION_VISIBILITY_CONTENT_REMOVED",),
        "account": "DECISION_ACCOUNT_SUSPENDED",
        "account_type": "ACCOUNT_TYPE_PRIVATE",
        "end_dates": {"account": date(2026, 12, 25)},
        "territorial_scope": ("FR", "BE"),
        "content_language": "FR",
        "also_illegal": True,
        "reference_url": "https://social.example/guidelines#harassment",
    }
    fields.update(overrides)
    return sor.Decision(**fields)


def test_golden_a_harassment_decision_exports_as_the_database_expects() -> None:
    body = sor.build(harassment_decision())
    assert body == {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_monetary": None,
        "decision_provision": None,
        "decision_account": "DECISION_ACCOUNT_SUSPENDED",
        "account_type": "ACCOUNT_TYPE_PRIVATE",
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "decision_ground_reference_url": "https://social.example/guidelines#harassment",
        "incompatible_content_ground": "Community Guidelines §4 Harassment and bullying",
        "incompatible_content_explanation": "Repeated insulting messages sent to a minor who asked the sender to stop.",
        "incompatible_content_illegal": "Yes",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "category": "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "category_addition": ["STATEMENT_CATEGORY_PROTECTION_OF_MINORS"],
        "category_specification": ["KEYWORD_CYBER_HARASSMENT"],
        "territorial_scope": ["BE", "FR"],
        "content_language": "FR",
        "content_date": "2026-11-20",
        "application_date": "2026-11-25",
        "end_date_account_restriction": "2026-12-25",
        "decision_facts": "Reported through the notice mechanism; the messages were reviewed by a moderator and removed.",
        "source_type": "SOURCE_TRUSTED_FLAGGER",
        "source_identity": "e-Enfance (3018)",
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": "relais-dec-7f3a9c",
    }
    assert sor.validate(body) == {}


def test_an_illegal_content_decision_carries_the_legal_ground_and_nothing_of_the_other_ground() -> None:
    body = sor.build(
        harassment_decision(
            ground="illegal",
            legal_ground="Code pénal, art. 222-33-2-2 (harcèlement moral)",
            terms_ground=None,
            also_illegal=None,
            source="voluntary",
        )
    )
    assert body["illegal_content_legal_ground"].startswith("Code pénal")
    assert "incompatible_content_ground" not in body
    assert "source_identity" not in body  # own initiative: nobody to name
    assert sor.validate(body) == {}


@pytest.mark.parametrize(
    ("report_category", "category", "keyword"),
    [(c, *v) for c, v in sor.SUGGESTED.items()] + [("unknown", "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", ())],
)
def test_every_report_category_suggests_a_valid_category_and_keywords(
    report_category: str, category: str, keyword: tuple[str, ...]
) -> None:
    suggested, keywords, additions = sor.suggest(report_category, minor_involved=False)
    assert (suggested, keywords, additions) == (category, keyword, ())
    assert suggested in sor.CATEGORIES
    assert set(keywords) <= sor.KEYWORDS


def valid() -> dict[str, Any]:
    return sor.build(harassment_decision())


BROKEN: list[tuple[str, dict[str, Any], str]] = [
    ("decision_visibility", {"decision_visibility": None, "decision_account": None}, "at least one restriction"),
    ("decision_visibility", {"decision_visibility": ["DECISION_VISIBILITY_GONE"]}, "does not know"),
    ("decision_visibility", {"decision_visibility": "DECISION_VISIBILITY_CONTENT_REMOVED"}, "must be a list"),
    ("decision_visibility_other", {"decision_visibility": ["DECISION_VISIBILITY_OTHER"]}, "is required"),
    ("decision_visibility_other", {"decision_visibility_other": "x"}, "must be absent"),
    ("decision_monetary", {"decision_monetary": "DECISION_MONETARY_FINE"}, "must be one of"),
    ("decision_monetary_other", {"decision_monetary": "DECISION_MONETARY_OTHER"}, "is required"),
    ("decision_monetary_other", {"decision_monetary_other": "x"}, "must be absent"),
    ("decision_provision", {"decision_provision": "DECISION_PROVISION_SOME"}, "must be one of"),
    ("decision_account", {"decision_account": "DECISION_ACCOUNT_DELETED"}, "must be one of"),
    ("account_type", {"account_type": "ACCOUNT_TYPE_CHILD"}, "must be one of"),
    ("decision_ground", {"decision_ground": None}, "must be one of"),
    ("decision_ground_reference_url", {"decision_ground_reference_url": "not a url"}, "URL"),
    ("incompatible_content_ground", {"incompatible_content_ground": ""}, "is required"),
    ("incompatible_content_explanation", {"incompatible_content_explanation": "x" * 2001}, "at most 2000"),
    ("incompatible_content_explanation", {"incompatible_content_explanation": None}, "is required"),
    ("incompatible_content_illegal", {"incompatible_content_illegal": "Maybe"}, "must be one of"),
    ("illegal_content_legal_ground", {"illegal_content_legal_ground": "Code pénal"}, "must be absent"),
    ("content_type", {"content_type": []}, "is required"),
    ("content_type_other", {"content_type": ["CONTENT_TYPE_OTHER"]}, "is required"),
    ("content_type_other", {"content_type_other": "x"}, "must be absent"),
    ("category", {"category": "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR"}, "must be one of"),
    (
        "category_addition",
        {"category_addition": ["STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT"]},
        "does not know",
    ),
    ("category_specification", {"category_specification": ["KEYWORD_DANGEROUS_TOYS"]}, "does not know"),
    ("category_specification_other", {"category_specification_other": "y" * 501}, "at most 500"),
    ("territorial_scope", {"territorial_scope": ["EL"]}, "does not know"),
    ("content_language", {"content_language": "fr"}, "must be one of"),
    ("content_date", {"content_date": "1999-12-31"}, "between 2000-01-01"),
    ("content_date", {"content_date": "2026-02-30"}, "not a calendar date"),
    ("application_date", {"application_date": "25/11/2026"}, "YYYY-MM-DD"),
    ("application_date", {"application_date": "2019-12-31"}, "between 2020-01-01"),
    ("end_date_account_restriction", {"end_date_account_restriction": "2038-01-02"}, "and 2038-01-01"),
    ("decision_facts", {"decision_facts": "   "}, "is required"),
    ("decision_facts", {"decision_facts": "f" * 5001}, "at most 5000"),
    ("source_type", {"source_type": "SOURCE_HELPLINE"}, "must be one of"),
    ("source_identity", {"source_type": "SOURCE_VOLUNTARY"}, "must be absent"),
    ("source_identity", {"source_identity": "s" * 501}, "at most 500"),
    ("automated_detection", {"automated_detection": True}, "must be one of"),
    ("automated_decision", {"automated_decision": "AUTOMATED_DECISION_SOMEWHAT"}, "must be one of"),
    ("puid", {"puid": ""}, "is required"),
    ("puid", {"puid": "dec 1"}, "letters, digits"),
    ("puid", {"puid": "d" * 501}, "letters, digits"),
]


@pytest.mark.parametrize(("field", "change", "message"), BROKEN, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BROKEN)])
def test_every_rule_of_the_database_is_applied_and_names_its_field(
    field: str, change: dict[str, Any], message: str
) -> None:
    problems = sor.validate({**valid(), **change})
    assert field in problems, problems
    assert message in problems[field]


def test_an_illegal_ground_needs_its_own_fields_and_refuses_the_others() -> None:
    body = {**valid(), "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"}
    problems = sor.validate(body)
    assert problems["illegal_content_legal_ground"] == "is required"
    assert problems["illegal_content_explanation"] == "is required"
    assert "must be absent" in problems["incompatible_content_ground"]


def test_optional_other_fields_are_accepted_when_they_belong() -> None:
    body = {
        **valid(),
        "decision_visibility": ["DECISION_VISIBILITY_OTHER"],
        "decision_visibility_other": "Hidden from search",
        "decision_monetary": "DECISION_MONETARY_OTHER",
        "decision_monetary_other": "Tips paused",
        "decision_provision": "DECISION_PROVISION_PARTIAL_SUSPENSION",
        "content_type": ["CONTENT_TYPE_OTHER"],
        "content_type_other": "Voice note",
        "category_specification": ["KEYWORD_OTHER"],
        "category_specification_other": "Insults in a voice note",
        "incompatible_content_illegal": None,
    }
    assert sor.validate(body) == {}
    built = sor.build(
        harassment_decision(
            visibility=("DECISION_VISIBILITY_OTHER",),
            visibility_other="Hidden from search",
            monetary="DECISION_MONETARY_OTHER",
            monetary_other="Tips paused",
            content_types=("CONTENT_TYPE_OTHER",),
            content_type_other="Voice note",
            keywords=("KEYWORD_OTHER",),
            keyword_other="Insults in a voice note",
            automated_detection=True,
            automated_decision="partially",
            also_illegal=False,
        )
    )
    assert (built["decision_visibility_other"], built["decision_monetary_other"]) == (
        "Hidden from search",
        "Tips paused",
    )
    assert (built["automated_detection"], built["automated_decision"]) == ("Yes", "AUTOMATED_DECISION_PARTIALLY")
    assert built["incompatible_content_illegal"] == "No"
    assert sor.validate(built) == {}


def test_batches_are_1_to_100_with_unique_puids() -> None:
    one = valid()
    assert sor.validate_batch([one]) == {}
    assert "statements" in sor.validate_batch([])
    assert "statements" in sor.validate_batch([one] * 101)
    problems = sor.validate_batch([one, {**one, "puid": "other"}, one, {**one, "puid": None}])
    assert problems["statement_2"]["puid"] == "repeats statement_0's puid"
    assert problems["statement_3"]["puid"] == "is required"
    assert "statement_1" not in problems


def test_a_minimal_statement_needs_only_the_required_fields() -> None:
    body = sor.build(
        harassment_decision(
            also_illegal=None,
            account=None,
            account_type=None,
            content_language=None,
            source="article_16",
            source_identity=None,
            keywords=(),
            category_additions=(),
            territorial_scope=(),
            reference_url=None,
            end_dates={},
        )
    )
    assert "incompatible_content_illegal" not in body
    assert "source_identity" not in body
    assert (body["category_specification"], body["territorial_scope"]) == (None, None)
    assert sor.validate(body) == {}


# --- trusted-flagger standing (Art. 22) ---

ARCOM = flaggers.Status(
    authority="Arcom",
    awarded_in="FR",
    scope="EU",
    areas=frozenset({"harassment", "sextortion"}),
    awarded_on=date(2024, 11, 6),
)
NATIONAL = flaggers.Status(
    authority="Platform programme",
    awarded_in="US",
    scope="US",
    areas=frozenset({"harassment"}),
    awarded_on=date(2020, 1, 1),
)


@pytest.mark.parametrize(
    ("statuses", "country", "category", "on", "trusted", "reason"),
    [
        ([ARCOM], "IE", "harassment", date(2026, 11, 25), True, "designated by Arcom"),
        ([ARCOM], "FR", "sextortion", date(2024, 11, 6), True, "designated by Arcom"),
        ([ARCOM], "NO", "harassment", date(2026, 11, 25), True, "designated by Arcom"),  # EEA
        ([ARCOM], "IE", "harassment", date(2024, 11, 5), False, "not in force on 2024-11-05"),
        (
            [flaggers.Status(**{**ARCOM.__dict__, "revoked_on": date(2026, 1, 1)})],
            "IE",
            "harassment",
            date(2026, 1, 1),
            False,
            "not in force",
        ),
        ([ARCOM], "US", "harassment", date(2026, 11, 25), False, "does not cover a platform established in US"),
        ([ARCOM], "", "harassment", date(2026, 11, 25), False, "an unknown country"),
        ([ARCOM], "IE", "impersonation", date(2026, 11, 25), False, "outside the area of expertise"),
        ([NATIONAL], "US", "harassment", date(2026, 11, 25), True, "Platform programme"),
        ([NATIONAL], "CA", "harassment", date(2026, 11, 25), False, "does not cover"),
        ([ARCOM, NATIONAL], "US", "harassment", date(2026, 11, 25), True, "Platform programme"),
        ([], "IE", "harassment", date(2026, 11, 25), False, "holds no trusted-flagger status"),
    ],
)
def test_a_status_counts_only_where_when_and_for_what_it_was_awarded(
    statuses: list[flaggers.Status], country: str, category: str, on: date, trusted: bool, reason: str
) -> None:
    standing = flaggers.standing(statuses, platform_country=country, category=category, on=on)
    assert standing.trusted is trusted
    assert reason in standing.reason
    assert (standing.authority is not None) is trusted


# --- the stored queue key (ADR 0014): the same order as `priority`, as one integer ---


def test_the_stored_queue_rank_orders_as_priority_and_the_full_key_breaks_every_tie() -> None:
    from itertools import product

    from relais.moderation import priority as rules

    at = datetime(2026, 11, 25, 21, 0, tzinfo=ZoneInfo("UTC"))
    every = [
        NoticeFacts(received_at=at, category=c, trusted_flagger=t, danger_immediate=d, reporter_age=a)
        for t, d, a, c in product((True, False), (True, False), (None, 14, 40), (*rules.SEVERITY, "unknown"))
    ]
    for a, b in product(every, repeat=2):
        assert (rules.queue_rank(a) < rules.queue_rank(b)) == (priority(a, at).rank[:4] < priority(b, at).rank[:4])
    earlier = NoticeFacts(at - timedelta(hours=1), "harassment", False, False, 14)
    later = NoticeFacts(at, "harassment", False, False, 14)
    assert rules.queue_key(earlier, "b", at) < rules.queue_key(later, "a", at)
    assert rules.queue_key(later, "a", at) < rules.queue_key(later, "b", at)
    table = rules.queue_ranks()
    assert len(table) == 8 * len(rules.SEVERITY)
    for trusted, immediate, minor, category, rank in table:
        facts = NoticeFacts(at, category, trusted, immediate, 14 if minor else 40)
        assert rank == rules.queue_rank(facts)
