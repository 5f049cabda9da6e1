"""Changes to the live directory from the consoles: closures and temporary hours, audited and versioned.

Each change, in one transaction: the row, an audit entry (DirectoryChange) and a bump of the single-row
DirectoryVersion that every worker polls (runtime.py). After commit this process reloads at once; the
others within RELAIS_DIRECTORY_REFRESH_SECONDS plus the time to rebuild (docs/operations.md).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from relais.directory.models import ClosureKind, DirectoryChange, DirectoryVersion, HelplineClosure
from relais.tenants.models import StaffMember

logger = logging.getLogger(__name__)


class ClosureError(ValueError):
    """A closure that cannot be set as asked; `field` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def bump_version(now: datetime) -> None:
    """Tell every worker the overrides changed (inside the caller's transaction)."""
    updated = DirectoryVersion.objects.filter(id=1).update(counter=F("counter") + 1, changed_at=now)
    if not updated:
        DirectoryVersion.objects.get_or_create(id=1, defaults={"counter": 1, "changed_at": now})


def _reload_after_commit() -> None:
    from relais.directory.runtime import holder

    transaction.on_commit(holder.reload)


def _audit(member: StaffMember, action: str, closure: HelplineClosure, now: datetime, detail: str) -> None:
    user = member.user
    DirectoryChange.objects.create(
        at=now,
        actor=user,
        actor_label=user.get_full_name() or user.get_username(),
        helpline=member.helpline,
        action=action,
        target=closure.target,
        detail=detail[:600],
    )
    logger.info(
        "directory %s",
        action,
        extra={"helpline": member.helpline.directory_id, "target": closure.target, "closure": closure.pk},
    )


def _require_supervisor(member: StaffMember) -> None:
    if not member.is_supervisor:
        raise PermissionError(_("Only a supervisor can change the helpline's hours."))


@transaction.atomic
def set_closure(
    *,
    member: StaffMember,
    target: str,
    allowed_targets: frozenset[str],
    kind: ClosureKind,
    starts_at: datetime,
    ends_at: datetime,
    hours: str,
    reason_fr: str,
    reason_en: str,
    now: datetime,
) -> HelplineClosure:
    """A closure or temporary hours for the member's own helpline, from `starts_at` to `ends_at`."""
    _require_supervisor(member)
    if target not in allowed_targets:
        raise ClosureError("target", _("Choose your helpline or one of its channels."))
    if ends_at <= starts_at:
        raise ClosureError("ends_at", _("The end must be after the start."))
    if ends_at <= now:
        raise ClosureError("ends_at", _("The end is already past."))
    if kind == ClosureKind.HOURS and not hours:
        raise ClosureError("hours", _("Give the temporary hours."))
    closure = HelplineClosure.objects.create(
        helpline=member.helpline,
        target=target,
        kind=kind,
        hours=hours if kind == ClosureKind.HOURS else "",
        starts_at=starts_at,
        ends_at=ends_at,
        reason_fr=reason_fr,
        reason_en=reason_en,
        created_by=member.user,
        created_at=now,
    )
    what = f"hours {hours}" if kind == ClosureKind.HOURS else "closed"
    _audit(member, "closure_set", closure, now, f"{what} {starts_at.isoformat()} to {ends_at.isoformat()}: {reason_en}")
    bump_version(now)
    _reload_after_commit()
    return closure


@transaction.atomic
def end_closure(*, member: StaffMember, closure: HelplineClosure, now: datetime) -> None:
    """End a closure now (kept in the history), or drop one that has not started yet."""
    _require_supervisor(member)
    if closure.ends_at <= now:
        return  # already over: nothing changes, nothing to log
    if closure.starts_at >= now:
        _audit(
            member,
            "closure_cancelled",
            closure,
            now,
            f"was {closure.starts_at.isoformat()} to {closure.ends_at.isoformat()}",
        )
        closure.delete()
    else:
        _audit(member, "closure_ended", closure, now, f"ended early; was until {closure.ends_at.isoformat()}")
        closure.ends_at = now
        closure.save(update_fields=["ends_at"])
    bump_version(now)
    _reload_after_commit()
