"""Languages, for every app: BCP 47 tags, their base language, their names, the words SIS
exports use for them, and the language staff read Homeroom in.

Homeroom speaks BCP 47; translation providers key their pairs by the base language ("es-MX" →
"es"). A ground module: it imports no app, and every app may import it.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Staff read Homeroom in the site's language; a family's words are stored in it beside the
# original, and staff-facing texts (subjects, notices) are written in it.
STAFF_LANGUAGE = settings.LANGUAGE_CODE


def base_language(tag: str | None) -> str:
    """ "es-MX" → "es", "zh_Hant" → "zh"; a translation is made once per base language."""
    return (tag or "").strip().replace("_", "-").split("-")[0].lower()


def same_language(a: str | None, b: str | None) -> bool:
    return base_language(a) == base_language(b)


def reading_language(staff) -> str:
    """The base language a staff member reads families' words in: their own choice, else the
    staff language. Families' words are always stored in the staff language too."""
    return base_language(getattr(staff, "language", "")) or base_language(STAFF_LANGUAGE)


LANGUAGE_NAMES = {
    "en": _("English"),
    "es": _("Spanish"),
    "vi": _("Vietnamese"),
    "ar": _("Arabic"),
    "so": _("Somali"),
    "ht": _("Haitian Creole"),
    "zh": _("Chinese"),
    "fr": _("French"),
    "pt": _("Portuguese"),
    "ru": _("Russian"),
    "ko": _("Korean"),
    "tl": _("Tagalog"),
    "hmn": _("Hmong"),
    "am": _("Amharic"),
    "ne": _("Nepali"),
    "sw": _("Swahili"),
    "uk": _("Ukrainian"),
    "fa": _("Persian"),
    "ps": _("Pashto"),
    "my": _("Burmese"),
}

# Words SIS exports use for home language, mapped to BCP 47.
LANGUAGE_ALIASES = {
    "english": "en",
    "eng": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "spa": "es",
    "vietnamese": "vi",
    "vie": "vi",
    "arabic": "ar",
    "ara": "ar",
    "somali": "so",
    "som": "so",
    "haitian creole": "ht",
    "haitian": "ht",
    "creole": "ht",
    "kreyol": "ht",
    "hat": "ht",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "zh",
    "french": "fr",
    "portuguese": "pt",
    "russian": "ru",
    "korean": "ko",
    "tagalog": "tl",
    "hmong": "hmn",
    "amharic": "am",
    "nepali": "ne",
    "swahili": "sw",
    "ukrainian": "uk",
    "persian": "fa",
    "farsi": "fa",
    "dari": "fa",
    "pashto": "ps",
    "burmese": "my",
}


def language_name(code: str) -> str:
    base = (code or "").split("-")[0].lower()
    return str(LANGUAGE_NAMES.get(base, code))


def normalise_language(value: str) -> str | None:
    """A BCP 47 tag for what an SIS wrote ("Spanish", "spa", "es-MX"); None if unknown."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    lowered = cleaned.lower()
    if lowered in LANGUAGE_ALIASES:
        return LANGUAGE_ALIASES[lowered]
    base = lowered.replace("_", "-").split("-")[0]
    if base in LANGUAGE_NAMES and 2 <= len(base) <= 3:
        return cleaned.replace("_", "-")
    return None
