"""A statement of reasons as a moderator or an appellant reads it, from the JSON stored as it was sent.

The stored statement (statement_of_reasons.build) is the record: it is what the Transparency Database got,
and it is never rewritten. This reads it back at display time: each restriction with its end date, the ground
with the law or clause and the explanation, the facts, the category and keywords by their names in the
reader's language (forms.py's labels, the same the decision form offers). A value this version does not know
is shown as it was sent, never dropped, and the JSON itself stays one click away on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relais.moderation import forms
from relais.moderation import statement_of_reasons as sor

Words = Promise | str

_RESTRICTIONS: tuple[tuple[str, str, dict[str, Promise], str | None], ...] = (
    # (statement field, END_DATE_FIELDS kind, labels, the field holding the "other" text)
    ("decision_visibility", "visibility", forms.VISIBILITY_LABELS, "decision_visibility_other"),
    ("decision_account", "account", forms.ACCOUNT_LABELS, None),
    ("decision_provision", "provision", forms.PROVISION_LABELS, None),
    ("decision_monetary", "monetary", forms.MONETARY_LABELS, "decision_monetary_other"),
)
_OTHER_VALUES = {"DECISION_VISIBILITY_OTHER", "DECISION_MONETARY_OTHER"}
_SOURCE_TYPES: dict[str, Words] = {
    "SOURCE_ARTICLE_16": forms.SOURCE_LABELS["article_16"],
    "SOURCE_TRUSTED_FLAGGER": forms.SOURCE_LABELS["trusted_flagger"],
    "SOURCE_TYPE_OTHER_NOTIFICATION": forms.SOURCE_LABELS["other_notification"],
    "SOURCE_VOLUNTARY": _("The platform's own initiative"),
}
_GROUNDS: dict[str, Words] = {
    "DECISION_GROUND_ILLEGAL_CONTENT": forms.GROUND_LABELS["illegal"],
    "DECISION_GROUND_INCOMPATIBLE_CONTENT": forms.GROUND_LABELS["incompatible"],
}
_YES_NO: dict[str, Words] = {"Yes": _("Yes"), "No": _("No")}
_EVERYWHERE = _("The whole EU and EEA (all 30 countries)")


@dataclass(frozen=True)
class Restriction:
    """One restriction, with the words of an OTHER one, and its end (None: no end date, a lasting one)."""

    label: Words
    other: str
    ends_on: date | None


@dataclass(frozen=True)
class StatementInWords:
    restrictions: tuple[Restriction, ...]
    account_type: Words
    ground: Words
    ground_cited: str
    """The law (illegal content) or the terms' clause (incompatible content)."""
    ground_label: Words
    explanation: str
    also_illegal: Words
    reference_url: str
    facts: str
    category: Words
    other_categories: tuple[Words, ...]
    keywords: tuple[Words, ...]
    content_types: tuple[Words, ...]
    content_date: date | None
    content_language: Words
    territories: tuple[Words, ...]
    source: Words
    source_identity: str
    automated_detection: Words
    automated_decision: Words
    application_date: date | None
    puid: str


def statement_in_words(statement: dict[str, Any]) -> StatementInWords:
    """The stored statement read back; nothing here can fail on a statement an older version wrote."""
    restrictions = []
    for name, kind, labels, other_field in _RESTRICTIONS:
        values = statement.get(name)
        for value in values if isinstance(values, list) else [values] if values else []:
            other = str(statement.get(other_field) or "") if other_field and value in _OTHER_VALUES else ""
            ends_on = _date(statement.get(sor.END_DATE_FIELDS[kind]))
            label: Words = labels.get(value) or str(value)
            restrictions.append(Restriction(label=label, other=other, ends_on=ends_on))
    illegal = statement.get("decision_ground") == "DECISION_GROUND_ILLEGAL_CONTENT"
    territories = statement.get("territorial_scope") or []
    everywhere = set(territories) == sor.TERRITORIES
    keywords: list[Words] = [forms.KEYWORD_LABELS.get(k, k) for k in statement.get("category_specification") or []]
    if statement.get("category_specification_other"):
        keywords = [k for k in keywords if k is not forms.KEYWORD_LABELS["KEYWORD_OTHER"]]
        keywords.append(str(statement["category_specification_other"]))
    content_types: list[Words] = [
        forms.CONTENT_TYPE_LABELS.get(t, t) for t in statement.get("content_type") or [] if t != "CONTENT_TYPE_OTHER"
    ]
    if "CONTENT_TYPE_OTHER" in (statement.get("content_type") or []):
        content_types.append(
            str(statement.get("content_type_other") or forms.CONTENT_TYPE_LABELS["CONTENT_TYPE_OTHER"])
        )
    automated = str(statement.get("automated_decision") or "").removeprefix("AUTOMATED_DECISION_").lower()
    language = statement.get("content_language") or ""
    return StatementInWords(
        restrictions=tuple(restrictions),
        account_type=forms.ACCOUNT_TYPE_LABELS.get(statement.get("account_type") or "", ""),
        ground=_GROUNDS.get(statement.get("decision_ground") or "", statement.get("decision_ground") or ""),
        ground_cited=str(
            statement.get("illegal_content_legal_ground" if illegal else "incompatible_content_ground") or ""
        ),
        ground_label=_("Legal ground") if illegal else _("Terms of service clause"),
        explanation=str(
            statement.get("illegal_content_explanation" if illegal else "incompatible_content_explanation") or ""
        ),
        also_illegal=_YES_NO.get(statement.get("incompatible_content_illegal") or "", ""),
        reference_url=str(statement.get("decision_ground_reference_url") or ""),
        facts=str(statement.get("decision_facts") or ""),
        category=forms.STATEMENT_CATEGORY_LABELS.get(statement.get("category") or "", statement.get("category") or ""),
        other_categories=tuple(
            forms.STATEMENT_CATEGORY_LABELS.get(c, c) for c in statement.get("category_addition") or []
        ),
        keywords=tuple(keywords),
        content_types=tuple(content_types),
        content_date=_date(statement.get("content_date")),
        content_language=forms.LANGUAGE_LABELS.get(language, language),
        territories=(_EVERYWHERE,) if everywhere else tuple(forms.TERRITORY_LABELS.get(t, t) for t in territories),
        source=_SOURCE_TYPES.get(statement.get("source_type") or "", statement.get("source_type") or ""),
        source_identity=str(statement.get("source_identity") or ""),
        automated_detection=_YES_NO.get(statement.get("automated_detection") or "", ""),
        automated_decision=forms.AUTOMATED_DECISION_LABELS.get(automated, statement.get("automated_decision") or ""),
        application_date=_date(statement.get("application_date")),
        puid=str(statement.get("puid") or ""),
    )


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
