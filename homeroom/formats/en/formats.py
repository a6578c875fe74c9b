DATE_FORMAT = "l, F j, Y"  # Wednesday, December 2, 2026
DATETIME_FORMAT = "l, F j, Y, g:i a"  # Wednesday, December 2, 2026, 3:30 p.m.
SHORT_DATE_FORMAT = "M j, Y"  # Dec 2, 2026
SHORT_DATETIME_FORMAT = "D, M j, g:i a"  # Wed, Dec 2, 3:30 p.m.
