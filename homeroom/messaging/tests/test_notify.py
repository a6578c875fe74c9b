"""Staff learn that families wrote: an unread count computed from read markers, and, for
those who ask for it, a digest email of the conversations with new family replies."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.messaging.inbound.notify import alert_staff, unread_counts_for_staff
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import Message, Participant
from homeroom.people.models import StaffMember

from .builders import committed, private_thread


def staff_wrote(conversation, staff, text="Hello", *, minutes_ago=0):
    return Message.objects.create(
        conversation=conversation,
        author_staff=staff,
        body=text,
        language="en",
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def read_now(conversation, staff):
    Participant.objects.filter(conversation=conversation, staff=staff).update(
        last_read_at=timezone.now()
    )


# -- the unread count -----------------------------------------------------------------------


def test_unread_counts_only_family_messages_after_the_read_marker(world, django_assert_num_queries):
    ana_thread = private_thread(world, world.rosa, world.marco)
    cal_thread = private_thread(world, world.gina, student=world.cal)
    chen_thread = private_thread(world, world.marco, staff=[world.chen])

    committed(receive_reply, world.rosa, ana_thread, "Gracias", "app")
    read_now(ana_thread, world.rivera)  # she read Rosa's message…
    committed(receive_reply, world.marco, ana_thread, "Thanks!", "app")  # …then Marco wrote
    staff_wrote(ana_thread, world.chen)  # a colleague's words are not a family reply
    committed(receive_reply, world.gina, cal_thread, "Cảm ơn cô", "app")
    committed(receive_reply, world.marco, chen_thread, "Question for Mr Chen", "app")

    with django_assert_num_queries(1):
        rivera_unread = unread_counts_for_staff(world.rivera)
    assert rivera_unread == 2
    assert unread_counts_for_staff(world.chen) == 1
    assert unread_counts_for_staff(world.liaison) == 0


def test_a_staff_member_who_never_opened_a_thread_has_all_of_it_unread(world):
    conversation = private_thread(world, world.marco)
    Participant.objects.filter(staff=world.rivera).update(last_read_at=None)
    committed(receive_reply, world.marco, conversation, "One", "app")
    committed(receive_reply, world.marco, conversation, "Two", "app")

    assert unread_counts_for_staff(world.rivera) == 2


# -- the digest -------------------------------------------------------------------------------


@pytest.fixture
def digest_reader(world):
    world.rivera.family_alerts = "hourly"
    world.rivera.save(update_fields=["family_alerts"])
    return world.rivera


def test_a_digest_lists_the_conversations_with_new_family_replies(
    world, digest_reader, mailoutbox, settings
):
    settings.PUBLIC_BASE_URL = "https://homeroom.example"
    ana_thread = private_thread(world, world.rosa, world.marco)
    cal_thread = private_thread(world, world.gina, student=world.cal)
    quiet_thread = private_thread(world, world.marco)
    committed(receive_reply, world.rosa, ana_thread, "Gracias maestra", "app")
    committed(receive_reply, world.marco, ana_thread, "Thanks", "app")
    committed(receive_reply, world.gina, cal_thread, "Cảm ơn cô", "app")
    committed(receive_reply, world.marco, quiet_thread, "Seen", "app")
    read_now(quiet_thread, world.rivera)

    assert alert_staff() == 1

    (email,) = mailoutbox
    assert email.to == [digest_reader.email]
    assert email.subject == "Homeroom: 3 new replies from families"
    assert "Hello Maria," in email.body
    assert "Ana Lopez — Ana's week: 2 new replies" in email.body
    assert "Cal Nguyen — Ana's week: 1 new reply" in email.body
    assert "https://homeroom.example" + reverse("conversation_detail", args=[ana_thread.pk]) in (
        email.body
    )
    assert email.body.count("new repl") == 2  # the thread she has read is not listed
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_next_digest_lists_only_what_came_in_since_and_waits_an_hour(
    world, digest_reader, mailoutbox
):
    conversation = private_thread(world, world.marco)
    committed(receive_reply, world.marco, conversation, "First", "app")
    start = timezone.now()
    assert alert_staff(start) == 1
    assert alert_staff(start + timedelta(minutes=5)) == 0
    assert len(mailoutbox) == 1

    committed(receive_reply, world.marco, conversation, "Second", "app")
    assert alert_staff(timezone.now() + timedelta(minutes=10)) == 0  # within the hour
    assert alert_staff(start + timedelta(minutes=61)) == 1
    assert "1 new reply" in mailoutbox[-1].body
    stored = StaffMember.objects.get(pk=digest_reader.pk)
    assert stored.family_alerts == "hourly"
    assert stored.alerted_at == start + timedelta(minutes=61)


def test_staff_who_chose_the_badge_only_get_no_email(world, mailoutbox):
    StaffMember.objects.update(family_alerts="badge")
    conversation = private_thread(world, world.marco)
    committed(receive_reply, world.marco, conversation, "Hello", "app")

    assert alert_staff() == 0
    assert mailoutbox == []
    assert unread_counts_for_staff(world.rivera) == 1


# -- an email for each family message (the default) --------------------------------------------


def test_by_default_a_teacher_gets_an_email_with_what_the_family_wrote(world, mailoutbox, settings):
    settings.PUBLIC_BASE_URL = "https://homeroom.example"
    assert StaffMember.objects.get(pk=world.rivera.pk).family_alerts == "each"
    ana_thread = private_thread(world, world.rosa, world.marco)
    cal_thread = private_thread(world, world.gina, student=world.cal)
    committed(receive_reply, world.rosa, ana_thread, "Gracias maestra", "app")
    committed(receive_reply, world.marco, ana_thread, "She will be late tomorrow.", "app")
    committed(receive_reply, world.gina, cal_thread, "Cảm ơn cô", "app")

    assert alert_staff() == 2  # one email per conversation a family wrote in
    to_rivera = [email for email in mailoutbox if email.to == [world.rivera.email]]
    by_subject = {email.subject: email for email in to_rivera}
    assert set(by_subject) == {
        "Marco Lopez wrote about Ana Lopez",
        "Gina Nguyen wrote about Cal Nguyen",
    }
    ana = by_subject["Marco Lopez wrote about Ana Lopez"].body
    assert "Rosa Lopez" in ana and "Marco Lopez" in ana
    assert "She will be late tomorrow." in ana
    assert "Original: Gracias maestra" in ana  # Rosa's Spanish, with its English copy above
    assert "https://homeroom.example" + reverse("conversation_detail", args=[ana_thread.pk]) in ana
    assert "https://homeroom.example" + reverse("staff_preferences") in ana

    assert alert_staff() == 0  # told once
    committed(receive_reply, world.marco, ana_thread, "And thanks.", "app")
    assert alert_staff() == 1
    assert "And thanks." in mailoutbox[-1].body
    assert "She will be late tomorrow." not in mailoutbox[-1].body


def test_a_message_already_read_is_not_emailed(world, mailoutbox):
    conversation = private_thread(world, world.marco)
    committed(receive_reply, world.marco, conversation, "Hello", "app")
    read_now(conversation, world.rivera)
    assert alert_staff() == 0


def test_nothing_is_sent_outside_office_hours_and_everything_when_they_begin(world, mailoutbox):
    from homeroom.messaging.inbound.office_hours import school_zone

    world.rivera.office_hours = {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "16:00"}
    world.rivera.save(update_fields=["office_hours"])
    zone = school_zone(world.north)
    conversation = private_thread(world, world.marco)
    committed(receive_reply, world.marco, conversation, "At night", "app")
    committed(receive_reply, world.marco, conversation, "And again", "app")
    later = timezone.now() + timedelta(days=1)
    saturday = later.astimezone(zone)
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    saturday = saturday.replace(hour=10, minute=0)
    assert alert_staff(saturday) == 0
    monday_early = (saturday + timedelta(days=2)).replace(hour=7, minute=30)
    assert alert_staff(monday_early) == 0
    monday = monday_early.replace(hour=8, minute=5)
    assert alert_staff(monday) == 1
    assert "At night" in mailoutbox[-1].body and "And again" in mailoutbox[-1].body


def test_the_alert_queries_do_not_grow_with_the_conversations(world, mailoutbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(threads):
        for thread in threads:
            committed(receive_reply, world.marco, thread, "Hello", "app")
        with CaptureQueriesContext(connection) as captured:
            assert alert_staff() == len(threads)
        return len(captured)

    one = queries_for([private_thread(world, world.marco)])
    three = queries_for([private_thread(world, world.marco) for _ in range(3)])
    assert one == three
