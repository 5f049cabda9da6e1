"""Pile-ons: many reports about one account or one post in a short time (ADR 0034). Pure.

A raid, or a crowd turning on one person, reaches a platform as dozens of separate reports about the same
account or post. Read one by one they look like ordinary reports and fill the queue; read together they are
one event, to be decided together and, when the people reporting are children, one a helpline should hear
about. Two things are decided here: what "the same target" is (a stored key, `target_key`), and when
reports about one target are a pile-on (`Rule`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

TargetKind = Literal["account", "post"]

KEY_LENGTH = 80
"""`Notice.target_key`'s width: `account:` or `post:` and a SHA-256 in hex."""


@dataclass(frozen=True)
class Target:
    """What a report is about, as a stored key (an index compares it) and as the moderator reads it."""

    kind: TargetKind
    key: str
    label: str


@dataclass(frozen=True)
class Item:
    """The fields of a reported item that name what it is and who wrote it (reports.ReportedContent)."""

    author_profile_url: str = ""
    author_handle: str = ""
    content_id: str = ""
    url: str = ""
    kind: str = ""


def normalised_url(url: str) -> str:
    """A URL as the same page is always written: scheme and host in lower case, no default port, no query,
    fragment or trailing slash (`https://Social.example/@Kim/` is `https://social.example/@Kim`). The path
    keeps its case: many services tell `@Kim` from `@kim`."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


def _handle(handle: str) -> str:
    """`@Kim@Social.Example` and `kim@social.example` are one account: handles are case-blind on every
    service Relais adapts (Mastodon, Bluesky, Discourse, Matrix), and the leading @ is decoration."""
    return handle.strip().lstrip("@").casefold()


def _key(kind: TargetKind, identity: str) -> str:
    return f"{kind}:{hashlib.sha256(identity.encode()).hexdigest()}"


def target_of(item: Item) -> Target | None:
    """The account a reported item is by, else the item itself; None when the report names neither.

    The account comes first: a pile-on is about a person (Mastodon groups reports by target account, Ozone by
    subject, an account or a record), and its many reports name many posts by the same author. The profile
    URL is preferred to the handle, which a user can change; a post is named by the platform's id, else by
    its URL. The key is a digest: fixed width for the index, and no handle or URL repeated in it."""
    if item.kind == "profile" and item.url.strip():  # the reported item is the account itself
        return Target("account", _key("account", "url:" + normalised_url(item.url)), normalised_url(item.url))
    if item.author_profile_url.strip():
        return Target(
            "account",
            _key("account", "url:" + normalised_url(item.author_profile_url)),
            item.author_handle.strip() or normalised_url(item.author_profile_url),
        )
    if _handle(item.author_handle):
        return Target("account", _key("account", "handle:" + _handle(item.author_handle)), item.author_handle.strip())
    if item.content_id.strip():
        return Target("post", _key("post", "id:" + item.content_id.strip()), item.url.strip() or item.content_id)
    if item.url.strip():
        return Target("post", _key("post", "url:" + normalised_url(item.url)), normalised_url(item.url))
    return None


def first_target(items: Iterable[Item]) -> Target | None:
    """The target of a notice: the first account its items name (an author, or a reported profile), else the
    first post. Accounts first across all the items, because a report often lists the message and then the
    profile of who sent it: both name one person, whose other posts other reporters report."""
    targets = [t for t in map(target_of, items) if t is not None]
    return next((t for t in targets if t.kind == "account"), targets[0] if targets else None)


@dataclass(frozen=True)
class Rule:
    """A pile-on is at least `reports` distinct reports about one target received within `window`."""

    reports: int = 5
    window: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if self.reports < 2:
            raise ValueError("a pile-on takes at least 2 reports")
        if self.window <= timedelta(0):
            raise ValueError("the window must be positive")

    def since(self, now: datetime) -> datetime:
        """The earliest report that still counts towards a pile-on forming at `now`."""
        return now - self.window

    def forms(self, received: Iterable[datetime], now: datetime) -> bool:
        """Whether the reports received at `received` (one per report, the newest being `now`'s) are a
        pile-on at `now`: enough of them in the window that ends at `now`."""
        since = self.since(now)
        return sum(1 for at in received if since < at <= now) >= self.reports


def minor_among(ages: Iterable[int | None]) -> bool:
    """A pile-on is against a minor when a child reports it (ADR 0034): in Relais the reporter is the person
    targeted, or a bystander among them; an age under 18 is the only sign of a child that a report carries."""
    return any(age is not None and age < 18 for age in ages)


def alert_ends_at(last_seen_at: datetime, rule: Rule) -> datetime:
    """When a helpline's alert of a pile-on against a child leaves its console by itself: one window after
    the pile-on was last seen going on — its latest undecided report, or, once every report is decided, the
    moment it closed. While reports keep coming the raid goes on and so does the alert; once a whole window
    passes without one, those reports could no longer form a pile-on either (`Rule.forms`)."""
    return last_seen_at + rule.window
