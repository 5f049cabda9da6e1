"""Which languages Relais speaks to whom, and how a reporter's language is picked among them (ADR 0041).

Two audiences, two lists. Reporters — often children, often upset, anywhere in Europe — read the help card and
their own page in one of `REPORTER_LANGUAGES`. Staff (moderators, counsellors, supervisors) use consoles in
`STAFF_LANGUAGES` only: those pages carry legal wording (statements of reasons, audit records) that is
reviewed in French and English, and a half-translated console is worse than an English one. Pure: no Django,
so the routing (itself pure) and the settings can both import it.
"""

from __future__ import annotations

REPORTER_LANGUAGES: tuple[str, ...] = ("fr", "en", "de", "nl", "es", "it", "pt", "pl", "sv")
"""Languages of the help card and the reporter's page: every text in code has them all (tests check)."""
STAFF_LANGUAGES: tuple[str, ...] = ("fr", "en")
"""Languages of the consoles (`settings.LANGUAGES`)."""
FALLBACK_LANGUAGE = "en"
"""What a reporter reads when Relais does not speak their language, said on the card (`requested_language`)."""


def primary(tag: str) -> str:
    """The primary subtag of a BCP 47 tag, lower case: `de-AT` → `de`, `pt_BR` → `pt`."""
    return tag.replace("_", "-").split("-", 1)[0].strip().lower()


def requested_language(tag: str) -> str:
    """The language a request asked for, as the card repeats it: a primary subtag of 2 or 3 letters, else
    English (an empty or malformed tag asked for nothing)."""
    code = primary(tag)
    return code if 2 <= len(code) <= 3 and code.isascii() and code.isalpha() else FALLBACK_LANGUAGE


def supported(tag: str, languages: tuple[str, ...] = REPORTER_LANGUAGES) -> str | None:
    """`tag`'s language if it is one of `languages`, else None (no guessing from a region)."""
    code = primary(tag)
    return code if code in languages else None


def from_accept_language(header: str, languages: tuple[str, ...] = REPORTER_LANGUAGES) -> str | None:
    """The first of `languages` the browser asks for, by quality (RFC 9110 §12.5.4); None if it asks for none.

    `de-AT,de;q=0.9,en;q=0.5` → `de`; `ja` → None; a tag with `q=0` is refused, `*` is not a choice.
    """
    wanted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            wanted.append((-quality, position, tag))
    for _quality, _position, tag in sorted(wanted):
        code = supported(tag, languages)
        if code is not None:
            return code
    return None
