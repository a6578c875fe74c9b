"""SMS length: GSM-7 with its extension table, or UCS-2, and the segments each costs."""

import pytest

from homeroom.translation.sms import is_gsm7, sms_segments


def test_plain_english_is_gsm7_160_then_153_per_part():
    assert sms_segments("a" * 160).segments == 1
    assert sms_segments("a" * 161).segments == 2
    assert sms_segments("a" * 306).segments == 2
    assert sms_segments("a" * 307).segments == 3
    length = sms_segments("Picture day is Friday.")
    assert (length.encoding, length.characters, length.units) == ("GSM-7", 22, 22)


def test_extension_characters_count_twice_and_never_split():
    assert sms_segments("€" * 80).segments == 1
    assert sms_segments("€" * 81).units == 162
    assert sms_segments("€" * 81).segments == 2
    assert sms_segments("{[~]}|^\\").units == 16
    # Greedy packing: the euro would straddle the first part's end, so it starts the second.
    assert sms_segments("a" * 152 + "€" + "a" * 152).segments == 3


@pytest.mark.parametrize("text", ["¿Mañana viene?", "¡Qué bien, niño!", "Él, é, ñ, Ñ, ¿, ¡, ü, à"])
def test_spanish_with_only_gsm_accents_stays_gsm7(text):
    assert sms_segments(text).encoding == "GSM-7"


@pytest.mark.parametrize("accent", ["á", "í", "ó", "ú", "Á", "ç"])
def test_spanish_accents_outside_gsm_force_ucs2(accent):
    text = f"Hola {accent}"
    assert is_gsm7("Hola ")
    assert not is_gsm7(text)
    assert sms_segments(text).encoding == "UCS-2"


def test_ucs2_is_70_then_67_per_part():
    arabic = "م" * 70
    assert sms_segments(arabic).segments == 1
    assert sms_segments(arabic + "م").segments == 2
    assert sms_segments("م" * 134).segments == 2
    assert sms_segments("م" * 135).segments == 3


def test_vietnamese_is_ucs2():
    length = sms_segments("Cảm ơn cô rất nhiều")
    assert length.encoding == "UCS-2"
    assert length.units == length.characters == 19


def test_an_emoji_is_two_units_and_one_character():
    length = sms_segments("👍")
    assert (length.encoding, length.characters, length.units) == ("UCS-2", 1, 2)
    assert sms_segments("👍" * 35).segments == 1
    assert sms_segments("a" * 69 + "👍").segments == 2
    # A surrogate pair is never split: 66 units then an emoji needs a new part.
    assert sms_segments("a" * 66 + "👍" + "a" * 67).segments == 3


def test_one_accent_can_triple_the_cost_of_a_long_spanish_text():
    gsm = "Por favor, llame a la oficina mañana. " * 4
    assert sms_segments(gsm).segments == 1
    assert sms_segments(gsm + "Gracias por su atención.").encoding == "UCS-2"
    assert sms_segments(gsm + "Gracias por su atención.").segments == 3


def test_empty_text_costs_nothing():
    assert sms_segments("").segments == 0
