"""The moderation API's contract: what a platform's moderation tool sends and reads, and what a helpline sends.

Decision fields carry the Transparency Database's own enum keys (statement_of_reasons.py), listed in the
OpenAPI document, so a client can build its form from it. A statement the database would refuse is
answered with a 422 whose `field` is the request's own field (`visibility`, `terms_ground`…), the database's
name in the message: the client fixes what it sent, and can still match the database's documentation.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    create_model,
    field_validator,
)

from relais.moderation import statement_of_reasons as sor
from relais.moderation import summaries
from relais.moderation.models import Decision, Notice
from relais.moderation.services import SNIPPET_LENGTH, DecisionInput, Escalation, NoticeOutcome
from relais.schemas import OPAQUE_ID_PATTERN, Category, iso_instant_only, plausible_instant, valid_unicode

TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Free text: anything but control characters other than tab and line breaks (no database stores NUL)."""


def one_of(values: frozenset[str]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in values:
            raise ValueError("is not one of the Transparency Database's values")
        return value

    return AfterValidator(check)


def listed(values: frozenset[str], description: str) -> Any:
    enum: list[JsonValue] = [*sorted(values)]
    return Field(description=description, json_schema_extra={"enum": enum})


Visibility = Annotated[str, one_of(sor.VISIBILITY), listed(sor.VISIBILITY, "DECISION_VISIBILITY_*")]
Monetary = Annotated[str, one_of(sor.MONETARY), listed(sor.MONETARY, "DECISION_MONETARY_*")]
Provision = Annotated[str, one_of(sor.PROVISION), listed(sor.PROVISION, "DECISION_PROVISION_*")]
Account = Annotated[str, one_of(sor.ACCOUNT), listed(sor.ACCOUNT, "DECISION_ACCOUNT_*")]
AccountType = Annotated[str, one_of(sor.ACCOUNT_TYPES), listed(sor.ACCOUNT_TYPES, "ACCOUNT_TYPE_*")]
SorCategory = Annotated[str, one_of(sor.CATEGORIES), listed(sor.CATEGORIES, "STATEMENT_CATEGORY_*")]
Keyword = Annotated[str, one_of(sor.KEYWORDS), listed(sor.KEYWORDS, "KEYWORD_*")]
ContentType = Annotated[str, one_of(sor.CONTENT_TYPES), listed(sor.CONTENT_TYPES, "CONTENT_TYPE_*")]
Territory = Annotated[str, one_of(sor.TERRITORIES), listed(sor.TERRITORIES, "EEA country (Greece is GR)")]
Language = Annotated[str, one_of(sor.EU_LANGUAGES), listed(sor.EU_LANGUAGES, "Upper-case ISO 639-1")]


def text(limit: int, description: str = "") -> Any:
    return Field(max_length=limit, pattern=TEXT_PATTERN, description=description)


def date_string_only(value: Any) -> Any:
    """Pydantic would read a number as a Unix time; the contract says YYYY-MM-DD."""
    if value is not None and not isinstance(value, str):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


ModeratorRef = Annotated[
    str, Field(pattern=OPAQUE_ID_PATTERN, description="Your own id for the moderator acting (kept on the record)")
]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")

    _unicode = field_validator("*", mode="after")(valid_unicode)


class ModeratorIn(StrictIn):
    moderator: ModeratorRef


class EndDatesIn(StrictIn):
    """When each restriction ends; absent or null: indefinite."""

    visibility: date | None = None
    monetary: date | None = None
    provision: date | None = None
    account: date | None = None

    _iso = field_validator("*", mode="before")(date_string_only)


class DecisionFieldsIn(StrictIn):
    """A decision in the DSA's terms (Art. 17(3)); the statement of reasons is built from it."""

    outcome: Literal["restricted", "no_action"]
    facts: Annotated[str, text(5000, "Facts and circumstances, for the public database: no personal data")] = ""
    ground: Literal["illegal", "incompatible"] = "incompatible"
    legal_ground: Annotated[str, text(500, "The law relied on (ground = illegal)")] = ""
    terms_ground: Annotated[str, text(500, "The terms-of-service clause relied on (ground = incompatible)")] = ""
    explanation: Annotated[str, text(2000, "Why the content is illegal on, or incompatible with, that ground")] = ""
    category: SorCategory | None = None
    category_additions: Annotated[list[SorCategory], Field(max_length=20)] = []
    keywords: Annotated[list[Keyword], Field(max_length=20)] = []
    keyword_other: Annotated[str, text(500)] = ""
    visibility: Annotated[list[Visibility], Field(max_length=7)] = []
    visibility_other: Annotated[str, text(500)] = ""
    monetary: Monetary | None = None
    monetary_other: Annotated[str, text(500)] = ""
    provision: Provision | None = None
    account: Account | None = None
    account_type: AccountType | None = None
    content_types: Annotated[list[ContentType], Field(min_length=1, max_length=8)] = ["CONTENT_TYPE_TEXT"]
    content_type_other: Annotated[str, text(500)] = ""
    territorial_scope: Annotated[list[Territory], Field(max_length=30)] = []
    content_language: Language | None = None
    also_illegal: StrictBool | None = Field(default=None, description="With ground = incompatible: also illegal?")
    reference_url: Annotated[str, Field(pattern=r"^(https?://[!-~]+)?$", max_length=500)] = ""
    automated_detection: StrictBool = False
    automated_decision: Literal["fully", "partially", "not_automated"] = "not_automated"
    application_date: date | None = Field(default=None, description="When the restriction applies; default today")
    # A factory, not `= EndDatesIn()`: an object default is written into the document beside the `$ref`, a shape
    # openapi-python-client refuses (it then drops the decision endpoint). Accepted and answered the same.
    end_dates: EndDatesIn = Field(default_factory=EndDatesIn)
    manifestly_unfounded: StrictBool = Field(default=False, description="Only with no_action: counts towards Art. 23")
    summary: Annotated[
        str,
        text(
            500,
            "Your own words for the notifier, shown as written (in the language you write them). Leave it empty "
            "and Relais writes plain words from the decision, in each reader's language (French or English)",
        ),
    ] = ""

    _iso = field_validator("application_date", mode="before")(date_string_only)

    def to_input(self) -> DecisionInput:
        return DecisionInput(
            outcome=self.outcome,
            facts=self.facts,
            ground=self.ground,
            legal_ground=self.legal_ground,
            terms_ground=self.terms_ground,
            explanation=self.explanation,
            category=self.category or "",
            category_additions=tuple(self.category_additions),
            keywords=tuple(self.keywords),
            keyword_other=self.keyword_other,
            visibility=tuple(self.visibility),
            visibility_other=self.visibility_other,
            monetary=self.monetary or "",
            monetary_other=self.monetary_other,
            provision=self.provision or "",
            account=self.account or "",
            account_type=self.account_type or "",
            content_types=tuple(self.content_types),
            content_type_other=self.content_type_other,
            territorial_scope=tuple(self.territorial_scope),
            content_language=self.content_language or "",
            also_illegal=self.also_illegal,
            reference_url=self.reference_url,
            automated_detection=self.automated_detection,
            automated_decision=self.automated_decision,
            application_date=self.application_date,
            end_dates=self.end_dates.model_dump(),
            manifestly_unfounded=self.manifestly_unfounded,
            summary=self.summary,
        )


class DecisionIn(DecisionFieldsIn):
    moderator: ModeratorRef


class AppealIn(StrictIn):
    appellant: Literal["reporter", "affected_user"]
    reason: Annotated[str, Field(min_length=1, max_length=5000, pattern=TEXT_PATTERN)]


class AppealDecisionIn(StrictIn):
    moderator: ModeratorRef = Field(description="Another moderator than the first decision's")
    reverse: StrictBool
    explanation: Annotated[str, Field(min_length=1, max_length=5000, pattern=TEXT_PATTERN)]
    decision: DecisionFieldsIn | None = Field(
        default=None, description="The new decision when reversing; required to reverse a no_action into a restriction"
    )


class QueueFilter(Schema):
    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=200)] = 100
    cursor: Annotated[str, Field(max_length=300)] | None = Field(
        default=None, description="`Next-Cursor` of the previous page: the notices after it"
    )


class StatementFilter(Schema):
    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime | None = Field(default=None, description="Decisions taken at or after this instant")
    cursor: Annotated[str, Field(max_length=300)] | None = Field(
        default=None, description="`next_cursor` of the previous page (takes precedence over `since`)"
    )
    limit: Annotated[int, Field(ge=1, le=sor.BATCH_MAX)] = sor.BATCH_MAX

    _iso = field_validator("since", mode="before")(iso_instant_only)
    _plausible = field_validator("since")(plausible_instant)


class AppealFilter(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "upheld", "reversed"] | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 500
    cursor: Annotated[str, Field(max_length=300)] | None = Field(
        default=None, description="`Next-Cursor` of the previous page: the appeals after it"
    )


class EscalationIn(StrictIn):
    category: Category
    ground_kind: Literal["illegal", "incompatible"]
    ground: Annotated[str, Field(min_length=1, max_length=500, pattern=TEXT_PATTERN)] = Field(
        description="The law or terms-of-service clause the content breaks"
    )
    explanation: Annotated[str, Field(min_length=1, max_length=5000, pattern=TEXT_PATTERN)]
    content_positions: Annotated[list[Annotated[StrictInt, Field(ge=0, le=49)]], Field(min_length=1, max_length=50)] = (
        Field(description="Which of the report's content items (0-based, in the order the platform sent them)")
    )
    urgent: StrictBool = False

    def to_escalation(self) -> Escalation:
        return Escalation(
            category=self.category,
            ground_kind=self.ground_kind,
            ground=self.ground,
            explanation=self.explanation,
            content_positions=tuple(self.content_positions),
            urgent=self.urgent,
        )


class StandingFilter(Schema):
    model_config = ConfigDict(extra="forbid")

    category: Category | None = Field(default=None, description="Default: the case's category")


# --- what a 422 names: the request's field for each field of the statement of reasons ---

STATEMENT_FIELDS: Mapping[str, str] = {
    "decision_visibility": "visibility",
    "decision_visibility_other": "visibility_other",
    "decision_monetary": "monetary",
    "decision_monetary_other": "monetary_other",
    "decision_provision": "provision",
    "decision_account": "account",
    "account_type": "account_type",
    "decision_ground": "ground",
    "decision_ground_reference_url": "reference_url",
    "illegal_content_legal_ground": "legal_ground",
    "illegal_content_explanation": "explanation",
    "incompatible_content_ground": "terms_ground",
    "incompatible_content_explanation": "explanation",
    "incompatible_content_illegal": "also_illegal",
    "content_type": "content_types",
    "content_type_other": "content_type_other",
    "category": "category",
    "category_addition": "category_additions",
    "category_specification": "keywords",
    "category_specification_other": "keyword_other",
    "territorial_scope": "territorial_scope",
    "content_language": "content_language",
    "application_date": "application_date",
    "decision_facts": "facts",
    "automated_detection": "automated_detection",
    "automated_decision": "automated_decision",
    **{name: f"end_dates.{kind}" for kind, name in sor.END_DATE_FIELDS.items()},
}
"""Fields not listed (content_date, source_type, source_identity, puid) are derived from the notice by Relais."""


def statement_errors(problems: Mapping[str, str], prefix: str = "") -> list[dict[str, str]]:
    """DecisionRefused.problems as FieldErrorOut rows: our field, the database's name in the message."""
    return [
        {
            "field": prefix + STATEMENT_FIELDS.get(name, name),
            "message": f"{message} ({name} in the Transparency Database)",
            "type": "statement_of_reasons",
        }
        for name, message in problems.items()
    ]


# --- answers ---


class PriorityOut(Schema):
    sla_class: Literal["immediate", "trusted_flagger", "minor", "standard"]
    due_at: datetime
    sla_used: float = Field(description="Share of the SLA used: above 1 is overdue")
    overdue: bool


class TrackRecordOut(Schema):
    decided: int = Field(description="The notifier's notices decided in the misuse window")
    unfounded: int = Field(description="Of which manifestly unfounded")
    warned_at: datetime | None
    suspended_until: datetime | None


class GroupedNoticeOut(Schema):
    """Another undecided notice about the same reported content, shown and decided with the row (ADR 0027)."""

    notice_id: str
    source: Literal["article_16", "trusted_flagger", "other_notification"] = Field(
        description="Who sent it: the reporter (article_16) or a helpline (trusted_flagger, other_notification)"
    )
    helpline: str | None = Field(description="Directory id of the escalating helpline; null for the reporter's")
    status: Literal["open", "claimed"]
    received_at: datetime


class PileOnSummaryOut(Schema):
    """The pile-on a queue row stands for (ADR 0034): many reports about one account or post."""

    id: str
    target_kind: Literal["account", "post"]
    target: str = Field(description="The account's handle, or the post's URL, as the first report named it")
    reports: int = Field(description="Undecided reports in it")
    notices: int = Field(description="Undecided notices in it (reports and helplines' escalations)")
    since: datetime = Field(description="When its first report was received")
    last_at: datetime | None = Field(description="When its latest undecided notice was received")
    minor: bool = Field(description="A reporter under 18 is among them: the platform's partner helplines were told")


class QueueItemOut(Schema):
    id: str
    source: Literal["article_16", "trusted_flagger", "other_notification"]
    status: Literal["open", "claimed", "decided", "suspended"]
    category: str
    danger: Literal["none", "immediate"]
    minor: bool = Field(description="The reporter is under 18 (the age itself is not repeated here)")
    received_at: datetime
    report_id: str | None
    priority: PriorityOut | None = Field(description="Null once decided or not processed")
    claimed_by: str | None
    claimed_at: datetime | None
    helpline: str | None = Field(description="Directory id of the escalating helpline")
    track_record: TrackRecordOut | None
    cursor: str | None = Field(
        description="`?cursor=` for the queue after this notice (the `Next-Cursor` of a page ending here); "
        "null once decided or not processed"
    )
    grouped: list[GroupedNoticeOut] = Field(
        description="The other undecided notices about the same reported content (the reporter's own notice and "
        "helplines' escalations of the same report), in queue order. The queue shows one item per content, "
        "led by its notice of highest priority; deciding it decides these too, each with its own decision and "
        "statement of reasons, each notifier told. Empty once decided"
    )
    snippet: str | None = Field(
        description=f"The first {SNIPPET_LENGTH} characters or so of the reported text, as the report sent it "
        "(whitespace folded; null when the report had no text or was purged)"
    )
    pileon: PileOnSummaryOut | None = Field(
        default=None,
        description="The pile-on this row leads (ADR 0034): its other notices are not rows of their own; "
        "`GET /moderation/pileons/{id}` lists them, `POST /moderation/pileons/{id}/decision` decides them all",
    )


class RedressOut(Schema):
    appeal_until: datetime
    internal_complaint: bool
    out_of_court_settlement: bool
    judicial_redress: bool


class SubmissionOut(Schema):
    submitted_at: datetime | None
    attempts: int
    due_at: datetime | None
    error: str | None


SUMMARY = (
    "What the notifier is told, addressed to the reporter (French says « tu »): the moderator's own words as "
    "written, else plain words Relais writes from the decision in the report's language — French for any "
    "`fr-*` tag, English for every other language (see `summary_language`). Show it to the reporter as it is"
)
SUMMARY_LANGUAGE = (
    "`fr` or `en`: the language Relais wrote `summary` in; `en` for a report in a language Relais does not "
    "write (translate it, or write your own summary); null when `summary` is the moderator's own words"
)


class DecisionOut(Schema):
    id: str
    notice_id: str
    puid: str
    outcome: Literal["restricted", "no_action"]
    current: bool = Field(description="In force: not replaced on appeal")
    summary: str = Field(description=SUMMARY)
    summary_language: Literal["fr", "en"] | None = Field(description=SUMMARY_LANGUAGE)
    moderator: str
    decided_at: datetime
    informed_at: datetime
    manifestly_unfounded: bool
    redress: RedressOut
    statement: dict[str, Any] | None = Field(description="The statement of reasons, as sent to the database")
    submission: SubmissionOut | None
    on_appeal: str | None = Field(description="The appeal this decision resulted from")
    reversed_by: str | None = Field(description="The decision that replaced this one on appeal")


class AppealOut(Schema):
    id: str
    decision_id: str
    notice_id: str
    appellant: Literal["reporter", "affected_user"]
    reason: str
    received_at: datetime
    status: Literal["open", "upheld", "reversed"]
    decided_by: str | None
    decided_at: datetime | None
    explanation: str | None
    summary: str | None = Field(
        description="Once decided: what the notifier is told of the appeal's outcome and of what is in force now, "
        "in the report's language as `summary` is"
    )
    replacement: DecisionOut | None


class ContentItemOut(Schema):
    position: int
    kind: str
    url: str | None
    content_id: str | None
    text: str | None
    posted_at: datetime | None


class SuggestionOut(Schema):
    category: str
    keywords: list[str]
    category_additions: list[str]


class NoticeOut(QueueItemOut):
    ground_kind: Literal["illegal", "incompatible"] | None
    ground: str | None
    explanation: str | None
    content_positions: list[int]
    content: list[ContentItemOut] = Field(description="The report's items, as you sent them")
    suggested: SuggestionOut = Field(description="Statement category and keywords the report's category suggests")
    decisions: list[DecisionOut] = Field(description="The decision in force first")
    appeals: list[AppealOut]


class StatementsOut(Schema):
    statements: list[dict[str, Any]] = Field(description="Bodies for the database's POST /api/v1/statements")
    next_cursor: str | None = Field(description="Null when this page was not full")


class NotifierAppealOut(Schema):
    status: Literal["open", "upheld", "reversed"]
    explanation: str | None
    summary: str | None = Field(
        description="Once decided: the outcome and what is in force now, in plain words, in the report's language "
        "as the notice's `summary` is; null while open"
    )


class NotifierNoticeOut(Schema):
    """A notice as its notifiers see it (Art. 16(5)): the outcome and the redress, not who decided."""

    id: str
    source_type: Literal["article_16", "trusted_flagger", "other_notification"]
    received_at: datetime
    status: Literal["open", "claimed", "decided", "suspended"]
    decision_id: str | None
    outcome: Literal["restricted", "no_action"] | None
    summary: str | None = Field(description=SUMMARY)
    summary_language: Literal["fr", "en"] | None = Field(description=SUMMARY_LANGUAGE)
    decided_at: datetime | None
    redress: RedressOut | None
    appeal: NotifierAppealOut | None = Field(description="The latest appeal on the decision, if any")


class EscalatedOut(Schema):
    id: str
    source_type: Literal["trusted_flagger", "other_notification"]
    trusted_flagger_reason: str
    status: Literal["open", "suspended"]
    received_at: datetime


class StandingOut(Schema):
    trusted: bool
    source_type: Literal["trusted_flagger", "other_notification"]
    reason: str
    authority: str | None
    category: str


# --- conversions of loaded rows to the answers above ---


def iso(value: datetime | None) -> str | None:
    """In UTC, as every instant of the API: a row fresh from a service and the same row read back agree."""
    return value.astimezone(UTC).isoformat() if value is not None else None


def redress_json(decision: Decision) -> dict[str, Any]:
    """Art. 17(3)(f) and 16(5): the ways to contest the decision, for the notifier to be shown."""
    return {
        "appeal_until": iso(decision.appeal_deadline),
        "internal_complaint": True,
        "out_of_court_settlement": True,
        "judicial_redress": True,
    }


def notifier_notice_json(notice: Notice) -> dict[str, Any]:
    """NotifierNoticeOut, from a notice loaded by access.notices_on_report / notices_on_case (prefetched).

    Its words are in the report's language for the platform and the helpline alike: both show them to, or
    read them to, the reporter they are addressed to."""
    outcome = NoticeOutcome.of(notice)
    decision = outcome.decision
    latest = outcome.appeals[-1] if outcome.appeals else None
    language = summaries.notifier_language(notice)
    return {
        "id": str(notice.id),
        "source_type": notice.source,
        "received_at": iso(notice.received_at),
        "status": notice.status,
        "decision_id": str(decision.id) if decision else None,
        "outcome": decision.outcome if decision else None,
        "summary": summaries.summary_for(decision, language) if decision else None,
        "summary_language": summaries.summary_language(decision, language) if decision else None,
        "decided_at": iso(decision.decided_at) if decision else None,
        "redress": redress_json(decision) if decision else None,
        "appeal": {
            "status": latest.status,
            "explanation": latest.explanation or None,
            "summary": None if latest.status == "open" else summaries.appeal_summary_for(latest, language),
        }
        if latest
        else None,
    }


class PileOnOut(PileOnSummaryOut):
    formed_at: datetime
    closed_at: datetime | None = Field(description="When its last notice was decided; null while any is undecided")
    members: list[QueueItemOut] = Field(
        description="Its undecided notices in queue order (the first 200), each decidable on its own "
        "(`POST /moderation/notices/{id}/decision`)"
    )


class BulkDecisionIn(StrictIn):
    moderator: ModeratorRef
    notice_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=200)] = Field(
        description="Queue rows to close without action (at most 200; each row's other notices about the same "
        "content are closed with it, ADR 0027)"
    )
    note: Annotated[str, Field(min_length=1, max_length=2000, pattern=TEXT_PATTERN)] = Field(
        description="Why they are closed: kept on each decision for the record, never sent; notifiers read "
        "plain words in their language"
    )


class FunnelFilter(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: str | None = Field(
        default=None, alias="from", description="First day (YYYY-MM-DD, your platform's zone); default 30 days ago"
    )
    last: str | None = Field(default=None, alias="to", description="Last day, included; default today")


class FunnelRowOut(Schema):
    week: str = Field(description="ISO week, e.g. 2026-W48, in your platform's zone")
    country: str
    helpline: str = Field(description="The helpline's directory id, e.g. fr-3018")
    shown: int | None = Field(description="Reporters the card was shown to, listing this helpline; null: < 10")
    tapped: int | None = Field(description="Reporters who tapped one of its channels; null: fewer than 10")
    shared: int | None = Field(description="Reports shared with it on the reporter's consent; null: fewer than 10")
    escalated: int | None = Field(description="Of its cases, escalated by it to you; null: fewer than 10")
    decided: int | None = Field(description="Its escalations you decided; null: fewer than 10")


FunnelOut = create_model(
    "FunnelOut",
    __base__=Schema,
    __doc__="The funnel for the ISO weeks the period (`from` to `to`, days in your platform's zone) touches.",
    **{  # type: ignore[call-overload]  # pydantic's stubs type the fields' mapping more narrowly than it takes
        "from": (str, Field(description="First day of the period asked for")),
        "to": (str, Field(description="Last day, included")),
        "small_cell": (int, Field(description="Counts from 1 to this minus 1 are null: they could point at a person")),
        "rows": (list[FunnelRowOut], ...),
    },
)
"""Made with `create_model`: its fields are named `from` and `to`, as the query's are, which Python cannot."""
