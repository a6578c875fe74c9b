# US schools' Spanish: 12-hour clock, as the families' phones show it.
DATE_FORMAT = r"l j \d\e F \d\e Y"  # miércoles 2 de diciembre de 2026
DATETIME_FORMAT = r"l j \d\e F \d\e Y, g:i a"  # miércoles 2 de diciembre de 2026, 3:30 p.m.
SHORT_DATE_FORMAT = r"j \d\e b \d\e Y"  # 2 de dic de 2026
SHORT_DATETIME_FORMAT = r"D j \d\e b, g:i a"  # mié 2 de dic, 3:30 p.m.
TIME_FORMAT = "g:i a"  # 3:30 p.m., as the date-times above
