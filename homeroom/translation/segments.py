"""Split a message into sentences, the unit the phrasebook and the memory work on.

A teacher's note mixes sentences schools send every week ("Picture day is Friday.") with
sentences only they write; cutting at sentence ends lets the first kind come from the
phrasebook or the memory while only the rest goes to a machine.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .protection import Span

_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?P<gap>\s+)(?=[\"'“‘(¿¡]?[A-ZÁÉÍÓÚÑ0-9])")
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "mx",
        "st",
        "no",
        "vs",
        "jr",
        "sr",
        "sra",
        "srta",
        "etc",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "approx",
        "dept",
        "ave",
        "rm",
    }
)


@dataclass(frozen=True)
class Segment:
    start: int
    text: str
    gap: str  # the whitespace that followed it in the message


def split_segments(text: str, spans: Sequence[Span] = ()) -> list[Segment]:
    """Sentences and lines of `text`, each with the whitespace that followed it.

    Never cuts inside a protected span ("5 p.m.", "Mr. Bell"), nor after an abbreviation.
    Joining every `text + gap` gives the message back exactly.
    """
    cuts: list[tuple[int, int]] = []  # (end of segment, start of next)
    for match in re.finditer(r"[ \t]*\n\s*", text):
        cuts.append((match.start(), match.end()))
    for match in _END.finditer(text):
        end = match.start("gap")
        if _inside_span(end - 1, spans) or _after_abbreviation(text, match.start()):
            continue
        cuts.append((end, match.end("gap")))
    cuts.sort()
    segments = []
    cursor = 0
    for end, next_start in cuts:
        if end < cursor:
            continue
        segments.append(Segment(cursor, text[cursor:end], text[end:next_start]))
        cursor = next_start
    segments.append(Segment(cursor, text[cursor:], ""))
    # A message that opens with blank lines keeps them as an empty first segment.
    return segments


def _inside_span(index: int, spans: Sequence[Span]) -> bool:
    return any(span.start <= index < span.end for span in spans)


def _after_abbreviation(text: str, punctuation_at: int) -> bool:
    word = re.search(r"([\w.]+)$", text[:punctuation_at])
    return bool(word) and word.group(1).lower().rstrip(".") in _ABBREVIATIONS
