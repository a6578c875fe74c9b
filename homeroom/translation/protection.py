"""Keep what must not change: names, dates, times, numbers, links and a school's own terms.

Each protected span is swapped for a placeholder before the text reaches a machine and put
back afterwards, rendered for the reader (a glossary term's own translation; "on Friday,
October 3" as "el viernes 3 de octubre" for Spanish readers; everything else unchanged).

Placeholders that stand for names are themselves names: rare given names Apertium knows as
proper nouns and leaves unchanged in both directions, so its grammar still works around
them ("Xenia's teacher" → "El profesor de Xenia"). Other spans become `[[n]]`, which Apertium
passes through untouched. Both shapes are checked against the real engine in the tests.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from homeroom.languages import base_language

# Checked one by one against apertium eng-spa and spa-eng: each is analysed as a proper
# noun and comes out exactly as it went in.
NAME_PLACEHOLDERS = (
    "Gumersindo",
    "Hermenegildo",
    "Wenceslao",
    "Saturnino",
    "Ildefonso",
    "Nicanor",
    "Leocadia",
    "Eulalia",
    "Genoveva",
    "Casimiro",
    "Macario",
    "Evaristo",
    "Eusebio",
    "Filomena",
    "Teodoro",
    "Anselmo",
    "Rosendo",
    "Griselda",
    "Hortensia",
    "Leopoldo",
    "Zulema",
    "Yasmina",
    "Xenia",
    "Yago",
)
NAME_KINDS = frozenset({"name", "titled_name", "glossary"})

WEEKDAYS = {
    "monday": "lunes",
    "tuesday": "martes",
    "wednesday": "miércoles",
    "thursday": "jueves",
    "friday": "viernes",
    "saturday": "sábado",
    "sunday": "domingo",
}
MONTHS = {
    "january": "enero",
    "february": "febrero",
    "march": "marzo",
    "april": "abril",
    "may": "mayo",
    "june": "junio",
    "july": "julio",
    "august": "agosto",
    "september": "septiembre",
    "october": "octubre",
    "november": "noviembre",
    "december": "diciembre",
}
_MONTH_ABBREVIATIONS = {
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
}
TITLES_ES = {"mr": "Sr.", "mrs": "Sra.", "ms": "Sra.", "miss": "Srta.", "dr": "Dr.", "mx": "Mx."}

# Languages whose dates, times and titles we render ourselves; for the others a date with a
# month name is left to the engine, which translates it as a whole.
LOCALISED = frozenset({"es"})

_MONTH_NAMES = "|".join(sorted([*MONTHS, *_MONTH_ABBREVIATIONS], key=len, reverse=True))
_WEEKDAY_NAMES = "|".join(WEEKDAYS)
_DATE_WORDS = re.compile(
    rf"(?:\b(?P<prep>on)\s+)?(?:\b(?P<weekday>{_WEEKDAY_NAMES}),?\s+)?"
    rf"\b(?P<month>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"(?:,?\s+(?P<year>\d{{4}})\b)?",
    re.IGNORECASE,
)
# "on Tuesday night": Apertium reads "on" as "encima" and the weekday as a noun modifier.
_WEEKDAY_PART = re.compile(
    rf"(?<!the )(?:\b(?P<prep>on)\s+)?\b(?P<weekday>{_WEEKDAY_NAMES})\s+"
    r"(?P<part>morning|afternoon|evening|night)\b(?!\s*'s)",
    re.IGNORECASE,
)
_SPANISH_DAY_PARTS = {
    "morning": "por la mañana",
    "afternoon": "por la tarde",
    "evening": "por la noche",
    "night": "por la noche",
}
_DATE_NUMERIC = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b")
_TIME_PREPOSITIONS = "at|by|until|till|after|before"
_TIME = re.compile(
    rf"(?:\b(?P<prep>{_TIME_PREPOSITIONS})\s+)?\b(?P<hour>\d{{1,2}})(?::(?P<minute>\d{{2}}))?\s*"
    r"(?P<ampm>[ap]\.\s?m\.|[ap]m\b|[AP]M\b)"
    rf"|(?:\b(?P<prep24>{_TIME_PREPOSITIONS})\s+)?\b(?P<hour24>[01]?\d|2[0-3]):(?P<minute24>[0-5]\d)\b",
    re.IGNORECASE,
)
# A time's preposition in Spanish, before the article ("by 7:45" → "antes de las 7:45").
_SPANISH_TIME_PREPOSITIONS = {
    "at": "a",
    "by": "antes de",
    "until": "hasta",
    "till": "hasta",
    "after": "después de",
    "before": "antes de",
}
_URL = re.compile(r"\bhttps?://[^\s<>\"]+|\bwww\.[^\s<>\"]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(
    r"(?<![\w/])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}"
    r"(?:\s*(?:ext\.?|x)\s*\d{1,5})?(?![\w/])",
    re.IGNORECASE,
)
_MONEY = re.compile(r"\$\s?\d[\d,]*(?:\.\d{1,2})?")
# Small whole numbers are left to the engine so "3 forms" keeps its plural agreement;
# figures that identify something (room 204, 2.5, 90%) are kept exactly.
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)+\b|\b\d+(?:\.\d+)?%|\b\d{3,}\b")
_TITLED_NAME = re.compile(r"\b(?P<title>Mrs|Mr|Ms|Miss|Mx|Dr)\b\.?\s+(?P<name>[A-Z][\w'’-]*)")
_TRAILING_URL_PUNCTUATION = ".,;:!?)]}'\""
# A name that is also an auxiliary verb is not a name when it opens a question:
# "Will you come?" in a message about a student called Will.
_AUXILIARY_NAMES = frozenset({"will", "may", "can", "june", "august", "art", "sue"})
_SUBJECT_PRONOUNS = frozenset({"you", "we", "i", "they", "he", "she", "it"})
_PRIORITY = {
    "url": 0,
    "email": 0,
    "phone": 1,
    "glossary": 2,
    "titled_name": 2,
    "name": 2,
    "date": 3,
    "time": 3,
    "money": 4,
    "number": 5,
}


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    translation: str  # empty: keep the term as written


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    text: str
    rendering: str


@dataclass(frozen=True)
class Masked:
    """A piece of text with its protected spans replaced by placeholders."""

    text: str
    tokens: tuple[tuple[str, str], ...]  # (placeholder, rendering), in order of appearance

    def restore(self, translated: str) -> tuple[str, list[str]]:
        """The translation with placeholders replaced; also the placeholders that got lost."""
        missing = []
        for token, rendering in self.tokens:
            pattern = _token_pattern(token)
            if rendering.endswith("."):
                # "at 5 pm." becomes "a las 5 p. m." with one full stop, not two.
                pattern = re.compile(pattern.pattern + r"\.?")
            translated, count = pattern.subn(lambda _m, r=rendering: r, translated)
            if count == 0:
                missing.append(token)
        return translated, missing

    def mask_rendering(self, translated: str) -> tuple[str, bool]:
        """The inverse of `restore`, for a person's correction: renderings back to tokens.

        Returns the masked text and whether every rendering was found.
        """
        complete = True
        # Longest first, so "Rose Field" is found before "Rose".
        for token, rendering in sorted(self.tokens, key=lambda t: -len(t[1])):
            pattern = re.compile(rf"(?<!\w){re.escape(rendering)}(?!\w)")
            translated, count = pattern.subn(lambda _m, t=token: t, translated)
            complete = complete and count > 0
        return translated, complete


def names_of(*people) -> list[str]:
    """The names that must come through a translation untouched — given, family and preferred
    names of each person (a child, a guardian, a staff member; None is skipped), each once,
    in order."""
    names = []
    for person in people:
        if person is None:
            continue
        for field in ("given_name", "family_name", "preferred_name"):
            value = getattr(person, field, "")
            if value:
                names.append(value)
    return list(dict.fromkeys(names))


def _token_pattern(token: str) -> re.Pattern[str]:
    if token.startswith("[["):
        return re.compile(re.escape(token))
    return re.compile(rf"\b{re.escape(token)}\b")


def find_spans(
    text: str,
    source: str,
    target: str,
    names: Iterable[str] = (),
    glossary: Sequence[GlossaryEntry] = (),
) -> list[Span]:
    """The spans of `text` that must not be translated, leftmost-longest, not overlapping."""
    target = base_language(target)
    localise = target in LOCALISED and base_language(source) == "en"
    candidates: list[Span] = []

    def add(start: int, end: int, kind: str, rendering: str | None = None) -> None:
        chunk = text[start:end]
        candidates.append(Span(start, end, kind, chunk, chunk if rendering is None else rendering))

    for match in _URL.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in _TRAILING_URL_PUNCTUATION:
            end -= 1
        add(match.start(), end, "url")
    for match in _EMAIL.finditer(text):
        add(match.start(), match.end(), "email")
    for match in _PHONE.finditer(text):
        add(match.start(), match.end(), "phone")
    for entry in glossary:
        pattern = re.compile(rf"(?<!\w){re.escape(entry.term)}(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(text):
            add(match.start(), match.end(), "glossary", entry.translation or match.group())
    for match in _TITLED_NAME.finditer(text):
        title = match.group("title")
        rendering = None
        if localise:
            rendering = f"{TITLES_ES[title.lower()]} {match.group('name')}"
        add(match.start(), match.end(), "titled_name", rendering)
    for name in _name_variants(names):
        for match in re.finditer(rf"(?<![\w'’]){re.escape(name)}(?![\w])", text):
            if not _auxiliary_at_question_start(text, match):
                add(match.start(), match.end(), "name")
    if localise:
        for match in _DATE_WORDS.finditer(text):
            add(match.start(), match.end(), "date", _spanish_date(match))
        for match in _WEEKDAY_PART.finditer(text):
            weekday = WEEKDAYS[match.group("weekday").lower()]
            part = _SPANISH_DAY_PARTS[match.group("part").lower()]
            add(match.start(), match.end(), "date", f"el {weekday} {part}")
    for match in _DATE_NUMERIC.finditer(text):
        add(match.start(), match.end(), "date")
    for match in _TIME.finditer(text):
        start = match.start()
        prep = match.group("prep") or match.group("prep24")
        if prep and not localise:
            start = match.start("hour") if match.group("hour") else match.start("hour24")
        add(start, match.end(), "time", _spanish_time(match) if localise else None)
    for match in _MONEY.finditer(text):
        add(match.start(), match.end(), "money")
    for match in _NUMBER.finditer(text):
        add(match.start(), match.end(), "number")

    candidates.sort(key=lambda s: (s.start, -(s.end - s.start), _PRIORITY[s.kind]))
    chosen: list[Span] = []
    last_end = -1
    for span in candidates:
        if span.start >= last_end and span.end > span.start:
            chosen.append(span)
            last_end = span.end
    return chosen


def mask(
    text: str,
    spans: Sequence[Span],
    *,
    offset: int = 0,
    name_tokens: bool = True,
    avoid: str = "",
) -> Masked:
    """`text` (which starts at `offset` of the text the spans were found in), masked.

    `avoid` is the whole text: a placeholder name that appears in it is never used.
    """
    avoid_lower = (avoid or text).lower()
    pool = [n for n in NAME_PLACEHOLDERS if n.lower() not in avoid_lower] if name_tokens else []
    pieces = []
    tokens: list[tuple[str, str]] = []
    # The same name twice gets the same placeholder, so a correction maps back cleanly.
    reuse: dict[tuple[str, str], str] = {}
    cursor = 0
    bracket_index = 0
    name_index = 0
    end = offset + len(text)
    for span in spans:
        if span.start < offset or span.end > end:
            continue
        start, stop = span.start - offset, span.end - offset
        pieces.append(text[cursor:start])
        token = reuse.get((span.text, span.rendering))
        if token is None:
            if span.kind in NAME_KINDS and name_index < len(pool):
                token = pool[name_index]
                name_index += 1
            else:
                token = f"[[{bracket_index}]]"
                bracket_index += 1
            reuse[(span.text, span.rendering)] = token
            tokens.append((token, span.rendering))
        pieces.append(token)
        cursor = stop
    pieces.append(text[cursor:])
    return Masked("".join(pieces), tuple(tokens))


def render_value(
    value: str, source: str, target: str, names: Iterable[str] = (), glossary=()
) -> str | None:
    """How a slot value that is wholly one protected span reads for the reader, else None."""
    spans = find_spans(value, source, target, names=names, glossary=glossary)
    stripped = value.strip()
    if len(spans) == 1 and spans[0].text.strip() == stripped:
        return spans[0].rendering
    if base_language(target) in LOCALISED and base_language(source) == "en":
        day = stripped.lower()
        # "Tuesdays" reads "los martes" in the phrase; the day name itself does not change.
        day = day[:-1] if day.endswith("days") else day
        if day in WEEKDAYS:
            return WEEKDAYS[day]
    return None


def _name_variants(names: Iterable[str]) -> list[str]:
    """Full names and each part of them, longest first, so "Rose Field" wins over "Rose"."""
    variants = set()
    for name in names:
        cleaned = " ".join((name or "").split())
        if len(cleaned) < 2:
            continue
        variants.add(cleaned)
        variants.update(part for part in cleaned.split(" ") if len(part) >= 2)
    return sorted(variants, key=len, reverse=True)


def _auxiliary_at_question_start(text: str, match: re.Match[str]) -> bool:
    if match.group().lower() not in _AUXILIARY_NAMES:
        return False
    before = text[: match.start()].rstrip()
    at_start = not before or before[-1] in '.!?\n¿¡"“'
    following = text[match.end() :].split(maxsplit=1)
    next_word = following[0].strip(",.?!").lower() if following else ""
    return at_start and next_word in _SUBJECT_PRONOUNS


def _spanish_date(match: re.Match[str]) -> str:
    month_word = match.group("month").lower().rstrip(".")
    month = MONTHS[_MONTH_ABBREVIATIONS.get(month_word, month_word)]
    parts = []
    if match.group("prep"):
        parts.append("el")
    if match.group("weekday"):
        parts.append(WEEKDAYS[match.group("weekday").lower()])
    parts.append(f"{int(match.group('day'))} de {month}")
    if match.group("year"):
        parts.append(f"de {match.group('year')}")
    return " ".join(parts)


def _spanish_time(match: re.Match[str]) -> str:
    if match.group("hour") is not None:
        hour = int(match.group("hour"))
        minute = match.group("minute") or "00"
        meridiem = "a. m." if match.group("ampm").lower().startswith("a") else "p. m."
        clock = f"{hour}:{minute} {meridiem}"
        prep = match.group("prep")
    else:
        hour = int(match.group("hour24"))
        clock = f"{hour}:{match.group('minute24')}"
        prep = match.group("prep24")
    if not prep:
        return clock
    article = "la" if hour == 1 else "las"
    return f"{_SPANISH_TIME_PREPOSITIONS[prep.lower()]} {article} {clock}"
