"""Records said in words for the people at the consoles: countries, languages and the access log.

A report stores codes (`FR`, `fr-BE`) and the access log stores what happened as it happened
(`status_changed`, `new → in_progress`, `scope: content, report`): rows are evidence of who saw what, so they
are never rewritten. What a counsellor reads is made from them at display time, in the reader's language —
« a changé le statut : Nouveau → En cours » — and a detail this version cannot read is shown as stored,
never hidden.

Country names come from django-countries (maintained translations of ISO 3166 names), language names from
Django's own list of languages; a code either does not know is shown as the code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import get_language, get_language_info, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from relais.handoffs.forms import ACTION_LABELS, CATEGORY_LABELS, SCOPE_LABELS, STATUS_LABELS
from relais.handoffs.models import AccessEvent
from relais.moderation.models import Source

_LOWERCASE_LANGUAGE_NAMES = frozenset({"fr"})
"""Readers' languages that write language names as common nouns: « français », not « Français »."""


def country_name(code: str) -> str:
    """« France », "United Kingdom": the country of an ISO 3166-1 alpha-2 code, in the reader's language."""
    return str(countries.name(code.strip().upper())) or code


def language_name(code: str) -> str:
    """« français », « portugais brésilien », "French": a BCP 47 tag's language, in the reader's language.

    Django's list knows the languages it is translated into (about a hundred), and "pt-br" falls back to "pt"
    when a region is not listed."""
    try:
        name = str(get_language_info(code.strip().lower())["name_translated"])
    except KeyError:
        return code
    if (get_language() or "").split("-")[0] in _LOWERCASE_LANGUAGE_NAMES:
        return name[:1].lower() + name[1:]
    return name


# --- the access log ---

_STATUS_MOVE = re.compile(r"^(?P<before>[a-z_]+) → (?P<after>[a-z_]+)$")
_PILEON_ALERT = re.compile(r"^pile-on (?P<id>[0-9a-f-]{36}) on (?P<platform>.+)$")
_PACK = re.compile(r"^(?P<format>PDF|ZIP) pack of (?P<count>\d+) items$")
_SOURCE_BY_LABEL = {str(label): value for value, label in Source.choices}
_Words = Callable[[str], str | None]
"""The words for one action, from its stored detail; None when the detail is not one this version wrote."""


def access_event_words(action: str, detail: str) -> str:
    """What someone did, as a verb phrase that follows their name: "changed the status: New → In progress"."""
    words = _WORDS.get(action)
    said = words(detail) if words is not None else None
    if said is not None:
        return said
    # An action or a detail this version does not know: its label, and the detail as stored.
    label = str(ACTION_LABELS.get(action, action))
    return f"{label} ({detail})" if detail else label


def _shared(detail: str) -> str | None:
    if not detail.startswith("scope: "):
        return None
    scope = [s.strip() for s in detail.removeprefix("scope: ").split(",") if s.strip()]
    if not scope or any(s not in SCOPE_LABELS for s in scope):
        return None
    return gettext("shared: %(scope)s") % {"scope": ", ".join(str(SCOPE_LABELS[s]) for s in _in_page_order(scope))}


def _in_page_order(scope: list[str]) -> list[str]:
    return sorted(scope, key=list(SCOPE_LABELS).index)


def _status_changed(detail: str) -> str | None:
    move = _STATUS_MOVE.match(detail)
    if move is None or move["before"] not in STATUS_LABELS or move["after"] not in STATUS_LABELS:
        return None
    return gettext("changed the status: %(before)s → %(after)s") % {
        "before": STATUS_LABELS[move["before"]],
        "after": STATUS_LABELS[move["after"]],
    }


def _follow_up_set(detail: str) -> str | None:
    if detail == "none":
        return gettext("removed the follow-up date")
    try:
        on = date.fromisoformat(detail)
    except ValueError:
        return None
    return gettext("set the follow-up date: %(date)s") % {"date": formats.date_format(on, "DATE_FORMAT")}


def _assigned(detail: str) -> str | None:
    if not detail.startswith("to "):
        return None
    who = detail.removeprefix("to ")
    if who == "nobody":
        return gettext("unassigned the case")
    return gettext("assigned the case to %(name)s") % {"name": who}


def _escalated(detail: str) -> str | None:
    label, _, category = detail.rpartition(": ")
    source = _SOURCE_BY_LABEL.get(label)
    if source is None or category not in CATEGORY_LABELS:
        return None
    what = CATEGORY_LABELS[category]
    if source == Source.TRUSTED_FLAGGER:
        return gettext("escalated to the platform as a trusted flagger: %(category)s") % {"category": what}
    return gettext("escalated to the platform: %(category)s") % {"category": what}


def _evidence(opened: bool) -> _Words:
    def say(detail: str) -> str | None:
        pack = _PACK.match(detail)
        if pack is None:
            return None
        count = int(pack["count"])
        values = {"format": pack["format"], "count": count}
        if opened:
            return (
                ngettext(
                    "opened the evidence pack (%(format)s, %(count)s item)",
                    "opened the evidence pack (%(format)s, %(count)s items)",
                    count,
                )
                % values
            )
        return (
            ngettext(
                "downloaded the evidence pack (%(format)s, %(count)s item)",
                "downloaded the evidence pack (%(format)s, %(count)s items)",
                count,
            )
            % values
        )

    return say


def _pileon_alert_handled(detail: str) -> str | None:
    handled = _PILEON_ALERT.match(detail)
    if handled is None:
        return None
    return gettext("marked as handled the alert of a pile-on against a minor on %(platform)s") % {
        "platform": handled["platform"]
    }


def _plain(phrase: Promise) -> _Words:
    """An action stored without a detail: its words; with a detail, the fallback shows the detail too."""
    return lambda detail: None if detail else str(phrase)


_WORDS: dict[str, _Words] = {
    AccessEvent.Action.SHARED: _shared,
    AccessEvent.Action.WITHDRAWN: _plain(_("withdrew the consent: the case is closed")),
    AccessEvent.Action.LOOKED_UP: _plain(_("opened the case with its code")),
    AccessEvent.Action.VIEWED: _plain(_("viewed the case")),
    AccessEvent.Action.NOTE_ADDED: _plain(_("added a note")),
    AccessEvent.Action.STATUS_CHANGED: _status_changed,
    AccessEvent.Action.FOLLOW_UP_SET: _follow_up_set,
    AccessEvent.Action.ASSIGNED: _assigned,
    AccessEvent.Action.ESCALATED: _escalated,
    AccessEvent.Action.EVIDENCE_VIEWED: _evidence(opened=True),
    AccessEvent.Action.EVIDENCE_EXPORTED: _evidence(opened=False),
    AccessEvent.Action.PILEON_ALERT_HANDLED: _pileon_alert_handled,
}
assert set(_WORDS) == set(AccessEvent.Action.values)  # noqa: S101 - every action has its words
