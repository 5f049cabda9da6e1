"""The moderation console's forms, and the words it shows for the Transparency Database's vocabulary.

The database's enum values (`DECISION_VISIBILITY_CONTENT_REMOVED`, `KEYWORD_CYBER_HARASSMENT`…) are the
values the forms post, so a decision reaches services.py in the database's own terms; the moderator reads
them in French or English. Forms check only shape (a date is a date, a choice is one of the choices); the
rules of a statement of reasons stay in statement_of_reasons.py, whose problems — keyed by the database's
field names — `FIELD_OF_PROBLEM` maps back to the field a moderator can fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from relais.moderation import statement_of_reasons as sor
from relais.moderation.models import AppealStatus, NoticeStatus, Outcome, Source
from relais.moderation.schemas import STATEMENT_FIELDS
from relais.moderation.services import DecisionInput

if TYPE_CHECKING:  # django-stubs is a development dependency only
    from django_stubs_ext import StrPromise

# --- labels for the database's enums (one per value; checked against statement_of_reasons.py) ---

VISIBILITY_LABELS: dict[str, Promise] = {
    "DECISION_VISIBILITY_CONTENT_REMOVED": _("Content removed"),
    "DECISION_VISIBILITY_CONTENT_DISABLED": _("Content disabled (access blocked)"),
    "DECISION_VISIBILITY_CONTENT_DEMOTED": _("Content demoted"),
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED": _("Content age-restricted"),
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED": _("Interactions with the content restricted"),
    "DECISION_VISIBILITY_CONTENT_LABELLED": _("Content labelled"),
    "DECISION_VISIBILITY_OTHER": _("Other visibility restriction"),
}
MONETARY_LABELS: dict[str, Promise] = {
    "DECISION_MONETARY_SUSPENSION": _("Monetary payments suspended"),
    "DECISION_MONETARY_TERMINATION": _("Monetary payments terminated"),
    "DECISION_MONETARY_OTHER": _("Other monetary restriction"),
}
PROVISION_LABELS: dict[str, Promise] = {
    "DECISION_PROVISION_PARTIAL_SUSPENSION": _("Service partly suspended"),
    "DECISION_PROVISION_TOTAL_SUSPENSION": _("Service entirely suspended"),
    "DECISION_PROVISION_PARTIAL_TERMINATION": _("Service partly terminated"),
    "DECISION_PROVISION_TOTAL_TERMINATION": _("Service entirely terminated"),
}
ACCOUNT_LABELS: dict[str, Promise] = {
    "DECISION_ACCOUNT_SUSPENDED": _("Account suspended"),
    "DECISION_ACCOUNT_TERMINATED": _("Account terminated"),
}
ACCOUNT_TYPE_LABELS: dict[str, Promise] = {
    "ACCOUNT_TYPE_PRIVATE": _("A private person's account"),
    "ACCOUNT_TYPE_BUSINESS": _("A business account"),
}
STATEMENT_CATEGORY_LABELS: dict[str, Promise] = {
    "STATEMENT_CATEGORY_CYBER_VIOLENCE": _("Cyber violence"),
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN": _("Cyber violence against women"),
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS": _("Protection of minors"),
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH": _("Illegal or harmful speech"),
    "STATEMENT_CATEGORY_SELF_HARM": _("Self-harm"),
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS": _("Data protection and privacy violations"),
    "STATEMENT_CATEGORY_VIOLENCE": _("Violence"),
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD": _("Scams and fraud"),
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY": _("Risk for public security"),
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS": _(
        "Negative effects on civic discourse or elections"
    ),
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS": _("Intellectual property infringements"),
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION": _("Consumer information infringements"),
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS": _("Unsafe and prohibited products"),
    "STATEMENT_CATEGORY_ANIMAL_WELFARE": _("Animal welfare"),
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC": _("Other violation of the terms"),
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE": _("Not specified in the notice"),
}
KEYWORD_LABELS: dict[str, Promise] = {
    # The ones a harassment helpline's notices need most, first.
    "KEYWORD_CYBER_HARASSMENT": _("Cyber harassment"),
    "KEYWORD_CYBER_BULLYING_INTIMIDATION": _("Cyber bullying and intimidation"),
    "KEYWORD_CYBER_STALKING": _("Cyber stalking"),
    "KEYWORD_CYBER_INCITEMENT": _("Cyber incitement"),
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING": _("Non-consensual image sharing"),
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE": _("Non-consensual deepfake material"),
    "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING": _("Impersonation or account hijacking"),
    "KEYWORD_HATE_SPEECH": _("Hate speech"),
    "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS": _("Grooming or sexual enticement of minors"),
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL": _("Child sexual abuse material"),
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE": _("Child sexual abuse material (deepfake)"),
    "KEYWORD_SUICIDE": _("Suicide"),
    "KEYWORD_SELF_MUTILATION": _("Self-mutilation"),
    "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS": _("Content promoting eating disorders"),
    "KEYWORD_UNSAFE_CHALLENGES": _("Unsafe challenges"),
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS": _("Age-specific restrictions concerning minors"),
    "KEYWORD_BULLYING_AGAINST_GIRLS": _("Bullying against girls"),
    "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN": _("Cyber harassment against women"),
    "KEYWORD_CYBER_STALKING_AGAINST_WOMEN": _("Cyber stalking against women"),
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN": _("Non-consensual image sharing against women"),
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN": _("Non-consensual deepfake material against women"),
    "KEYWORD_INCITEMENT_AGAINST_WOMEN": _("Incitement against women"),
    "KEYWORD_FEMALE_GENDERED_DISINFORMATION": _("Female-gendered disinformation"),
    "KEYWORD_STALKING": _("Stalking"),
    "KEYWORD_DEFAMATION": _("Defamation"),
    "KEYWORD_DISCRIMINATION": _("Discrimination"),
    "KEYWORD_INCITEMENT_VIOLENCE_HATRED": _("Incitement to violence or hatred"),
    "KEYWORD_COORDINATED_HARM": _("Coordinated harm"),
    "KEYWORD_HUMAN_EXPLOITATION": _("Human exploitation"),
    "KEYWORD_HUMAN_TRAFFICKING": _("Human trafficking"),
    "KEYWORD_TRAFFICKING_WOMEN_GIRLS": _("Trafficking in women and girls"),
    "KEYWORD_ADULT_SEXUAL_MATERIAL": _("Adult sexual material"),
    "KEYWORD_NUDITY": _("Nudity"),
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS": _("Age-specific restrictions"),
    "KEYWORD_BIOMETRIC_DATA_BREACH": _("Biometric data breach"),
    "KEYWORD_MISSING_PROCESSING_GROUND": _("Missing processing ground for data"),
    "KEYWORD_RIGHT_TO_BE_FORGOTTEN": _("Right to be forgotten"),
    "KEYWORD_DATA_FALSIFICATION": _("Data falsification"),
    "KEYWORD_INAUTHENTIC_ACCOUNTS": _("Inauthentic accounts"),
    "KEYWORD_INAUTHENTIC_LISTINGS": _("Inauthentic listings"),
    "KEYWORD_INAUTHENTIC_USER_REVIEWS": _("Inauthentic user reviews"),
    "KEYWORD_MISINFORMATION_DISINFORMATION": _("Misinformation or disinformation"),
    "KEYWORD_TERRORIST_CONTENT": _("Terrorist content"),
    "KEYWORD_ILLEGAL_ORGANIZATIONS": _("Illegal organisations"),
    "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE": _("Risk of environmental damage"),
    "KEYWORD_RISK_PUBLIC_HEALTH": _("Risk for public health"),
    "KEYWORD_PHISHING": _("Phishing"),
    "KEYWORD_PYRAMID_SCHEMES": _("Pyramid schemes"),
    "KEYWORD_HIDDEN_ADVERTISEMENT": _("Hidden advertisement"),
    "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS": _("Misleading information on consumer rights"),
    "KEYWORD_MISLEADING_INFO_GOODS_SERVICES": _("Misleading information on goods or services"),
    "KEYWORD_NONCOMPLIANCE_PRICING": _("Non-compliant pricing"),
    "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS": _("Insufficient information on traders"),
    "KEYWORD_GOODS_SERVICES_NOT_PERMITTED": _("Goods or services not permitted"),
    "KEYWORD_PROHIBITED_PRODUCTS": _("Prohibited products"),
    "KEYWORD_UNSAFE_PRODUCTS": _("Unsafe products"),
    "KEYWORD_GEOGRAPHICAL_REQUIREMENTS": _("Geographical requirements"),
    "KEYWORD_LANGUAGE_REQUIREMENTS": _("Language requirements"),
    "KEYWORD_COPYRIGHT_INFRINGEMENT": _("Copyright infringement"),
    "KEYWORD_TRADEMARK_INFRINGEMENT": _("Trademark infringement"),
    "KEYWORD_DESIGN_INFRINGEMENT": _("Design infringement"),
    "KEYWORD_PATENT_INFRINGEMENT": _("Patent infringement"),
    "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT": _("Geographic indications infringement"),
    "KEYWORD_TRADE_SECRET_INFRINGEMENT": _("Trade secret infringement"),
    "KEYWORD_ANIMAL_HARM": _("Animal harm"),
    "KEYWORD_UNLAWFUL_SALE_ANIMALS": _("Unlawful sale of animals"),
    "KEYWORD_VIOLATION_EU_LAW": _("Violation of EU law"),
    "KEYWORD_VIOLATION_NATIONAL_LAW": _("Violation of national law"),
    "KEYWORD_OTHER": _("Other (say which below)"),
}
CONTENT_TYPE_LABELS: dict[str, Promise] = {
    "CONTENT_TYPE_TEXT": _("Text"),
    "CONTENT_TYPE_IMAGE": _("Image"),
    "CONTENT_TYPE_VIDEO": _("Video"),
    "CONTENT_TYPE_AUDIO": _("Audio"),
    "CONTENT_TYPE_SYNTHETIC_MEDIA": _("Synthetic media (AI-generated)"),
    "CONTENT_TYPE_APP": _("App"),
    "CONTENT_TYPE_PRODUCT": _("Product"),
    "CONTENT_TYPE_OTHER": _("Other content type"),
}
TERRITORY_LABELS: dict[str, Promise] = {
    "AT": _("Austria"),
    "BE": _("Belgium"),
    "BG": _("Bulgaria"),
    "HR": _("Croatia"),
    "CY": _("Cyprus"),
    "CZ": _("Czechia"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "FI": _("Finland"),
    "FR": _("France"),
    "DE": _("Germany"),
    "GR": _("Greece"),
    "HU": _("Hungary"),
    "IS": _("Iceland"),
    "IE": _("Ireland"),
    "IT": _("Italy"),
    "LV": _("Latvia"),
    "LI": _("Liechtenstein"),
    "LT": _("Lithuania"),
    "LU": _("Luxembourg"),
    "MT": _("Malta"),
    "NL": _("Netherlands"),
    "NO": _("Norway"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "SK": _("Slovakia"),
    "SI": _("Slovenia"),
    "ES": _("Spain"),
    "SE": _("Sweden"),
}
LANGUAGE_LABELS: dict[str, Promise] = {
    "BG": _("Bulgarian"),
    "HR": _("Croatian"),
    "CS": _("Czech"),
    "DA": _("Danish"),
    "NL": _("Dutch"),
    "EN": _("English"),
    "ET": _("Estonian"),
    "FI": _("Finnish"),
    "FR": _("French"),
    "DE": _("German"),
    "EL": _("Greek"),
    "HU": _("Hungarian"),
    "GA": _("Irish"),
    "IT": _("Italian"),
    "LV": _("Latvian"),
    "LT": _("Lithuanian"),
    "MT": _("Maltese"),
    "PL": _("Polish"),
    "PT": _("Portuguese"),
    "RO": _("Romanian"),
    "SK": _("Slovak"),
    "SL": _("Slovenian"),
    "ES": _("Spanish"),
    "SV": _("Swedish"),
}
AUTOMATED_DECISION_LABELS: dict[str, Promise] = {
    "not_automated": _("Not automated: a person decided"),
    "partially": _("Partly automated"),
    "fully": _("Fully automated"),
}
for _labels, _values in (
    (VISIBILITY_LABELS, sor.VISIBILITY),
    (MONETARY_LABELS, sor.MONETARY),
    (PROVISION_LABELS, sor.PROVISION),
    (ACCOUNT_LABELS, sor.ACCOUNT),
    (ACCOUNT_TYPE_LABELS, sor.ACCOUNT_TYPES),
    (STATEMENT_CATEGORY_LABELS, sor.CATEGORIES),
    (KEYWORD_LABELS, sor.KEYWORDS),
    (CONTENT_TYPE_LABELS, sor.CONTENT_TYPES),
    (TERRITORY_LABELS, sor.TERRITORIES),
    (LANGUAGE_LABELS, sor.EU_LANGUAGES),
):
    assert set(_labels) == _values, set(_labels) ^ _values  # noqa: S101 - one vocabulary with the database

# --- labels for Relais's own moderation words ---

SOURCE_LABELS: dict[str, Promise] = {
    Source.ARTICLE_16: _("A user's report (Art. 16 notice)"),
    Source.TRUSTED_FLAGGER: _("Trusted flagger (Art. 22)"),
    Source.OTHER_NOTIFICATION: _("A helpline's notice"),
}
STATUS_LABELS: dict[str, Promise] = {
    NoticeStatus.OPEN: _("To decide"),
    NoticeStatus.CLAIMED: pgettext_lazy("notice status", "Claimed"),
    NoticeStatus.DECIDED: pgettext_lazy("notice status", "Decided"),
    NoticeStatus.SUSPENDED: _("Not processed: notifier suspended (Art. 23)"),
}
OUTCOME_LABELS: dict[str, Promise] = {
    Outcome.RESTRICTED: _("Restricted"),
    Outcome.NO_ACTION: _("No action"),
}
APPEAL_STATUS_LABELS: dict[str, Promise] = {
    AppealStatus.OPEN: _("Waiting for a decision"),
    AppealStatus.UPHELD: _("Decision upheld"),
    AppealStatus.REVERSED: _("Decision reversed"),
}
APPELLANT_LABELS: dict[str, Promise] = {
    "reporter": _("The reporter"),
    "affected_user": _("The user whose content it is"),
}
SLA_LABELS: dict[str, Promise] = {
    "immediate": _("immediate danger"),
    "trusted_flagger": _("trusted flagger"),
    "minor": _("minor"),
    "standard": _("standard"),
}
GROUND_LABELS: dict[str, Promise] = {
    "illegal": _("Illegal content"),
    "incompatible": _("Incompatible with the terms of service"),
}
ROLE_LABELS: dict[str, Promise] = {"moderator": _("Moderator"), "lead": _("Lead moderator")}

# --- the fields of a statement of reasons, as the form names them ---

END_DATE_FIELDS = {kind: f"end_{kind}" for kind in sor.END_DATE_FIELDS}
"""visibility → end_visibility…: the end date of each restriction family, next to its choice."""

FIELD_OF_PROBLEM: Mapping[str, str | None] = {
    # The API names the same DecisionInput fields (schemas.py); only the end dates are spelt differently.
    **{name: field for name, field in STATEMENT_FIELDS.items() if not field.startswith("end_dates.")},
    **{name: END_DATE_FIELDS[kind] for kind, name in sor.END_DATE_FIELDS.items()},
    # Set by Relais, not by the moderator: shown at the top of the form only.
    "content_date": None,
    "source_type": None,
    "source_identity": None,
    "puid": None,
    # services.ModerationError's own field names.
    "outcome": "outcome",
    "facts": "facts",
    "notice": None,
    "decision": None,
}


def problem_message(message: str) -> str:
    """The statement-of-reasons rules speak English; the commonest answers are said in the console's language."""
    if message == "is required":
        return gettext("The Transparency Database requires this field.")
    if message.startswith("at least one restriction"):
        return gettext("Choose at least one restriction: visibility, monetary, service or account.")
    return message


def _choices(labels: Mapping[str, Promise], empty: Promise | None = None) -> list[tuple[str, Any]]:
    options: list[tuple[str, Any]] = list(labels.items())
    return [("", empty), *options] if empty is not None else options


def _ticks(label: StrPromise, labels: Mapping[str, Promise]) -> forms.MultipleChoiceField:
    """Several values of one of the database's enums, as checkboxes (readable and tappable on a phone)."""
    return forms.MultipleChoiceField(
        label=label, required=False, choices=_choices(labels), widget=forms.CheckboxSelectMultiple
    )


def _other(label: StrPromise) -> forms.CharField:
    """The free text the database wants when OTHER is chosen."""
    return forms.CharField(label=label, required=False, max_length=500)


def _date_field(label: StrPromise) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class DecisionForm(forms.Form):
    """A decision on a notice, field for field the statement of reasons the database will receive."""

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Outcome.RESTRICTED, _("Restrict: the content or the account breaks the law or the terms")),
            (Outcome.NO_ACTION, _("No action: the content stays as it is")),
        ],
        widget=forms.RadioSelect,
    )
    visibility = _ticks(_("Visibility of the content"), VISIBILITY_LABELS)
    visibility_other = _other(_("Other visibility restriction: which one"))
    end_visibility = _date_field(_("Visibility restriction ends on"))
    monetary = forms.ChoiceField(
        label=_("Monetary restriction"),
        required=False,
        choices=_choices(MONETARY_LABELS, _("None")),
    )
    monetary_other = _other(_("Other monetary restriction: which one"))
    end_monetary = _date_field(_("Monetary restriction ends on"))
    provision = forms.ChoiceField(
        label=_("Restriction of the service"), required=False, choices=_choices(PROVISION_LABELS, _("None"))
    )
    end_provision = _date_field(_("Service restriction ends on"))
    account = forms.ChoiceField(
        label=_("Restriction of the account"), required=False, choices=_choices(ACCOUNT_LABELS, _("None"))
    )
    end_account = _date_field(_("Account restriction ends on"))
    account_type = forms.ChoiceField(
        label=_("Type of account"), required=False, choices=_choices(ACCOUNT_TYPE_LABELS, _("Not said"))
    )
    ground = forms.ChoiceField(
        label=_("Ground"),
        required=False,  # only a restriction needs one (the statement's rules say so, next to the field)
        choices=list(GROUND_LABELS.items()),
        widget=forms.RadioSelect,
        initial="incompatible",
    )
    legal_ground = forms.CharField(
        label=_("Legal ground"),
        required=False,
        max_length=500,
        help_text=_("For illegal content: the law, for example Code pénal art. 222-33-2-2."),
    )
    terms_ground = forms.CharField(
        label=_("Terms of service clause"),
        required=False,
        max_length=500,
        help_text=_("For content incompatible with the terms: the clause, for example Community guidelines §4.2."),
    )
    also_illegal = forms.ChoiceField(
        label=_("Is the content also illegal?"),
        required=False,
        choices=[("", _("Not assessed")), ("yes", _("Yes")), ("no", _("No"))],
    )
    explanation = forms.CharField(
        label=_("Why the content is illegal or against the terms"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reference_url = forms.URLField(
        label=_("Link to the law or the clause"), required=False, max_length=500, assume_scheme="https"
    )
    facts = forms.CharField(
        label=_("Facts and circumstances"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Published in the EU Transparency Database. Describe the content and the circumstances without any "
            "personal data: no name, username, pseudonym, age, school or place that could identify someone."
        ),
    )
    category = forms.ChoiceField(label=_("Category"), choices=_choices(STATEMENT_CATEGORY_LABELS))
    category_additions = _ticks(_("Other categories"), STATEMENT_CATEGORY_LABELS)
    keywords = _ticks(_("Keywords"), KEYWORD_LABELS)
    keyword_other = _other(_("Other keyword: which one"))
    territory_all = forms.BooleanField(
        label=_("The whole EU and EEA (all 30 countries)"),
        required=False,
        help_text=_("Ticks every country below."),
    )
    territorial_scope = _ticks(_("Countries where the restriction applies"), TERRITORY_LABELS)
    content_types = _ticks(_("Type of content"), CONTENT_TYPE_LABELS)
    content_type_other = _other(_("Other content type: which one"))
    content_language = forms.ChoiceField(
        label=_("Language of the content"), required=False, choices=_choices(LANGUAGE_LABELS, _("Not said"))
    )
    automated_detection = forms.BooleanField(label=_("The content was detected by automated means"), required=False)
    automated_decision = forms.ChoiceField(
        label=_("How the decision was taken"),
        choices=list(AUTOMATED_DECISION_LABELS.items()),
        initial="not_automated",
    )
    application_date = _date_field(_("Restriction applied on"))
    manifestly_unfounded = forms.BooleanField(
        label=_("The notice is manifestly unfounded"),
        required=False,
        help_text=_(
            "Only with no action. Counts towards the notifier's track record: repeated manifestly unfounded "
            "notices lead to a warning, then a suspension (DSA Art. 23)."
        ),
    )
    summary = forms.CharField(
        label=_("What the notifier is told"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Shown as written, in the language you write it in. Left empty, Relais writes it from the decision, "
            "in plain words and in each reader's language (French or English)."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("territory_all"):
            data["territorial_scope"] = sorted(sor.TERRITORIES)
        family_chosen = {
            "visibility": bool(data.get("visibility")),
            "monetary": bool(data.get("monetary")),
            "provision": bool(data.get("provision")),
            "account": bool(data.get("account")),
        }
        start = data.get("application_date")
        for kind, name in END_DATE_FIELDS.items():
            end = data.get(name)
            if end is None:
                continue
            if not family_chosen[kind]:
                self.add_error(name, _("Choose this restriction first, or leave its end date empty."))
            elif start is not None and end < start:
                self.add_error(name, _("The end date is before the date the restriction is applied."))
        if data.get("manifestly_unfounded") and data.get("outcome") == Outcome.RESTRICTED:
            self.add_error(
                "manifestly_unfounded", _("A notice that led to a restriction cannot be manifestly unfounded.")
            )
        return data

    def to_input(self) -> DecisionInput:
        """The decision in the database's terms, for services.decide (which validates the statement)."""
        data = self.cleaned_data
        also = data.get("also_illegal") or ""
        end_dates: dict[str, date | None] = {kind: data.get(name) for kind, name in END_DATE_FIELDS.items()}
        return DecisionInput(
            outcome=data["outcome"],
            facts=data.get("facts", ""),
            ground=data.get("ground") or "incompatible",
            legal_ground=data.get("legal_ground", ""),
            terms_ground=data.get("terms_ground", ""),
            explanation=data.get("explanation", ""),
            category=data.get("category", ""),
            category_additions=tuple(data.get("category_additions") or ()),
            keywords=tuple(data.get("keywords") or ()),
            keyword_other=data.get("keyword_other", ""),
            visibility=tuple(data.get("visibility") or ()),
            visibility_other=data.get("visibility_other", ""),
            monetary=data.get("monetary", ""),
            monetary_other=data.get("monetary_other", ""),
            provision=data.get("provision", ""),
            account=data.get("account", ""),
            account_type=data.get("account_type", ""),
            content_types=tuple(data.get("content_types") or ()),
            content_type_other=data.get("content_type_other", ""),
            territorial_scope=tuple(data.get("territorial_scope") or ()),
            content_language=data.get("content_language", ""),
            also_illegal=None if not also else also == "yes",
            reference_url=data.get("reference_url", ""),
            automated_detection=bool(data.get("automated_detection")),
            automated_decision=data.get("automated_decision") or "not_automated",
            application_date=data.get("application_date"),
            end_dates={kind: end for kind, end in end_dates.items() if end is not None},
            manifestly_unfounded=bool(data.get("manifestly_unfounded")),
            summary=data.get("summary", ""),
        )

    def add_refusal(self, problems: Mapping[str, str]) -> None:
        """Put each of the database's problems next to the field that causes it (or at the top)."""
        for name, message in problems.items():
            field = FIELD_OF_PROBLEM.get(name)
            if field is not None and field in self.fields:
                self.add_error(field, problem_message(message))
            else:
                self.add_error(None, f"{name}: {problem_message(message)}")


class AppealDecisionForm(forms.Form):
    """Uphold or reverse; a reversal to a restriction also needs the restriction (a DecisionForm beside it)."""

    reverse = forms.TypedChoiceField(
        label=_("Decision on the appeal"),
        choices=[("uphold", _("Uphold the decision")), ("reverse", _("Reverse the decision"))],
        coerce=lambda value: value == "reverse",
        widget=forms.RadioSelect,
    )
    explanation = forms.CharField(
        label=_("Explanation for the appellant"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The appellant is told this. Write it without any personal data."),
    )
