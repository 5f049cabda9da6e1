"""« mercredi 25 novembre 2026, 22:59 » and « mercredi 25 novembre 2026 »."""

DATE_FORMAT = "l j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
