"""Staff learn that families wrote: an unread count computed from read markers, and, for
those who ask for it, a digest email of the conversations with new family replies."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.messaging.inbound.notify import send_staff_digests, unread_counts_for_staff
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import Message, Participant
from homeroom.people.models import StaffMember

from .builders import private_thread


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

    receive_reply(world.rosa, ana_thread, "Gracias", "app")
    read_now(ana_thread, world.rivera)  # she read Rosa's message…
    receive_reply(world.marco, ana_thread, "Thanks!", "app")  # …then Marco wrote
    staff_wrote(ana_thread, world.chen)  # a colleague's words are not a family reply
    receive_reply(world.gina, cal_thread, "Cảm ơn cô", "app")
    receive_reply(world.marco, chen_thread, "Question for Mr Chen", "app")

    with django_assert_num_queries(1):
        rivera_unread = unread_counts_for_staff(world.rivera)
    assert rivera_unread == 2
    assert unread_counts_for_staff(world.chen) == 1
    assert unread_counts_for_staff(world.liaison) == 0


def test_a_staff_member_who_never_opened_a_thread_has_all_of_it_unread(world):
    conversation = private_thread(world, world.marco)
    Participant.objects.filter(staff=world.rivera).update(last_read_at=None)
    receive_reply(world.marco, conversation, "One", "app")
    receive_reply(world.marco, conversation, "Two", "app")

    assert unread_counts_for_staff(world.rivera) == 2


# -- the digest -------------------------------------------------------------------------------


@pytest.fixture
def digest_reader(world):
    world.rivera.reply_digest = True
    world.rivera.save(update_fields=["reply_digest"])
    return world.rivera


def test_a_digest_lists_the_conversations_with_new_family_replies(
    world, digest_reader, mailoutbox, settings
):
    settings.PUBLIC_BASE_URL = "https://homeroom.example"
    ana_thread = private_thread(world, world.rosa, world.marco)
    cal_thread = private_thread(world, world.gina, student=world.cal)
    quiet_thread = private_thread(world, world.marco)
    receive_reply(world.rosa, ana_thread, "Gracias maestra", "app")
    receive_reply(world.marco, ana_thread, "Thanks", "app")
    receive_reply(world.gina, cal_thread, "Cảm ơn cô", "app")
    receive_reply(world.marco, quiet_thread, "Seen", "app")
    read_now(quiet_thread, world.rivera)

    assert send_staff_digests() == 1

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


def test_the_next_digest_lists_only_what_came_in_since(world, digest_reader, mailoutbox):
    conversation = private_thread(world, world.marco)
    receive_reply(world.marco, conversation, "First", "app")
    assert send_staff_digests() == 1

    assert send_staff_digests() == 0
    assert len(mailoutbox) == 1

    receive_reply(world.marco, conversation, "Second", "app")
    assert send_staff_digests() == 1
    assert "1 new reply" in mailoutbox[-1].body
    stored = StaffMember.objects.get(pk=digest_reader.pk)
    assert stored.reply_digest is True
    assert stored.reply_digest_sent_at is not None


def test_staff_who_did_not_ask_get_no_digest(world, mailoutbox):
    conversation = private_thread(world, world.marco)
    receive_reply(world.marco, conversation, "Hello", "app")

    assert send_staff_digests() == 0
    assert mailoutbox == []
