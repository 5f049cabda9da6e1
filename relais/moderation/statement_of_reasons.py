"""DSA statements of reasons (Art. 17), as the Commission's Transparency Database accepts them (Art. 24(5)).

`build(decision)` maps a moderation decision to the JSON body of `POST /api/v1/statements`; `validate(body)`
applies the same rules the database applies (its `StatementStoreRequest`, read at
digital-services-act/transparency-database@69e80a0b; enums of the schema in force since 1 July 2025), so a
statement is refused here, with the field named, before it is refused there. See
../shared/research/dsa-and-trust-safety.md §5.

No personal data goes into a statement (Art. 24(5)): the facts are written by the moderator for the
public database, the `puid` is our decision id, and the notifier is named only when it is an organisation
(a trusted flagger), never a person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

VISIBILITY = frozenset(
    {
        "DECISION_VISIBILITY_CONTENT_REMOVED",
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "DECISION_VISIBILITY_CONTENT_DEMOTED",
        "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
        "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
        "DECISION_VISIBILITY_CONTENT_LABELLED",
        "DECISION_VISIBILITY_OTHER",
    }
)
MONETARY = frozenset({"DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION", "DECISION_MONETARY_OTHER"})
PROVISION = frozenset(
    {
        "DECISION_PROVISION_PARTIAL_SUSPENSION",
        "DECISION_PROVISION_TOTAL_SUSPENSION",
        "DECISION_PROVISION_PARTIAL_TERMINATION",
        "DECISION_PROVISION_TOTAL_TERMINATION",
    }
)
ACCOUNT = frozenset({"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"})
ACCOUNT_TYPES = frozenset({"ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"})
GROUNDS = frozenset({"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"})
CONTENT_TYPES = frozenset(
    {
        "CONTENT_TYPE_APP",
        "CONTENT_TYPE_AUDIO",
        "CONTENT_TYPE_IMAGE",
        "CONTENT_TYPE_PRODUCT",
        "CONTENT_TYPE_SYNTHETIC_MEDIA",
        "CONTENT_TYPE_TEXT",
        "CONTENT_TYPE_VIDEO",
        "CONTENT_TYPE_OTHER",
    }
)
CATEGORIES = frozenset(
    {
        "STATEMENT_CATEGORY_ANIMAL_WELFARE",
        "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "STATEMENT_CATEGORY_SELF_HARM",
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
        "STATEMENT_CATEGORY_VIOLENCE",
    }
)
KEYWORDS = frozenset(
    "KEYWORD_" + k
    for k in [
        "ADULT_SEXUAL_MATERIAL",
        "AGE_SPECIFIC_RESTRICTIONS",
        "AGE_SPECIFIC_RESTRICTIONS_MINORS",
        "ANIMAL_HARM",
        "BIOMETRIC_DATA_BREACH",
        "BULLYING_AGAINST_GIRLS",
        "CHILD_SEXUAL_ABUSE_MATERIAL",
        "CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
        "CONTENT_PROMOTING_EATING_DISORDERS",
        "COORDINATED_HARM",
        "COPYRIGHT_INFRINGEMENT",
        "CYBER_BULLYING_INTIMIDATION",
        "CYBER_HARASSMENT",
        "CYBER_HARASSMENT_AGAINST_WOMEN",
        "CYBER_INCITEMENT",
        "CYBER_STALKING",
        "CYBER_STALKING_AGAINST_WOMEN",
        "DATA_FALSIFICATION",
        "DEFAMATION",
        "DESIGN_INFRINGEMENT",
        "DISCRIMINATION",
        "FEMALE_GENDERED_DISINFORMATION",
        "GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
        "GEOGRAPHICAL_REQUIREMENTS",
        "GOODS_SERVICES_NOT_PERMITTED",
        "GROOMING_SEXUAL_ENTICEMENT_MINORS",
        "HATE_SPEECH",
        "HIDDEN_ADVERTISEMENT",
        "HUMAN_EXPLOITATION",
        "HUMAN_TRAFFICKING",
        "ILLEGAL_ORGANIZATIONS",
        "IMPERSONATION_ACCOUNT_HIJACKING",
        "INAUTHENTIC_ACCOUNTS",
        "INAUTHENTIC_LISTINGS",
        "INAUTHENTIC_USER_REVIEWS",
        "INCITEMENT_AGAINST_WOMEN",
        "INCITEMENT_VIOLENCE_HATRED",
        "INSUFFICIENT_INFORMATION_ON_TRADERS",
        "LANGUAGE_REQUIREMENTS",
        "MISINFORMATION_DISINFORMATION",
        "MISLEADING_INFO_CONSUMER_RIGHTS",
        "MISLEADING_INFO_GOODS_SERVICES",
        "MISSING_PROCESSING_GROUND",
        "NON_CONSENSUAL_IMAGE_SHARING",
        "NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
        "NON_CONSENSUAL_MATERIAL_DEEPFAKE",
        "NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
        "NONCOMPLIANCE_PRICING",
        "NUDITY",
        "PATENT_INFRINGEMENT",
        "PHISHING",
        "PROHIBITED_PRODUCTS",
        "PYRAMID_SCHEMES",
        "RIGHT_TO_BE_FORGOTTEN",
        "RISK_ENVIRONMENTAL_DAMAGE",
        "RISK_PUBLIC_HEALTH",
        "SELF_MUTILATION",
        "STALKING",
        "SUICIDE",
        "TERRORIST_CONTENT",
        "TRADE_SECRET_INFRINGEMENT",
        "TRADEMARK_INFRINGEMENT",
        "TRAFFICKING_WOMEN_GIRLS",
        "UNLAWFUL_SALE_ANIMALS",
        "UNSAFE_CHALLENGES",
        "UNSAFE_PRODUCTS",
        "VIOLATION_EU_LAW",
        "VIOLATION_NATIONAL_LAW",
        "OTHER",
    ]
)
SOURCES = frozenset(
    {"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"}
)
AUTOMATED_DECISIONS = frozenset(
    {"AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"}
)
TERRITORIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
EU_LANGUAGES = frozenset(
    [
        "EN",
        "BG",
        "HR",
        "CS",
        "DA",
        "NL",
        "ET",
        "FI",
        "FR",
        "DE",
        "EL",
        "HU",
        "GA",
        "IT",
        "LV",
        "LT",
        "MT",
        "PL",
        "PT",
        "RO",
        "SK",
        "SL",
        "ES",
        "SV",
    ]
)
"""The 24 official EU languages; the database accepts ~180 ISO 639-1 codes, we send only these."""
PUID = re.compile(r"^[a-zA-Z0-9\-_]+$")
YES_NO = frozenset({"Yes", "No"})
BATCH_MAX = 100

END_DATE_FIELDS = {
    "visibility": "end_date_visibility_restriction",
    "monetary": "end_date_monetary_restriction",
    "provision": "end_date_service_restriction",
    "account": "end_date_account_restriction",
}

# --- what a Relais report category suggests; the moderator confirms or changes it ---

SUGGESTED: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "harassment": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", ("KEYWORD_CYBER_HARASSMENT",)),
    "cyberbullying": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", ("KEYWORD_CYBER_BULLYING_INTIMIDATION",)),
    "threat": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", ("KEYWORD_CYBER_HARASSMENT",)),
    "hate": ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", ("KEYWORD_HATE_SPEECH",)),
    "sextortion": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", ("KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",)),
    "non_consensual_intimate_imagery": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", ("KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",)),
    "impersonation": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", ("KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",)),
    "doxxing": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", ("KEYWORD_CYBER_STALKING",)),
    "self_harm": ("STATEMENT_CATEGORY_SELF_HARM", ("KEYWORD_SUICIDE", "KEYWORD_SELF_MUTILATION")),
    "other": ("STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", ()),
    "grooming": ("STATEMENT_CATEGORY_PROTECTION_OF_MINORS", ("KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",)),
    "child_sexual_abuse_material": (
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        ("KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",),
    ),
}


def suggest(report_category: str, *, minor_involved: bool) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(category, keywords, category additions) for a Relais report category."""
    category, keywords = SUGGESTED.get(report_category, SUGGESTED["other"])
    additions = ("STATEMENT_CATEGORY_PROTECTION_OF_MINORS",) if minor_involved else ()
    return category, keywords, additions


@dataclass(frozen=True)
class Decision:
    """A moderator's decision, in the DSA's terms (Art. 17(3)). Enum values are the database's keys."""

    puid: str
    ground: Literal["illegal", "incompatible"]
    explanation: str
    facts: str
    category: str
    content_types: tuple[str, ...]
    content_date: date
    application_date: date
    source: Literal["article_16", "trusted_flagger", "other_notification", "voluntary"]
    automated_detection: bool = False
    automated_decision: Literal["fully", "partially", "not_automated"] = "not_automated"
    legal_ground: str | None = None
    terms_ground: str | None = None
    also_illegal: bool | None = None
    reference_url: str | None = None
    visibility: tuple[str, ...] = ()
    visibility_other: str | None = None
    monetary: str | None = None
    monetary_other: str | None = None
    provision: str | None = None
    account: str | None = None
    account_type: str | None = None
    category_additions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    keyword_other: str | None = None
    content_type_other: str | None = None
    territorial_scope: tuple[str, ...] = ()
    content_language: str | None = None
    end_dates: Mapping[str, date | None] = field(default_factory=dict)
    source_identity: str | None = None


def build(decision: Decision) -> dict[str, Any]:
    """The statement's JSON body, with conditional fields present only where the rules want them."""
    illegal = decision.ground == "illegal"
    body: dict[str, Any] = {
        "decision_visibility": list(decision.visibility) or None,
        "decision_monetary": decision.monetary,
        "decision_provision": decision.provision,
        "decision_account": decision.account,
        "account_type": decision.account_type,
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT" if illegal else "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "decision_ground_reference_url": decision.reference_url,
        "content_type": list(decision.content_types),
        "category": decision.category,
        "category_addition": list(decision.category_additions),
        "category_specification": list(decision.keywords) or None,
        "territorial_scope": sorted(decision.territorial_scope) or None,
        "content_language": decision.content_language,
        "content_date": decision.content_date.isoformat(),
        "application_date": decision.application_date.isoformat(),
        "decision_facts": decision.facts,
        "source_type": {
            "article_16": "SOURCE_ARTICLE_16",
            "trusted_flagger": "SOURCE_TRUSTED_FLAGGER",
            "other_notification": "SOURCE_TYPE_OTHER_NOTIFICATION",
            "voluntary": "SOURCE_VOLUNTARY",
        }[decision.source],
        "automated_detection": "Yes" if decision.automated_detection else "No",
        "automated_decision": f"AUTOMATED_DECISION_{decision.automated_decision.upper()}",
        "puid": decision.puid,
    }
    if illegal:
        body["illegal_content_legal_ground"] = decision.legal_ground
        body["illegal_content_explanation"] = decision.explanation
    else:
        body["incompatible_content_ground"] = decision.terms_ground
        body["incompatible_content_explanation"] = decision.explanation
        if decision.also_illegal is not None:
            body["incompatible_content_illegal"] = "Yes" if decision.also_illegal else "No"
    if "DECISION_VISIBILITY_OTHER" in decision.visibility:
        body["decision_visibility_other"] = decision.visibility_other
    if decision.monetary == "DECISION_MONETARY_OTHER":
        body["decision_monetary_other"] = decision.monetary_other
    if "CONTENT_TYPE_OTHER" in decision.content_types:
        body["content_type_other"] = decision.content_type_other
    if decision.keyword_other:
        body["category_specification_other"] = decision.keyword_other
    if decision.source != "voluntary" and decision.source_identity:
        body["source_identity"] = decision.source_identity
    for kind, name in END_DATE_FIELDS.items():
        end = decision.end_dates.get(kind)
        if end is not None:
            body[name] = end.isoformat()
    return body


# --- validation, as the Transparency Database's StatementStoreRequest ---

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: Any, low: date, high: date) -> str | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return "must be a date as YYYY-MM-DD"
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return "is not a calendar date"
    if not low <= parsed <= high:
        return f"must be between {low.isoformat()} and {high.isoformat()}"
    return None


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "is required"
    if len(value) > limit:
        return f"must be at most {limit} characters"
    return None


def _one_of(value: Any, allowed: frozenset[str]) -> str | None:
    return None if value in allowed else f"must be one of the database's values, not {value!r}"


def _all_of(values: Any, allowed: frozenset[str], *, required: bool) -> str | None:
    if values is None or values == []:
        return "is required" if required else None
    if not isinstance(values, list):
        return "must be a list"
    bad = [v for v in values if v not in allowed]
    return f"has values the database does not know: {', '.join(map(str, bad))}" if bad else None


def validate(body: Mapping[str, Any]) -> dict[str, str]:
    """Problems by field name, the same the database would answer with a 422; empty when it would accept."""
    problems: dict[str, str] = {}

    def check(name: str, problem: str | None) -> None:
        if problem:
            problems[name] = problem

    def excluded(name: str, reason: str) -> None:
        if body.get(name) not in (None, "", []):
            problems[name] = f"must be absent {reason}"

    restrictions = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
    if all(body.get(name) in (None, []) for name in restrictions):
        problems["decision_visibility"] = (
            "at least one restriction (visibility, monetary, provision, account) is required"
        )
    check("decision_visibility", _all_of(body.get("decision_visibility"), VISIBILITY, required=False))
    if "DECISION_VISIBILITY_OTHER" in (body.get("decision_visibility") or []):
        check("decision_visibility_other", _text(body.get("decision_visibility_other"), 500))
    else:
        excluded("decision_visibility_other", "unless the visibility restriction is OTHER")
    for name, allowed in (
        ("decision_monetary", MONETARY),
        ("decision_provision", PROVISION),
        ("decision_account", ACCOUNT),
    ):
        if body.get(name) is not None:
            check(name, _one_of(body.get(name), allowed))
    if body.get("decision_monetary") == "DECISION_MONETARY_OTHER":
        check("decision_monetary_other", _text(body.get("decision_monetary_other"), 500))
    else:
        excluded("decision_monetary_other", "unless the monetary restriction is OTHER")
    if body.get("account_type") is not None:
        check("account_type", _one_of(body.get("account_type"), ACCOUNT_TYPES))

    ground = body.get("decision_ground")
    check("decision_ground", _one_of(ground, GROUNDS))
    url = body.get("decision_ground_reference_url")
    if url is not None and (not isinstance(url, str) or not re.match(r"^https?://\S+$", url) or len(url) > 500):
        problems["decision_ground_reference_url"] = "must be a URL of at most 500 characters"
    if ground == "DECISION_GROUND_ILLEGAL_CONTENT":
        check("illegal_content_legal_ground", _text(body.get("illegal_content_legal_ground"), 500))
        check("illegal_content_explanation", _text(body.get("illegal_content_explanation"), 2000))
        for name in ("incompatible_content_ground", "incompatible_content_explanation", "incompatible_content_illegal"):
            excluded(name, "when the ground is illegal content")
    elif ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT":
        check("incompatible_content_ground", _text(body.get("incompatible_content_ground"), 500))
        check("incompatible_content_explanation", _text(body.get("incompatible_content_explanation"), 2000))
        if body.get("incompatible_content_illegal") is not None:
            check("incompatible_content_illegal", _one_of(body.get("incompatible_content_illegal"), YES_NO))
        for name in ("illegal_content_legal_ground", "illegal_content_explanation"):
            excluded(name, "when the ground is incompatibility with the terms")

    check("content_type", _all_of(body.get("content_type"), CONTENT_TYPES, required=True))
    if "CONTENT_TYPE_OTHER" in (body.get("content_type") or []):
        check("content_type_other", _text(body.get("content_type_other"), 500))
    else:
        excluded("content_type_other", "unless the content type is OTHER")
    check("category", _one_of(body.get("category"), CATEGORIES))
    check("category_addition", _all_of(body.get("category_addition"), CATEGORIES, required=False))
    check("category_specification", _all_of(body.get("category_specification"), KEYWORDS, required=False))
    if body.get("category_specification_other") is not None:
        check("category_specification_other", _text(body.get("category_specification_other"), 500))
    check("territorial_scope", _all_of(body.get("territorial_scope"), TERRITORIES, required=False))
    if body.get("content_language") is not None:
        check("content_language", _one_of(body.get("content_language"), EU_LANGUAGES))

    check("content_date", _date(body.get("content_date"), date(2000, 1, 1), date(2038, 1, 1)))
    check("application_date", _date(body.get("application_date"), date(2020, 1, 1), date(2038, 1, 1)))
    for name in END_DATE_FIELDS.values():
        if body.get(name) is not None:
            check(name, _date(body.get(name), date(2000, 1, 1), date(2038, 1, 1)))

    check("decision_facts", _text(body.get("decision_facts"), 5000))
    check("source_type", _one_of(body.get("source_type"), SOURCES))
    if body.get("source_type") == "SOURCE_VOLUNTARY":
        excluded("source_identity", "for an own-initiative decision")
    elif body.get("source_identity") is not None:
        check("source_identity", _text(body.get("source_identity"), 500))
    check("automated_detection", _one_of(body.get("automated_detection"), YES_NO))
    check("automated_decision", _one_of(body.get("automated_decision"), AUTOMATED_DECISIONS))

    puid = body.get("puid")
    if not isinstance(puid, str) or not puid:
        problems["puid"] = "is required"
    elif len(puid) > 500 or not PUID.match(puid):
        problems["puid"] = "must be at most 500 characters of letters, digits, - and _"
    return problems


def validate_batch(bodies: list[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Problems keyed `statement_<index>`, as the database answers a batch (all-or-nothing)."""
    if not 1 <= len(bodies) <= BATCH_MAX:
        return {"statements": {"statements": f"a batch holds 1 to {BATCH_MAX} statements"}}
    problems = {f"statement_{i}": p for i, body in enumerate(bodies) if (p := validate(body))}
    seen: dict[str, int] = {}
    for i, body in enumerate(bodies):
        puid = body.get("puid")
        if isinstance(puid, str):
            if puid in seen:
                problems.setdefault(f"statement_{i}", {})["puid"] = f"repeats statement_{seen[puid]}'s puid"
            seen.setdefault(puid, i)
    return problems
