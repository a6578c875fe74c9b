"""The phrasebook: person-quality Spanish for the messages schools send most."""

import re

import pytest

from homeroom.translation import phrasebook
from homeroom.translation.services import TranslationUnavailable, translate

pytestmark = pytest.mark.django_db


def test_there_are_at_least_a_hundred_phrases_in_english_and_spanish():
    english, spanish = phrasebook.phrases("en"), phrasebook.phrases("es")
    assert len(english) >= 100
    assert english.keys() == spanish.keys()
    for key, text in english.items():
        slots = set(re.findall(r"\{(\w+)\}", text))
        assert slots == set(re.findall(r"\{(\w+)\}", spanish[key])), key
    assert {"en", "es"} <= set(phrasebook.languages())


def test_the_phrasebook_covers_what_schools_send_most():
    english = phrasebook.phrases("en")
    prefixes = {key.split(".")[0] for key in english}
    assert {
        "reminder",
        "closure",
        "delay",
        "conference",
        "praise",
        "next_step",
        "absence",
        "forms",
        "pictures",
        "trip",
        "event",
        "meals",
        "interpreter",
        "health",
    } <= prefixes
    everything = " ".join(english.values()).lower()
    for topic in ("childcare", "ride", "interpreter", "call the office", "picture day"):
        assert topic in everything, topic


def test_spanish_addresses_parents_as_usted():
    informal = re.compile(r"\b(tú|tu|tienes|puedes|quieres|avísame|llámame|vuestr\w*|os)\b")
    for key, text in phrasebook.phrases("es").items():
        assert not informal.search(text.lower()), (key, text)
    spanish = phrasebook.phrases("es")
    assert spanish["reminder.call_office"] == "Por favor, llame a la oficina."
    assert spanish["reminder.questions"] == "Por favor, avíseme si tiene alguna pregunta."


@pytest.mark.parametrize(
    "message",
    ["Please call the office.", "please  call the OFFICE", "Please call the office!!"],
)
def test_a_phrase_matches_whatever_the_spacing_case_and_closing_punctuation(counting, message):
    (result,) = translate([message], "en", "es")
    assert result.text == "Por favor, llame a la oficina."
    assert result.provider == "phrasebook"
    assert result.human_checked is True
    assert result.machine is False
    assert counting.calls == []


def test_slots_are_filled_with_names_dates_and_times_for_the_reader(counting):
    results = translate(
        [
            "Picture day is on Friday, October 3.",
            "Your conference with Mr. Bell is on Monday at 4:15 pm.",
            "Grace had a great day today!",
            "Bus 12 is running about 20 minutes late.",
            "Please call the office at (612) 555-0100.",
        ],
        "en",
        "es",
        protect=["Grace Lee"],
    )
    assert [r.text for r in results] == [
        "El día de fotos es el viernes 3 de octubre.",
        "Su conferencia con Sr. Bell es el lunes a las 4:15 p. m.",
        "¡Grace tuvo un día excelente hoy!",
        "El autobús 12 viene con unos 20 minutos de retraso.",
        "Por favor, llame a la oficina al (612) 555-0100.",
    ]
    assert all(r.provider == "phrasebook" and r.human_checked for r in results)
    assert counting.calls == []


def test_a_free_text_slot_goes_through_the_machine_and_says_so(counting):
    (result,) = translate(
        ["Hope worked hard on her fractions today."], "en", "es", protect=["Hope"]
    )
    assert result.text == "Hope se esforzó mucho hoy en her fractions (es)."
    assert result.provider == "phrasebook+counting"
    assert result.human_checked is False
    assert result.machine is True
    assert counting.calls[0][2] == ["her fractions"]


def test_a_name_slot_takes_only_names():
    assert phrasebook.match("Everyone was absent today.", "en", "es") is None
    assert phrasebook.match("Ana was absent today.", "en", "es", names=["Ben Ali"]) is None
    found = phrasebook.match("Rose Field was absent today.", "en", "es", names=["Rose Field"])
    assert found is not None
    assert found.values == {"student": "Rose Field"}


def test_the_most_specific_phrase_wins():
    found = phrasebook.match("Picture day is on Friday.", "en", "es")
    assert found.key == "pictures.day"
    assert found.values == {"date": "Friday"}


def test_sentences_of_a_message_are_matched_one_by_one(counting):
    (result,) = translate(
        ["Dear families,\n\nSchool will be closed tomorrow. The garden needs water. Thank you!"],
        "en",
        "es",
    )
    assert result.text == (
        "Estimadas familias:\n\nMañana la escuela estará cerrada. "
        "The garden needs water. (es) ¡Gracias!"
    )
    assert result.provider == "phrasebook+counting"
    assert counting.calls[0][2] == ["The garden needs water."]


def test_spanish_phrases_translate_back_to_english(counting):
    (result,) = translate(["Por favor, llame a la oficina."], "es", "en")
    assert result.text == "Please call the office."
    assert result.provider == "phrasebook"


def test_phrases_need_no_engine_but_other_sentences_do(settings):
    settings.APERTIUM_COMMAND = "/nonexistent/apertium"
    (result,) = translate(["Thank you for your support."], "en", "es")
    assert result.text == "Gracias por su apoyo."
    with pytest.raises(TranslationUnavailable):
        translate(["Thank you for your support. The garden needs water."], "en", "es")


def test_a_language_without_a_phrasebook_goes_to_the_machine(counting):
    (result,) = translate(["Please call the office."], "en", "vi")
    assert result.provider == "counting"
    assert counting.calls[0][2] == ["Please call the office."]


def test_starters_for_the_weekly_update():
    praise = phrasebook.starters("praise")
    next_steps = phrasebook.starters("next_step", "es")
    assert len(praise) >= 10
    assert len(next_steps) >= 10
    assert all("{student}" in s.text for s in praise)
    assert "{student} se esforzó mucho en {work}." not in [s.text for s in next_steps]
    assert "{student} podría practicar {skill} en casa." in [s.text for s in next_steps]
    assert {s.key for s in praise} == {s.key for s in phrasebook.starters("praise", "es")}
    with pytest.raises(ValueError, match="praise, next_step"):
        phrasebook.starters("gossip")


def test_the_default_recognition_categories_read_as_people_write_them(settings):
    from homeroom.behavior.recording import DEFAULT_CATEGORIES

    settings.APERTIUM_COMMAND = "/nonexistent/apertium"  # no machine: the phrasebook alone
    results = translate([name for name, *_ in DEFAULT_CATEGORIES], "en", "es")
    assert all(result.human_checked for result in results)
    assert results[0].text == "Ayudar a los demás"  # not the machine's "Ayudando otros"
