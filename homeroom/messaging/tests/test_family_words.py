"""A family's own words reach the staff, and the child's other guardians only within the
author's household, always under the author's name. Ana's parents keep two households:
Rosa (Main St) and Marco (Oak Ave); Tia and Teo live with Rosa. Staff words still reach
every contactable guardian."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from homeroom.behavior import recording as behavior
from homeroom.behavior.models import Category
from homeroom.messaging import outbox, services
from homeroom.messaging.access import unread_count_for_family
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import Delivery, Participant
from homeroom.people.models import User
from homeroom.routines import stories, visits
from homeroom.testing.personas import link, make_guardian
from homeroom.testing.servers import NO_QUIET_HOURS

pytestmark = pytest.mark.usefixtures("messaging_settings")

COUNTING = "homeroom.testing.fakes.CountingProvider"
WORDS = "¡Qué bueno! Gracias por contarnos."


@pytest.fixture(autouse=True)
def _setup(messaging_settings, settings, tmp_path):
    settings.TRANSLATION_ROUTES = {
        "en:es": [COUNTING],
        "es:en": [COUNTING],
        "*": ["libretranslate"],
    }
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE = tmp_path / "sms.jsonl"


@pytest.fixture
def home(world):
    """Two more guardians in Rosa's household: Tia by text, Teo by email."""
    tia = make_guardian(world.district, "Tia", "Lopez", "es", "+16125550181", channel="sms")
    teo = make_guardian(world.district, "Teo", "Lopez", "es", "+16125550182", channel="email")
    link(tia, world.ana, household="Lopez — Main St")
    link(teo, world.ana, household="Lopez — Main St")
    for guardian in (world.rosa, world.marco, tia, teo):
        for field, value in NO_QUIET_HOURS.items():
            setattr(guardian, field, value)
        guardian.save()
    return tia, teo


def texts(settings):
    if not settings.SMS_FILE.exists():
        return []
    return [json.loads(line) for line in settings.SMS_FILE.read_text().splitlines()]


def send_everything():
    outbox.deliver(list(Delivery.objects.values_list("pk", flat=True)))


def fresh(person):
    return User.objects.get(pk=person.user_id)


def test_a_moment_answer_reaches_the_staff_and_the_same_household_only(
    world, home, settings, login
):
    tia, teo = home
    behavior.ensure_default_categories(world.north)
    category = Category.objects.filter(school=world.north).first()
    (moment,) = behavior.record_moments(world.rivera, [world.ana], category)
    response = behavior.respond(world.rosa, moment, "message", WORDS)
    conversation = response.conversation
    message = conversation.messages.get()
    people = {p.staff or p.guardian for p in Participant.objects.filter(conversation=conversation)}
    assert people == {world.rivera, world.rosa, tia, teo}
    assert set(Delivery.objects.filter(message=message).values_list("guardian", flat=True)) == {
        tia.pk,
        teo.pk,
    }
    send_everything()
    sent = texts(settings)
    assert [t["to"] for t in sent] == [str(tia.phone)]
    # Attributed by name, never under the school's name.
    assert sent[0]["body"] == f"Rosa Lopez, sobre Ana: {WORDS}"
    assert "North Elementary" not in sent[0]["body"]
    (email,) = mail.outbox
    assert email.to == [teo.email]
    assert email.from_email.startswith("Rosa Lopez <")
    # The other household: nothing at all.
    assert not Delivery.objects.filter(guardian=world.marco).exists()
    assert world.marco.email not in [to for m in mail.outbox for to in m.to]
    # The teacher reads it.
    page = login(world.rivera).get(reverse("conversation", args=[conversation.pk]))
    assert WORDS in page.content.decode()


@pytest.mark.parametrize("channel", ["app", "sms", "email"])
def test_a_reply_in_a_thread_both_households_share_stays_in_the_household(
    world, home, settings, client, channel
):
    tia, teo = home
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana helped a friend today."
    )
    # Staff words are for every contactable guardian: both households.
    staff_message = conversation.messages.get()
    assert set(staff_message.deliveries.values_list("guardian", flat=True)) == {
        world.rosa.pk,
        world.marco.pk,
        tia.pk,
        teo.pk,
    }
    deliveries = Delivery.objects.count()
    receive_reply(world.rosa, conversation, WORDS, channel)
    assert Delivery.objects.count() == deliveries  # no copy goes out to anyone
    page = reverse("conversation", args=[conversation.pk])

    assert unread_count_for_family(fresh(world.marco)) == 1  # the school's message only
    assert unread_count_for_family(fresh(tia)) == 2
    client.force_login(fresh(world.marco))
    assert WORDS not in client.get(reverse("inbox")).content.decode()
    assert WORDS not in client.get(page).content.decode()

    client.force_login(fresh(tia))
    assert WORDS in client.get(reverse("inbox")).content.decode()
    shown = client.get(page).content.decode()
    assert WORDS in shown and "Rosa Lopez" in shown

    # The staff's answer goes to both households again.
    answer = services.send_message(conversation, text="Thank you!", by_staff=world.rivera)
    assert answer.deliveries.filter(guardian=world.marco).exists()


def test_a_familys_message_into_a_shared_thread_is_delivered_to_its_household_only(world, home):
    tia, teo = home
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana helped a friend today."
    )
    message = services.send_message(conversation, text=WORDS, by_guardian=world.rosa)
    assert set(message.deliveries.values_list("guardian", flat=True)) == {tia.pk, teo.pk}
    marcos = services.send_message(conversation, text="Thanks", by_guardian=world.marco)
    assert not marcos.deliveries.exists()  # no one lives with Marco


@pytest.mark.usefixtures("home")
def test_a_family_writing_to_the_school_opens_a_thread_for_its_household(world):
    conversation = services.start_conversation(
        student=world.ana, by_guardian=world.marco, staff=[world.rivera], text="Question"
    )
    people = {p.staff or p.guardian for p in Participant.objects.filter(conversation=conversation)}
    assert people == {world.rivera, world.marco}
    assert not Delivery.objects.exists()


@pytest.mark.usefixtures("home")
def test_stories_and_visit_answers_stay_with_their_author(world, client):
    stories.save_story(world.ana, world.rosa, "Ana ama dibujar y cantar.")
    visit = visits.propose_home_visit(
        world.rivera, world.ana, world.rosa, [timezone.now() + timedelta(days=3)]
    )
    visits.answer_home_visit(visit, proposal="Mejor el sábado")
    client.force_login(fresh(world.marco))
    story = client.get(reverse("routines:story", args=[world.ana.pk])).content.decode()
    assert "Ana ama dibujar" not in story
    assert client.get(reverse("routines:visit", args=[visit.pk])).status_code == 404
    # The answer writes no message, so no copy reaches anyone.
    assert not Delivery.objects.filter(message__author_guardian=world.rosa).exists()
