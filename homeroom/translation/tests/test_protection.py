"""What must not change: names that are also words, dates, figures, links, glossary terms."""

import pytest

from homeroom.translation.models import GlossaryTerm
from homeroom.translation.protection import (
    NAME_PLACEHOLDERS,
    GlossaryEntry,
    find_spans,
    mask,
)
from homeroom.translation.providers.apertium import ApertiumProvider
from homeroom.translation.services import translate

pytestmark = pytest.mark.django_db

STUDENTS = ["Hope Martinez", "Will Turner", "Grace Kim", "Rose Field"]


@pytest.mark.parametrize("pair", [("en", "es"), ("es", "en")])
def test_placeholders_come_through_apertium_unchanged(apertium, pair):
    source, target = pair
    frames = {
        "en": ["{} worked hard today.", "We are proud of {}.", "{}'s teacher called."],
        "es": ["{} trabajó mucho hoy.", "Estamos orgullosos de {}.", "La maestra de {} llamó."],
    }[source]
    tokens = [*NAME_PLACEHOLDERS, "[[0]]", "[[12]]"]
    texts = [frame.format(token) for token in tokens for frame in frames]

    out = ApertiumProvider().translate_batch(texts, source, target)

    for index, token in enumerate(tokens):
        for line in out[index * len(frames) : (index + 1) * len(frames)]:
            assert token in line.split() or token in line, (token, line)


def test_names_that_are_also_words_come_through(apertium, world):
    GlossaryTerm.objects.create(school=world.north, term="Rising Stars", language="en")
    (result,) = translate(
        [
            "Hope and Will did well in math. Grace's teacher said Rose Field helped Mr. Bell "
            "set up the Rising Stars program."
        ],
        "en",
        "es",
        school=world.north,
        protect=STUDENTS,
    )
    text = result.text
    for kept in ("Hope", "Will", "Grace", "Rose Field", "Bell", "Rising Stars"):
        assert kept in text, (kept, text)
    for translated_name in ("Esperanza", "Gracia", "Campo", "Timbre", "Estrellas", "Ascend"):
        assert translated_name not in text, (translated_name, text)
    assert "Sr. Bell" in text
    assert "maestro de Grace" in text  # the engine's grammar still works around a name


def test_without_protection_those_names_are_translated(apertium):
    (result,) = ApertiumProvider().translate_batch(
        ["Rose Field helped Mr. Bell set up the Rising Stars program."], "en", "es"
    )
    assert "Campo" in result or "Timbre" in result or "Estrellas" in result


def test_a_name_that_opens_a_question_as_a_verb_is_left_to_the_engine(apertium):
    (result,) = translate(["Will you come to the meeting?"], "en", "es", protect=STUDENTS)
    assert "Will" not in result.text
    assert result.text.startswith("¿")


def test_numbers_dates_times_links_and_phones_pass_through(apertium):
    message = (
        "The fee is $5 for room 204 on 10/12. Write to ana.lopez@example.org, call "
        "612-555-0100 or visit https://north.example.org/trip?id=7."
    )
    (result,) = translate([message], "en", "es")
    for kept in (
        "$5",
        "204",
        "10/12",
        "ana.lopez@example.org",
        "612-555-0100",
        "https://north.example.org/trip?id=7",
    ):
        assert kept in result.text, (kept, result.text)


def test_dates_and_times_read_naturally_in_spanish(apertium):
    (result,) = translate(
        ["The science fair is on Friday, October 3 at 6:30 pm in the gym."], "en", "es"
    )
    assert "el viernes 3 de octubre a las 6:30 p. m." in result.text
    assert "October" not in result.text


def test_a_glossary_term_uses_the_school_s_own_translation(apertium, world):
    GlossaryTerm.objects.create(
        district=world.district,
        term="PTA",
        language="en",
        target_language="es",
        translation="Asociación de Padres y Maestros",
    )
    GlossaryTerm.objects.create(school=world.south, term="Sunrise Club", language="en")

    (north,) = translate(
        ["The PTA and the Sunrise Club meet today."], "en", "es", school=world.north
    )
    (south,) = translate(
        ["The PTA and the Sunrise Club meet today."], "en", "es", school=world.south
    )

    assert "Asociación de Padres y Maestros" in north.text
    assert "Sunrise Club" not in north.text  # another school's term
    assert "Sunrise Club" in south.text
    assert "Asociación de Padres y Maestros" in south.text  # district-wide


def test_an_engine_that_loses_a_placeholder_does_not_lose_the_name(settings):
    settings.TRANSLATION_ROUTES = {"*": ["homeroom.testing.fakes.DroppingProvider"]}
    (result,) = translate(["Hope read a book about whales."], "en", "vi", protect=["Hope"])
    assert "Hope" in result.text
    assert "someone" not in result.text


def test_spans_are_found_leftmost_longest():
    text = "Rose Field met Rose at 3 pm."
    spans = find_spans(text, "en", "es", names=["Rose Field"])
    assert [(s.kind, s.text, s.rendering) for s in spans] == [
        ("name", "Rose Field", "Rose Field"),
        ("name", "Rose", "Rose"),
        ("time", "at 3 pm", "a las 3:00 p. m."),
    ]


@pytest.mark.parametrize(
    ("text", "rendering"),
    [
        ("Please arrive by 7:45 every morning.", "antes de las 7:45"),
        ("Pick-up is after 3 pm today.", "después de las 3:00 p. m."),
        ("The office is open until 4:30 pm.", "hasta las 4:30 p. m."),
        ("Come before 1 pm.", "antes de la 1:00 p. m."),
    ],
)
def test_a_time_keeps_its_preposition_in_spanish(text, rendering):
    (span,) = find_spans(text, "en", "es", names=[])
    assert (span.kind, span.rendering) == ("time", rendering)


def test_a_weekday_and_its_part_of_the_day_are_said_in_spanish():
    (span,) = find_spans("We meet on Tuesday night in the gym.", "en", "es", names=[])
    assert (span.kind, span.text, span.rendering) == (
        "date",
        "on Tuesday night",
        "el martes por la noche",
    )
    # "the Tuesday night class" is a name for a class, left to the engine.
    assert find_spans("Join the Tuesday night class.", "en", "es", names=[]) == []


def test_masking_round_trips_and_reuses_a_placeholder_for_a_repeated_name():
    text = "Ana met the PTA. Ana smiled."
    glossary = [GlossaryEntry("PTA", "APM")]
    masked = mask(text, find_spans(text, "en", "es", ["Ana"], glossary), avoid=text)

    assert masked.text == "Gumersindo met the Hermenegildo. Gumersindo smiled."
    assert masked.restore("Gumersindo conoció a la Hermenegildo. Gumersindo sonrió.") == (
        "Ana conoció a la APM. Ana sonrió.",
        [],
    )
    assert masked.restore("Gumersindo sonrió.")[1] == ["Hermenegildo"]
    assert masked.mask_rendering("Ana conoció a la APM.") == (
        "Gumersindo conoció a la Hermenegildo.",
        True,
    )


def test_a_placeholder_name_already_in_the_text_is_never_used():
    text = "Gumersindo and Ana are friends."
    masked = mask(text, find_spans(text, "en", "es", ["Ana"]), avoid=text)
    assert masked.text == "Gumersindo and Hermenegildo are friends."
