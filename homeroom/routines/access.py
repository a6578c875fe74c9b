"""Who may see which entries of a student's contact timeline: the routines side of
people/access.py and messaging/access.py.

- a logged contact with a guardian: to those who may see that guardian's link to the
  student (`guardianships_for`), so a restricted link (a court order) is seen by school and
  district admins, who keep the records right, and by no teacher or school-wide role; a
  contact logged with no guardian, to anyone who may see the student;
- a message: to those who may open its conversation (`conversations_for`, the rule of the
  conversation page); an admin reading one they are not part of is logged there as here.

Check-in plans and weekly updates:
- a check-in plan for one class covers that class while it is active; a plan with no class
  covers every class its teacher teaches now (`sections_of_plan`);
- a weekly-update sentence counts as reaching a family through each of its student's links
  that is active, allows contact and records, with the guardian active (`families_reached`).
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from homeroom.messaging.access import conversations_for
from homeroom.messaging.models import Conversation, Message
from homeroom.people.access import (
    contactable_links,
    guardianships_for,
    sections_taught_by,
    students_for,
    viewer_for,
)
from homeroom.people.models import Section

from .models import ContactLog, ContactPlan, HomeVisit


def contact_logs_for(user, student=None) -> QuerySet[ContactLog]:
    """With `student`, only theirs: the scope is then checked for that one student (a
    lookup), not computed for every student of the district and intersected."""
    visible_link = guardianships_for(user).filter(
        guardian=OuterRef("guardian"), student=OuterRef("student")
    )
    students = students_for(user)
    logs = ContactLog.objects.all()
    if student is not None:
        students = students.filter(pk=student.pk)
        logs = logs.filter(student=student)
    return logs.filter(
        Q(guardian__isnull=True) | Q(Exists(visible_link)),
        student__in=students.values("pk"),
    )


def family_visits_for(user) -> QuerySet[HomeVisit]:
    """Home visits offered to a signed-in guardian, about a child they are still reached
    about; none for anyone else."""
    viewer = viewer_for(user)
    if not viewer.is_guardian:
        return HomeVisit.objects.none()
    reachable = contactable_links().filter(guardian=viewer.guardian, student=OuterRef("student"))
    return HomeVisit.objects.filter(
        Exists(reachable), guardian=viewer.guardian, student__in=students_for(user)
    )


def timeline_messages_for(user, student=None) -> QuerySet[Message]:
    """With `student`, only the messages of their private conversations, the scope checked
    for those conversations alone."""
    conversations = conversations_for(user)
    if student is not None:
        conversations = conversations.filter(student=student, kind=Conversation.Kind.PRIVATE)
    return Message.objects.filter(conversation__in=conversations.values("pk"))


def sections_of_plan(plan: ContactPlan) -> QuerySet[Section]:
    """The classes a check-in plan covers: its own class while that is active; with no class
    named, every class its teacher teaches now."""
    if plan.section_id:
        return Section.objects.filter(pk=plan.section_id, is_active=True)
    return sections_taught_by(plan.staff)


def families_reached() -> Count:
    """Per weekly-update sentence, how many of its student's families it would reach: links
    active, with contact and records allowed and the guardian active (the student is not
    checked here: the sentence was written for a student of the class roster)."""
    return Count(
        "student__guardianships",
        filter=Q(
            student__guardianships__is_active=True,
            student__guardianships__may_contact=True,
            student__guardianships__may_see_records=True,
            student__guardianships__guardian__is_active=True,
        ),
    )
