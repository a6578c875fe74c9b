"""A family's note to a goal by text: "GOAL we read for twenty minutes" (or "META …"), or
any words answering a goal's reminder when that reminder was the last text to the number.

Registered with the SMS webhook's answerers (`apps.py`). The keyword alone is the one-tap
"we practised tonight". The note goes to the guardian's most recently started active goal
among the children whose records they may see; a text to a goal that is closed (or not yet
agreed) is answered in the family's language and nothing is stored.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.messaging.inbound.answerers import Answered, InboundText
from homeroom.messaging.models import Delivery
from homeroom.people.models import Channel

from . import access
from .models import Goal, GoalEvent, Note, Side
from .services import GoalRefused, Person, add_note

KEYWORD = re.compile(r"^\s*(goal|meta)\b[\s:,.!-]*", re.IGNORECASE)


def _reminded_goal(text: InboundText) -> Goal | None:
    """The goal whose reminder was the last text sent to this number, if it was."""
    last = (
        Delivery.objects.filter(
            channel=Channel.SMS,
            to_address=text.phone,
            sent_at__isnull=False,
        )
        .order_by("-sent_at", "-pk")
        .values_list("message_id", flat=True)
        .first()
    )
    if last is None:
        return None
    event = GoalEvent.objects.filter(message_id=last).select_related("goal").first()
    return event.goal if event else None


def answer_goal_text(text: InboundText) -> Answered | None:
    found = KEYWORD.match(text.body or "")
    reminded = None if found else _reminded_goal(text)
    if found is None and reminded is None:
        return None
    words = text.body[found.end() :].strip() if found else text.body.strip()
    for guardian in text.guardians:
        goals = access.goals_of_guardian(guardian)
        if reminded is not None:
            # Only a goal this guardian still takes part in; a closed one is answered below.
            goals = goals.filter(pk=reminded.pk)
        active = goals.filter(status=Goal.Status.ACTIVE).order_by("-activated_at", "-pk").first()
        if active is None:
            continue
        with override(guardian.language):
            try:
                add_note(
                    active,
                    Person(side=Side.FAMILY, guardian=guardian),
                    text=words,
                    kind=Note.Kind.TEXT if words else Note.Kind.PRACTISED,
                    channel=Note.Channel.SMS,
                )
            except GoalRefused as refusal:
                return Answered(reply=str(refusal), outcome="goal:refused")
            return Answered(
                reply=_("Thank you! Your note is with %(name)s's teachers.")
                % {"name": active.student.given_name},
                outcome="goal:noted",
            )
    guardian = text.guardians[0]
    with override(guardian.language):
        if reminded is not None and not any(
            access.goals_of_guardian(g).filter(pk=reminded.pk).exists() for g in text.guardians
        ):
            return None  # not this family's goal any more: the text is an ordinary reply
        if any(access.goals_of_guardian(g).exists() for g in text.guardians):
            reply = _(
                "That goal is closed or not agreed yet, so your note was not kept. Open "
                "Homeroom to see your child's goals."
            )
            return Answered(reply=reply, outcome="goal:closed")
        reply = _("There is no shared goal for your child yet. Open Homeroom to propose one.")
        return Answered(reply=reply, outcome="goal:none")
