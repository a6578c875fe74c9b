"""Small, safe repairs around a machine's sentence, both ways between English and Spanish.

Apertium reads a leading "Please" as the verb "to please" ("Complacer llamar la oficina")
and answers in Spain's vosotros; Spanish questions and exclamations open with ¿ and ¡.
From Spanish, `from_spanish` repairs the engine's English (articles on days and hours,
subjects Spanish leaves out, word senses). These rules fix what readers notice most
without touching the meaning; usted itself is said inside the engine
(`school_dictionaries`).
"""

import re

from homeroom.languages import base_language

from . import from_spanish
from .protection import NAME_PLACEHOLDERS

_PLEASE = re.compile(r"^please,?\s+(?=[a-z])", re.IGNORECASE)
_LEADING_PARA = re.compile(r"^\s*para\s+", re.IGNORECASE)
_VUESTRO = re.compile(r"\bvuestr([oa])(s?)\b", re.IGNORECASE)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")
_SPACES = re.compile(r"[ \t]{2,}")


def prepare(text: str, source: str, target: str, provider: str) -> str:
    """The sentence as the engine should see it."""
    if provider == "apertium" and base_language(source) == "es" and base_language(target) == "en":
        return from_spanish.prepare(text)
    if _rules_apply(source, target, provider) and _PLEASE.match(text):
        # "to call the office." comes back as the infinitive "Para llamar a la oficina.".
        return "to " + _PLEASE.sub("", text, count=1)
    return text


def finish(original: str, translated: str, source: str, target: str, provider: str) -> str:
    """The engine's sentence made right for the reader; `original` is the sentence sent."""
    if base_language(target) == "en":
        if provider == "apertium" and base_language(source) == "es":
            return from_spanish.repair(original, _SPACES.sub(" ", translated).strip())
        return translated
    if base_language(target) != "es":
        return translated
    text = _SPACES.sub(" ", translated).strip()
    if _rules_apply(source, target, provider):
        if _PLEASE.match(original):
            text = "Por favor, " + _lower_first(_LEADING_PARA.sub("", text, count=1))
        text = _VUESTRO.sub(lambda m: "su" + m.group(2), text)
        text = re.sub(r"\bGracias Para\b", "Gracias por", text)
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    stripped = original.rstrip().rstrip("\"'”’)")
    if stripped.endswith("?") and "¿" not in text:
        text = "¿" + text
    elif stripped.endswith("!") and "¡" not in text:
        text = "¡" + text
    return text


def lowercase_like(original: str, translated: str) -> str:
    """A fragment that opened in lower case ("her fractions") stays so: Apertium
    capitalises every line it is given. Run before placeholders are restored."""
    if not original[:1].islower() or not translated[:1].isupper():
        return translated
    if translated.split(" ", 1)[0] in NAME_PLACEHOLDERS:
        return translated
    return translated[:1].lower() + translated[1:]


def capitalise_like(original: str, translated: str) -> str:
    """A sentence that opened with a capital opens with one in translation too.

    Run after placeholders are restored: "el viernes…" may only arrive then.
    """
    if not original.lstrip("¿¡\"'“‘( ")[:1].isupper():
        return translated
    for index, char in enumerate(translated):
        if char.isalpha():
            return translated[:index] + char.upper() + translated[index + 1 :]
        if char not in "¿¡\"'“‘( ":
            return translated
    return translated


def _rules_apply(source: str, target: str, provider: str) -> bool:
    return (
        provider == "apertium" and base_language(source) == "en" and base_language(target) == "es"
    )


def _lower_first(text: str) -> str:
    first_word = text.split(" ", 1)[0]
    if first_word in NAME_PLACEHOLDERS:
        return text
    return text[:1].lower() + text[1:]
