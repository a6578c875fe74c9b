"""A suggestion by text message: "IDEA <text>", "IDEA: <text>" (the same word in Spanish),
or "SUGERENCIA <text>". Registered with `messaging.inbound.answerers` in `VoiceConfig.ready`.

The text goes to the school of the guardian's children that may hear from them
(`people.access.schools_a_guardian_may_hear_of`: contact and records allowed; a primary
link's school first). It is kept between the family and the school until the family shows it
to others from the link in the reply.
"""

import re

from django.utils import translation
from django.utils.translation import gettext_noop

from homeroom.messaging.inbound.answerers import Answered, InboundText
from homeroom.messaging.inbound.wording import text_for_family
from homeroom.people import access

from ..models import Suggestion
from . import services

KEYWORDS = ("IDEA", "SUGERENCIA")
PATTERN = re.compile(r"^\s*(IDEA|SUGERENCIA)\b\s*[:.\-–—]?\s*(.*)\Z", re.IGNORECASE | re.DOTALL)

THANKS = gettext_noop(
    "Thank you: %(school)s has your suggestion. Only the school sees it until you share it. "
    "Follow it here: %(link)s"
)
EMPTY = gettext_noop(
    "To send %(school)s a suggestion, text IDEA followed by your idea, in any language."
)
NO_SCHOOL = gettext_noop(
    "We could not send your suggestion: no school can receive it from this number."
)
REFUSED = gettext_noop("We could not send your suggestion: %(reason)s")


def answer_suggestion(text: InboundText) -> Answered | None:
    match = PATTERN.match(text.body or "")
    if match is None:
        return None
    body = match.group(2).strip()
    for guardian in text.guardians:
        school = access.schools_a_guardian_may_hear_of(guardian).first()
        if school is not None:
            break
    else:
        guardian = text.guardians[0]
        return Answered(text_for_family(guardian.language, NO_SCHOOL).text, "suggestion:no_school")
    language = guardian.language

    def reply(msgid, **values):
        return text_for_family(
            language, msgid, lambda: values, school=school, protect=list(KEYWORDS)
        ).text

    if not body:
        return Answered(reply(EMPTY, school=school.name), "suggestion:empty")
    try:
        with translation.override(language):  # a refusal's reason, in the family's words
            suggestion = services.send_suggestion(
                guardian, school, body, private=True, channel=Suggestion.Channel.SMS
            )
    except services.SuggestionRefused as refusal:
        return Answered(reply(REFUSED, reason=str(refusal)), "suggestion:refused")
    link = services.suggestion_link(suggestion)
    return Answered(reply(THANKS, school=school.name, link=link), "suggestion:received")
