"""A decision in plain words, for the person who reported: what the platform did, why, and until when to appeal.

The Transparency Database's vocabulary (`DECISION_VISIBILITY_CONTENT_REMOVED`, `KEYWORD_CYBER_HARASSMENT`…)
is for moderators and regulators. The reporter — often a child — is told « Le message a été retiré : il
enfreint la règle 4.2 (harcèlement). Tu peux contester jusqu'au 2 juin 2027. » This module writes that text
from a decision's facts, in French or English, at the moment it is read, so it is never frozen in the
language of whoever decided (ADR 0021).

French says « tu »: most reporters Relais serves are teenagers, and the helplines that talk to them (the
3018, e-Enfance) say « tu » too; « vous » from a platform reads as a form letter from an administration.
English "you" needs no choice.

Every value of the database's enums that can reach a reporter has a phrase here in both languages, and the
tests enumerate them; the moderator's own free texts (the law cited, the terms clause, an "other"
restriction) are quoted as written, since nobody can translate them for us.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

Language = Literal["fr", "en"]


def reader_language(tag: str) -> Language:
    """The language a summary is written in for a reader whose BCP 47 tag is `tag`: `fr`, `fr-BE`, `FR_ca` →
    French; anything else (German, Arabic, an empty tag) → English.

    English is the fallback although the consoles fall back to French (their `LANGUAGE_CODE`): a summary
    leaves Relais for platforms everywhere in the EU, whose reporters read English far more often than French
    as a second language, and whose developers can machine-translate it. The fallback is therefore visible
    elsewhere, on purpose: the API and the webhooks send `summary_language` next to `summary`, so a platform
    serving Italian knows it received English and can translate it, or its moderators can write their own.
    """
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return "fr" if primary == "fr" else "en"


# --- the facts ---


@dataclass(frozen=True)
class DecisionFacts:
    """What was decided, in the database's values (statement_of_reasons.py), plus what the reporter needs.

    `content_kind` is the kind of the reported items (`message`, `post`… as the report sent them; `other`
    when they differ or are gone), `content_count` how many the notice was about. `appeal_deadline` is
    aware; it is shown as a date in `zone`, the platform's, where the appeal period ends at midnight.
    `on_appeal`: this decision replaced another one after an appeal.
    """

    outcome: Literal["restricted", "no_action"]
    appeal_deadline: datetime
    zone: ZoneInfo
    content_kind: str = "other"
    content_count: int = 1
    visibility: tuple[str, ...] = ()
    visibility_other: str = ""
    monetary: str = ""
    monetary_other: str = ""
    provision: str = ""
    account: str = ""
    end_dates: Mapping[str, date] = field(default_factory=dict)
    ground: Literal["illegal", "incompatible", ""] = ""
    legal_ground: str = ""
    terms_ground: str = ""
    category: str = ""
    keywords: tuple[str, ...] = ()
    manifestly_unfounded: bool = False
    on_appeal: bool = False

    @classmethod
    def from_statement(cls, statement: Mapping[str, Any] | None, **facts: Any) -> DecisionFacts:
        """From a stored statement of reasons (`sor.build`'s body) and the facts no statement holds."""
        if not statement:
            return cls(**facts)
        ends = {
            kind: date.fromisoformat(statement[name])
            for kind, name in END_DATE_FIELDS.items()
            if isinstance(statement.get(name), str)
        }
        illegal = statement.get("decision_ground") == "DECISION_GROUND_ILLEGAL_CONTENT"
        return cls(
            visibility=tuple(statement.get("decision_visibility") or ()),
            visibility_other=statement.get("decision_visibility_other") or "",
            monetary=statement.get("decision_monetary") or "",
            monetary_other=statement.get("decision_monetary_other") or "",
            provision=statement.get("decision_provision") or "",
            account=statement.get("decision_account") or "",
            end_dates=ends,
            ground="illegal" if illegal else "incompatible",
            legal_ground=statement.get("illegal_content_legal_ground") or "",
            terms_ground=statement.get("incompatible_content_ground") or "",
            category=statement.get("category") or "",
            keywords=tuple(statement.get("category_specification") or ()),
            **facts,
        )


@dataclass(frozen=True)
class AppealFacts:
    """A decided appeal: who appealed, what came of it, and the decision in force now (the first one if
    upheld, its replacement if reversed)."""

    appellant: Literal["reporter", "affected_user"]
    status: Literal["upheld", "reversed"]
    in_force: DecisionFacts
    as_written: str = ""
    """The moderator's own words for the decision in force, if they wrote some: said instead of ours."""


END_DATE_FIELDS = {
    "visibility": "end_date_visibility_restriction",
    "monetary": "end_date_monetary_restriction",
    "provision": "end_date_service_restriction",
    "account": "end_date_account_restriction",
}
"""The statement's end-date field of each restriction family (as statement_of_reasons.END_DATE_FIELDS)."""

# --- words ---

MONTHS = {
    "fr": (
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()  # noqa: SIM905
    ),
    "en": "January February March April May June July August September October November December".split(),  # noqa: SIM905
}


def day(value: date, language: Language) -> str:
    """« 2 juin 2027 », « 1er janvier 2027 », "2 June 2027": how a date is written in a letter."""
    number = "1er" if language == "fr" and value.day == 1 else str(value.day)
    return f"{number} {MONTHS[language][value.month - 1]} {value.year}"


def until(value: date, language: Language) -> str:
    return f"jusqu'au {day(value, language)}" if language == "fr" else f"until {day(value, language)}"


@dataclass(frozen=True)
class Noun:
    """A kind of reported item: how it is named (one, several), its gender, and what its author did."""

    fr_one: str
    fr_many: str
    feminine: bool
    fr_done: str
    en_one: str
    en_many: str
    en_done: str


NOUNS: Mapping[str, Noun] = {
    "message": Noun("le message", "les messages", False, "envoyé", "the message", "the messages", "sent"),
    "post": Noun("la publication", "les publications", True, "publié", "the post", "the posts", "posted"),
    "comment": Noun("le commentaire", "les commentaires", False, "écrit", "the comment", "the comments", "wrote"),
    "profile": Noun("le profil", "les profils", False, "créé", "the profile", "the profiles", "created"),
    "image": Noun("l'image", "les images", True, "publié", "the picture", "the pictures", "posted"),
    "video": Noun("la vidéo", "les vidéos", True, "publié", "the video", "the videos", "posted"),
    "live": Noun(
        "la vidéo en direct", "les vidéos en direct", True, "diffusé", "the live video", "the live videos", "streamed"
    ),
    "other": Noun("le contenu", "les contenus", False, "publié", "the content", "the items", "posted"),
}
"""Every `kind` a report's item can have (reports.models.CONTENT_KINDS), and `other` for a mix."""


@dataclass(frozen=True)
class Grammar:
    """The words that agree with the reported items: « retirée », « sont », "were", "them"…"""

    language: Language
    noun: Noun
    many: bool

    @property
    def items(self) -> str:
        n = self.noun
        if self.language == "fr":
            return n.fr_many if self.many else n.fr_one
        return n.en_many if self.many else n.en_one

    def words(self) -> dict[str, str]:
        many, fem = self.many, self.noun.feminine
        if self.language == "fr":
            return {
                "a": "ont" if many else "a",
                "est": "sont" if many else "est",
                "peut": "peuvent" if many else "peut",
                "porte": "portent" if many else "porte",
                "reste": "restent" if many else "reste",
                "enfreint": "enfreignent" if many else "enfreint",
                "e": ("e" if fem else "") + ("s" if many else ""),
                "x": "s" if many else "",
                "le": "les" if many else ("la" if fem else "le"),
                "il": ("elles" if fem else "ils") if many else ("elle" if fem else "il"),
            }
        return {
            "was": "were" if many else "was",
            "is": "are" if many else "is",
            "has": "have" if many else "has",
            "stays": "stay" if many else "stays",
            "breaks": "break" if many else "breaks",
            "it": "them" if many else "it",
            "il": "they" if many else "it",
        }

    def account(self, *, named: bool) -> str:
        """The account the items came from: « le compte qui l'a envoyé » after the items were named, « le compte
        qui a envoyé le message » when they were not."""
        n = self.noun
        if self.language == "fr":
            if named:
                agreement = ("e" if n.feminine else "") + ("s" if self.many else "")
                pronoun = "les a" if self.many else "l'a"
                return f"le compte qui {pronoun} {n.fr_done}{agreement}"
            return f"le compte qui a {n.fr_done} {self.items}"
        return (
            f"the account that {n.en_done} {'them' if self.many else 'it'}"
            if named
            else (f"the account that {n.en_done} {self.items}")
        )

    def author(self) -> str:
        """The person the items came from, for an appeal of theirs."""
        if self.language == "fr":
            return f"la personne qui a {self.noun.fr_done} {self.items}"
        return f"the person who {self.noun.en_done} {self.items}"


Phrase = tuple[str, str | None]
"""(without an end date, with one — `{until}` — or None where an end date means nothing, as for a removal)."""

VISIBILITY_WORDS: Mapping[str, Mapping[Language, Phrase]] = {
    "DECISION_VISIBILITY_CONTENT_REMOVED": {
        "fr": ("{S} {a} été retiré{e}", None),
        "en": ("{S} {was} removed", None),
    },
    "DECISION_VISIBILITY_CONTENT_DISABLED": {
        "fr": ("{S} {a} été rendu{e} invisible{x} pour tout le monde", "{S} {a} été rendu{e} invisible{x} {until}"),
        "en": ("{S} {was} hidden from everyone", "{S} {was} hidden from everyone {until}"),
    },
    "DECISION_VISIBILITY_CONTENT_DEMOTED": {
        "fr": ("{S} {est} maintenant montré{e} à moins de monde", "{S} {est} montré{e} à moins de monde {until}"),
        "en": ("{S} {is} now shown to fewer people", "{S} {is} shown to fewer people {until}"),
    },
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED": {
        "fr": ("{S} {est} maintenant caché{e} aux plus jeunes", "{S} {est} caché{e} aux plus jeunes {until}"),
        "en": ("{S} {is} now hidden from younger users", "{S} {is} hidden from younger users {until}"),
    },
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED": {
        "fr": (
            "{S} ne {peut} plus être partagé{e} ni recevoir de réponses",
            "{S} ne {peut} pas être partagé{e} ni recevoir de réponses {until}",
        ),
        "en": ("{S} can no longer be shared or replied to", "{S} can't be shared or replied to {until}"),
    },
    "DECISION_VISIBILITY_CONTENT_LABELLED": {
        "fr": ("{S} {porte} maintenant un avertissement", "{S} {porte} un avertissement {until}"),
        "en": ("{S} now {has} a warning label", "{S} {has} a warning label {until}"),
    },
    "DECISION_VISIBILITY_OTHER": {
        "fr": ("{S} {a} été limité{e}", "{S} {a} été limité{e} {until}"),
        "en": ("{S} {was} restricted", "{S} {was} restricted {until}"),
    },
}
ACCOUNT_WORDS: Mapping[str, Mapping[Language, Phrase]] = {
    "DECISION_ACCOUNT_SUSPENDED": {
        "fr": ("{A} a été suspendu", "{A} a été suspendu {until}"),
        "en": ("{A} was suspended", "{A} was suspended {until}"),
    },
    "DECISION_ACCOUNT_TERMINATED": {
        "fr": ("{A} a été fermé définitivement", None),
        "en": ("{A} was closed for good", None),
    },
}
MONETARY_WORDS: Mapping[str, Mapping[Language, Phrase]] = {
    "DECISION_MONETARY_SUSPENSION": {
        "fr": (
            "{A} ne peut plus gagner d'argent sur la plateforme pour l'instant",
            "{A} ne peut pas gagner d'argent sur la plateforme {until}",
        ),
        "en": ("{A} can't earn money on the platform for now", "{A} can't earn money on the platform {until}"),
    },
    "DECISION_MONETARY_TERMINATION": {
        "fr": ("{A} ne peut plus gagner d'argent sur la plateforme, définitivement", None),
        "en": ("{A} can no longer earn money on the platform", None),
    },
    "DECISION_MONETARY_OTHER": {
        "fr": ("{A} a vu ses gains sur la plateforme limités", "{A} a vu ses gains sur la plateforme limités {until}"),
        "en": ("{A} had its earnings on the platform limited", "{A} had its earnings on the platform limited {until}"),
    },
}
PROVISION_WORDS: Mapping[str, Mapping[Language, Phrase]] = {
    "DECISION_PROVISION_PARTIAL_SUSPENSION": {
        "fr": (
            "{A} ne peut plus utiliser certaines fonctions de la plateforme pour l'instant",
            "{A} ne peut pas utiliser certaines fonctions de la plateforme {until}",
        ),
        "en": ("{A} can't use some of the platform's features for now", "{A} can't use some of its features {until}"),
    },
    "DECISION_PROVISION_TOTAL_SUSPENSION": {
        "fr": (
            "{A} ne peut plus du tout utiliser la plateforme pour l'instant",
            "{A} ne peut pas du tout utiliser la plateforme {until}",
        ),
        "en": ("{A} can't use the platform at all for now", "{A} can't use the platform at all {until}"),
    },
    "DECISION_PROVISION_PARTIAL_TERMINATION": {
        "fr": ("{A} a perdu pour de bon l'accès à certaines fonctions de la plateforme", None),
        "en": ("{A} lost some of the platform's features for good", None),
    },
    "DECISION_PROVISION_TOTAL_TERMINATION": {
        "fr": ("{A} ne peut plus utiliser la plateforme, définitivement", None),
        "en": ("{A} can no longer use the platform at all", None),
    },
}

# What the content was, in a reporter's words: the first keyword the moderator chose, else the category.
# KEYWORD_OTHER, STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE and STATEMENT_CATEGORY_OTHER_VIOLATION_TC say
# nothing a reporter could use: they are left out, and the sentence simply names no harm.
UNNAMED = frozenset(
    {"KEYWORD_OTHER", "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"}
)
HARMS: Mapping[str, tuple[str, str]] = {
    # (French, English), lower case: they go in brackets mid-sentence.
    "STATEMENT_CATEGORY_ANIMAL_WELFARE": ("maltraitance animale", "cruelty to animals"),
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION": ("tromperie des consommateurs", "misleading buyers"),
    "STATEMENT_CATEGORY_CYBER_VIOLENCE": ("violence en ligne", "online abuse"),
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN": (
        "violence en ligne contre les femmes",
        "online abuse against women",
    ),
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS": ("atteinte à la vie privée", "privacy breach"),
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH": ("propos haineux ou dangereux", "hateful or harmful speech"),
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS": ("copie illégale", "illegal copying"),
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS": (
        "manipulation du débat public ou des élections",
        "manipulating public debate or elections",
    ),
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS": ("danger pour les mineurs", "danger to children"),
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY": ("danger pour la sécurité publique", "danger to public safety"),
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD": ("arnaque", "scam"),
    "STATEMENT_CATEGORY_SELF_HARM": ("incitation à se faire du mal", "encouraging self-harm"),
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS": ("produit dangereux ou interdit", "unsafe or banned product"),
    "STATEMENT_CATEGORY_VIOLENCE": ("violence", "violence"),
    "KEYWORD_ADULT_SEXUAL_MATERIAL": ("contenu sexuel pour adultes", "adult sexual content"),
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS": ("contenu interdit à certains âges", "content not allowed at some ages"),
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS": ("contenu interdit aux mineurs", "content not allowed for children"),
    "KEYWORD_ANIMAL_HARM": ("maltraitance animale", "cruelty to animals"),
    "KEYWORD_BIOMETRIC_DATA_BREACH": ("utilisation de données biométriques", "misuse of biometric data"),
    "KEYWORD_BULLYING_AGAINST_GIRLS": ("harcèlement contre les filles", "bullying against girls"),
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL": ("abus sexuel sur mineur", "child sexual abuse"),
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE": (
        "image truquée d'abus sexuel sur mineur",
        "fake image of child sexual abuse",
    ),
    "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS": (
        "incitation aux troubles alimentaires",
        "encouraging eating disorders",
    ),
    "KEYWORD_COORDINATED_HARM": ("attaque en groupe", "group attack"),
    "KEYWORD_COPYRIGHT_INFRINGEMENT": ("copie d'une œuvre sans droit", "copyright breach"),
    "KEYWORD_CYBER_BULLYING_INTIMIDATION": ("harcèlement et intimidation", "bullying and intimidation"),
    "KEYWORD_CYBER_HARASSMENT": ("harcèlement", "harassment"),
    "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN": ("harcèlement contre les femmes", "harassment of women"),
    "KEYWORD_CYBER_INCITEMENT": ("appel à harceler", "urging others to harass"),
    "KEYWORD_CYBER_STALKING": ("traque en ligne", "online stalking"),
    "KEYWORD_CYBER_STALKING_AGAINST_WOMEN": ("traque en ligne contre les femmes", "online stalking of women"),
    "KEYWORD_DATA_FALSIFICATION": ("fausses données", "faked data"),
    "KEYWORD_DEFAMATION": ("diffamation", "defamation"),
    "KEYWORD_DESIGN_INFRINGEMENT": ("copie d'un modèle protégé", "copying a protected design"),
    "KEYWORD_DISCRIMINATION": ("discrimination", "discrimination"),
    "KEYWORD_FEMALE_GENDERED_DISINFORMATION": (
        "fausses informations visant les femmes",
        "false information targeting women",
    ),
    "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT": ("fausse appellation d'origine", "false label of origin"),
    "KEYWORD_GEOGRAPHICAL_REQUIREMENTS": ("règle locale non respectée", "local rule not followed"),
    "KEYWORD_GOODS_SERVICES_NOT_PERMITTED": ("vente non autorisée", "sale not allowed"),
    "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS": (
        "manipulation d'un mineur à des fins sexuelles",
        "grooming a child",
    ),
    "KEYWORD_HATE_SPEECH": ("propos haineux", "hate speech"),
    "KEYWORD_HIDDEN_ADVERTISEMENT": ("publicité cachée", "hidden advertising"),
    "KEYWORD_HUMAN_EXPLOITATION": ("exploitation de personnes", "exploiting people"),
    "KEYWORD_HUMAN_TRAFFICKING": ("traite d'êtres humains", "human trafficking"),
    "KEYWORD_ILLEGAL_ORGANIZATIONS": ("organisation interdite", "banned organisation"),
    "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING": (
        "usurpation d'identité ou vol de compte",
        "pretending to be someone or stealing an account",
    ),
    "KEYWORD_INAUTHENTIC_ACCOUNTS": ("faux compte", "fake account"),
    "KEYWORD_INAUTHENTIC_LISTINGS": ("fausse annonce", "fake listing"),
    "KEYWORD_INAUTHENTIC_USER_REVIEWS": ("faux avis", "fake reviews"),
    "KEYWORD_INCITEMENT_AGAINST_WOMEN": ("appel à la haine contre les femmes", "stirring up hatred of women"),
    "KEYWORD_INCITEMENT_VIOLENCE_HATRED": ("appel à la violence ou à la haine", "stirring up violence or hatred"),
    "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS": ("vendeur mal identifié", "seller not properly identified"),
    "KEYWORD_LANGUAGE_REQUIREMENTS": ("règle de langue non respectée", "language rule not followed"),
    "KEYWORD_MISINFORMATION_DISINFORMATION": ("fausses informations", "false information"),
    "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS": (
        "tromperie sur les droits des acheteurs",
        "misleading buyers about their rights",
    ),
    "KEYWORD_MISLEADING_INFO_GOODS_SERVICES": ("tromperie sur un produit", "misleading about a product"),
    "KEYWORD_MISSING_PROCESSING_GROUND": (
        "utilisation de données personnelles sans droit",
        "using personal data without the right to",
    ),
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING": (
        "image intime partagée sans accord",
        "intimate image shared without consent",
    ),
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN": (
        "image intime d'une femme partagée sans accord",
        "intimate image of a woman shared without consent",
    ),
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE": ("image intime truquée", "faked intimate image"),
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN": (
        "image intime truquée d'une femme",
        "faked intimate image of a woman",
    ),
    "KEYWORD_NONCOMPLIANCE_PRICING": ("prix trompeur", "misleading price"),
    "KEYWORD_NUDITY": ("nudité", "nudity"),
    "KEYWORD_PATENT_INFRINGEMENT": ("copie d'une invention brevetée", "copying a patented invention"),
    "KEYWORD_PHISHING": ("hameçonnage", "phishing"),
    "KEYWORD_PROHIBITED_PRODUCTS": ("produit interdit", "banned product"),
    "KEYWORD_PYRAMID_SCHEMES": ("vente pyramidale", "pyramid scheme"),
    "KEYWORD_RIGHT_TO_BE_FORGOTTEN": ("droit à l'oubli", "right to be forgotten"),
    "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE": ("danger pour l'environnement", "danger to the environment"),
    "KEYWORD_RISK_PUBLIC_HEALTH": ("danger pour la santé publique", "danger to public health"),
    "KEYWORD_SELF_MUTILATION": ("incitation à se blesser", "encouraging self-injury"),
    "KEYWORD_STALKING": ("traque", "stalking"),
    "KEYWORD_SUICIDE": ("incitation au suicide", "encouraging suicide"),
    "KEYWORD_TERRORIST_CONTENT": ("terrorisme", "terrorism"),
    "KEYWORD_TRADE_SECRET_INFRINGEMENT": ("secret d'affaires divulgué", "trade secret leaked"),
    "KEYWORD_TRADEMARK_INFRINGEMENT": ("copie d'une marque", "copying a brand"),
    "KEYWORD_TRAFFICKING_WOMEN_GIRLS": ("traite des femmes et des filles", "trafficking of women and girls"),
    "KEYWORD_UNLAWFUL_SALE_ANIMALS": ("vente illégale d'animaux", "illegal sale of animals"),
    "KEYWORD_UNSAFE_CHALLENGES": ("défi dangereux", "dangerous challenge"),
    "KEYWORD_UNSAFE_PRODUCTS": ("produit dangereux", "unsafe product"),
    "KEYWORD_VIOLATION_EU_LAW": ("infraction au droit européen", "breaking EU law"),
    "KEYWORD_VIOLATION_NATIONAL_LAW": ("infraction à la loi", "breaking the law"),
}

_CLAUSE = re.compile(
    r"^(?:(?:rules?|r[èe]gles?|sections?|articles?|art\.?|clauses?|§)\s*)?(?P<n>\d+(?:[.\-]\d+)*[a-z]?)\.?$",
    re.IGNORECASE,
)
_QUOTE_MAX = 160


def _quoted(text: str) -> str:
    """A moderator's text, on one line and not endless (the whole of it is in the statement of reasons)."""
    flat = " ".join(text.split())
    if len(flat) <= _QUOTE_MAX:
        return flat
    return flat[: _QUOTE_MAX - 1].rsplit(" ", 1)[0] + "…"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "…")) else ".")


def _harm(facts: DecisionFacts, language: Language) -> str | None:
    for value in (*facts.keywords, facts.category):
        if value and value not in UNNAMED and value in HARMS:
            return HARMS[value][0 if language == "fr" else 1]
    return None


def _phrase(words: Mapping[Language, Phrase], language: Language, end: date | None) -> str:
    without, with_end = words[language]
    if end is None or with_end is None:
        return without
    return with_end.replace("{until}", until(end, language))


def _content_clauses(facts: DecisionFacts, grammar: Grammar) -> list[str]:
    """What happened to the reported items, the first clause naming them, the next ones saying « il »/"it"."""
    order = [v for v in VISIBILITY_WORDS if v in facts.visibility]
    clauses = []
    for i, value in enumerate(order):
        words = {**grammar.words(), "S": grammar.items if i == 0 else grammar.words()["il"]}
        text = _phrase(VISIBILITY_WORDS[value], grammar.language, facts.end_dates.get("visibility"))
        if value == "DECISION_VISIBILITY_OTHER" and facts.visibility_other.strip():
            text += f" ({_quoted(facts.visibility_other)})"
        clauses.append(_fill(text, words))
    return clauses


def _account_clauses(facts: DecisionFacts, grammar: Grammar, *, named: bool) -> list[str]:
    """What happened to the account the items came from (account, money, service), the first clause naming it."""
    chosen: list[tuple[Mapping[Language, Phrase], date | None, str]] = []
    if facts.account in ACCOUNT_WORDS:
        chosen.append((ACCOUNT_WORDS[facts.account], facts.end_dates.get("account"), ""))
    if facts.provision in PROVISION_WORDS:
        chosen.append((PROVISION_WORDS[facts.provision], facts.end_dates.get("provision"), ""))
    if facts.monetary in MONETARY_WORDS:
        other = facts.monetary_other if facts.monetary == "DECISION_MONETARY_OTHER" else ""
        chosen.append((MONETARY_WORDS[facts.monetary], facts.end_dates.get("monetary"), other))
    clauses = []
    for i, (words, end, other) in enumerate(chosen):
        subject = grammar.account(named=named) if i == 0 else ("il" if grammar.language == "fr" else "it")
        text = _phrase(words, grammar.language, end).replace("{A}", subject)
        clauses.append(text + (f" ({_quoted(other)})" if other.strip() else ""))
    return clauses


def _fill(template: str, words: Mapping[str, str]) -> str:
    for key, value in words.items():
        template = template.replace("{" + key + "}", value)
    return template


def _join(clauses: list[str], language: Language) -> str:
    glue = " et " if language == "fr" else " and "
    if len(clauses) <= 2:
        return glue.join(clauses)
    return ", ".join(clauses[:-1]) + glue + clauses[-1]


def _ground(facts: DecisionFacts, grammar: Grammar, subject: str) -> tuple[str, str | None]:
    """Why: « il enfreint la règle 4.2 (harcèlement) », and the text cited when it is not a clause number."""
    fr = grammar.language == "fr"
    words = {**grammar.words(), "G": subject}
    reference: str | None = None
    if facts.ground == "illegal":
        text = "{G} {est} contraire{x} à la loi" if fr else "{G} {is} against the law"
        if facts.legal_ground.strip():
            label = "Texte appliqué : " if fr else "Law applied: "
            reference = label + _quoted(facts.legal_ground)
    else:
        clause = _CLAUSE.match(facts.terms_ground.strip())
        if clause:
            text = ("{G} {enfreint} la règle " if fr else "{G} {breaks} rule ") + clause["n"]
        else:
            text = "{G} {enfreint} les règles de la plateforme" if fr else "{G} {breaks} the platform's rules"
            if facts.terms_ground.strip():
                label = "Règle appliquée : " if fr else "Rule applied: "
                reference = label + _quoted(facts.terms_ground)
    harm = _harm(facts, grammar.language)
    return _fill(text, words) + (f" ({harm})" if harm else ""), reference


def _grammar(facts: DecisionFacts, language: Language) -> Grammar:
    return Grammar(language, NOUNS.get(facts.content_kind, NOUNS["other"]), facts.content_count > 1)


def _what_was_done(facts: DecisionFacts, grammar: Grammar) -> list[str]:
    """A restriction: what happened to the items and why, then to their account."""
    language = grammar.language
    content = _content_clauses(facts, grammar)
    account = _account_clauses(facts, grammar, named=bool(content))
    if content:
        why, reference = _ground(facts, grammar, grammar.words()["il"])
        sentences = [
            _sentence(
                f"{_join(content, language)} : {why}" if language == "fr" else f"{_join(content, language)}: {why}"
            )
        ]
        if reference:
            sentences.append(_sentence(reference))
        if account:
            sentences.append(_sentence(_join(account, language)))
        return sentences
    why, reference = _ground(facts, grammar, grammar.items)
    colon = " : " if language == "fr" else ": "
    sentences = [_sentence(_join(account, language) + colon + why if account else why)]
    if reference:
        sentences.append(_sentence(reference))
    return sentences


def _left_up(facts: DecisionFacts, grammar: Grammar) -> list[str]:
    """No action. A manifestly unfounded notice is said no more harshly to the reporter: it is for the
    platform's Art. 23 count, and a child who reported in good faith must not read an accusation."""
    w = {**grammar.words(), "N": grammar.items}
    if grammar.language == "fr":
        looked = "La plateforme a regardé {N} et {le} laisse en ligne : "
        if facts.manifestly_unfounded:
            return [_fill(looked + "elle n'y a rien trouvé de contraire à la loi ou à ses règles.", w)]
        return [
            _fill(looked + "d'après elle, {N} n'{enfreint} ni la loi ni ses règles.", w),
            "Merci pour ton signalement.",
        ]
    looked = "The platform looked at {N} and is leaving {it} up: "
    if facts.manifestly_unfounded:
        return [_fill(looked + "it found nothing in {it} that breaks the law or its rules.", w)]
    return [_fill(looked + "in its view, {N} {breaks} neither the law nor its rules.", w), "Thank you for your report."]


def _appeal(facts: DecisionFacts, language: Language, now: datetime) -> str:
    last_day = day(facts.appeal_deadline.astimezone(facts.zone).date(), language)
    if now > facts.appeal_deadline:
        return (
            f"Le délai pour contester s'est terminé le {last_day}."
            if language == "fr"
            else (f"The time to appeal ended on {last_day}.")
        )
    if facts.outcome == "no_action":
        return (
            f"Si tu n'es pas d'accord, tu peux contester jusqu'au {last_day}."
            if language == "fr"
            else (f"If you disagree, you can appeal until {last_day}.")
        )
    return f"Tu peux contester jusqu'au {last_day}." if language == "fr" else f"You can appeal until {last_day}."


def _body(facts: DecisionFacts, grammar: Grammar, *, restated: bool) -> list[str]:
    """What is in force, without the appeal period. `restated`: said again after an appeal's outcome, where
    "no action" is only that the items stay up."""
    fr = grammar.language == "fr"
    if facts.outcome == "restricted":
        return _what_was_done(facts, grammar)
    if restated:
        words = {**grammar.words(), "N": grammar.items}
        return [_sentence(_fill("{N} {reste} en ligne" if fr else "{N} {stays} up", words))]
    if facts.on_appeal:
        return [LIFTED[grammar.language]]
    return _left_up(facts, grammar)


LIFTED: Mapping[Language, str] = {"fr": "La mesure prise a été levée.", "en": "The restriction was lifted."}


def decision_summary(facts: DecisionFacts, tag: str, now: datetime) -> str:
    """What a reporter reading `tag` (BCP 47) is told of a decision, as read at `now` (aware)."""
    language = reader_language(tag)
    grammar = _grammar(facts, language)
    sentences = []
    if facts.on_appeal:
        sentences.append(
            "Après une contestation, la plateforme a changé sa décision."
            if language == "fr"
            else "After an appeal, the platform changed its decision."
        )
    sentences += _body(facts, grammar, restated=False)
    sentences.append(_appeal(facts, language, now))
    return " ".join(sentences)


def appeal_summary(facts: AppealFacts, tag: str, now: datetime) -> str:
    """What a reporter reading `tag` is told when an appeal is decided: who appealed, whether the decision
    stands, and what is in force now. The reporter's own appeal upheld leaves the outside redress (Art. 21:
    a certified dispute settlement body, or a court); otherwise the decision in force can be appealed."""
    language = reader_language(tag)
    fr = language == "fr"
    decision = facts.in_force
    grammar = _grammar(decision, language)
    if facts.appellant == "reporter":
        who = "Tu as contesté la décision" if fr else "You appealed the decision"
    else:
        who = ("{who} a contesté la décision" if fr else "{who} appealed the decision").replace(
            "{who}", grammar.author()
        )
    if facts.status == "upheld":
        result = (
            " : après un nouvel examen, la plateforme la maintient"
            if fr
            else (": after looking at it again, the platform is keeping it")
        )
    else:
        result = (
            " : après un nouvel examen, la plateforme l'a changée"
            if fr
            else (": after looking at it again, the platform changed it")
        )
    sentences = [_sentence(who + result)]
    if facts.as_written.strip():
        return " ".join([*sentences, facts.as_written.strip()])
    if facts.status == "upheld":
        sentences += _body(decision, grammar, restated=True)
    elif decision.outcome == "restricted":
        sentences += _what_was_done(decision, grammar)
    else:
        sentences.append(LIFTED[language])
    if facts.status == "upheld" and facts.appellant == "reporter":
        sentences.append(
            "Si tu n'es toujours pas d'accord, un organisme de règlement des litiges agréé ou un tribunal peut "
            "réexaminer la décision."
            if fr
            else "If you still disagree, a certified dispute settlement body or a court can look at it again."
        )
    else:
        sentences.append(_appeal(decision, language, now))
    return " ".join(sentences)
