"""Texts another module answers itself, before a text is threaded as a reply.

A survey's "reply 1, 2 or 3", a suggestion sent by keyword ("IDEA …"): the module that asked
the question, or owns the keyword, registers an answerer in its `AppConfig.ready`. The SMS
webhook offers every text that is not a carrier keyword, from a known number, to the
answerers in order; the first that claims it answers it, and the text is not threaded.

An answerer claims a text only when it is surely its own (its keyword, or digits right after
its own question was the last text sent to the number) and returns `None` otherwise. It
decides, through `people.access` and its own app's access helpers, whether the guardian may
act; when the text is refused (an option out of range, a closed survey), it stores nothing and
returns an `Answered` whose `reply` says why, in the family's language. What it stores and the
`InboundEvent` recording the text are written in one transaction, so a text Twilio posts
twice is acted on once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from homeroom.people.models import Guardian


@dataclass(frozen=True)
class InboundText:
    sid: str
    phone: str
    body: str
    # The active guardians with this number, oldest first (never empty).
    guardians: list[Guardian]
    media: list = field(default_factory=list)


@dataclass(frozen=True)
class Answered:
    # What the family is texted back, already in its language ("" to say nothing).
    reply: str
    # Recorded on the InboundEvent, e.g. "survey:answered" or "survey:out_of_range".
    outcome: str


Answerer = Callable[[InboundText], "Answered | None"]

_answerers: list[tuple[int, str, Answerer]] = []


def register(name: str, answerer: Answerer, *, order: int = 100) -> None:
    """Offer texts to `answerer`; lower `order` is asked first. Registering a name again
    replaces the earlier answerer (apps are readied once, tests may reload)."""
    _answerers[:] = [entry for entry in _answerers if entry[1] != name]
    _answerers.append((order, name, answerer))
    _answerers.sort(key=lambda entry: (entry[0], entry[1]))


def first_answer(text: InboundText) -> Answered | None:
    """The first registered answerer's answer to `text`, or None when none claims it."""
    for _, _, answerer in _answerers:
        answered = answerer(text)
        if answered is not None:
            return answered
    return None
