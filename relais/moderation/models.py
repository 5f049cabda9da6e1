"""DSA notices, decisions, statements of reasons, appeals and notifier standing.

A notice outlives the report it came from: retention purges reports (SET_NULL here) but a decision and
its statement of reasons hold no personal data and stay, as the DSA's transparency duties need them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from relais.handoffs.models import Case
from relais.reports.models import Report
from relais.tenants.models import Helpline, Platform


class Source(models.TextChoices):
    """The notice's `source_type` in the Transparency Database's terms."""

    ARTICLE_16 = "article_16", "Art. 16 notice (a user's report)"
    TRUSTED_FLAGGER = "trusted_flagger", "Trusted flagger (Art. 22)"
    OTHER_NOTIFICATION = "other_notification", "Other notification (a helpline without the status)"


class NoticeStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLAIMED = "claimed", "Claimed"
    DECIDED = "decided", "Decided"
    SUSPENDED = "suspended", "Not processed (notifier suspended, Art. 23)"


class TrustedFlaggerStatus(models.Model):
    """A helpline's trusted-flagger designation, as the awarding authority published it."""

    helpline = models.ForeignKey(Helpline, on_delete=models.CASCADE, related_name="flagger_statuses")
    authority = models.CharField(max_length=200, help_text="The awarding Digital Services Coordinator, e.g. Arcom.")
    awarded_in = models.CharField(max_length=2, help_text="Country of the awarding authority.")
    scope = models.CharField(
        max_length=2, default="EU", help_text="EU for a DSA status (valid Union-wide), or the one country it covers."
    )
    areas = models.JSONField(help_text="Report categories within the designated area of expertise.")
    awarded_on = models.DateField()
    revoked_on = models.DateField(null=True, blank=True)
    source_url = models.URLField(max_length=500, help_text="Where the designation is published.")

    def __str__(self) -> str:
        return f"{self.helpline} — {self.authority} ({self.awarded_on})"


class PileOn(models.Model):
    """Many reports about one account or post in a short time (pileons.Rule): one queue row (ADR 0034).

    Formed at intake when the rule is met, it gathers the target's undecided notices and every later one
    until none is left undecided (`closed_at`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="pileons")
    target_key = models.CharField(max_length=80, help_text="pileons.target_of's key: an account's or a post's.")
    target_kind = models.CharField(max_length=7, choices=[("account", "Account"), ("post", "Post")])
    target_label = models.CharField(max_length=2048, help_text="The account's handle or the post's URL, as reported.")
    started_at = models.DateTimeField(help_text="When its first report was received.")
    formed_at = models.DateTimeField(help_text="When the rule was met.")
    minor = models.BooleanField(default=False, help_text="A reporter under 18 is among its reporters.")
    helplines_alerted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When its last undecided notice was decided.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "target_key"], condition=models.Q(closed_at__isnull=True), name="pileon_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"pile-on on {self.target_kind} {self.target_label}"


class Notice(models.Model):
    """A notice to a platform (DSA Art. 16): every report is one; a helpline's escalation is another."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="notices")
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices")
    helpline = models.ForeignKey(
        Helpline,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        help_text="The escalating helpline; empty for a reporter's own notice.",
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    notifier = models.CharField(
        max_length=220,
        blank=True,
        help_text="Who sent it, for Art. 23: `reporter:<platform pseudonym>` or `helpline:<slug>`; empty if unknown.",
    )
    category = models.CharField(max_length=40)
    danger_immediate = models.BooleanField(default=False)
    reporter_age = models.PositiveSmallIntegerField(null=True, blank=True)
    ground_kind = models.CharField(
        max_length=12, blank=True, choices=[("illegal", "Illegal content"), ("incompatible", "Against the terms")]
    )
    ground = models.CharField(max_length=500, blank=True, help_text="The law or terms clause the notifier cites.")
    explanation = models.TextField(max_length=5000, blank=True)
    content_positions = models.JSONField(default=list, help_text="Which reported items the notice is about.")
    received_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(help_text="When the notifier got the acknowledgement (Art. 16(4)).")
    status = models.CharField(max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.OPEN)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="claimed_notices"
    )
    claimed_label = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    queue_rank = models.PositiveSmallIntegerField(
        help_text="priority.queue_rank of the notice's facts: the queue is ordered by it, then by received_at."
    )
    target_key = models.CharField(
        max_length=80,
        blank=True,
        default="",
        db_default="",
        help_text="pileons.target_of the notice's first item (the account, else the post); empty if none named.",
    )
    pileon = models.ForeignKey(
        PileOn, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices", db_index=False
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(source__in=Source.values), name="notice_source_valid"),
            models.CheckConstraint(condition=models.Q(status__in=NoticeStatus.values), name="notice_status_valid"),
            models.UniqueConstraint(
                fields=["report"], condition=models.Q(source="article_16"), name="notice_one_article_16_per_report"
            ),
        ]
        indexes = [
            models.Index(fields=["platform", "status", "received_at"], name="notice_queue"),
            models.Index(fields=["platform", "notifier", "received_at"], name="notice_by_notifier"),
            # Track records (services.track_records): a notifier's decided notices in the misuse window.
            models.Index(
                fields=["platform", "notifier", "decided_at"],
                condition=models.Q(status="decided"),
                name="notice_decided_by_notifier",
            ),
            # The dashboards (relais/moderation/figures.py, ADR 0038): notices in per day, and decided per day
            # with the time each took, read from the index alone on PostgreSQL.
            models.Index(fields=["platform", "received_at"], name="notice_received"),
            models.Index(
                fields=["platform", "decided_at"],
                include=["received_at", "source", "category"],
                condition=models.Q(status="decided"),
                name="notice_decided",
            ),
            # The supervisor's dashboard (relais/handoffs/figures.py): a helpline's escalations in a period.
            models.Index(
                fields=["helpline", "received_at"],
                condition=models.Q(helpline__isnull=False),
                name="notice_by_helpline",
            ),
            # The queue (ADR 0014): a platform's undecided notices in priority order, read a page at a time.
            models.Index(
                fields=["platform", "queue_rank", "received_at", "id"],
                condition=models.Q(status__in=["open", "claimed"]),
                name="notice_priority",
            ),
            # Pile-ons (ADR 0034): a target's undecided notices in the window, counted at intake.
            models.Index(
                fields=["platform", "target_key", "received_at"],
                condition=models.Q(status__in=["open", "claimed"]),
                name="notice_target",
            ),
            # A pile-on's undecided notices in queue order: the queue's probe for the row's leader, and its members.
            models.Index(
                fields=["pileon", "queue_rank", "received_at", "id"],
                condition=models.Q(status__in=["open", "claimed"]),
                name="notice_pileon_queue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.category} ({self.status})"

    @property
    def trusted_flagger(self) -> bool:
        return self.source == Source.TRUSTED_FLAGGER


class Outcome(models.TextChoices):
    RESTRICTED = "restricted", "Restricted"
    NO_ACTION = "no_action", "No action"


class Decision(models.Model):
    """A moderator's decision on a notice; a restriction carries its statement of reasons (Art. 17).

    A reversed decision stays (with `reversed_by`): the record of what was decided, and undone, is the point.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    puid = models.CharField(max_length=100, unique=True, help_text="The statement's id in the Transparency Database.")
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="decisions")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    moderator_label = models.CharField(max_length=200, help_text="A person, or the platform's own moderator id (API).")
    decided_at = models.DateTimeField()
    manifestly_unfounded = models.BooleanField(default=False)
    summary = models.CharField(
        max_length=500,
        blank=True,
        help_text="The moderator's own words for the notifier, shown as written. Empty: the notifier reads plain "
        "words Relais writes from the decision, in their language, when they read it.",
    )
    note = models.TextField(
        max_length=2000,
        blank=True,
        db_default="",
        help_text="The moderators' note for the record (a bulk close's); never sent.",
    )
    statement = models.JSONField(null=True, blank=True, help_text="The statement of reasons body, if restricted.")
    informed_at = models.DateTimeField(help_text="When the notifier was informed: the appeal period starts.")
    appeal_deadline = models.DateTimeField()
    on_appeal = models.ForeignKey(
        "Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="resulting_decisions"
    )
    reversed_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reverses"
    )
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="Accepted by the Transparency Database.")
    submission_attempts = models.PositiveIntegerField(default=0)
    submission_error = models.TextField(blank=True)
    submission_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(outcome__in=Outcome.values), name="decision_outcome_valid"),
            models.CheckConstraint(
                condition=models.Q(outcome="no_action", statement__isnull=True)
                | models.Q(outcome="restricted", statement__isnull=False),
                name="decision_statement_iff_restricted",
            ),
        ]
        indexes = [
            models.Index(fields=["platform", "decided_at"], name="decision_export"),
            # The statements export (`GET /moderation/statements`): restrictions in (decided_at, puid) order.
            models.Index(
                fields=["platform", "decided_at", "puid"],
                condition=models.Q(outcome="restricted"),
                name="decision_statements",
            ),
            models.Index(fields=["submission_due_at"], name="decision_submission_due"),
        ]

    def __str__(self) -> str:
        return f"{self.puid} {self.outcome}"


class AppealStatus(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Decision upheld"
    REVERSED = "reversed", "Decision reversed"


class Appeal(models.Model):
    """A complaint against a decision (Art. 20), decided by another moderator than the first."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    appellant = models.CharField(
        max_length=20, choices=[("reporter", "The reporter"), ("affected_user", "The user whose content it is")]
    )
    reason = models.TextField(max_length=5000)
    received_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    decided_by_label = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    explanation = models.TextField(max_length=5000, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=AppealStatus.values), name="appeal_status_valid"),
            models.UniqueConstraint(
                fields=["decision", "appellant"], condition=models.Q(status="open"), name="appeal_one_open_per_side"
            ),
        ]
        # The appeals list, oldest first, a page at a time (all, or the open ones to decide).
        indexes = [
            models.Index(fields=["received_at", "id"], name="appeal_order"),
            models.Index(fields=["received_at", "id"], condition=models.Q(status="open"), name="appeal_open_order"),
        ]

    def __str__(self) -> str:
        return f"appeal {self.appellant} on {self.decision_id} ({self.status})"


class NotifierStanding(models.Model):
    """Art. 23 state for one notifier on one platform: the last warning and any suspension in force."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="notifier_standings")
    notifier = models.CharField(max_length=220)
    warned_at = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "notifier"], name="standing_one_per_notifier")]

    def __str__(self) -> str:
        return f"{self.notifier} on {self.platform}"


class TransparencyAccount(models.Model):
    """Where a platform's statements of reasons are submitted (Art. 24(5)); none means export only.

    The token is the platform's own, issued by the Commission; it is kept in clear because it is sent.
    """

    platform = models.OneToOneField(Platform, on_delete=models.CASCADE, related_name="transparency_account")
    base_url = models.URLField(
        max_length=500, default="https://transparency.dsa.ec.europa.eu", help_text="The database's root URL."
    )
    token = models.CharField(max_length=500)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.platform} → {self.base_url}"


class NoticeDay(models.Model):
    """A platform's notices of one closed day, counted (ADR 0040): received that day, decided that day, and how
    long those decisions took, in steps (relais.figures.duration_bucket). The lead's dashboard reads these
    instead of the notices, so its cost grows with the days of the period, not the notices.

    Written by `relais figures rebuild` (relais/moderation/rollups.py) for days that are over in the
    platform's zone, and bumped by a decision dated in such a day; no row for a (day, source, category)
    without notices. A day counts only if its `RolledUpDay` says it was built, in the platform's zone."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(help_text="In the platform's zone.")
    source = models.CharField(max_length=20, choices=Source.choices)
    category = models.CharField(max_length=40)
    received = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    decision_minutes = models.JSONField(
        default=dict, help_text="The decisions of the day by time taken: {step start in minutes: count}."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "day", "source", "category"], name="notice_day_one_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.platform_id} {self.day} {self.source} {self.category}"


class RolledUpDay(models.Model):
    """A day whose `NoticeDay` rows are built: without this row the day is counted from the notices. The zone
    is the one its day boundaries were drawn in; if the platform's zone changes, the day counts live again
    until rebuilt."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    zone = models.CharField(max_length=64)
    built_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "day"], name="rolled_up_day_once")]

    def __str__(self) -> str:
        return f"{self.platform_id} {self.day} ({self.zone})"
