"""Detecting the language of a reply, with the guardian's stated language as the prior."""

import pytest

from homeroom.translation.detection import DETECTABLE, detect_language


@pytest.mark.parametrize("reply", ["ok", "OK!", "gracias", "thanks", "Thanks!", "sí", "👍", "5"])
def test_short_replies_do_not_flip_a_spanish_reader(reply):
    found = detect_language(reply, prior="es")
    assert found.language == "es"


def test_a_short_reply_does_not_flip_an_english_reader_either():
    assert detect_language("gracias", prior="en").language == "en"
    assert detect_language("si", prior="en").language == "en"


def test_the_prior_s_own_regional_tag_is_kept():
    assert detect_language("Muchas gracias por avisarme, maestra.", prior="es-MX").language == (
        "es-MX"
    )


def test_a_longer_reply_in_another_language_wins_clearly():
    found = detect_language("My daughter is sick today and will stay home.", prior="es")
    assert found.language == "en"
    assert found.confident is True
    assert found.confidence > 0.5

    found = detect_language("Mi hija está enferma hoy y se quedará en casa.", prior="en")
    assert found.language == "es"
    assert found.confident is True


def test_another_script_wins_even_when_short():
    assert detect_language("شكرا", prior="es").language == "ar"
    assert detect_language("谢谢", prior="en").language == "zh"
    assert detect_language("Спасибо", prior="en").language == "ru"


def test_close_languages_need_the_margin():
    assert detect_language("Obrigado pela mensagem sobre a excursão", prior="es").language == "pt"
    # Shared words only: Spanish stays Spanish.
    assert detect_language("no, gracias", prior="es").language == "es"


def test_without_a_prior_the_detector_decides_but_is_not_confident_on_short_text():
    found = detect_language("Hola, ¿a qué hora es la reunión de padres?")
    assert found.language == "es"
    assert found.confident is True
    short = detect_language("ok")
    assert short.confident is False


def test_a_prior_the_detector_does_not_know_is_kept_against_its_lookalike():
    # Haitian Creole is not among lingua's languages and reads like French to it.
    creole = "Mèsi anpil pou mesaj la, m ap vini nan reyinyon an demen"
    assert detect_language(creole, prior="ht").language == "ht"
    english = detect_language("Thank you so much for the message about the trip", prior="ht")
    assert english.language == "en"


def test_codes_are_bcp47():
    assert set(DETECTABLE.values()) >= {"en", "es", "vi", "ar", "so", "fr", "pt", "zh", "ru", "tl"}
    assert detect_language("Cảm ơn cô rất nhiều về tin nhắn hôm nay", prior="en").language == "vi"
    assert detect_language("Mahadsanid macallin, waan imaan doonaa", prior="en").language == "so"
