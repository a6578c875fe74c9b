"""The phrasebook: the messages schools send most, translated once by a person.

`phrases/<language>.json` maps a phrase key to its text in that language, with slots such as
`{student}`, `{date}` or `{place}`. A sentence that matches a phrase in its own language
(whitespace, case and closing punctuation aside; a slot matches any text) is translated by
filling the same phrase in the reader's language. Adding a language is adding a file.
"""

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from homeroom.languages import base_language

PHRASES_DIR = Path(__file__).resolve().parent / "phrases"

# How a slot's value reaches the reader. Names and figures are never translated; dates and
# times are rendered in the reader's language; anything else is a phrase of its own that
# goes through the machine (and so makes the result machine-translated).
NAME_SLOTS = frozenset({"student", "teacher", "name", "staff", "principal", "coach"})
KEEP_SLOTS = frozenset({"phone", "url", "email", "amount", "number", "minutes", "room", "grade"})
DATE_SLOTS = frozenset({"date", "day"})
TIME_SLOTS = frozenset({"time", "start", "end"})
STARTER_KINDS = ("praise", "next_step")
# Capitalised words that open sentences but are not anybody's name: "Everyone was absent
# today." is not the phrase "{student} was absent today.".
_NOT_NAMES = (
    "a all an any anybody anyone each every everybody everyone few he her his i it its many "
    "most my no nobody none one our she some somebody someone that the their these they this "
    "those we what who you your"
)
NOT_NAMES = frozenset(_NOT_NAMES.split())
TITLES = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"})
_NAME_WORD = re.compile(r"^[A-ZÁÉÍÓÚÑ][\w'’.-]*$")

_SLOT = re.compile(r"\{(\w+)\}")
_SLOT_AND_STOP = re.compile(r"\{(\w+)\}(\.?)")
_CLOSING = ".!?…,:;"


def slot_kind(slot: str) -> str:
    if slot in NAME_SLOTS:
        return "name"
    if slot in KEEP_SLOTS:
        return "keep"
    if slot in DATE_SLOTS:
        return "date"
    if slot in TIME_SLOTS:
        return "time"
    return "text"


@dataclass(frozen=True)
class PhraseMatch:
    key: str
    template: str  # the phrase in the reader's language, slots unfilled
    values: dict[str, str]  # slot → text as written in the message

    def fill(self, rendered: dict[str, str]) -> str:
        def value(found: re.Match[str]) -> str:
            text = rendered[found.group(1)]
            # "a las {time}." with "4:15 p. m." keeps one full stop.
            return text if text.endswith(".") else text + found.group(2)

        return _SLOT_AND_STOP.sub(value, self.template)


@dataclass(frozen=True)
class Starter:
    key: str
    text: str


@dataclass(frozen=True)
class _Compiled:
    key: str
    pattern: re.Pattern[str]
    literal_length: int  # the more fixed text a phrase has, the more specific its match


@functools.cache
def phrases(language: str) -> dict[str, str]:
    path = PHRASES_DIR / f"{base_language(language)}.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def languages() -> list[str]:
    return sorted(path.stem for path in PHRASES_DIR.glob("*.json"))


def normalise(text: str) -> str:
    """How two sentences are compared: case, spacing, curly quotes, closing punctuation."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).rstrip(_CLOSING + " ").lower()


@functools.cache
def _compiled(language: str) -> tuple[_Compiled, ...]:
    compiled = []
    for key, text in phrases(language).items():
        template = normalise(text)
        parts = []
        seen: set[str] = set()
        cursor = 0
        literal = 0
        for slot in _SLOT.finditer(template):
            chunk = template[cursor : slot.start()]
            parts.append(_literal_pattern(chunk))
            literal += len(chunk.strip())
            name = slot.group(1)
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
            cursor = slot.end()
        chunk = template[cursor:]
        parts.append(_literal_pattern(chunk))
        literal += len(chunk.strip())
        pattern = re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
        compiled.append(_Compiled(key, pattern, literal))
    # Most specific first: "Picture day is on {date}" before "Picture day is {date}".
    compiled.sort(key=lambda c: -c.literal_length)
    return tuple(compiled)


def _literal_pattern(chunk: str) -> str:
    return r"\s+".join(re.escape(word) for word in chunk.split(" ")).replace(r"\s+\s+", r"\s+")


def match(
    text: str, source: str, target: str, names: Iterable[str] | None = None
) -> PhraseMatch | None:
    """The phrase `text` is an instance of, when the reader's language has it too.

    A name slot only takes a name: one of `names` when the caller knows them, otherwise
    capitalised words that are not a pronoun or determiner.
    """
    target_phrases = phrases(target)
    if not target_phrases:
        return None
    known = _known_names(names)
    candidate = _for_matching(text)
    if not candidate:
        return None
    for compiled in _compiled(base_language(source)):
        if compiled.key not in target_phrases:
            continue
        found = compiled.pattern.fullmatch(candidate)
        if found:
            values = {name: value.strip() for name, value in found.groupdict().items()}
            if all(values.values()) and all(
                _is_name(value, known) for slot, value in values.items() if slot in NAME_SLOTS
            ):
                return PhraseMatch(compiled.key, target_phrases[compiled.key], values)
    return None


def _known_names(names: Iterable[str] | None) -> frozenset[str]:
    known = set()
    for name in names or ():
        cleaned = " ".join((name or "").split())
        if cleaned:
            known.add(cleaned)
            known.update(cleaned.split(" "))
    return frozenset(known)


def _is_name(value: str, known: frozenset[str]) -> bool:
    words = value.split()
    if not words or len(words) > 4:
        return False
    if words[0].rstrip(".") in TITLES and len(words) > 1:
        # "Mr. Bell" is a name whether or not the caller listed it.
        return all(_NAME_WORD.match(w) for w in words[1:])
    if known:
        return value in known
    return words[0].lower() not in NOT_NAMES and all(_NAME_WORD.match(w) for w in words)


def _for_matching(text: str) -> str:
    """Like `normalise`, but keeps the case of slot values (names, places)."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).rstrip(_CLOSING + " ")


def starters(kind: str, language: str = "en") -> list[Starter]:
    """Sentence starters for the weekly-update composer: "praise" or "next_step"."""
    if kind not in STARTER_KINDS:
        raise ValueError(f"kind must be one of {', '.join(STARTER_KINDS)}, not {kind!r}")
    return [
        Starter(key, text) for key, text in phrases(language).items() if key.startswith(f"{kind}.")
    ]
