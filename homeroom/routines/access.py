"""Who may see which entries of a student's contact timeline: the routines side of
people/access.py and messaging/access.py.

- a logged contact with a guardian: to those who may see that guardian's link to the
  student (`guardianships_for`), so a restricted link (a court order) is seen by school and
  district admins, who keep the records right, and by no teacher or school-wide role; a
  contact logged with no guardian, to anyone who may see the student;
- a message: to those who may open its conversation (`conversations_for`, the rule of the
  conversation page); an admin reading one they are not part of is logged there as here.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from homeroom.messaging.access import conversations_for
from homeroom.messaging.models import Message
from homeroom.people.access import guardianships_for, students_for

from .models import ContactLog


def contact_logs_for(user) -> QuerySet[ContactLog]:
    visible_link = guardianships_for(user).filter(
        guardian=OuterRef("guardian"), student=OuterRef("student")
    )
    return ContactLog.objects.filter(
        Q(guardian__isnull=True) | Q(Exists(visible_link)),
        student__in=students_for(user).values("pk"),
    )


def timeline_messages_for(user) -> QuerySet[Message]:
    return Message.objects.filter(conversation__in=conversations_for(user).values("pk"))
