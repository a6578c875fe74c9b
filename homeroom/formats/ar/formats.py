DATE_FORMAT = "l j F Y"  # الأربعاء 2 ديسمبر 2026
DATETIME_FORMAT = "l j F Y، g:i A"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F، g:i A"
