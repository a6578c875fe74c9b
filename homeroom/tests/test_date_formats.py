"""Dates are written in words in the reader's language: "miércoles 2 de diciembre", never
"02/12/2026", which a US family reads as February and a Spanish reader as December."""

import datetime
import re

from django.conf import settings
from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

FORMATS = ("DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT")
NUMERIC_DATE = re.compile(r"\d{1,4}\s*[/.\-]\s*\d{1,2}(?:\s*[/.\-]\s*\d{1,4})?")
MONTH_NAMES = {
    "en": ("December", "Dec"),
    "es": ("diciembre", "dic"),
    "vi": ("tháng 12",),
    "ar": ("ديسمبر",),
}


@given(moment=st.datetimes(min_value=datetime.datetime(2000, 1, 1)))
def test_no_date_is_written_in_figures_alone_in_any_shipped_language(moment):
    for language in [code for code, _ in settings.LANGUAGES] + list(MONTH_NAMES):
        with translation.override(language):
            for name in FORMATS:
                written = formats.date_format(moment, name)
                without_clock = re.sub(r"\d{1,2}:\d{2}", "", written)
                assert not NUMERIC_DATE.search(without_clock), (language, name, written)


def test_the_month_is_named_in_the_readers_language():
    december = datetime.datetime(2026, 12, 2, 15, 30)
    for language, names in MONTH_NAMES.items():
        with translation.override(language):
            for name in FORMATS:
                written = formats.date_format(december, name)
                assert any(month in written for month in names), (language, name, written)
    with translation.override("es"):
        assert formats.date_format(december, "DATE_FORMAT") == "miércoles 2 de diciembre de 2026"
