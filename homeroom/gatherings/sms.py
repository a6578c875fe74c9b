"""Texts about an event, answered here rather than threaded (`messaging.inbound.answerers`).

- Digits after the candidate times ("1 3"): claimed when the last text sent to the number
  was this event's candidate-times message.
- A yes or a no after the invitation, the reminder or the message that a place opened ("YES",
  "YES 3", "SÍ 2 1", "NO"): claimed when the last text sent to the number carried the link of
  an event the family sees (every message about an event ends with it). "YES" is one adult;
  "YES 3" three adults; "YES 2 1" two adults and one child; "NO" is "we can't come after
  all". The web page takes the children's ages and what would help the family come.
"""

import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.messaging.inbound.answerers import Answered, InboundText
from homeroom.messaging.models import Delivery

from . import access as gatherings_access
from . import services
from .models import MAX_ADULTS, MAX_CHILDREN, Event

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


# The words for yes and no in the languages families read (accents and case aside).
YES_WORDS = {"yes", "y", "si", "oui", "sim", "co", "vang", "naam", "نعم", "haa", "wi", "ok"}
NO_WORDS = {"no", "n", "non", "nao", "khong", "la", "لا", "maya"}
RSVP = re.compile(r"^\s*([^\W\d_]+)[\s.!,:]*((?:[+-]?\d+[\s,]*){0,2})\s*$")
EVENT_LINK = re.compile(r"/events/(\d+)/")


def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def answer_rsvp_by_text(text: InboundText) -> Answered | None:
    match = RSVP.match(text.body or "")
    if match is None:
        return None
    word = _folded(match.group(1))
    if word not in YES_WORDS | NO_WORDS:
        return None
    last = (
        Delivery.objects.filter(channel="sms", to_address=text.phone, guardian__in=text.guardians)
        .select_related("message", "guardian")
        .order_by("-pk")
        .first()
    )
    if last is None:
        return None
    linked = EVENT_LINK.search(last.message.body or "")
    if linked is None:
        return None
    guardian = last.guardian
    if not guardian.user_id:
        return None
    event = (
        gatherings_access.events_for_family(guardian.user)
        .filter(pk=int(linked.group(1)), invited_at__isnull=False)
        .select_related("school")
        .first()
    )
    if event is None:
        return None
    numbers = [int(n) for n in re.findall(r"[+-]?\d+", match.group(2))]
    with override(guardian.language or "en"):
        if word in NO_WORDS:
            if numbers:
                return Answered(_("Reply NO alone if you can't come."), "gatherings:rsvp_refused")
            try:
                services.respond(event, guardian, coming=False)
            except services.EventRefused as refusal:
                return Answered(str(refusal), "gatherings:rsvp_refused")
            return Answered(
                _("Thank you for telling us. We hope to see you soon."), "gatherings:rsvp_no"
            )
        adults, children = (numbers + [1, 0][len(numbers) :])[:2]
        if not (1 <= adults <= MAX_ADULTS and 0 <= children <= MAX_CHILDREN):
            return Answered(
                _(
                    "Please reply YES with how many adults and children are coming, "
                    "for example YES 2 1 (from 1 to %(adults)s adults, 0 to %(children)s "
                    "children)."
                )
                % {"adults": MAX_ADULTS, "children": MAX_CHILDREN},
                "gatherings:rsvp_out_of_range",
            )
        rsvp = services.rsvp_of(event, guardian)
        try:
            done = services.respond(
                event,
                guardian,
                coming=True,
                adults=adults,
                children=children,
                needs=services.needs_of(rsvp) if rsvp else None,
            )
        except services.EventRefused as refusal:
            return Answered(str(refusal), "gatherings:rsvp_refused")
        link = services.event_link(event)
        if done.status == done.Status.WAITLISTED:
            return Answered(
                _(
                    "The event is full: you are on the waiting list, and we will tell you if "
                    "a place opens."
                ),
                "gatherings:rsvp_waitlisted",
            )
        return Answered(
            _(
                "Thank you: %(adults)s adults and %(children)s children are coming to "
                "%(title)s. Tell us what would help you come: %(link)s"
            )
            % {"adults": adults, "children": children, "title": event.title, "link": link},
            "gatherings:rsvp_yes",
        )
