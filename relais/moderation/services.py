"""Moderation use cases: notices in, a prioritised queue, decisions with statements of reasons, appeals.

The DSA rules themselves live in the pure modules next to this one (priority, statement_of_reasons,
appeals, misuse, flaggers); this module feeds them from the database and writes what they decide, each
change in one transaction with the webhook events it causes (relais/webhooks/events.py cuts what each
tenant hears).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet

from relais import clock, replica
from relais.handoffs import access as handoffs_access
from relais.handoffs.models import AccessEvent, Case
from relais.handoffs.services import Actor as HelplineActor
from relais.handoffs.workflow import Status as CaseStatus
from relais.handoffs.workflow import check_transition
from relais.moderation import access, appeals, cursors, flaggers, keyset, misuse, pileons, rollups
from relais.moderation import priority as priorities
from relais.moderation import statement_of_reasons as sor
from relais.moderation.access import notices_on_case
from relais.moderation.models import (
    Appeal,
    AppealStatus,
    Decision,
    Notice,
    NoticeStatus,
    NotifierStanding,
    Outcome,
    PileOn,
    Source,
    TransparencyAccount,
    TrustedFlaggerStatus,
)
from relais.reports import reach
from relais.reports.models import ReachCount, Report, ReportedContent
from relais.tenants.models import Helpline, Moderator, Platform
from relais.webhooks import events

OPEN_STATUSES = (NoticeStatus.OPEN, NoticeStatus.CLAIMED)

log = logging.getLogger(__name__)


class ModerationError(ValueError):
    """A request that cannot be done as asked; `field` names what to fix (API 422, console message)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DecisionRefused(ModerationError):
    """The statement of reasons would be refused by the Transparency Database: every problem, by field."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        first = next(iter(problems))
        super().__init__(first, problems[first])
        self.problems = dict(problems)


class GroupRefused(ModerationError):
    """Another notice about the same content cannot be decided with the one asked (ADR 0027): nothing is."""

    def __init__(self, other: Notice, cause: ModerationError) -> None:
        super().__init__("notice", f"another notice about this content cannot be decided with it: {cause.message}")
        self.other = other
        self.held_by = other.claimed_label if other.status == NoticeStatus.CLAIMED else ""


@dataclass(frozen=True)
class ModeratorActor:
    """Who decides: a moderator signed in to the console, or the platform's API with its own moderator id."""

    platform: Platform
    label: str
    user_id: int | None = None
    is_lead: bool = False

    @classmethod
    def person(cls, moderator: Moderator) -> ModeratorActor:
        user = moderator.user
        return cls(
            platform=moderator.platform,
            label=user.get_full_name() or user.get_username(),
            user_id=user.pk,
            is_lead=moderator.role == "lead",
        )

    @classmethod
    def api(cls, platform: Platform, moderator_ref: str) -> ModeratorActor:
        return cls(platform=platform, label=f"{moderator_ref} (API)")

    def same_person(self, user_id: int | None, label: str) -> bool:
        if self.user_id is not None or user_id is not None:
            return self.user_id == user_id
        return self.label == label


def notifier_of_reporter(pseudonym: str) -> str:
    return f"reporter:{pseudonym}" if pseudonym else ""


def policy() -> misuse.Policy:
    return misuse.Policy(
        window=timedelta(days=settings.RELAIS_MISUSE_WINDOW_DAYS),
        warn_at=settings.RELAIS_MISUSE_WARN_AT,
        suspend_at=settings.RELAIS_MISUSE_SUSPEND_AT,
        min_share=settings.RELAIS_MISUSE_MIN_SHARE,
        suspension=timedelta(days=settings.RELAIS_MISUSE_SUSPENSION_DAYS),
    )


def _suspended(platform: Platform, notifier: str, now: datetime) -> bool:
    if not notifier:
        return False
    return NotifierStanding.objects.filter(platform=platform, notifier=notifier, suspended_until__gt=now).exists()


# --- notices in ---


def target_of_items(items: Iterable[ReportedContent]) -> pileons.Target | None:
    """What reported items are about, for pile-ons (ADR 0034): the first item's author, else the item."""
    return pileons.first_target(
        pileons.Item(
            author_profile_url=c.author_profile_url,
            author_handle=c.author_handle,
            content_id=c.content_id,
            url=c.url,
            kind=c.kind,
        )
        for c in sorted(items, key=lambda c: c.position)
    )


def article_16_notice(report: Report, *, suspended: bool, content: Sequence[ReportedContent] = ()) -> Notice:
    """The Art. 16 notice every report also is, not yet saved: acknowledged by the very answer that carries
    the help card. Report intake on PostgreSQL writes it from these values in its single statement, so the
    target key (`content`'s) is the same on both paths."""
    target = target_of_items(content)
    notice = Notice(
        target_key=target.key if target is not None else "",
        platform=report.platform,
        report=report,
        source=Source.ARTICLE_16,
        notifier=notifier_of_reporter(report.reporter_pseudonym),
        category=report.category,
        danger_immediate=report.danger == "immediate",
        reporter_age=report.reporter_age,
        explanation="",
        content_positions=[],
        received_at=report.received_at,
        acknowledged_at=report.received_at,
        status=NoticeStatus.SUSPENDED if suspended else NoticeStatus.OPEN,
    )
    return ranked(notice)


def open_article_16_notice(report: Report, content: Sequence[ReportedContent] = ()) -> Notice:
    """Called inside report intake's transaction: the notice exists exactly when the report does."""
    notifier = notifier_of_reporter(report.reporter_pseudonym)
    notice = article_16_notice(
        report, suspended=_suspended(report.platform, notifier, report.received_at), content=content
    )
    notice.save(force_insert=True)
    return notice


# --- pile-ons (ADR 0034) ---


def pileon_rule(platform: Platform) -> pileons.Rule:
    reports, hours = settings.RELAIS_PILEON_PLATFORMS.get(
        platform.slug, (settings.RELAIS_PILEON_REPORTS, settings.RELAIS_PILEON_WINDOW_HOURS)
    )
    return pileons.Rule(reports=reports, window=timedelta(hours=hours))


def note_target(*, notice: Notice, content: Sequence[ReportedContent]) -> PileOn | None:
    """After intake (both paths): the new notice joins its target's open pile-on, or forms one when the rule
    is met. Never fails the intake: the report and its help card are already there, and a pile-on missed
    is only a queue less tidy, so a database error is logged and the report stands alone."""
    target = target_of_items(content)
    if target is None:
        return None
    try:
        with transaction.atomic():
            return _join_or_form(notice, target)
    except DatabaseError:
        log.exception("pile-on check failed for notice %s", notice.pk)
        return None


def _open_pileon(platform_id: int, key: str) -> PileOn | None:
    return PileOn.objects.filter(platform_id=platform_id, target_key=key, closed_at__isnull=True).first()


def _join_or_form(notice: Notice, target: pileons.Target) -> PileOn | None:
    now = notice.received_at
    undecided = Notice.objects.filter(platform_id=notice.platform_id, target_key=target.key, status__in=OPEN_STATUSES)
    pileon = _open_pileon(notice.platform_id, target.key)
    if pileon is None:
        rule = pileon_rule(notice.platform)
        # At most `reports` rows read, by the `notice_target` index: the count stops at the threshold.
        received = list(
            undecided.filter(source=Source.ARTICLE_16, received_at__gt=rule.since(now))
            .order_by("-received_at")
            .values_list("received_at", flat=True)[: rule.reports]
        )
        if not rule.forms(received, now):
            return None
        first = undecided.aggregate(first=Min("received_at"))["first"] or now
        try:
            with transaction.atomic():
                pileon = PileOn.objects.create(
                    platform_id=notice.platform_id,
                    target_key=target.key,
                    target_kind=target.kind,
                    target_label=target.label[:2048],
                    started_at=first,
                    formed_at=now,
                )
        except IntegrityError:  # formed meanwhile by a concurrent report about the same target
            pileon = _open_pileon(notice.platform_id, target.key)
            if pileon is None:
                return None
        # Formed: every undecided notice about the target joins (older ones too: one account, one row).
        undecided.update(pileon=pileon)
        child = undecided.filter(reporter_age__lt=18).exists()
    else:
        # Joined: only the new notice, so a large pile-on costs a report no more than a small one.
        joined = undecided.filter(pk=notice.pk).update(pileon=pileon)
        child = bool(joined) and notice.reporter_age is not None and notice.reporter_age < 18
    if not pileon.minor and child:
        pileon.minor = True
        pileon.save(update_fields=["minor"])
    if pileon.minor and pileon.helplines_alerted_at is None:
        alert_helplines(pileon, now)
    return pileon


@dataclass(frozen=True)
class PileOnFigures:
    """What a pile-on's row says: its undecided reports and notices, and when the first and last came."""

    reports: int
    notices: int
    first_at: datetime | None
    last_at: datetime | None
    category: str = ""


def pileon_figures(pileon_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PileOnFigures]:
    """One grouped query for the pile-ons on a queue page (by the `notice_pileon_queue` index)."""
    wanted = set(pileon_ids)
    if not wanted:
        return {}
    rows = (
        Notice.objects.filter(pileon_id__in=wanted, status__in=OPEN_STATUSES)
        .values("pileon_id")
        .annotate(
            reports=Count("report_id", distinct=True),
            notices=Count("id"),
            first_at=Min("received_at"),
            last_at=Max("received_at"),
        )
    )
    return {
        r["pileon_id"]: PileOnFigures(
            reports=r["reports"], notices=r["notices"], first_at=r["first_at"], last_at=r["last_at"]
        )
        for r in rows
    }


def partner_helplines(platform: Platform) -> list[Helpline]:
    """The helplines that work with the platform: those holding a case shared from one of its reports (the
    rule is handoffs.access.partner_cases, which the console's alert panel uses too)."""
    return list(handoffs_access.partner_helplines(platform).order_by("slug"))


def alert_helplines(pileon: PileOn, now: datetime) -> None:
    """Tell the platform's partner helplines that a child is the target of a pile-on: the platform, how many
    reports since when, the category — nothing about anyone (ADR 0007: no report content without the
    reporter's consent). A helpline that wants to act asks the platform, or waits for a reporter to share."""
    members = Notice.objects.filter(pileon=pileon, status__in=OPEN_STATUSES)
    reports = members.aggregate(n=Count("report_id", distinct=True))["n"]
    category = (
        members.values("category").annotate(n=Count("id")).order_by("-n", "category").values_list("category", flat=True)
    ).first() or ""
    for helpline in partner_helplines(pileon.platform):
        events.pileon_against_minor(pileon=pileon, helpline=helpline, reports=reports, category=category, now=now)
    pileon.helplines_alerted_at = now
    pileon.save(update_fields=["helplines_alerted_at"])


def pileon_members(pileon: PileOn, now: datetime, *, limit: int = 200) -> list[QueueItem]:
    """A pile-on's undecided notices in queue order, each as a queue row of its own (decidable one by one),
    with its snippet: the first `limit` (the console and the API show that many)."""
    members = list(
        Notice.objects.filter(pileon=pileon, status__in=OPEN_STATUSES)
        .select_related("helpline")
        .only(*QUEUE_ROW_FIELDS)
        .order_by(*QUEUE_ORDER)[:limit]
    )
    snippets = _snippets(members)
    return [
        QueueItem(n, priority_of(n, now), None, snippet=snippets.get(n.report_id, "") if n.report_id else "")
        for n in members
    ]


def _close_pileon_if_done(pileon_id: uuid.UUID | None, now: datetime) -> None:
    if pileon_id is None:
        return
    if not Notice.objects.filter(pileon_id=pileon_id, status__in=OPEN_STATUSES).exists():
        PileOn.objects.filter(pk=pileon_id, closed_at__isnull=True).update(closed_at=now)


def flagger_standing(case: Case, category: str, now: datetime) -> flaggers.Standing:
    """Whether an escalation of `case` would go as a trusted flagger's notice, and why (shown before sending)."""
    assert case.report is not None  # noqa: S101 - callers hold a visible case
    statuses = [
        flaggers.Status(
            authority=s.authority,
            awarded_in=s.awarded_in,
            scope=s.scope,
            areas=frozenset(s.areas),
            awarded_on=s.awarded_on,
            revoked_on=s.revoked_on,
        )
        for s in TrustedFlaggerStatus.objects.filter(helpline=case.helpline).order_by("awarded_on")
    ]
    platform = case.report.platform
    return flaggers.standing(
        statuses, platform_country=platform.country, category=category, on=now.astimezone(_zone(platform)).date()
    )


@dataclass(frozen=True)
class Escalation:
    category: str
    ground_kind: str
    ground: str
    explanation: str
    content_positions: tuple[int, ...]
    urgent: bool


def escalate(*, actor: HelplineActor, case: Case, escalation: Escalation, now: datetime) -> Notice:
    """A counsellor sends the case to the platform as a notice: a trusted flagger's where the status holds."""
    from relais.directory.schema import CATEGORIES

    report = case.report
    assert report is not None  # noqa: S101 - access.py never returns a withdrawn case
    if escalation.category not in CATEGORIES:
        raise ModerationError("category", f"unknown category (known: {', '.join(CATEGORIES)})")
    if escalation.ground_kind not in ("illegal", "incompatible"):
        raise ModerationError("ground_kind", "choose illegal content or incompatible with the terms")
    ground = escalation.ground.strip()
    if not ground or len(ground) > 500:
        raise ModerationError("ground", "name the law or the terms-of-service clause (at most 500 characters)")
    explanation = escalation.explanation.strip()
    if not explanation or len(explanation) > 5000:
        raise ModerationError("explanation", "explain why the content is illegal or against the terms (≤ 5,000)")
    positions = sorted(set(escalation.content_positions))
    known = set(report.content.values_list("position", flat=True))
    if not positions:
        raise ModerationError("content_positions", "choose at least one reported item")
    if not set(positions) <= known:
        raise ModerationError("content_positions", f"the report has no item {sorted(set(positions) - known)}")
    try:
        check_transition(case.status, CaseStatus.ESCALATED)
    except ValueError as exc:
        raise ModerationError("case", str(exc)) from None
    standing = flagger_standing(case, escalation.category, now)
    notifier = f"helpline:{case.helpline.slug}"
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if Notice.objects.filter(case=locked, status__in=OPEN_STATUSES).exists():
            raise ModerationError("case", "this case's escalation is still waiting for the platform's decision")
        notice = Notice(
            platform=report.platform,
            report=report,
            case=locked,
            helpline=case.helpline,
            source=Source.TRUSTED_FLAGGER if standing.trusted else Source.OTHER_NOTIFICATION,
            notifier=notifier,
            category=escalation.category,
            danger_immediate=escalation.urgent or report.danger == "immediate",
            reporter_age=report.reporter_age,
            ground_kind=escalation.ground_kind,
            ground=ground,
            explanation=explanation,
            content_positions=positions,
            received_at=now,
            acknowledged_at=now,
            status=NoticeStatus.SUSPENDED if _suspended(report.platform, notifier, now) else NoticeStatus.OPEN,
        )
        escalated_items = [c for c in report.content.all() if c.position in positions]
        target = target_of_items(escalated_items)
        notice.target_key = target.key if target is not None else ""
        ranked(notice).save(force_insert=True)
        if target is not None and notice.status == NoticeStatus.OPEN:
            # An escalation joins its target's open pile-on; it does not form one (it is not another report).
            open_ = _open_pileon(notice.platform_id, target.key)
            if open_ is not None:
                Notice.objects.filter(pk=notice.pk).update(pileon=open_)
                notice.pileon = open_
        before = locked.status
        locked.status = CaseStatus.ESCALATED
        locked.updated_at = now
        locked.save(update_fields=["status", "updated_at"])
        AccessEvent.objects.create(
            case=locked,
            at=now,
            actor_id=actor.user.pk if actor.user else None,
            actor_label=actor.label,
            action=AccessEvent.Action.ESCALATED,
            detail=f"{notice.get_source_display()}: {escalation.category}",
        )
        if before != CaseStatus.ESCALATED:
            events.case_status_changed(case=locked, before=before, now=now)
        events.notice_escalated(notice=notice, report=report, case=locked, now=now)
        ReachCount.record(
            platform=report.platform,
            country=report.reporter_country,
            helplines=[case.helpline.directory_id],
            step=reach.ESCALATED,
            at=now,
        )
    case.status = locked.status
    return notice


# --- the queue ---


@dataclass(frozen=True)
class TrackRecord:
    """A notifier's decided notices in the misuse window, and their Art. 23 standing."""

    notifier: str
    decided: int
    unfounded: int
    warned_at: datetime | None
    suspended_until: datetime | None

    @property
    def share_unfounded(self) -> float:
        return self.unfounded / self.decided if self.decided else 0.0


@dataclass(frozen=True)
class QueueItem:
    """One queue row: the leading notice of a group about the same reported content (ADR 0027), the
    group's other undecided notices in queue order, and the start of the reported text."""

    notice: Notice
    priority: priorities.Priority
    track_record: TrackRecord | None
    grouped: tuple[Notice, ...] = ()
    snippet: str = ""
    pileon: PileOn | None = None
    pileon_figures: PileOnFigures | None = None

    @property
    def notices(self) -> int:
        """How many undecided notices the row stands for (deciding it decides them all)."""
        return 1 + len(self.grouped)


def sla() -> dict[str, timedelta]:
    hours = settings.RELAIS_MODERATION_SLA_HOURS
    return {
        kind: timedelta(hours=hours.get(kind, default.total_seconds() / 3600))
        for kind, default in priorities.DEFAULT_SLA.items()
    }


def facts_of(notice: Notice) -> priorities.NoticeFacts:
    return priorities.NoticeFacts(
        received_at=notice.received_at,
        category=notice.category,
        trusted_flagger=notice.trusted_flagger,
        danger_immediate=notice.danger_immediate,
        reporter_age=notice.reporter_age,
    )


def ranked(notice: Notice) -> Notice:
    """The notice with its stored priority key set (`Notice.queue_rank`): every path that creates a notice
    passes it through here before the INSERT (the column has no default, so a forgotten path fails loudly)."""
    notice.queue_rank = priorities.queue_rank(facts_of(notice))
    return notice


def priority_of(notice: Notice, now: datetime) -> priorities.Priority:
    return priorities.priority(facts_of(notice), now, sla())


@cache
def _track_records_sql(notifiers: int) -> str:
    """First decisions (not those taken on appeal) in the window, and how many were manifestly unfounded,
    per notifier. Written once as SQL: the ORM spent 2 of the next item's 6.4 ms of CPU building this query
    (docs/benchmarks.md §4). The notice's side of the join says the same decisions again (a first decision
    is the notice's `decided_at`) so that the database reads the index `notice_decided_by_notifier`, the
    notifier's decided notices, not every notice of a notifier who sends thousands (a helpline's
    escalations wait in the queue too)."""
    decision, notice = Decision._meta.db_table, Notice._meta.db_table
    return (
        f"SELECT n.notifier, COUNT(*), SUM(CASE WHEN d.manifestly_unfounded THEN 1 ELSE 0 END) "  # noqa: S608
        f"FROM {decision} d JOIN {notice} n ON n.id = d.notice_id "
        "WHERE d.platform_id = %s AND d.decided_at > %s AND d.on_appeal_id IS NULL "
        f"AND n.platform_id = %s AND n.status = '{NoticeStatus.DECIDED.value}' AND n.decided_at > %s "
        f"AND n.notifier IN ({', '.join(['%s'] * notifiers)}) GROUP BY n.notifier"
    )


def track_records(platform: Platform, notifiers: Iterable[str], now: datetime) -> dict[str, TrackRecord]:
    """One query for every notifier on a queue page: decided and manifestly unfounded notices in the window."""
    wanted = {n for n in notifiers if n}
    if not wanted:
        return {}
    since = connection.ops.adapt_datetimefield_value(now - policy().window)  # as the ORM would send it
    with connection.cursor() as cursor:
        cursor.execute(_track_records_sql(len(wanted)), [platform.pk, since, platform.pk, since, *sorted(wanted)])
        by_notifier = {notifier: (decided, unfounded) for notifier, decided, unfounded in cursor.fetchall()}
    standings = {s.notifier: s for s in NotifierStanding.objects.filter(platform=platform, notifier__in=wanted)}
    records = {}
    for notifier in wanted:
        decided, unfounded = by_notifier.get(notifier, (0, 0))
        standing = standings.get(notifier)
        records[notifier] = TrackRecord(
            notifier=notifier,
            decided=decided,
            unfounded=unfounded,
            warned_at=standing.warned_at if standing else None,
            suspended_until=standing.suspended_until if standing else None,
        )
    return records


@dataclass(frozen=True)
class QueuePosition:
    """Where a queue page ends: the stored keys of its last notice (a keyset cursor, ADR 0014)."""

    queue_rank: int
    received_at: datetime
    notice_id: uuid.UUID

    @classmethod
    def of(cls, notice: Notice) -> QueuePosition:
        return cls(queue_rank=notice.queue_rank, received_at=notice.received_at, notice_id=notice.id)

    @property
    def cursor(self) -> str:
        """The opaque token the API (`Next-Cursor`, `?cursor=`) and the console (`?after=`) pass around."""
        return cursors.encode([self.queue_rank, self.received_at, self.notice_id])

    @classmethod
    def from_cursor(cls, cursor: str) -> QueuePosition:
        """ValueError for anything `cursor` did not write."""
        rank, received_at, notice_id = cursors.decode(cursor, (int, datetime, uuid.UUID))  # each of its type
        return cls(
            queue_rank=cast(int, rank), received_at=cast(datetime, received_at), notice_id=cast(uuid.UUID, notice_id)
        )


QUEUE_ORDER = ("queue_rank", "received_at", "id")
"""The queue's SQL order, served by the partial index `notice_priority`; equal to priority.queue_key's."""

QUEUE_ROW_FIELDS = (*access.QUEUE_COLUMNS, "helpline__name", "helpline__directory_id")
"""A queue row's fields for the ORM (`.only`): the hand-written page's columns (access.QUEUE_COLUMNS) and the
escalating helpline's name, which that statement joins in."""

SNIPPET_LENGTH = 140
"""Characters of the reported text a queue row shows: enough to recognise the content, not to read it there."""


def group_of(notice: Notice) -> QuerySet[Notice]:
    """The undecided notices about the same reported content as `notice` (itself included), in queue order:
    the reporter's own notice and the escalations of the same report. A notice whose report was purged is
    a group of one."""
    if notice.report_id is None:
        return Notice.objects.filter(pk=notice.pk, status__in=OPEN_STATUSES)
    return Notice.objects.filter(
        platform_id=notice.platform_id, report_id=notice.report_id, status__in=OPEN_STATUSES
    ).order_by(*QUEUE_ORDER)


def _snippets(page: list[Notice]) -> dict[uuid.UUID, str]:
    """The start of each row's reported text, by report: the first item the leading notice is about (every
    item for a reporter's own notice: the first). Only this page's items are read, so only they are unsealed."""
    return {report: _snippet(text) for report, text in access.first_items(page).items()}


def snippet_of(notice: Notice) -> str:
    """The start of the reported text a notice is about, as its queue row shows it."""
    return _snippets([notice]).get(notice.report_id, "") if notice.report_id is not None else ""


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_LENGTH:
        return flat
    return flat[: SNIPPET_LENGTH - 1].rstrip() + "…"


def queue(
    platform: Platform, now: datetime, *, limit: int = 100, after: QueuePosition | None = None
) -> list[QueueItem]:
    """A page of the platform's queue rows in the order of priority.py (trusted flaggers first…), the
    `limit` first ones after `after`: one row per reported content, led by its notice of highest priority,
    with the group's other undecided notices (ADR 0027). Grouped, ordered and cut in SQL: the rows and their
    groups in one hand-written statement (access.queue_page), the snippets and the notifiers' track records in
    one query each, the pile-ons' in two when the page has any."""
    position = None if after is None else (after.queue_rank, after.received_at, after.notice_id)
    read = access.queue_page(platform, limit=limit, after=position)
    page, grouped = read.leaders, read.grouped
    snippets = _snippets(page)
    records = track_records(platform, (n.notifier for n in page), now)
    pileon_ids = {n.pileon_id for n in page if n.pileon_id is not None}
    piles = {p.id: p for p in PileOn.objects.filter(id__in=pileon_ids)} if pileon_ids else {}
    figures = pileon_figures(pileon_ids)
    return [
        QueueItem(
            n,
            priority_of(n, now),
            records.get(n.notifier),
            grouped=tuple(grouped.get(n.report_id, ())) if n.report_id is not None else (),
            snippet=snippets.get(n.report_id, "") if n.report_id is not None else "",
            pileon=piles.get(n.pileon_id) if n.pileon_id is not None else None,
            pileon_figures=figures.get(n.pileon_id) if n.pileon_id is not None else None,
        )
        for n in page
    ]


# --- claiming ---


@transaction.atomic
def claim(*, actor: ModeratorActor, notice: Notice, now: datetime) -> Notice:
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.status == NoticeStatus.DECIDED:
        raise ModerationError("notice", "this notice is decided already")
    if locked.status == NoticeStatus.SUSPENDED:
        raise ModerationError("notice", "its notifier is suspended (Art. 23): the notice is not processed")
    taken = locked.status == NoticeStatus.CLAIMED and not actor.same_person(locked.claimed_by_id, locked.claimed_label)
    if taken and not actor.is_lead:
        raise ModerationError("notice", f"{locked.claimed_label} is working on it")
    locked.status = NoticeStatus.CLAIMED
    locked.claimed_by_id = actor.user_id
    locked.claimed_label = actor.label
    locked.claimed_at = now
    locked.save(update_fields=["status", "claimed_by", "claimed_label", "claimed_at"])
    return locked


@transaction.atomic
def release(*, actor: ModeratorActor, notice: Notice) -> Notice:
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.status == NoticeStatus.CLAIMED and (
        actor.is_lead or actor.same_person(locked.claimed_by_id, locked.claimed_label)
    ):
        locked.status = NoticeStatus.OPEN
        locked.claimed_by = None
        locked.claimed_label = ""
        locked.claimed_at = None
        locked.save(update_fields=["status", "claimed_by", "claimed_label", "claimed_at"])
    return locked


# --- decisions ---


@dataclass(frozen=True)
class DecisionInput:
    """What a moderator decides, in the Transparency Database's own values (statement_of_reasons.py)."""

    outcome: str
    facts: str = ""
    ground: str = "incompatible"
    legal_ground: str = ""
    terms_ground: str = ""
    explanation: str = ""
    category: str = ""
    category_additions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    keyword_other: str = ""
    visibility: tuple[str, ...] = ()
    visibility_other: str = ""
    monetary: str = ""
    monetary_other: str = ""
    provision: str = ""
    account: str = ""
    account_type: str = ""
    content_types: tuple[str, ...] = ("CONTENT_TYPE_TEXT",)
    content_type_other: str = ""
    territorial_scope: tuple[str, ...] = ()
    content_language: str = ""
    also_illegal: bool | None = None
    reference_url: str = ""
    automated_detection: bool = False
    automated_decision: str = "not_automated"
    application_date: date | None = None
    end_dates: Mapping[str, date | None] = field(default_factory=dict)
    manifestly_unfounded: bool = False
    summary: str = ""
    note: str = ""


def _zone(platform: Platform) -> ZoneInfo:
    return ZoneInfo(platform.zone or "UTC")


def _content_date(notice: Notice, today: date) -> date:
    report = notice.report
    if report is None:
        return notice.received_at.date()
    posted = [c.posted_at for c in report.content.all() if c.posted_at is not None]
    if notice.content_positions:
        posted = [
            c.posted_at
            for c in report.content.all()
            if c.posted_at is not None and c.position in notice.content_positions
        ] or posted
    return min(posted).date() if posted else (report.reported_at or report.received_at).date()


def statement_for(notice: Notice, data: DecisionInput, puid: str, today: date) -> dict[str, Any]:
    """The statement of reasons body, validated as the Transparency Database would; raises DecisionRefused."""
    if data.ground not in ("illegal", "incompatible"):
        raise DecisionRefused({"decision_ground": "choose illegal content or incompatible with the terms"})
    if data.automated_decision not in ("fully", "partially", "not_automated"):
        raise DecisionRefused({"automated_decision": "fully, partially or not_automated"})
    source = {
        Source.ARTICLE_16: "article_16",
        Source.TRUSTED_FLAGGER: "trusted_flagger",
        Source.OTHER_NOTIFICATION: "other_notification",
    }[Source(notice.source)]
    decision = sor.Decision(
        puid=puid,
        ground=data.ground,  # type: ignore[arg-type]  # checked above
        explanation=data.explanation.strip(),
        facts=data.facts.strip(),
        category=data.category,
        content_types=tuple(data.content_types),
        content_date=_content_date(notice, today),
        application_date=data.application_date or today,
        source=source,  # type: ignore[arg-type]  # from the closed mapping above
        automated_detection=data.automated_detection,
        automated_decision=data.automated_decision,  # type: ignore[arg-type]  # checked above
        legal_ground=data.legal_ground.strip() or None,
        terms_ground=data.terms_ground.strip() or None,
        also_illegal=data.also_illegal,
        reference_url=data.reference_url.strip() or None,
        visibility=tuple(data.visibility),
        visibility_other=data.visibility_other.strip() or None,
        monetary=data.monetary or None,
        monetary_other=data.monetary_other.strip() or None,
        provision=data.provision or None,
        account=data.account or None,
        account_type=data.account_type or None,
        category_additions=tuple(data.category_additions),
        keywords=tuple(data.keywords),
        keyword_other=data.keyword_other.strip() or None,
        content_type_other=data.content_type_other.strip() or None,
        territorial_scope=tuple(data.territorial_scope),
        content_language=data.content_language or None,
        end_dates=dict(data.end_dates),
        # An organisation is named, a person never (Art. 24(5)): only a flagger's name goes out.
        source_identity=notice.helpline.name if notice.helpline is not None else None,
    )
    body = sor.build(decision)
    problems = sor.validate(body)
    if problems:
        raise DecisionRefused(problems)
    return body


def _summary(data: DecisionInput) -> str:
    """Only the moderator's own words are stored: without them, the notifier reads plain words written in
    their language when they read them (summaries.summary_for, ADR 0021)."""
    return data.summary.strip()[:500]


def _new_decision(
    *, actor: ModeratorActor, notice: Notice, data: DecisionInput, now: datetime, appeal: Appeal | None = None
) -> Decision:
    if data.outcome not in Outcome.values:
        raise ModerationError("outcome", "restricted or no_action")
    decision_id = uuid.uuid4()
    puid = f"relais-{decision_id.hex}"
    today = now.astimezone(_zone(notice.platform)).date()
    statement = statement_for(notice, data, puid, today) if data.outcome == Outcome.RESTRICTED else None
    if data.outcome == Outcome.NO_ACTION and data.facts.strip() == "" and data.summary.strip() == "":
        raise ModerationError("facts", "say briefly why no action is taken: the notifier is told")
    return Decision.objects.create(
        id=decision_id,
        puid=puid,
        notice=notice,
        platform=notice.platform,
        outcome=data.outcome,
        moderator_id=actor.user_id,
        moderator_label=actor.label,
        decided_at=now,
        manifestly_unfounded=data.manifestly_unfounded and data.outcome == Outcome.NO_ACTION,
        summary=_summary(data),
        note=data.note.strip()[:2000],
        statement=statement,
        informed_at=now,
        appeal_deadline=appeals.appeal_deadline(now, _zone(notice.platform), settings.RELAIS_APPEAL_MONTHS),
        on_appeal=appeal,
        submission_due_at=now if statement is not None and _submits(notice.platform) else None,
    )


def _submits(platform: Platform) -> bool:
    return TransparencyAccount.objects.filter(platform=platform, active=True).exists()


def _apply_misuse(notice: Notice, now: datetime) -> misuse.Verdict | None:
    """After a manifestly unfounded notice: warn, or suspend a notifier already warned (Art. 23(1)-(3))."""
    if not notice.notifier:
        return None
    record = track_records(notice.platform, [notice.notifier], now)[notice.notifier]
    verdict = misuse.assess(
        misuse.Record(
            total=record.decided,
            unfounded=record.unfounded,
            warned_at=record.warned_at,
            suspended_until=record.suspended_until,
        ),
        now,
        policy(),
    )
    if verdict.action == misuse.Action.NONE:
        return verdict
    standing, _ = NotifierStanding.objects.select_for_update().get_or_create(
        platform=notice.platform, notifier=notice.notifier
    )
    if verdict.action == misuse.Action.WARN:
        standing.warned_at = now
    else:
        standing.suspended_until = verdict.until
    standing.reason = verdict.reason[:300]
    standing.save()
    return verdict


def decide(*, actor: ModeratorActor, notice: Notice, data: DecisionInput, now: datetime) -> Decision:
    """Decide a notice: the decision, its statement of reasons, the notifiers told — or nothing at all."""
    with transaction.atomic():
        locked = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("platform", "helpline", "report")
            .get(pk=notice.pk)
        )
        if locked.status == NoticeStatus.DECIDED:
            raise ModerationError("notice", "this notice is decided already; an appeal can change the decision")
        if locked.status == NoticeStatus.SUSPENDED:
            raise ModerationError("notice", "its notifier is suspended (Art. 23): the notice is not processed")
        if locked.status == NoticeStatus.CLAIMED and not actor.same_person(locked.claimed_by_id, locked.claimed_label):
            raise ModerationError("notice", f"{locked.claimed_label} is working on it")
        decision = _new_decision(actor=actor, notice=locked, data=data, now=now)
        locked.status = NoticeStatus.DECIDED
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_at"])
        if now.astimezone(_zone(locked.platform)).date() < clock.now().astimezone(_zone(locked.platform)).date():
            rollups.note_decision(locked, _zone(locked.platform))  # a day over, perhaps rolled up (ADR 0040)
        if locked.helpline is not None and locked.source != Source.ARTICLE_16:
            ReachCount.record(
                platform=locked.platform,
                country=locked.report.reporter_country if locked.report is not None else "",
                helplines=[locked.helpline.directory_id],
                step=reach.DECIDED,
                at=now,
            )
        verdict = _apply_misuse(locked, now) if decision.manifestly_unfounded else None
        events.notice_decided(notice=locked, decision=decision, now=now, standing=verdict)
        _close_pileon_if_done(locked.pileon_id, now)
    _enqueue_submission(decision)
    return decision


def decide_group(*, actor: ModeratorActor, notice: Notice, data: DecisionInput, now: datetime) -> list[Decision]:
    """Decide a queue row: `notice`, then every other undecided notice about the same content (ADR 0027),
    each by `decide` — its own decision and statement of reasons, its notifier told as for a single notice
    — in one transaction: all of them, or none if any is refused. `notice`'s decision comes first."""
    with transaction.atomic():
        decisions = [decide(actor=actor, notice=notice, data=data, now=now)]
        for other in group_of(notice).exclude(pk=notice.pk):
            try:
                decisions.append(decide(actor=actor, notice=other, data=data, now=now))
            except DecisionRefused:
                raise
            except ModerationError as exc:
                other.refresh_from_db(fields=["status", "claimed_label"])
                raise GroupRefused(other, exc) from None
    return decisions


def decide_pileon(*, actor: ModeratorActor, pileon: PileOn, data: DecisionInput, now: datetime) -> list[Decision]:
    """Decide a whole pile-on (ADR 0034): every undecided notice of it, in queue order, by `decide` — each its
    own decision, statement of reasons and notifier told — in one transaction, or none if any is refused (held
    by another moderator: GroupRefused, a 409)."""
    with transaction.atomic():
        PileOn.objects.select_for_update().get(pk=pileon.pk)
        members = list(Notice.objects.filter(pileon=pileon, status__in=OPEN_STATUSES).order_by(*QUEUE_ORDER))
        if not members:
            raise ModerationError("pileon", "every report of this pile-on is decided already")
        decisions = []
        for member in members:
            try:
                decisions.append(decide(actor=actor, notice=member, data=data, now=now))
            except DecisionRefused:
                raise
            except ModerationError as exc:
                member.refresh_from_db(fields=["status", "claimed_label"])
                raise GroupRefused(member, exc) from None
    return decisions


BULK_MAX = 200
"""Notices one bulk close may name: a page of the console's queue, twice over."""


def bulk_close(*, actor: ModeratorActor, notices: Sequence[Notice], note: str, now: datetime) -> list[Decision]:
    """Close queue rows as "no action" with one note (ADR 0034): each row as its decision would (`decide_group`:
    the row's other notices about the same content too), each notice its own decision, its notifier told in
    plain words; the note is kept on every decision, for the record, and sent to no one. All in one
    transaction, or nothing. A notice decided already is left as it is and its decision in force returned, so
    sending the same request again changes nothing."""
    note = note.strip()
    if not note or len(note) > 2000:
        raise ModerationError("note", "say why these are closed without action (at most 2,000 characters)")
    if not notices:
        raise ModerationError("notice_ids", "name at least one notice")
    if len(notices) > BULK_MAX:
        raise ModerationError("notice_ids", f"at most {BULK_MAX} notices at once")
    data = DecisionInput(outcome=Outcome.NO_ACTION, facts=note, note=note)
    decisions: list[Decision] = []
    with transaction.atomic():
        for notice in notices:
            notice.refresh_from_db(fields=["status"])
            if notice.status == NoticeStatus.DECIDED:
                in_force = current_decision(notice)
                if in_force is not None:
                    decisions.append(in_force)
                continue
            try:
                decisions.append(decide_group(actor=actor, notice=notice, data=data, now=now)[0])
            except GroupRefused:
                raise
            except DecisionRefused:
                raise
            except ModerationError as exc:
                raise GroupRefused(notice, exc) from None
    return decisions


def _enqueue_submission(decision: Decision) -> None:
    if decision.submission_due_at is not None:
        from relais.moderation.tasks import submit_statements

        transaction.on_commit(lambda: submit_statements.enqueue(str(decision.platform_id)))


def current_decision(notice: Notice) -> Decision | None:
    """The decision in force: the last one, as appeals may have replaced the first."""
    return notice.decisions.filter(reversed_by__isnull=True).order_by("-decided_at").first()


# --- appeals (Art. 20) ---


def appeal(*, decision: Decision, appellant: str, reason: str, now: datetime) -> Appeal:
    if appellant not in ("reporter", "affected_user"):
        raise ModerationError("appellant", "reporter or affected_user")
    reason = reason.strip()
    if not reason or len(reason) > 5000:
        raise ModerationError("reason", "say why the decision should change (at most 5,000 characters)")
    if decision.reversed_by_id is not None:
        raise ModerationError("decision", "this decision was replaced on appeal; appeal the new one")
    if now > decision.appeal_deadline:
        raise ModerationError(
            "decision",
            f"the appeal period ended on {decision.appeal_deadline.astimezone(_zone(decision.platform)):%Y-%m-%d}",
        )
    with transaction.atomic():
        Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.appeals.filter(appellant=appellant, status=AppealStatus.OPEN).exists():
            raise ModerationError("appellant", "an appeal from this side is already waiting")
        return Appeal.objects.create(decision=decision, appellant=appellant, reason=reason, received_at=now)


def decide_appeal(
    *,
    actor: ModeratorActor,
    appeal_: Appeal,
    reverse: bool,
    explanation: str,
    now: datetime,
    new_decision: DecisionInput | None = None,
) -> Appeal:
    """Another moderator decides; a reversal is a new decision that replaces the first (both are kept)."""
    explanation = explanation.strip()
    if not explanation:
        raise ModerationError("explanation", "explain the decision on the appeal: the appellant is told")
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().select_related("decision__notice__platform").get(pk=appeal_.pk)
        if locked.status != AppealStatus.OPEN:
            raise ModerationError("appeal", "this appeal is decided already")
        original = locked.decision
        if actor.same_person(original.moderator_id, original.moderator_label):
            raise ModerationError("moderator", "an appeal is decided by another moderator than the first decision's")
        replacement = None
        if reverse:
            if new_decision is None:
                flipped = Outcome.NO_ACTION if original.outcome == Outcome.RESTRICTED else Outcome.RESTRICTED
                if flipped == Outcome.RESTRICTED:
                    raise ModerationError("decision", "a reversal to a restriction needs the restriction decided")
                new_decision = DecisionInput(outcome=flipped, facts=explanation)
            if new_decision.outcome == original.outcome and new_decision.outcome == Outcome.NO_ACTION:
                raise ModerationError("outcome", "a reversal changes the outcome")
            replacement = _new_decision(actor=actor, notice=original.notice, data=new_decision, now=now, appeal=locked)
            original.reversed_by = replacement
            original.save(update_fields=["reversed_by"])
        locked.status = AppealStatus.REVERSED if reverse else AppealStatus.UPHELD
        locked.decided_by_id = actor.user_id
        locked.decided_by_label = actor.label
        locked.decided_at = now
        locked.explanation = explanation
        locked.save(update_fields=["status", "decided_by", "decided_by_label", "decided_at", "explanation"])
        events.appeal_decided(appeal=locked, replacement=replacement, now=now)
    if replacement is not None:
        _enqueue_submission(replacement)
    return locked


# --- statements of reasons out ---


def statements(platform: Platform, *, after: tuple[datetime, str] | None, limit: int) -> list[Decision]:
    """Restrictions in decision order, for the export (`?since=` / cursor); at most `limit` (≤ 100). Read from the
    replica when there is one (relais/replica.py): an export that lags the last decisions by seconds picks them
    up on its next page."""
    decisions = Decision.objects.using(replica.reading()).filter(platform=platform, outcome=Outcome.RESTRICTED)
    if after is not None:
        # A row comparison, which PostgreSQL reads as the start of a range of the `decision_statements` index;
        # the equivalent OR of two conditions would scan every earlier statement to find the page's first.
        decisions = decisions.filter(keyset.after(("decided_at", "puid"), after))
    return list(decisions.order_by("decided_at", "puid")[: min(limit, sor.BATCH_MAX)])


# --- what the helpline sees on a case (Art. 16(5), 17: the notifier is told the outcome and redress) ---


@dataclass(frozen=True)
class NoticeOutcome:
    """A notice as its notifier sees it: the decision in force (appeals may have replaced the first) and
    the appeals, oldest first — no moderator, no other notifier's notice."""

    notice: Notice
    decision: Decision | None
    appeals: list[Appeal]

    @classmethod
    def of(cls, notice: Notice) -> NoticeOutcome:
        """From a notice loaded by access.notices_on_report / notices_on_case (decisions and appeals prefetched)."""
        decisions = list(notice.decisions.all())
        in_force = next((d for d in decisions if d.reversed_by_id is None), None)
        appeals_ = sorted((a for d in decisions for a in d.appeals.all()), key=lambda a: a.received_at)
        return cls(notice=notice, decision=in_force, appeals=appeals_)

    @property
    def escalation(self) -> bool:
        return self.notice.source != Source.ARTICLE_16


def outcomes_for_case(case: Case) -> list[NoticeOutcome]:
    """The reporter's own notice and this helpline's escalations on the case's report, oldest first."""
    return [NoticeOutcome.of(notice) for notice in notices_on_case(case)]


# --- pile-on alerts in the helpline console (ADR 0034, addendum) ---


@dataclass(frozen=True)
class PileOnAlert:
    """What a helpline's console says of a pile-on against a child: the webhook's fields and nothing more
    (ADR 0007) — the platform, how many reports since when, the most frequent category, the pile-on's id —
    and, once the platform has decided every report, when it did (then no count: nothing is left open)."""

    pileon_id: uuid.UUID
    platform: str
    reports: int
    since: datetime
    category: str
    raised_at: datetime
    ends_at: datetime
    closed_at: datetime | None = None


def _longest_pileon_window() -> timedelta:
    hours = [settings.RELAIS_PILEON_WINDOW_HOURS, *(h for _, h in settings.RELAIS_PILEON_PLATFORMS.values())]
    return timedelta(hours=max(hours))


@dataclass(frozen=True)
class _Undecided:
    reports: int
    last_at: datetime
    category: str


def _undecided_members(pileon_ids: list[uuid.UUID]) -> dict[uuid.UUID, _Undecided]:
    """Open pile-ons' undecided reports, latest one and most frequent category (ties: the first by name, as
    `alert_helplines` picks it): two grouped queries by `notice_pileon_queue`."""
    if not pileon_ids:
        return {}
    members = Notice.objects.filter(pileon_id__in=pileon_ids, status__in=OPEN_STATUSES)
    categories: dict[uuid.UUID, str] = {}
    for row in members.values("pileon_id", "category").annotate(n=Count("id")).order_by("pileon_id", "-n", "category"):
        categories.setdefault(row["pileon_id"], row["category"])
    counted = members.values("pileon_id").annotate(
        reports=Count("report_id", distinct=True), last_at=Max("received_at")
    )
    return {
        row["pileon_id"]: _Undecided(row["reports"], row["last_at"], categories.get(row["pileon_id"], ""))
        for row in counted
    }


def pileon_alerts_for(helpline: Helpline, now: datetime) -> list[PileOnAlert]:
    """The helpline's live, unhandled alerts, newest first, counted now as the webhook and the moderation
    queue count them: the undecided reports and their most frequent category (`notice_pileon_queue`, the
    partial index over undecided notices, so a console page never scans the notices table).

    Selected by the webhook's rule (handoffs.access.partner_cases). An open pile-on's alert ends one window
    after its latest undecided report; a closed one's (every report decided) one window after it closed, so
    a counsellor still sees that it happened (pileons.alert_ends_at). Three queries in all."""
    candidates = list(
        handoffs_access.pileon_alerts_not_handled_by(helpline)
        .filter(helplines_alerted_at__lte=now)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=now - _longest_pileon_window()))
        .select_related("platform")
        .order_by("-helplines_alerted_at", "-pk")
    )
    counted_now = _undecided_members([p.pk for p in candidates if p.closed_at is None])
    alerts = []
    for pileon in candidates:
        counted = counted_now.get(pileon.pk)
        if pileon.closed_at is None and counted is None:  # decided meanwhile, not yet marked closed
            continue
        last = pileon.closed_at if counted is None else counted.last_at
        ends_at = pileons.alert_ends_at(cast(datetime, last), pileon_rule(pileon.platform))
        if now >= ends_at:
            continue
        alerts.append(
            PileOnAlert(
                pileon_id=pileon.pk,
                platform=pileon.platform.name,
                reports=0 if counted is None else counted.reports,
                since=pileon.started_at,
                category="" if counted is None else counted.category,
                raised_at=cast(datetime, pileon.helplines_alerted_at),
                ends_at=ends_at,
                closed_at=pileon.closed_at,
            )
        )
    return alerts
