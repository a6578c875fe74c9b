"""A survey answered by text: "reply 1, 2 or 3".

A survey with one question and one choice (or a labelled scale), not anonymous, is announced
by text with its options numbered (`services.announcement_text`). When the last text
exchanged with a number is that announcement (`messaging.inbound.sms.thread_for_number`, the
rule every reply is threaded by), a text that is one of the numbers — in any digits, ١٢٣ as
well as 123 — or the words of one of the options, in the family's language or in English,
case and accents aside, is the family's answer. It is stored as a web answer is
(`services.answer_survey`: one per guardian, changed by texting again until the survey
closes) and the family is told, in its language, what was kept.

Refused, with a reply saying why and nothing stored: a number that is not one of the options
("7" to three), and any answer once the survey has closed. A guardian the survey does not
reach (`voice.access.surveys_for_guardian`: the school may not write to them, or they may not
see the child's records) is not answered here: the text goes on as any other text does.
Anything else ("Thanks!", a question) is threaded as a reply to the announcement.
"""

from __future__ import annotations

import unicodedata
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.translation import gettext_noop

from homeroom.messaging.inbound.answerers import Answered, InboundText
from homeroom.messaging.inbound.sms import thread_for_number
from homeroom.messaging.inbound.wording import text_for_family
from homeroom.messaging.models import Conversation

from . import access, services
from .models import Option, Survey

ANSWERED = gettext_noop(
    "Thank you: your answer to %(title)s is %(option)s. To change it, text another number "
    "before %(closes)s."
)
OUT_OF_RANGE = gettext_noop(
    "%(given)s is not one of the answers to %(title)s. Reply with one of these numbers:\n"
    "%(options)s"
)
CLOSED = gettext_noop("The survey %(title)s closed on %(closes)s: your answer was not saved.")

# A text longer than this is a message, not an answer.
LONGEST_ANSWER = 200
PUNCTUATION = " \t\r\n.,;:!¡?¿()[]#*\"'"


def fold(text: str) -> str:
    """Words compared case and accents aside: "Sí", "si" and "SI" are one answer."""
    decomposed = unicodedata.normalize("NFKD", text.strip(PUNCTUATION))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def number_in(text: str) -> int | None:
    """The number a text is, in any script's digits (Python reads ١٢ and ۱۲ as 12)."""
    cleaned = text.strip(PUNCTUATION)
    if cleaned.isdecimal() and len(cleaned) <= 3:
        return int(cleaned)
    return None


def answer_text(text: InboundText) -> Answered | None:
    body = text.body.strip()
    if not body or len(body) > LONGEST_ANSWER:
        return None
    threaded = thread_for_number(text.phone, text.guardians)
    if threaded is None:
        return None
    guardian, conversation = threaded
    if conversation.kind != Conversation.Kind.ANNOUNCEMENT:
        return None
    survey = (
        access.surveys_for_guardian(guardian)
        .filter(announcement=conversation)
        .select_related("school")
        .first()
    )
    if survey is None:
        return None
    questions = services.questions_of(survey)
    question = services.sms_question(survey, questions)
    if question is None:
        return None
    options = list(question.options.all())
    texts, _translated = services.texts_in(survey, guardian.language)
    number = number_in(body)
    chosen = None
    if number is not None:
        if 1 <= number <= len(options):
            chosen = options[number - 1]
    else:
        chosen = _option_named(body, options, texts)
        if chosen is None:
            return None
    reply = _Reply(survey, guardian, texts)
    if not survey.is_open():
        return Answered(reply.say(CLOSED), "survey:closed")
    if chosen is None:
        return Answered(
            reply.say(OUT_OF_RANGE, given=str(number), options=_listing(options, texts)),
            "survey:out_of_range",
        )
    services.answer_survey(survey, guardian, {question.pk: [chosen.pk]})
    return Answered(
        reply.say(ANSWERED, option=services.option_text(chosen, texts)), "survey:answered"
    )


def _option_named(body: str, options: list[Option], texts: dict[str, str]) -> Option | None:
    said = fold(body)
    if not said:
        return None
    for option in options:
        if said in {fold(option.text), fold(services.option_text(option, texts))}:
            return option
    return None


def _listing(options: list[Option], texts: dict[str, str]) -> str:
    return services.numbered_options(options, texts)


class _Reply:
    """What the family is texted back, in its language, with the survey's own words."""

    def __init__(self, survey: Survey, guardian, texts: dict[str, str]):
        self.survey = survey
        self.guardian = guardian
        self.title = texts.get("title") or survey.title

    def say(self, msgid: str, **values: str) -> str:
        zone = ZoneInfo(self.guardian.time_zone or self.survey.time_zone)
        closes = timezone.localtime(self.survey.closes_at, zone)

        def filled() -> dict[str, str]:
            return {
                "title": self.title,
                "closes": formats.date_format(closes, "DATETIME_FORMAT"),
                **values,
            }

        return text_for_family(
            self.guardian.language,
            msgid,
            filled,
            school=self.survey.school,
            protect=[self.survey.sender_name],
        ).text
