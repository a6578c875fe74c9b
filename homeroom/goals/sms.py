"""A family's note to a goal by text: "GOAL we read for twenty minutes" (or "META …").

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

from . import access
from .models import Goal, Note, Side
from .services import GoalRefused, Person, add_note

KEYWORD = re.compile(r"^\s*(goal|meta)\b[\s:,.!-]*", re.IGNORECASE)


def answer_goal_text(text: InboundText) -> Answered | None:
    found = KEYWORD.match(text.body or "")
    if found is None:
        return None
    words = text.body[found.end() :].strip()
    for guardian in text.guardians:
        goals = access.goals_of_guardian(guardian)
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
        if any(access.goals_of_guardian(g).exists() for g in text.guardians):
            reply = _(
                "That goal is closed or not agreed yet, so your note was not kept. Open "
                "Homeroom to see your child's goals."
            )
            return Answered(reply=reply, outcome="goal:closed")
        reply = _("There is no shared goal for your child yet. Open Homeroom to propose one.")
        return Answered(reply=reply, outcome="goal:none")
