"""A court order barring a parent from a child's records: that parent is told nothing about
the child — no private thread, no routine, no invitation — though the school may still
contact them (announcements, which name no child, still reach them)."""

import pytest
from django.urls import reverse

from homeroom.messaging import services
from homeroom.messaging.audiences import Audience
from homeroom.messaging.inbound.service import (
    ReplyRefused,
    open_liaison_conversation,
    receive_reply,
)
from homeroom.messaging.models import Delivery, Message, Participant
from homeroom.people.models import Guardianship
from homeroom.routines import checkins, stories

from .builders import private_thread


@pytest.fixture
def marco_barred(world):
    """Marco may still be contacted, but not told about Ana (records barred)."""
    Guardianship.objects.filter(guardian=world.marco, student=world.ana).update(
        may_see_records=False
    )
    return world.marco


def reached(message) -> set[str]:
    return {d.guardian.given_name for d in Delivery.objects.filter(message=message)}


def test_a_new_thread_about_the_child_leaves_the_barred_parent_out(world, marco_barred):
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana read a whole chapter today."
    )

    assert not Participant.objects.filter(conversation=conversation, guardian=world.marco)
    assert reached(conversation.messages.get()) == {"Rosa"}


def test_an_order_made_after_the_thread_began_stops_what_follows(world):
    conversation = private_thread(world, world.rosa, world.marco)
    first = services.send_message(conversation, text="Ana did well.", by_staff=world.rivera)
    assert reached(first) == {"Rosa", "Marco"}

    Guardianship.objects.filter(guardian=world.marco, student=world.ana).update(
        may_see_records=False
    )
    later = services.send_message(conversation, text="And again today.", by_staff=world.rivera)

    assert reached(later) == {"Rosa"}


def test_the_compose_page_does_not_offer_the_barred_parent(world, marco_barred, login):
    page = login(world.rivera).get(reverse("compose") + f"?student={world.ana.pk}")

    assert page.status_code == 200
    assert "Rosa Lopez" in page.content.decode()
    assert "Marco Lopez" not in page.content.decode()


def test_announcements_still_reach_the_barred_parent(world, marco_barred):
    conversation = services.send_announcement(
        by_staff=world.rivera,
        audience=Audience(kind="section", section_id=world.math.pk),
        text="Picture day is Friday.",
    )

    assert "Marco" in reached(conversation.messages.get())


def test_story_invitations_and_check_ins_leave_the_barred_parent_out(world, marco_barred):
    stories.invite_family_stories(world.math, world.rivera)
    plan = checkins.create_plan(world.rivera, section=world.math, cycle_days=14, call_days=[0])

    invited = Delivery.objects.filter(message__conversation__student=world.ana)
    assert {d.guardian.given_name for d in invited} == {"Rosa"}
    planned = {p.guardian.given_name for p in plan.contacts.select_related("guardian")}
    assert "Marco" not in planned and "Rosa" in planned


def test_a_barred_parent_cannot_write_into_the_childs_thread(world):
    """Contact still allowed, records barred after the thread began: a reply about the child is
    refused and nothing is written; staff are not told of words they must not thread."""
    conversation = private_thread(world, world.rosa, world.marco)
    Guardianship.objects.filter(guardian=world.marco, student=world.ana).update(
        may_see_records=False
    )
    before = Message.objects.count()

    with pytest.raises(ReplyRefused) as refused:
        receive_reply(world.marco, conversation, "How is Ana doing?", "sms")

    assert refused.value.reason == "not_contactable"
    assert Message.objects.count() == before


def test_a_barred_parents_first_text_reaches_the_school_about_no_child(world, marco_barred):
    conversation = open_liaison_conversation(world.marco)

    assert conversation is not None
    assert conversation.student_id is None
    assert conversation.school_id == world.ana.school_id
    assert Participant.objects.filter(conversation=conversation, guardian=world.marco).exists()


def test_the_first_text_of_a_parent_who_may_hear_is_about_their_child(world):
    conversation = open_liaison_conversation(world.rosa)

    assert conversation.student_id == world.ana.pk
