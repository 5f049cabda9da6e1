""" "Wednesday 25 November 2026, 22:59" and "Wednesday 25 November 2026" (day first, 24-hour clock)."""

DATE_FORMAT = "l j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
