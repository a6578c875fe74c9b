"""A text carries the message itself: who wrote, which child, the words in the family's
language with a short machine-translation note, and ORIGINAL brings the words as written.
A message the family already read in the app is not texted to them again."""

import json
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from homeroom.messaging import outbox, services
from homeroom.messaging.models import Delivery, InboundEvent, Message
from homeroom.testing.servers import awake

from .builders import PUBLIC, TOKEN, signed_post, twilio_fields

pytestmark = [
    pytest.mark.usefixtures("messaging_settings"),
    pytest.mark.urls("homeroom.messaging.tests.sms_urls"),
]

COUNTING = "homeroom.testing.fakes.CountingProvider"
WORDS = "Ana read two chapters today and told the class about them."


@pytest.fixture(autouse=True)
def _setup(messaging_settings, settings, tmp_path, world):
    settings.TRANSLATION_ROUTES = {"en:es": [COUNTING], "es:en": [COUNTING], "*": [COUNTING]}
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE = tmp_path / "sms.jsonl"
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC
    awake(world.rosa, world.marco)  # what is sent must not wait for the morning


def texts(settings):
    if not settings.SMS_FILE.exists():
        return []
    return [json.loads(line) for line in settings.SMS_FILE.read_text().splitlines()]


def text_in(response) -> str:
    root = ElementTree.fromstring(response.content)
    return "".join(element.text or "" for element in root.iter("Message"))


def send_everything():
    outbox.deliver(list(Delivery.objects.values_list("pk", flat=True)))


def test_the_text_names_the_teacher_the_school_and_the_child_and_carries_the_words(world, settings):
    services.start_conversation(student=world.ana, by_staff=world.rivera, text=WORDS)
    send_everything()
    (text,) = [t for t in texts(settings) if t["to"] == str(world.rosa.phone)]
    assert text["body"] == (
        f"Maria Rivera (North Elementary), sobre Ana: {WORDS} (es)"
        " (Traducido por computadora; responda ORIGINAL)"
    )
    assert "http" not in text["body"]  # the words themselves, not a link


def test_a_message_too_long_for_a_few_texts_says_who_and_links(world, settings):
    long_words = " ".join([WORDS] * 12)
    services.start_conversation(student=world.ana, by_staff=world.rivera, text=long_words)
    send_everything()
    (text,) = [t for t in texts(settings) if t["to"] == str(world.rosa.phone)]
    assert text["body"].startswith("Maria Rivera (North Elementary), sobre Ana: ")
    assert PUBLIC in text["body"] and WORDS not in text["body"]


def test_original_answers_with_the_words_as_written(client, world, settings):
    services.start_conversation(student=world.ana, by_staff=world.rivera, text=WORDS)
    send_everything()
    response = signed_post(client, twilio_fields("original", str(world.rosa.phone)))
    assert text_in(response) == WORDS
    assert InboundEvent.objects.get(body="original").outcome == "original"
    assert not Message.objects.filter(author_guardian=world.rosa).exists()  # not a reply


def test_original_from_a_number_that_was_texted_nothing_gives_nothing_away(client, world, settings):
    services.start_conversation(student=world.ana, by_staff=world.rivera, text=WORDS)
    send_everything()
    # Ray is Cal's guardian but may not be contacted: he was texted nothing.
    response = signed_post(client, twilio_fields("ORIGINAL", str(world.ray.phone)))
    assert WORDS not in response.content.decode()
    assert text_in(response) == ""
    # An unknown number hears only that it is unknown.
    unknown = signed_post(client, twilio_fields("ORIGINAL", "+16125559999"))
    assert WORDS not in unknown.content.decode()


def test_a_message_read_in_the_app_first_is_not_texted(world, settings, login):
    conversation = services.start_conversation(student=world.ana, by_staff=world.rivera, text=WORDS)
    login(world.rosa).get(reverse("conversation", args=[conversation.pk]))  # she reads it
    send_everything()
    assert [t for t in texts(settings) if t["to"] == str(world.rosa.phone)] == []
    rosa = Delivery.objects.get(guardian=world.rosa)
    assert rosa.status == Delivery.Status.READ
    # Marco, who did not open it, still gets his email.
    assert Delivery.objects.get(guardian=world.marco).status == Delivery.Status.SENT
