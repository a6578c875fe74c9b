"""Progress notes from both sides, translated for the other side with the original kept; a
family's note by text; notes on the contact timeline as family-initiated contacts."""

import pytest
from django.urls import reverse

from homeroom.goals import services
from homeroom.goals.models import Goal, Note
from homeroom.messaging.models import InboundEvent
from homeroom.messaging.tests.builders import PUBLIC, TOKEN, signed_post, twilio_fields
from homeroom.messaging.tests.test_inbound_sms import text_in

from .builders import active, family, proposed, school

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC


def test_a_familys_note_is_translated_for_the_teacher_after_it_is_stored(
    world, client, login, django_capture_on_commit_callbacks
):
    goal = active(world)
    login(world.rosa)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("goals:add_note", args=[goal.pk]), {"text": "Leímos un libro esta noche."}
        )

    assert response.status_code == 302
    note = Note.objects.get()
    assert note.language == "es"
    assert note.side == "family"
    assert not note.translation_pending
    copy = note.translations.get(language="en")
    assert copy.text and copy.text != note.text
    login(world.rivera)
    page = client.get(reverse("goals:goal", args=[goal.pk])).content.decode()
    assert copy.text in page
    assert "Leímos un libro esta noche." in page  # the original, kept beside it


def test_the_goal_itself_is_translated_for_the_teacher(
    world, client, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        goal = proposed(world)

    goal.refresh_from_db()
    assert goal.translations["en"]["what"]
    login(world.rivera)
    page = client.get(reverse("goals:goal", args=[goal.pk])).content.decode()
    assert goal.translations["en"]["what"] in page


def test_a_note_of_100000_characters_is_refused_and_nothing_stored(world, client, login):
    goal = active(world)
    login(world.rosa)

    response = client.post(reverse("goals:add_note", args=[goal.pk]), {"text": "a" * 100_000})

    assert response.status_code == 400
    assert "Escriba una nota de 1000 caracteres como máximo" in response.content.decode()
    assert not Note.objects.exists()
    with pytest.raises(services.GoalRefused, match="1000"):
        services.add_note(goal, family(world.rosa), text="a" * 100_000)
    assert not Note.objects.exists()


def test_we_practised_tonight_in_one_tap_and_a_photo(world, client, login):
    goal = active(world)
    login(world.rosa)

    client.post(reverse("goals:add_note", args=[goal.pk]), {"practised": "yes"})
    client.post(
        reverse("goals:add_note", args=[goal.pk]),
        {"photo": _upload("reading.png", PNG)},
    )

    kinds = sorted(Note.objects.values_list("kind", flat=True))
    assert kinds == ["photo", "practised"]
    photo = Note.objects.get(kind="photo")
    response = client.get(reverse("goals:note_photo", args=[photo.pk]))
    assert response["Content-Type"] == "image/png"


def test_a_file_that_is_not_a_photo_is_refused(world, client, login):
    goal = active(world)
    login(world.rosa)

    response = client.post(
        reverse("goals:add_note", args=[goal.pk]), {"photo": _upload("x.png", b"MZ" + b"0" * 40)}
    )

    assert response.status_code == 400
    assert not Note.objects.exists()


def test_a_proposed_goal_takes_no_notes(world):
    goal = proposed(world)

    with pytest.raises(services.GoalRefused):
        services.add_note(goal, school(world.rivera), text="Good start.")
    assert not Note.objects.exists()


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_a_family_adds_a_note_by_text(world, client, _twilio):
    goal = active(world)
    fields = twilio_fields("META leímos veinte minutos", str(world.rosa.phone))

    response = signed_post(client, fields)

    note = Note.objects.get()
    assert note.goal == goal and note.channel == "sms" and note.author_guardian == world.rosa
    assert note.text == "leímos veinte minutos"
    assert "Gracias" in text_in(response)
    assert InboundEvent.objects.get(provider_id=fields["MessageSid"]).outcome == "goal:noted"


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_the_keyword_alone_is_we_practised_tonight(world, client, _twilio):
    active(world)

    signed_post(client, twilio_fields("GOAL", str(world.rosa.phone)))

    assert Note.objects.get().kind == "practised"


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_a_text_to_a_closed_goal_is_answered_in_spanish_and_nothing_stored(world, client, _twilio):
    goal = active(world)
    services.record_outcome(goal, school(world.rivera), met=True)

    response = signed_post(client, twilio_fields("GOAL leímos", str(world.rosa.phone)))

    assert not Note.objects.exists()
    reply = text_in(response)
    assert "cerrada" in reply
    assert Goal.objects.get().status == Goal.Status.MET


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_a_restricted_guardians_text_reaches_no_goal(world, client, _twilio, settings):
    goal = proposed(world)
    Goal.objects.filter(pk=goal.pk).update(student=world.cal)
    services.agree(goal, school(world.rivera))
    world.ray.phone = "+15005550123"
    world.ray.save(update_fields=["phone"])

    signed_post(client, twilio_fields("GOAL we read", "+15005550123"))

    assert not Note.objects.exists()


def test_a_familys_note_is_on_the_contact_timeline_as_family_initiated(world, client, login):
    goal = active(world)
    services.add_note(goal, family(world.rosa), text="Leímos juntas.")
    services.add_note(goal, school(world.rivera), text="Great reading today.")
    login(world.rivera)

    page = client.get(reverse("routines:timeline", args=[world.ana.pk])).content.decode()

    assert "Leímos juntas." in page
    assert "Goal note" in page
    assert "Great reading today." not in page  # the school's own notes are not a contact


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_words_answering_a_goal_reminder_by_text_are_a_note_to_that_goal(
    world, client, _twilio, awake, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from homeroom.messaging.models import Delivery, Message

    goal = active(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.remind_goals(timezone.now() + timedelta(weeks=2, hours=1))
    reminder = goal.events.get(kind="reminded").message
    assert Delivery.objects.filter(
        message=reminder, to_address=str(world.rosa.phone), sent_at__isnull=False
    ).exists()

    response = signed_post(client, twilio_fields("Leímos cada noche", str(world.rosa.phone)))

    note = Note.objects.get()
    assert (note.goal, note.text, note.channel) == (goal, "Leímos cada noche", "sms")
    assert "Gracias" in text_in(response)
    assert not Message.objects.filter(author_guardian=world.rosa).exists()


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_a_reply_to_an_ordinary_message_is_not_a_goal_note(world, client, _twilio):
    active(world)

    signed_post(client, twilio_fields("Leímos cada noche", str(world.rosa.phone)))

    assert not Note.objects.exists()
