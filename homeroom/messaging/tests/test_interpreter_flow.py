"""A family whose language no engine serves is never sent a message in a language it did
not choose without being told: the teacher sends the English text with a note, or holds
the message until an interpreter has written it, and then it goes out in the interpreter's
words."""

from datetime import time

import pytest
from django.urls import reverse

from homeroom.messaging.models import Conversation, Delivery, InterpreterRequest, MessageTranslation
from homeroom.translation.models import MemoryEntry

COUNTING = "homeroom.testing.fakes.CountingProvider"
SOMALI = "Ben wuxuu si fiican u shaqeeyay maanta."


@pytest.fixture(autouse=True)
def _translation(settings):
    """English and Spanish by a fake engine; no engine for Somali."""
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": [COUNTING],
        "es:en": [COUNTING],
        "*": ["libretranslate"],
    }


@pytest.fixture
def pat(world):
    """Ben's guardian reads Somali and takes email, at any hour."""
    world.pat.channel = "email"
    world.pat.quiet_start = world.pat.quiet_end = time(0, 0)
    world.pat.save()
    return world.pat


def compose(client, world, **extra):
    return client.post(
        reverse("compose") + f"?student={world.ben.pk}",
        {"text": "Ben worked hard today.", "send": "1", **extra},
    )


def test_the_teacher_must_choose_what_a_family_without_a_translation_gets(world, login, pat):
    client = login(world.chen)
    page = client.get(reverse("compose"), {"student": world.ben.pk})
    assert "Ask an interpreter first" in page.content.decode()
    response = compose(client, world, untranslated="")
    assert response.status_code == 200
    assert "Choose what the families without a translation get" in response.content.decode()
    assert not Conversation.objects.exists()


def test_no_choice_is_asked_when_every_family_has_a_translation(world, login):
    page = login(world.rivera).get(reverse("compose"), {"student": world.ana.pk})
    assert "Ask an interpreter first" not in page.content.decode()


def test_sending_in_english_says_it_is_not_translated(
    world, login, pat, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        compose(login(world.chen), world, untranslated="english")
    delivery = Delivery.objects.get(guardian=pat)
    assert (delivery.status, delivery.untranslated) == ("sent", True)
    assert not InterpreterRequest.objects.exists()
    assert len(mailoutbox) == 1 and "Ben worked hard today." in mailoutbox[0].body


def test_held_for_an_interpreter_then_sent_in_the_interpreters_words(
    world, login, pat, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = compose(login(world.chen), world, untranslated="interpreter")
    conversation = Conversation.objects.get()
    assert response["Location"] == reverse("conversation", args=[conversation.pk])
    delivery = Delivery.objects.get(guardian=pat)
    assert delivery.status == Delivery.Status.AWAITING_INTERPRETER
    assert mailoutbox == []  # nothing reached the family yet
    request = InterpreterRequest.objects.get()
    assert (request.kind, request.language, request.school) == (
        "interpret_message",
        "so",
        world.north,
    )
    assert request.requested_by_staff == world.chen

    # Ms Interpreter finds it in the queue and writes it in Somali.
    client = login(world.interpreter)
    queue = client.get(reverse("interpreter_queue"))
    assert "Ben worked hard today." in queue.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            reverse("interpreter_resolve", args=[request.pk]), {f"r{request.pk}-text": SOMALI}
        )
    assert saved.status_code == 302

    delivery.refresh_from_db()
    assert (delivery.status, delivery.untranslated) == ("sent", False)
    assert len(mailoutbox) == 1 and SOMALI in mailoutbox[0].body
    assert "Ben worked hard today." not in mailoutbox[0].body.split(SOMALI)[0]
    copy = MessageTranslation.objects.get(message=request.message, language="so")
    assert (copy.text, copy.provider, copy.machine, copy.human_checked) == (
        SOMALI,
        "correction",
        False,
        True,
    )
    request.refresh_from_db()
    assert (request.status, request.resolved_by) == ("done", world.interpreter)
    # Kept in the memory with the child's name masked, so it serves the same sentence again.
    entry = MemoryEntry.objects.get(target_language="so")
    assert entry.is_corrected and entry.corrected_text.endswith(
        "wuxuu si fiican u shaqeeyay maanta."
    )


def test_a_reply_can_wait_for_an_interpreter_too(
    world, login, pat, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        compose(login(world.chen), world, untranslated="english")
    conversation = Conversation.objects.get()
    mailoutbox.clear()
    client = login(world.chen)
    page = client.get(reverse("conversation", args=[conversation.pk]))
    assert "Ask an interpreter first" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("conversation", args=[conversation.pk]),
            {"text": "See you Friday.", "untranslated": "interpreter"},
        )
    held = Delivery.objects.get(guardian=pat, message__body="See you Friday.")
    assert held.status == Delivery.Status.AWAITING_INTERPRETER
    assert mailoutbox == []
    assert InterpreterRequest.objects.get().message == held.message


def test_held_deliveries_are_not_sent_by_the_sweep(
    world, login, pat, mailoutbox, django_capture_on_commit_callbacks
):
    from homeroom.messaging import outbox

    with django_capture_on_commit_callbacks(execute=True):
        compose(login(world.chen), world, untranslated="interpreter")
        outbox.sweep()
    assert Delivery.objects.get(guardian=pat).status == Delivery.Status.AWAITING_INTERPRETER
    assert mailoutbox == []


def test_a_district_announcement_waits_for_an_interpreter_too(
    world, login, pat, mailoutbox, django_capture_on_commit_callbacks
):
    """It belongs to no school: its requests go to the district's first school's queue,
    whose interpreter translates the text without being let into the conversation."""
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.district_admin).post(
            reverse("announce"),
            {
                "audience": "district",
                "text": "Snow day: no school.",
                "send": "1",
                "untranslated": "interpreter",
            },
        )
    conversation = Conversation.objects.get()
    assert response["Location"] == reverse("conversation", args=[conversation.pk])
    assert conversation.school is None
    assert Delivery.objects.get(guardian=pat).status == Delivery.Status.AWAITING_INTERPRETER
    somali = InterpreterRequest.objects.get(language="so")
    assert somali.school == world.north

    client = login(world.interpreter)
    assert "Snow day: no school." in client.get(reverse("interpreter_queue")).content.decode()
    assert client.get(reverse("conversation", args=[conversation.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("interpreter_resolve", args=[somali.pk]), {f"r{somali.pk}-text": "Maalin baraf"}
        )
    assert Delivery.objects.get(guardian=pat).status == "sent"
    assert any("Maalin baraf" in mail.body for mail in mailoutbox)
