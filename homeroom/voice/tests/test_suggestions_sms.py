"""A suggestion by text message: "IDEA …", "IDEA: …" or "SUGERENCIA …" reaches the family's
school, kept between the family and the school; the reply, in the family's language, says so
with the link. A text that is not one is threaded as before."""

import pytest
from django.urls import reverse

from homeroom.messaging.models import InboundEvent, Message
from homeroom.messaging.tests.builders import PUBLIC, TOKEN, signed_post, twilio_fields
from homeroom.messaging.tests.test_inbound_sms import text_in
from homeroom.voice.models import Suggestion

pytestmark = pytest.mark.urls("homeroom.messaging.tests.sms_urls")


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC


def text(client, guardian, body):
    fields = twilio_fields(body, str(guardian.phone))
    return fields, signed_post(client, fields)


@pytest.mark.parametrize(
    "body",
    [
        "IDEA: a walking bus on Fridays",
        "idea a walking bus on Fridays",
        "Idea - a walking bus on Fridays",
    ],
)
def test_a_family_texts_a_suggestion(client, world, body):
    fields, response = text(client, world.marco, body)
    suggestion = Suggestion.objects.get()
    assert suggestion.text == "a walking bus on Fridays"
    assert suggestion.guardian == world.marco and suggestion.school == world.north
    assert suggestion.channel == "sms" and suggestion.private
    reply = text_in(response)
    assert "North Elementary has your suggestion" in reply
    assert PUBLIC + reverse("suggestions:detail", args=[suggestion.pk]) in reply
    assert (
        InboundEvent.objects.get(provider_id=fields["MessageSid"]).outcome == "suggestion:received"
    )
    assert not Message.objects.filter(author_guardian=world.marco).exists()


def test_the_spanish_word_and_a_reply_in_spanish(client, world):
    _fields, response = text(client, world.rosa, "SUGERENCIA más clases de inglés para padres")
    suggestion = Suggestion.objects.get()
    assert suggestion.language == "es"
    assert suggestion.translations.get("en")
    reply = text_in(response)
    assert reply.startswith("Gracias: North Elementary recibió su sugerencia.")
    _fields, response = text(client, world.rosa, "IDEA: un huerto escolar")
    assert Suggestion.objects.count() == 2
    assert text_in(response).startswith("Gracias")


def test_the_keyword_alone_says_how(client, world):
    _fields, response = text(client, world.rosa, "IDEA")
    assert not Suggestion.objects.exists()
    assert "IDEA" in text_in(response) and "escriba IDEA seguido de su idea" in text_in(response)


def test_a_guardian_barred_from_the_school_sends_nothing(client, world):
    _fields, response = text(client, world.ray, "IDEA more recess")
    assert not Suggestion.objects.exists()
    assert "no school can receive it" in text_in(response)


def test_a_retried_text_makes_one_suggestion(client, world):
    fields, _response = text(client, world.marco, "IDEA a bike rack")
    signed_post(client, fields)
    assert Suggestion.objects.count() == 1


def test_other_texts_are_not_suggestions(client, world):
    text(client, world.marco, "Ideally we would meet on Friday.")
    text(client, world.marco, "I have an idea for Friday.")
    assert not Suggestion.objects.exists()


def test_the_webhook_caps_a_text_at_1600_characters(client, world):
    _fields, response = text(client, world.marco, "IDEA " + "x" * 100_000)
    assert response.status_code == 400
    assert not Suggestion.objects.exists()
