"""What a reporter's consent lets a helpline see. Nothing outside the scope is ever shown or sent.

Scopes, as the platform asks the reporter:
- `report`: that a report was made — category, danger, when, country and language (always needed);
- `content`: the reported items as the platform sent them (messages, links);
- `description`: the reporter's own words;
- `help_card`: the help the reporter was shown, and when;
- `pseudonym`: the platform's opaque id of the reporter, in full (otherwise only masked).
"""

from __future__ import annotations

SCOPES: tuple[str, ...] = ("report", "content", "description", "help_card", "pseudonym")
REQUIRED = "report"
TEXT_VERSION_PATTERN = r"^[A-Za-z0-9._-]{1,100}$"


def check_scope(scope: list[str]) -> frozenset[str]:
    unknown = [s for s in scope if s not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scope {', '.join(unknown)} (known: {', '.join(SCOPES)})")
    if REQUIRED not in scope:
        raise ValueError(f"the scope must include {REQUIRED!r}: without it there is nothing to share")
    return frozenset(scope)


def mask_pseudonym(pseudonym: str) -> str:
    """Enough for a counsellor to tell two reports apart, not enough to find the child on the platform."""
    if not pseudonym:
        return ""
    if len(pseudonym) <= 4:
        return "•" * len(pseudonym)
    return f"{pseudonym[:2]}{'•' * 4}{pseudonym[-2:]}"
