"""The contact timeline shows each reader only what they may see elsewhere: contact with a
guardian whose link is restricted only to those who keep the records, and a private
conversation only to those who may open it, its reading logged as on the conversation page."""

import pytest
from django.urls import reverse

from homeroom.messaging import services as messaging
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import ConversationAccess
from homeroom.routines import checkins

RAY_NOTE = "Ray called asking where Cal lives now."
GINA_NOTE = "Gina will pick Cal up at noon."
PRIVATE_TEXT = "Cal was upset this morning; can we talk?"


def timeline(login, who, student):
    response = login(who).get(reverse("routines:timeline", args=[student.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def cal_contacts(world):
    checkins.log_contact(world.rivera, world.cal, kind="call", guardian=world.ray, note=RAY_NOTE)
    checkins.log_contact(world.rivera, world.cal, kind="call", guardian=world.gina, note=GINA_NOTE)
    return world


# -- contact with a restricted guardian -------------------------------------------------------


@pytest.mark.parametrize("persona", ["rivera", "interpreter", "liaison", "counselor"])
def test_contact_with_a_restricted_guardian_is_not_on_staffs_timeline(login, cal_contacts, persona):
    body = timeline(login, getattr(cal_contacts, persona), cal_contacts.cal)

    assert GINA_NOTE in body
    assert RAY_NOTE not in body
    assert "Ray Nguyen" not in body


@pytest.mark.parametrize("persona", ["principal", "district_admin"])
def test_admins_keep_seeing_contact_with_a_restricted_guardian(login, cal_contacts, persona):
    body = timeline(login, getattr(cal_contacts, persona), cal_contacts.cal)

    assert GINA_NOTE in body
    assert RAY_NOTE in body and "Ray Nguyen" in body


def test_a_note_about_no_one_in_particular_stays_on_the_timeline(login, world):
    checkins.log_contact(world.rivera, world.cal, kind="note", note="Cal's file is up to date.")

    assert "Cal&#x27;s file is up to date." in timeline(login, world.interpreter, world.cal)


# -- private conversations --------------------------------------------------------------------


@pytest.fixture
def private_talk(world):
    conversation = messaging.start_conversation(
        student=world.cal, by_staff=world.rivera, text="Cal did well today."
    )
    receive_reply(world.gina, conversation, PRIVATE_TEXT, "email")
    return conversation


@pytest.mark.parametrize("persona", ["interpreter", "liaison", "counselor"])
def test_school_wide_staff_not_in_a_conversation_do_not_read_it_on_the_timeline(
    login, world, private_talk, persona
):
    body = timeline(login, getattr(world, persona), world.cal)

    assert PRIVATE_TEXT not in body
    assert "Cal did well today." not in body
    assert not ConversationAccess.objects.exists()


def test_a_teacher_in_the_conversation_reads_it_on_the_timeline(login, world, private_talk):
    body = timeline(login, world.rivera, world.cal)

    assert PRIVATE_TEXT in body and "Cal did well today." in body
    assert not ConversationAccess.objects.exists()  # a participant's reading is not a review


@pytest.mark.parametrize("persona", ["principal", "district_admin"])
def test_an_admin_reads_it_on_the_timeline_and_the_reading_is_logged(
    login, world, private_talk, persona
):
    admin = getattr(world, persona)

    body = timeline(login, admin, world.cal)

    assert PRIVATE_TEXT in body
    access = ConversationAccess.objects.get()
    assert (access.conversation, access.staff) == (private_talk, admin)


def test_an_admin_reading_on_the_timeline_is_logged_as_on_the_conversation_page(
    login, world, private_talk
):
    client = login(world.principal)
    client.get(reverse("conversation", args=[private_talk.pk]))
    client.get(reverse("routines:timeline", args=[world.cal.pk]))

    rows = list(ConversationAccess.objects.values_list("conversation_id", "staff_id"))
    assert rows == [(private_talk.pk, world.principal.pk)] * 2


def test_a_teacher_of_another_school_does_not_read_a_reply_thread_on_the_timeline(login, world):
    announcement = messaging.send_announcement(
        by_staff=world.district_admin,
        audience=messaging.Audience.district(),
        text="The district office is closed on Friday.",
    )
    thread = messaging.reply_to_announcement(
        announcement, guardian=world.olga, text="Is Dee's bus running?", channel="app"
    )
    assert thread.student == world.dee

    body = timeline(login, world.south_teacher, world.dee)

    assert "Is Dee&#x27;s bus running?" not in body
    assert "Is Dee's bus running?" not in body
    assert not ConversationAccess.objects.exists()
