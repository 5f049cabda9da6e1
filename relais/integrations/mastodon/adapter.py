"""Mastodon's admin webhook (`report.created`, `report.updated`) read as a Relais report. Pure.

The payload is Mastodon's as it sends it (docs.joinmastodon.org/admin/webhooks; the `object` is the
Admin::Report entity, app/serializers/rest/admin/report_serializer.rb): an envelope `event`, `created_at`,
`object`. Unlike our own API, this reader is forward-compatible: it takes the fields it knows and ignores
every other one, since Mastodon adds fields between releases and an instance cannot wait for us to ship.

What is dropped at the door (ADR 0023): the reporter's e-mail, IP addresses (`ip`, `ips`), invite text
(`invite_request`), and everything else of the Admin::Account but the id, username, domain and locale. This
module is the only reader of the payload, and it copies nothing it does not name below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from relais.integrations import categories
from relais.integrations.inbound import Media

REPORT_EVENTS = frozenset({"report.created", "report.updated"})
MAX_ITEMS = 50
MAX_TEXT = 10000
MAX_DESCRIPTION = 5000
_WEB_URL = re.compile(r"^https?://[!-~]+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_OPAQUE = re.compile(r"^[!-~]{1,200}$")


class Unmappable(ValueError):
    """The payload is JSON but not a report we can read: the message names the field (answered 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Defaults:
    """What the connection supplies where Mastodon says nothing."""

    instance_host: str
    category_map: dict[str, Any]
    language_fallback: str


@dataclass(frozen=True)
class Reporter:
    """The reporting account, reduced to what the help message needs: its id and username (local only)."""

    account_id: str
    username: str
    local: bool
    """`account.domain` is null: the account lives on this instance, so a direct message reaches it."""


_MEDIA_KINDS = {"image": "image", "video": "video", "gifv": "video"}


@dataclass(frozen=True)
class MastodonReport:
    event: str
    report: dict[str, Any]
    """The fields of a Relais `ReportIn`, still to be validated by the same schema as the API's."""
    reporter: Reporter
    action_taken: bool
    action_taken_at: str | None
    media: tuple[Media, ...] = ()


def text_of(html: str) -> str:
    """A status's HTML as the plain text a person read: paragraphs and line breaks kept, tags dropped,
    entities decoded. html.parser (the standard library's tolerant tokenizer), not a regex: a regex does
    not know that `<` in an attribute is not a tag."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()


class _TextParser(HTMLParser):
    _BLOCKS = frozenset({"p", "div", "blockquote", "li", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unmappable(field, "expected an object")
    return value


def _string(value: Any, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise Unmappable(field, "expected a non-empty string")
    return str(value)


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _web_url(value: Any) -> str | None:
    """A link we can show, or none: a malformed URL drops the link, not the report."""
    if isinstance(value, str) and len(value) <= 2048 and _WEB_URL.match(value):
        return value
    return None


def host_of(instance_url: str) -> str:
    return (urlsplit(instance_url).hostname or "").lower()


def _handle(account: dict[str, Any], instance_host: str) -> str | None:
    """`@user@host`, as a person would search it: Mastodon's `acct` has no host for local accounts."""
    acct = _optional_text(account.get("acct")) or _optional_text(account.get("username"))
    if acct is None:
        return None
    if "@" not in acct and instance_host:
        acct = f"{acct}@{instance_host}"
    return f"@{acct}"[:200]


def _content_item(status: dict[str, Any], instance_host: str, position: int) -> dict[str, Any]:
    author = status.get("account") if isinstance(status.get("account"), dict) else {}
    assert isinstance(author, dict)  # noqa: S101 - narrowed above
    item: dict[str, Any] = {"kind": "post"}
    status_id = status.get("id")
    if isinstance(status_id, str | int) and not isinstance(status_id, bool) and _OPAQUE.match(str(status_id)):
        item["content_id"] = str(status_id)
    url = _web_url(status.get("url")) or _web_url(status.get("uri"))
    if url:
        item["url"] = url
    html = status.get("content")
    if isinstance(html, str) and html:
        spoiler = _optional_text(status.get("spoiler_text"))
        text = text_of(html)
        item["text"] = (f"{spoiler}\n\n{text}" if spoiler else text)[:MAX_TEXT]
    handle = _handle(author, instance_host)
    if handle:
        item["author_handle"] = handle
    profile = _web_url(author.get("url"))
    if profile:
        item["author_profile_url"] = profile
    posted = status.get("created_at")
    if isinstance(posted, str) and posted:
        item["posted_at"] = posted
    return item


def _profile_item(target: dict[str, Any], instance_host: str) -> dict[str, Any]:
    """A report about an account and none of its posts: the account's profile is the reported content."""
    account = target.get("account") if isinstance(target.get("account"), dict) else {}
    assert isinstance(account, dict)  # noqa: S101 - narrowed above
    item: dict[str, Any] = {"kind": "profile"}
    url = _web_url(account.get("url"))
    if url:
        item["url"] = url
    handle = _handle(account, instance_host) or _handle(target, instance_host)
    if handle:
        item["author_handle"] = handle
    if url:
        item["author_profile_url"] = url
    return item


def read(payload: Any, defaults: Defaults) -> MastodonReport:
    """The report in a `report.*` delivery; raises Unmappable naming the field when it cannot be read.
    The caller checks `event` first (another event type is not an error)."""
    envelope = _object(payload, "body")
    event = _string(envelope.get("event"), "event")
    obj = _object(envelope.get("object"), "object")
    report_id = _string(obj.get("id"), "object.id")
    if not _OPAQUE.match(report_id):
        raise Unmappable("object.id", "expected printable characters without spaces")
    account = _object(obj.get("account"), "object.account")
    account_id = _string(account.get("id"), "object.account.id")
    domain = account.get("domain")
    locale = account.get("locale")
    language = locale if isinstance(locale, str) and _LANGUAGE.match(locale) else defaults.language_fallback

    statuses = obj.get("statuses")
    reported = [s for s in statuses[:MAX_ITEMS] if isinstance(s, dict)] if isinstance(statuses, list) else []
    items = [_content_item(s, defaults.instance_host, n) for n, s in enumerate(reported)]
    if not items:
        target = _object(obj.get("target_account"), "object.target_account")
        items = [_profile_item(target, defaults.instance_host)]

    media = tuple(
        Media(url=url, kind=_MEDIA_KINDS[str(m.get("type"))], content_id=str(item["content_id"]))
        for status, item in zip(reported, items, strict=False)
        if isinstance(status.get("media_attachments"), list) and "content_id" in item
        for m in status["media_attachments"]
        if isinstance(m, dict) and m.get("type") in _MEDIA_KINDS and (url := _web_url(m.get("url")))
    )
    rules = obj.get("rules")
    rule_ids = [str(r["id"]) for r in rules if isinstance(r, dict) and "id" in r] if isinstance(rules, list) else []
    category = categories.category_for(
        defaults.category_map,
        category=obj.get("category") if isinstance(obj.get("category"), str) else None,
        rule_ids=rule_ids,
    )
    report: dict[str, Any] = {
        # The instance's host and its report id: Mastodon redelivers the same report, which must dedupe.
        "platform_report_id": f"mastodon:{defaults.instance_host}:{report_id}"[:200],
        "category": category,
        "reporter": {
            "language": language,
            # Who reported, opaque: the platform's misuse rules (Art. 23) count notices per notifier.
            "pseudonym": f"mastodon:{defaults.instance_host}:{account_id}"[:200],
        },
        "content": items,
    }
    comment = _optional_text(obj.get("comment"))
    if comment:
        report["description"] = comment[:MAX_DESCRIPTION]
    created = obj.get("created_at")
    if isinstance(created, str) and created:
        report["reported_at"] = created
    username = account.get("username")
    action_taken_at = obj.get("action_taken_at")
    return MastodonReport(
        event=event,
        report=report,
        reporter=Reporter(
            account_id=account_id,
            username=username if isinstance(username, str) else "",
            local=domain is None and isinstance(username, str) and bool(re.fullmatch(r"[A-Za-z0-9_]+", username)),
        ),
        action_taken=obj.get("action_taken") is True,
        action_taken_at=action_taken_at if isinstance(action_taken_at, str) else None,
        media=media[:MAX_ITEMS],
    )
