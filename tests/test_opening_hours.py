"""Channel states at the instants where hand-written time code goes wrong. No database."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from relais.directory.opening_hours import Schedule

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[arg-type,misc]


@pytest.mark.parametrize(
    ("at", "is_open", "change"),
    [
        (paris(2026, 11, 25, 22, 59), True, paris(2026, 11, 25, 23, 0)),
        (paris(2026, 11, 25, 22, 59, 59), True, paris(2026, 11, 25, 23, 0)),
        (paris(2026, 11, 25, 23, 0), False, paris(2026, 11, 26, 9, 0)),
        (paris(2026, 11, 26, 8, 59), False, paris(2026, 11, 26, 9, 0)),
        (paris(2026, 11, 26, 9, 0), True, paris(2026, 11, 26, 23, 0)),
        # Spring forward (2027-03-28 02:00 -> 03:00): 09:00 is 07:00 UTC that day, not 08:00.
        (datetime(2027, 3, 28, 6, 59, tzinfo=UTC), False, paris(2027, 3, 28, 9, 0)),
        (datetime(2027, 3, 28, 7, 0, tzinfo=UTC), True, paris(2027, 3, 28, 23, 0)),
        # Fall back (2026-10-25 03:00 -> 02:00): 23:00 is 22:00 UTC that day.
        (datetime(2026, 10, 25, 21, 59, tzinfo=UTC), True, paris(2026, 10, 25, 23, 0)),
        (datetime(2026, 10, 25, 22, 0, tzinfo=UTC), False, paris(2026, 10, 26, 9, 0)),
    ],
)
def test_3018_hours_at_the_boundaries(at: datetime, is_open: bool, change: datetime) -> None:
    state = Schedule("Mo-Su 09:00-23:00", PARIS, "FR").state(at)
    assert state.open is is_open
    assert state.valid_until == change
    assert state.valid_until is not None
    assert state.valid_until.utcoffset() == change.utcoffset()


def test_public_holiday_closes_a_line_that_is_off_on_holidays() -> None:
    schedule = Schedule("Mo-Fr 09:00-18:00; PH off", PARIS, "FR")
    christmas = paris(2026, 12, 25, 10, 0)  # a Friday
    assert schedule.state(christmas).open is False
    assert schedule.state(christmas).valid_until == paris(2026, 12, 28, 9, 0)
    assert schedule.state(paris(2026, 12, 24, 10, 0)).open is True


def test_a_24_7_line_is_open_with_no_change_ever() -> None:
    state = Schedule("24/7", PARIS, "FR").state(paris(2026, 1, 1, 3, 0))
    assert state.open is True
    assert state.valid_until is None
    assert state.change_iso(PARIS) is None


def test_overnight_hours_run_past_midnight() -> None:
    schedule = Schedule("Mo-Su 20:00-02:00", PARIS, None)
    assert schedule.state(paris(2026, 11, 24, 1, 30)).open is True
    assert schedule.state(paris(2026, 11, 24, 2, 0)).open is False


def test_a_fixed_offset_instant_is_accepted() -> None:
    """opening-hours-py refuses datetime.timezone tzinfo; the schedule converts first."""
    at = datetime.fromisoformat("2026-11-25T22:59:00+01:00")
    assert Schedule("Mo-Su 09:00-23:00", PARIS, "FR").state(at).open is True


def test_the_cached_state_is_reused_inside_its_interval_and_not_outside() -> None:
    schedule = Schedule("Mo-Su 09:00-23:00", PARIS, "FR")
    first = schedule.state(paris(2026, 11, 25, 10, 0))
    assert schedule.state(paris(2026, 11, 25, 22, 59)) is first
    assert schedule.state(paris(2026, 11, 25, 23, 0)).open is False
    # Going back in time (a test clock, a replayed request) recomputes rather than trusting the cache.
    assert schedule.state(paris(2026, 11, 25, 8, 0)).open is False
    assert schedule.state(paris(2026, 11, 25, 10, 0)).open is True


def test_change_times_are_given_in_the_reporters_zone() -> None:
    state = Schedule("Mo-Su 09:00-23:00", PARIS, "FR").state(paris(2026, 11, 25, 23, 30))
    assert state.change_iso(ZoneInfo("America/Martinique")) == "2026-11-26T04:00:00-04:00"
    assert state.change_iso(PARIS) == "2026-11-26T09:00:00+01:00"
