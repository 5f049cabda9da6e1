"""How long a decision can be appealed (DSA Art. 20).

Art. 20(1): access to the complaint system lasts "for a period of at least six months following the
decision"; Art. 20(2): the period starts "on the day on which the recipient of the service is informed
about the decision". Six calendar months, counted in the platform's zone, to the end of that day; a month
without the same day ends on its last day (31 August + 6 months = 28/29 February).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

APPEAL_MONTHS = 6


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def appeal_deadline(informed_at: datetime, zone: ZoneInfo, months: int = APPEAL_MONTHS) -> datetime:
    """The last instant an appeal is accepted: the end of the day six months after being informed."""
    if informed_at.tzinfo is None:
        raise ValueError("informed_at must be aware")
    if months < APPEAL_MONTHS:
        raise ValueError(f"Art. 20(1) requires at least {APPEAL_MONTHS} months")
    last_day = add_months(informed_at.astimezone(zone).date(), months)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone) - timedelta(microseconds=1)


def can_appeal(informed_at: datetime | None, now: datetime, zone: ZoneInfo, months: int = APPEAL_MONTHS) -> bool:
    """Not informed yet: the period has not started, so an appeal is accepted (the later it starts, the better)."""
    if informed_at is None:
        return True
    return now <= appeal_deadline(informed_at, zone, months)
