"""Which language a family wrote in, with the language they told us as the prior.

Replies are short ("ok", "gracias", "thanks"), and on short text every detector guesses.
So the guardian's stated language stands unless the text clearly says otherwise: a text in
another script, or a longer text where another language leads by a wide margin.
"""

import functools
from dataclasses import dataclass

from lingua import Language, LanguageDetectorBuilder

from homeroom.languages import base_language

# The languages Homeroom's families mostly write in that the detector knows. Haitian Creole
# is not among lingua's languages; a Creole reader's prior is kept unless the text is long
# and clearly in a language Creole is not mistaken for (see CONFUSABLE).
DETECTABLE = {
    Language.ENGLISH: "en",
    Language.SPANISH: "es",
    Language.VIETNAMESE: "vi",
    Language.ARABIC: "ar",
    Language.SOMALI: "so",
    Language.FRENCH: "fr",
    Language.PORTUGUESE: "pt",
    Language.CHINESE: "zh",
    Language.RUSSIAN: "ru",
    Language.TAGALOG: "tl",
    Language.KOREAN: "ko",
}
CONFUSABLE = {"ht": frozenset({"fr"})}

# Another language must lead the prior by this much (lingua's values sum to 1) to win.
MARGIN = 0.4
# Below this many letters, or three words, a text only leaves its prior when the prior is
# all but impossible (another script).
SHORT_LETTERS = 15
SHORT_WORDS = 3
IMPOSSIBLE = 0.01
CONFIDENT = 0.6
# What a short text needs to leave an all-but-impossible prior ("Cảm ơn cô" for "en").
SHORT_WIN = 0.5


# Replies every family writes whatever its language: they never change the prior.
UNIVERSAL = frozenset({"ok", "okay", "k", "kk", "okk", "no"})


@dataclass(frozen=True)
class Detection:
    language: str  # BCP 47
    confidence: float  # 0–1, the detector's share for `language`
    confident: bool  # sure enough to act on without asking


@functools.cache
def detector():
    """Built once per process: loading the language models is the slow part."""
    return LanguageDetectorBuilder.from_languages(*DETECTABLE).build()


def detect_language(text: str, prior: str | None = None) -> Detection:
    values = {
        DETECTABLE[item.language]: item.value
        for item in detector().compute_language_confidence_values(text or "")
    }
    prior_base = base_language(prior) if prior else ""
    words = "".join(c if c.isalpha() or c.isspace() else " " for c in (text or "")).lower()
    if prior and (not words.strip() or " ".join(words.split()) in UNIVERSAL):
        return Detection(prior, 0.0, False)
    if not values:
        return Detection(prior or "und", 0.0, False)
    top, top_value = max(values.items(), key=lambda item: item[1])
    letters = sum(char.isalpha() for char in text)
    short = letters < SHORT_LETTERS or len(text.split()) < SHORT_WORDS

    if not prior_base:
        return Detection(top, top_value, top_value >= CONFIDENT and not short)
    if top == prior_base:
        return Detection(prior, top_value, top_value >= CONFIDENT)
    if prior_base not in DETECTABLE.values():
        if not short and top_value >= CONFIDENT and top not in CONFUSABLE.get(prior_base, ()):
            return Detection(top, top_value, True)
        return Detection(prior, 0.0, False)

    prior_value = values.get(prior_base, 0.0)
    if short:
        switch = prior_value < IMPOSSIBLE and top_value >= SHORT_WIN
    else:
        switch = top_value - prior_value >= MARGIN
    if switch:
        return Detection(top, top_value, True)
    return Detection(prior, prior_value, False)
