"""Digits texted back to an event's candidate times ("1 3"), answered here rather than
threaded (`messaging.inbound.answerers`). A text is claimed only when it is digits and the
last text sent to the number was this event's candidate-times message, while its time is not
fixed."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.messaging.inbound.answerers import Answered, InboundText
from homeroom.messaging.models import Delivery

from . import access as gatherings_access
from . import services
from .models import Event

DIGITS = re.compile(r"^\s*\d{1,2}(?:[\s,]+\d{1,2})*\s*$")


def answer_times_by_text(text: InboundText) -> Answered | None:
    if not DIGITS.match(text.body or ""):
        return None
    last = (
        Delivery.objects.filter(channel="sms", to_address=text.phone, guardian__in=text.guardians)
        .select_related("message", "guardian")
        .order_by("-pk")
        .first()
    )
    if last is None:
        return None
    event = (
        Event.objects.filter(times_announcement=last.message.conversation_id)
        .select_related("school")
        .first()
    )
    if event is None:
        return None
    guardian = last.guardian
    if guardian.user_id and not (
        gatherings_access.events_for_family(guardian.user).filter(pk=event.pk).exists()
    ):
        return None
    candidates = list(event.candidates.all())
    numbers = sorted({int(n) for n in re.findall(r"\d+", text.body)})
    with override(guardian.language or "en"):
        if event.is_fixed:
            return Answered(_("Thank you: the time has been fixed already."), "gatherings:fixed")
        if any(not 1 <= n <= len(candidates) for n in numbers):
            return Answered(
                _("Please reply with numbers from 1 to %(count)s.") % {"count": len(candidates)},
                "gatherings:out_of_range",
            )
        services.answer_times(
            event, guardian, [candidates[n - 1].pk for n in numbers], channel="sms"
        )
        return Answered(_("Thank you: your answer has been saved."), "gatherings:times")
