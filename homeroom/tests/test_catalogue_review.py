"""The slips a review of the family-facing catalogues found must not come back (the rules are in
docs/translation.md, "Catalogue review"): Spanish addresses a family as usted, never names a
teacher by a gendered noun, writes no English gerund calques and pairs its ¿? and ¡!; Arabic and
Vietnamese keep no English and no gendered "the teacher"; every language's home-visit status
agrees with "visit"."""

import json
import re
from pathlib import Path

import pytest
from django.utils import translation

from homeroom.routines.models import VisitStatus
from homeroom.translation.sms import sms_segments

from .test_catalogues import family_facing, parse_po

ROOT = Path(__file__).resolve().parents[2]


def family_strings(language: str) -> list[tuple[str, str]]:
    """(msgid, translation) of every family-facing entry, one pair per plural form."""
    text = (ROOT / "locale" / language / "LC_MESSAGES/django.po").read_text()
    return [
        (entry["msgid"], form)
        for entry in parse_po(text)
        if family_facing(entry)
        for form in entry["msgstr"].values()
        if form
    ]


@pytest.fixture(scope="module")
def spanish():
    strings = family_strings("es")
    assert len(strings) > 400
    return strings


# "el maestro", "los maestros", "la profesora", "Maestros"…: the teacher's gender is not known.
# Only a name may follow ("la maestra Rivera"), never in a catalogue, where names are placeholders.
TEACHER_NOUN = re.compile(
    r"(?i:\b(maestr[oa]s?|profesor(?:a|es|as)?)\b)(?!\s+(?:%\(\w+\)s|[A-ZÁÉÍÓÚÑ]))"
)


def test_spanish_never_guesses_a_teachers_gender(spanish):
    gendered = [(msgid, text) for msgid, text in spanish if TEACHER_NOUN.search(text)]
    assert not gendered, f"say 'el personal docente', 'su docente' or the name: {gendered}"


def test_the_phrasebook_never_guesses_a_teachers_gender_either():
    # The phrases schools send most are family-facing too. The PTA keeps its own name.
    phrases = json.loads((ROOT / "homeroom/translation/phrases/es.json").read_text())
    gendered = {
        key: text
        for key, text in phrases.items()
        if TEACHER_NOUN.search(text.replace("Asociación de Padres y Maestros", ""))
    }
    assert not gendered, gendered


def test_the_teacher_noun_rule_catches_the_old_slips():
    for slip in (
        "Escribir al maestro",
        "Usted envió un mensaje al maestro.",
        "Maestros",
        "Cuando un maestro note algo",
        "los maestros de su hijo",
    ):
        assert TEACHER_NOUN.search(slip), slip
    for fine in ("Escribir a %(name)s", "El personal docente de su hijo", "la maestra %(name)s"):
        assert not TEACHER_NOUN.search(fine), fine


# Machine Spanish for category names and short labels: an English -ing turned into a gerund
# ("Helping others" → "Ayudando otros"). A label or sentence never opens with a gerund.
CALQUES = ("Ayudando otros", "Trabajando duro", "Siendo respetuoso", "Estando listo")
OPENING_GERUND = re.compile(r"^[¿¡]?(?!Cuando\b)[A-ZÁÉÍÓÚ][a-záéíóúñ]+(?:ando|iendo|yendo)\b")


def test_spanish_has_no_gerund_calques(spanish):
    calques = [text for _msgid, text in spanish if any(c in text for c in CALQUES)]
    calques += [text for _msgid, text in spanish if OPENING_GERUND.match(text)]
    assert not calques, f"write a noun or an imperative ('Ayuda a los demás'): {calques}"


# Tú forms: pronouns and possessives, second-person verbs, imperatives with a pronoun attached.
TU = re.compile(
    r"(?i:\b(tú|tu|tus|te|ti|contigo|tienes|puedes|quieres|necesitas|eres|estás|recibirás|"
    r"verás|haz|únete|cuéntanos|avísanos|escríbenos|llámanos|elígelo)\b)"
)
# A plain tú imperative is spelt like the third person ("escribe"), so it shows where it opens
# a sentence: "Escribe su código" for "Escriba su código".
TU_IMPERATIVE = re.compile(
    r"(?:^|[.:;]\s+|¿|¡)(Elige|Escribe|Envía|Responde|Llama|Pide|Revisa|Mira|Pulsa|Entra|Usa|"
    r"Espera|Vuelve|Cuenta|Lee|Descarga|Cambia|Guarda)\b"
)


def test_spanish_addresses_families_as_usted(spanish):
    informal = [text for _msgid, text in spanish if TU.search(text) or TU_IMPERATIVE.search(text)]
    assert not informal, f"families are addressed as usted: {informal}"


def test_spanish_questions_and_exclamations_open_and_close(spanish):
    unpaired = [
        text
        for _msgid, text in spanish
        if text.count("¿") != text.count("?") or text.count("¡") != text.count("!")
    ]
    assert not unpaired, f"every ¿ has its ? and every ¡ its !: {unpaired}"


def test_spanish_leaves_no_english_behind(spanish):
    # Words that stay as they are: the product's name, the keywords a text answers with.
    kept = {
        "Homeroom",
        "START",
        "STOP",
        "ORIGINAL",
        "SMS",
        "PDF",
        "JPEG",
        "PNG",
        "GIF",
        "WebP",
        "HEIC",
        "MB",
        "Hmong",
        "Neutral",
    }
    english = [
        text
        for msgid, text in spanish
        if text == msgid and set(re.findall(r"[A-Za-z]{2,}", re.sub(r"%\(\w+\)s", "", text))) - kept
    ]
    assert not english, english


def test_a_grade_is_never_made_an_ordinal():
    # Grades are the roster's words ("K", "KG", "06"): "K.º grado" is not Spanish.
    broken = [text for _msgid, text in family_strings("es") if re.search(r"%\(grade\)s\.º", text)]
    assert not broken, broken


@pytest.mark.parametrize("language", ["ar", "vi"])
def test_arabic_and_vietnamese_keep_no_english(language):
    kept = {
        "Homeroom",
        "START",
        "STOP",
        "ORIGINAL",
        "SMS",
        "PDF",
        "JPEG",
        "PNG",
        "GIF",
        "WebP",
        "HEIC",
        "MB",
        "Email",
        "email",
        "Menu",
        "Somali",
        "Creole",
        "Haiti",
        "Tagalog",
        "Swahili",
        "Pashto",
        "Nepal",
        "Amhara",
        "Ukraina",
    }
    strings = family_strings(language)
    assert len(strings) > 400
    leftovers = []
    for _msgid, text in strings:
        words = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"%\(\w+\)[sd]|<[^>]*>", "", text)))
        if language == "vi":  # Vietnamese is written in Latin letters: look for English words.
            words = {w for w in words if w.lower() in ENGLISH_WORDS}
        if words - kept:
            leftovers.append(text)
    assert not leftovers, f"{language} keeps English: {leftovers}"


ENGLISH_WORDS = {
    "the",
    "and",
    "you",
    "your",
    "message",
    "messages",
    "school",
    "family",
    "send",
    "sign",
    "code",
    "reply",
    "translation",
    "teacher",
    "child",
    "please",
    "with",
}


def test_arabic_does_not_say_the_teacher_in_the_masculine():
    # "المعلم" (the teacher, masculine) for whoever wrote: the page says "as it was written".
    gendered = [
        text
        for _msgid, text in family_strings("ar")
        if re.search(r"(^|\s)المعلم(\s|$|[.،؛])", text)
    ]
    assert not gendered, gendered


def test_every_home_visit_status_agrees_with_visit():
    # "visita" is feminine: a shared masculine "Terminado" read "Visita con Rosa · Terminado".
    with translation.override("es"):
        labels = [str(label) for label in VisitStatus.labels]
    assert labels == ["Propuesta", "Confirmada", "Rechazada", "Realizada"]


def test_the_note_a_text_carries_keeps_spanish_texts_in_the_gsm_alphabet():
    # "Traducción automática" would make every Spanish text UCS-2: 70 characters a segment.
    with translation.override("es"):
        note = translation.gettext("Machine-translated; reply ORIGINAL")
    assert sms_segments(f"Mañana no hay clases. ({note})").encoding == "GSM-7", note
