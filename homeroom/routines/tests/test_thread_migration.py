"""Conversations from before the standing conversation: the thread of each teacher's latest
weekly sentence about a child and the thread earlier moment answers went to carry on, and
each written answer points at its message."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from homeroom.testing.migrating import migrate_to, migrate_to_latest

PEOPLE = ("people", "0004_student_search_name")
BEFORE = [
    PEOPLE,
    ("messaging", "0008_subject_translations"),
    ("behavior", "0002_default_categories"),
    ("routines", "0003_home_visit"),
]
AFTER = [
    PEOPLE,
    ("messaging", "0009_standing_conversations_and_quotes"),
    ("behavior", "0003_response_message"),
    ("routines", "0004_weekly_update_threads"),
]


@pytest.mark.django_db(transaction=True)
def test_earlier_threads_become_the_standing_ones_and_answers_find_their_message():
    old = migrate_to(BEFORE)
    model = old.get_model
    district = model("people", "District").objects.create(name="D")
    school = model("people", "School").objects.create(district=district, name="S")
    student = model("people", "Student").objects.create(
        school=school, given_name="Ana", family_name="Lopez", search_name="ana lopez"
    )
    teacher = model("people", "StaffMember").objects.create(
        district=district, given_name="Maria", family_name="Rivera"
    )
    rosa = model("people", "Guardian").objects.create(
        district=district, given_name="Rosa", family_name="Lopez"
    )
    section = model("people", "Section").objects.create(school=school, title="Math 6")
    Conversation, Message = model("messaging", "Conversation"), model("messaging", "Message")
    now = timezone.now()

    def thread(text, at, **author):
        conversation = Conversation.objects.create(
            district=district, school=school, student=student, started_by="school"
        )
        message = Message.objects.create(
            conversation=conversation, body=text, language="en", created_at=at, **author
        )
        return conversation, message

    weeks = []
    for weeks_ago in (2, 1):
        update = model("routines", "WeeklyUpdate").objects.create(
            section=section, week_start=date(2026, 11, 30) - timedelta(weeks=weeks_ago)
        )
        conversation, message = thread(
            f"Week -{weeks_ago}", now - timedelta(weeks=weeks_ago), author_staff=teacher
        )
        model("routines", "UpdateSentence").objects.create(
            update=update, student=student, text=message.body, message=message
        )
        weeks.append(conversation)
    category = model("behavior", "Category").objects.create(
        school=school, name="Kindness", kind="positive", points=1
    )
    moment = model("behavior", "Moment").objects.create(
        student=student,
        category=category,
        school=school,
        recorded_by=teacher,
        positive=True,
        points=1,
    )
    answered, written = thread("¡Gracias!", now - timedelta(days=1), author_guardian=rosa)
    answer = model("behavior", "FamilyResponse").objects.create(
        moment=moment, guardian=rosa, kind="message", conversation=answered, created_at=now
    )

    new = migrate_to(AFTER)
    standing = set(
        new.get_model("messaging", "Conversation")
        .objects.filter(standing=True)
        .values_list("pk", flat=True)
    )
    assert standing == {weeks[-1].pk, answered.pk}  # not the older week's thread
    linked = new.get_model("behavior", "FamilyResponse").objects.get(pk=answer.pk)
    assert linked.message_id == written.pk
    migrate_to_latest()
