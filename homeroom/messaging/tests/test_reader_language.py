"""Every place that shows a message shows it in the reader's language, the subject too, with
the original one tap away; and staff read families in the language they chose, not in English
alone."""

import pytest
from django.core import mail
from django.urls import reverse

from homeroom.messaging import outbox, services
from homeroom.messaging.inbound.notify import alert_staff
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import Delivery, MessageTranslation
from homeroom.testing.fakes import CountingProvider
from homeroom.testing.personas import link, make_guardian
from homeroom.testing.servers import NO_QUIET_HOURS, awake

from .builders import committed

pytestmark = pytest.mark.usefixtures("messaging_settings")

COUNTING = "homeroom.testing.fakes.CountingProvider"
SUBJECT = "Lunch for the museum visit"
BODY = "Please send a packed lunch with Ana."


@pytest.fixture(autouse=True)
def _routes(messaging_settings, settings):
    settings.TRANSLATION_ROUTES = {"en:es": [COUNTING], "es:en": [COUNTING], "*": [COUNTING]}
    CountingProvider.reset()


@pytest.fixture
def lena(world):
    """A Spanish-reading mother of Ana who is reached by email."""
    lena = make_guardian(world.district, "Lena", "Lopez", "es", "+16125550190", channel="email")
    for field, value in NO_QUIET_HOURS.items():
        setattr(lena, field, value)
    lena.save()
    link(lena, world.ana, household="Lopez — Main St")
    return lena


def start(world):
    return services.start_conversation(
        student=world.ana, by_staff=world.rivera, text=BODY, subject=SUBJECT
    )


def test_the_subject_is_translated_with_the_body_in_one_engine_call(world):
    conversation = start(world)
    assert conversation.subject_translations == {"es": f"{SUBJECT} ({'es'})"}
    calls_into_spanish = [call for call in CountingProvider.calls if call[1] == "es"]
    assert len(calls_into_spanish) == 1
    assert any(SUBJECT in text for text in calls_into_spanish[0][2])
    assert conversation.subject_in("es") == "Lunch for the museum visit (es)"
    assert conversation.subject_in("en") == SUBJECT
    assert conversation.subject_in("vi") == SUBJECT  # no copy made: as written


def test_a_spanish_family_reads_the_subject_in_spanish_with_the_original_a_tap_away(world, login):
    conversation = start(world)
    client = login(world.rosa)
    inbox = client.get(reverse("inbox")).content.decode()
    assert "Lunch for the museum visit (es)" in inbox
    page = client.get(reverse("conversation", args=[conversation.pk])).content.decode()
    assert '<span class="subject">' in page and "Lunch for the museum visit (es)" in page
    original = page.split('class="original subject-original"', 1)[1].split("</details>", 1)[0]
    assert SUBJECT in original and "(es)" not in original


def test_an_english_family_reads_the_subject_as_written(world, login):
    conversation = start(world)
    client = login(world.marco)
    page = client.get(reverse("conversation", args=[conversation.pk])).content.decode()
    assert SUBJECT in page
    assert "(es)" not in page
    assert "subject-original" not in page


def test_the_email_subject_is_in_the_familys_language(world, lena):
    awake(world.marco)  # Marco's email must not wait for the morning
    start(world)
    outbox.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    subjects = {tuple(email.to): email.subject for email in mail.outbox}
    assert subjects[(lena.email,)] == "Lunch for the museum visit (es)"
    assert subjects[(world.marco.email,)] == SUBJECT


def test_an_announcement_subject_is_translated_for_each_language(world, login):
    announcement = services.send_announcement(
        by_staff=world.rivera,
        audience=services.Audience(kind="section", section_id=world.math.pk),
        text="Picture day is next week.",
        subject="Picture day",
    )
    assert announcement.subject_translations["es"] == "Picture day (es)"
    page = login(world.rosa).get(reverse("inbox")).content.decode()
    assert "Picture day (es)" in page


def test_a_family_reply_is_translated_for_a_staff_member_who_reads_spanish(world, login):
    world.rivera.language = "es"
    world.rivera.save()
    conversation = start(world)
    message = committed(
        receive_reply, world.marco, conversation, "Thank you, she will bring it.", "app"
    )
    copies = dict(
        MessageTranslation.objects.filter(message=message).values_list("language", "text")
    )
    assert copies["es"] == "Thank you, she will bring it. (es)"
    # English stays the staff language every staff member can read.
    assert "en" not in copies or copies["en"] == message.body

    page = login(world.rivera).get(reverse("conversation", args=[conversation.pk]))
    text = page.content.decode()
    assert "Thank you, she will bring it. (es)" in text
    # ...and the subject, written in English, reads in Spanish for her.
    assert "Lunch for the museum visit (es)" in text
    inbox = login(world.rivera).get(reverse("inbox")).content.decode()
    assert "Thank you, she will bring it. (es)" in inbox


def test_a_spanish_reply_reads_as_written_for_a_spanish_reader_and_in_english_for_others(
    world, login
):
    world.rivera.language = "es"
    world.rivera.save()
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, staff=[world.chen], text=BODY
    )
    committed(receive_reply, world.rosa, conversation, "Gracias, la mando con almuerzo.", "app")
    rivera_page = login(world.rivera).get(reverse("conversation", args=[conversation.pk]))
    assert "Gracias, la mando con almuerzo." in rivera_page.content.decode()
    assert "Gracias, la mando con almuerzo. (en)" not in rivera_page.content.decode()
    chen_page = login(world.chen).get(reverse("conversation", args=[conversation.pk]))
    assert "Gracias, la mando con almuerzo. (en)" in chen_page.content.decode()


def test_the_contact_timeline_shows_family_words_in_the_readers_language(world, login):
    conversation = services.start_conversation(student=world.ana, by_staff=world.rivera, text=BODY)
    committed(receive_reply, world.rosa, conversation, "Gracias, la mando con almuerzo.", "app")
    url = reverse("routines:timeline", args=[world.ana.pk])
    page = login(world.rivera).get(url).content.decode()
    assert "Gracias, la mando con almuerzo. (en)" in page
    original = page.split('class="original"', 1)[1].split("</details>", 1)[0]
    assert "Gracias, la mando con almuerzo." in original and "(en)" not in original

    world.rivera.language = "es"
    world.rivera.save()
    committed(receive_reply, world.marco, conversation, "Thanks, I will pack it.", "app")
    page = login(world.rivera).get(url).content.decode()
    assert "Thanks, I will pack it. (es)" in page
    assert "Gracias, la mando con almuerzo. (en)" not in page  # her own language: as written


def test_the_replies_digest_is_in_the_staff_members_language(world, settings):
    world.rivera.language = "es"
    world.rivera.family_alerts = "hourly"
    world.rivera.save()
    conversation = start(world)
    committed(receive_reply, world.marco, conversation, "Thank you.", "app")
    mail.outbox.clear()
    assert alert_staff() >= 1
    (digest,) = [email for email in mail.outbox if email.to == [world.rivera.email]]
    assert "Lunch for the museum visit (es)" in digest.body
