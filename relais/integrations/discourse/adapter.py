"""Discourse's `reviewable` webhook (a flagged post) and its review API's answer, read as a Relais report. Pure.

The webhook's body is `{"reviewable": …}`, the reviewable as `ReviewableFlaggedPostSerializer` writes it
(discourse/discourse: config/initializers/012-web_hook_events.rb, app/serializers/reviewable_serializer.rb,
reviewable_flagged_post_serializer.rb, reviewable_score_serializer.rb). Like the Mastodon reader, this one
is forward-compatible: it takes the fields it names and ignores every other one. Discourse's serializers
embed associations either as objects or as ids with the objects side-loaded (the review API's `users`), so
both shapes are read.

What the webhook may lack — the flagger's username, the post's author — comes from one call to the forum's
review API on the worker (`GET /review/<id>.json`), read by `read_review` with the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from relais.integrations import categories
from relais.integrations.mastodon.adapter import Unmappable, text_of

__all__ = ["Unmappable", "read_flag", "read_review"]

EVENT_TYPE = "reviewable"
REVIEWABLE_EVENTS = frozenset(
    {"reviewable_created", "reviewable_updated", "reviewable_score_updated", "reviewable_transitioned_to"}
)
"""Discourse emits `reviewable_created` and `reviewable_transitioned_to` (newer versions also
`reviewable_score_updated`); all of them describe one flag, which dedupes on its reviewable id."""
FLAGGED_POST = "ReviewableFlaggedPost"
DEALT_WITH = frozenset({1, 2, 3, 4, "approved", "rejected", "ignored", "deleted"})
"""A reviewable's statuses once a moderator acted (app/models/reviewable.rb: `enum :status, { pending: 0,
approved: 1, rejected: 2, ignored: 3, deleted: 4 }`): older serializers write the number, newer ones Rails'
enum name, so both are read. Anything else (pending, or a status added later) is not taken as an answer."""
FLAG_TYPES = {3: "off_topic", 4: "inappropriate", 6: "notify_user", 7: "notify_moderators", 8: "spam", 10: "illegal"}
"""PostActionType's ids (app/models/post_action_type.rb), for a score type that gives its id alone."""
MAX_TEXT = 10000
_WEB_URL = re.compile(r"^https?://[!-~]+$")
_ID = re.compile(r"^-?[0-9]{1,20}$")
"""Discourse's ids are integers; one given as a string must be digits, since it goes into an API path."""
_USERNAME = re.compile(r"^[\w.\-]{1,60}$")


@dataclass(frozen=True)
class Defaults:
    forum_url: str
    forum_host: str
    category_map: dict[str, Any]
    language_fallback: str


@dataclass(frozen=True)
class Flag:
    reviewable_id: str
    report: dict[str, Any]
    """The fields of a Relais `ReportIn`, still to be validated by the API's own schema."""
    flagger_username: str
    """Empty when the webhook names the flagger by id alone: the review API's answer gives it."""
    author_username: str
    dealt_with: bool = False
    """The forum's moderators have acted on the flag (`reviewable_transitioned_to`): the reporter's page
    then says so, as for a Mastodon report marked resolved."""


@dataclass(frozen=True)
class Review:
    """What the review API adds: the post's text and author, and who flagged it."""

    text: str
    author_handle: str
    author_profile_url: str
    flagger_username: str


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unmappable(field, "expected an object")
    return value


def _id(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and _ID.match(value):
        return value
    return None


def _web_url(value: Any) -> str | None:
    if isinstance(value, str) and len(value) <= 2048 and _WEB_URL.match(value):
        return value
    return None


def _users(reviewable: Mapping[str, Any], sideloaded: Any) -> dict[str, str]:
    """User id → username, from the side-loaded `users` and from any user embedded as an object."""
    known: dict[str, str] = {}
    embedded = [reviewable.get("created_by"), reviewable.get("target_created_by")]
    scores = reviewable.get("reviewable_scores")
    if isinstance(scores, list):
        embedded += [s.get("user") for s in scores if isinstance(s, dict)]
    listed = sideloaded if isinstance(sideloaded, list) else []
    for user in [*listed, *embedded]:
        if isinstance(user, dict):
            uid, name = _id(user.get("id")), user.get("username")
            if uid is not None and isinstance(name, str) and _USERNAME.match(name):
                known[uid] = name
    return known


def _scores(reviewable: Mapping[str, Any], sideloaded: Any) -> list[dict[str, Any]]:
    scores = reviewable.get("reviewable_scores")
    if not isinstance(scores, list) or not all(isinstance(s, dict) for s in scores):
        scores = sideloaded if isinstance(sideloaded, list) else []
    return sorted((s for s in scores if isinstance(s, dict)), key=lambda s: str(s.get("created_at") or ""))


def _flag_type(score: Mapping[str, Any]) -> str | None:
    kind = score.get("score_type")
    if isinstance(kind, dict):
        if isinstance(kind.get("type"), str):
            return str(kind["type"])
        kind = kind.get("id")
    if kind is None:
        kind = score.get("score_type_id", score.get("reviewable_score_type"))
    return FLAG_TYPES.get(kind) if isinstance(kind, int) else None


def _user_id(score: Mapping[str, Any]) -> str | None:
    user = score.get("user")
    return _id(user.get("id")) if isinstance(user, dict) else _id(score.get("user_id"))


def _flagger(scores: list[dict[str, Any]], author_id: str | None) -> tuple[str | None, dict[str, Any] | None]:
    """The first person who flagged the post: not the system (ids ≤ 0), never the post's own author."""
    for score in scores:
        uid = _user_id(score)
        if uid is not None and uid.lstrip("-").isdigit() and int(uid) > 0 and uid != author_id:
            return uid, score
    return None, None


def read_flag(payload: Any, defaults: Defaults) -> Flag | None:
    """The flag in a `reviewable_*` delivery, or None when the reviewable is not a flagged post (a queued post,
    a user awaiting approval: nothing to report). Raises Unmappable naming the field."""
    reviewable = _object(_object(payload, "body").get("reviewable"), "reviewable")
    if reviewable.get("type") != FLAGGED_POST:
        if not isinstance(reviewable.get("type"), str):
            raise Unmappable("reviewable.type", "expected a string")
        return None
    reviewable_id = _id(reviewable.get("id"))
    if reviewable_id is None:
        raise Unmappable("reviewable.id", "expected a number")
    author_id = _id(reviewable.get("target_created_by_id"))
    target = reviewable.get("target_created_by")
    if author_id is None and isinstance(target, dict):
        author_id = _id(target.get("id"))
    users = _users(reviewable, None)
    scores = _scores(reviewable, None)
    flagger_id, score = _flagger(scores, author_id)
    category = categories.category_for(
        defaults.category_map, category=_flag_type(score) if score else None, rule_ids=()
    )
    item: dict[str, Any] = {"kind": "post"}
    post_id = _id(reviewable.get("post_id")) or _id(reviewable.get("target_id"))
    if post_id:
        item["content_id"] = post_id
    url = _web_url(reviewable.get("target_url"))
    if url:
        item["url"] = url
    cooked = reviewable.get("cooked")
    if isinstance(cooked, str) and cooked:
        item["text"] = text_of(cooked)[:MAX_TEXT]
    author = users.get(author_id or "", "")
    if author:
        item.update(_author(author, defaults))
    report: dict[str, Any] = {
        # The forum's host and its reviewable id: Discourse retries deliveries, which must dedupe.
        "platform_report_id": f"discourse:{defaults.forum_host}:{reviewable_id}",
        "category": category,
        "reporter": {"language": defaults.language_fallback},
        "content": [item],
    }
    if flagger_id is not None:
        # Who flagged, opaque: the platform's misuse rules (Art. 23) count notices per notifier.
        report["reporter"]["pseudonym"] = f"discourse:{defaults.forum_host}:{flagger_id}"
    created = reviewable.get("created_at")
    if isinstance(created, str) and created:
        report["reported_at"] = created
    return Flag(
        reviewable_id=reviewable_id,
        report=report,
        flagger_username=users.get(flagger_id or "", ""),
        author_username=author,
        dealt_with=_hashable(reviewable.get("status")) in DEALT_WITH,
    )


def _hashable(value: Any) -> int | str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | str):
        return value
    return None


def _author(username: str, defaults: Defaults) -> dict[str, str]:
    return {"author_handle": f"@{username}", "author_profile_url": f"{defaults.forum_url}/u/{username}"}


def read_review(answer: Any, defaults: Defaults) -> Review:
    """The review API's answer (`GET /review/<id>.json`: the reviewable, its scores and users side-loaded)."""
    envelope = _object(answer, "body")
    reviewable = _object(envelope.get("reviewable"), "reviewable")
    author_id = _id(reviewable.get("target_created_by_id"))
    users = _users(reviewable, envelope.get("users"))
    flagger_id, _score = _flagger(_scores(reviewable, envelope.get("reviewable_scores")), author_id)
    cooked = reviewable.get("cooked")
    author = users.get(author_id or "", "")
    profile = _author(author, defaults) if author else {"author_handle": "", "author_profile_url": ""}
    return Review(
        text=text_of(cooked)[:MAX_TEXT] if isinstance(cooked, str) else "",
        author_handle=profile["author_handle"],
        author_profile_url=profile["author_profile_url"],
        flagger_username=users.get(flagger_id or "", ""),
    )
