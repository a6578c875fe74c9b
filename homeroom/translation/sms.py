"""How many SMS segments a text costs, so a sender sees it before a translation runs long.

GSM 03.38: 160 septets in one message, 153 per part of a longer one; characters of the
extension table take two. Any other character sends the whole text as UCS-2: 70 UTF-16
units in one message, 67 per part. A character is never split across two parts.
"""

from dataclasses import dataclass

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # as a person counts them (code points)
    units: int  # what the limits count: septets for GSM-7, UTF-16 units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(char in GSM_BASIC or char in GSM_EXTENSION for char in text)


def sms_segments(text: str) -> SmsLength:
    if is_gsm7(text):
        sizes = [2 if char in GSM_EXTENSION else 1 for char in text]
        encoding, single, part = "GSM-7", GSM_SINGLE, GSM_PART
    else:
        sizes = [len(char.encode("utf-16-le")) // 2 for char in text]
        encoding, single, part = "UCS-2", UCS2_SINGLE, UCS2_PART
    units = sum(sizes)
    return SmsLength(encoding, len(text), units, _segments(sizes, units, single, part))


def _segments(sizes: list[int], units: int, single: int, part: int) -> int:
    if units == 0:
        return 0
    if units <= single:
        return 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > part:
            segments += 1
            used = 0
        used += size
    return segments
