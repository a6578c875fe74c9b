"""A batch holds different families' messages: each must come out exactly as it would alone.

Apertium reorders words across a line break, so two texts sent down one stream used to trade
words ("…cerrada el lunes para el Padre" / "De vacaciones-conferencias…"). Stated as a
property over school sentences shuffled into batches of every size, translated with an empty
memory and with a memory warmed by other sentences: a batch gives exactly what each text
gives alone.
"""

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeroom.translation.models import MemoryEntry
from homeroom.translation.quality.score import load_examples
from homeroom.translation.services import translate

pytestmark = pytest.mark.django_db

HOLIDAY = "School will be closed on Monday for the holiday."
CONFERENCES = "Parent-teacher conferences are next Thursday from 3 to 7 pm."
EXAMPLES = load_examples()
ENGLISH = [HOLIDAY, CONFERENCES, *[e.text for e in EXAMPLES[:16]]]
SPANISH = [e.reference for e in EXAMPLES[30:40]]
NAMES = sorted({name for e in EXAMPLES for name in e.names})


@functools.cache
def alone(text: str, source: str, target: str) -> str:
    """The text translated on its own, with nothing in the memory."""
    MemoryEntry.objects.all().delete()
    (result,) = translate([text], source, target, protect=NAMES)
    MemoryEntry.objects.all().delete()
    return result.text


def test_the_two_texts_of_the_report_keep_their_own_words(apertium):
    holiday, conferences = translate([HOLIDAY, CONFERENCES], "en", "es")

    assert "Padre" not in holiday.text and "vacaciones" in holiday.text
    assert "vacaciones" not in conferences.text.lower()
    assert [holiday.text, conferences.text] == [
        alone(HOLIDAY, "en", "es"),
        alone(CONFERENCES, "en", "es"),
    ]


def _batches(corpus):
    return st.lists(st.sampled_from(corpus), min_size=1, max_size=8)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=_batches(ENGLISH), warm=st.lists(st.sampled_from(ENGLISH), max_size=6))
def test_a_batch_translates_as_each_text_alone_english_to_spanish(apertium, batch, warm):
    expected = [alone(text, "en", "es") for text in batch]
    MemoryEntry.objects.all().delete()
    if warm:
        translate(warm, "en", "es", protect=NAMES)

    results = translate(batch, "en", "es", protect=NAMES)

    assert [r.text for r in results] == expected


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=_batches(SPANISH), warm=st.lists(st.sampled_from(SPANISH), max_size=4))
def test_a_batch_translates_as_each_text_alone_spanish_to_english(apertium, batch, warm):
    expected = [alone(text, "es", "en") for text in batch]
    MemoryEntry.objects.all().delete()
    if warm:
        translate(warm, "es", "en", protect=NAMES)

    results = translate(batch, "es", "en", protect=NAMES)

    assert [r.text for r in results] == expected
