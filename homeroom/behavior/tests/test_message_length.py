"""A family's written answer to a moment has the limit of every other message."""

import pytest
from django.urls import reverse

from homeroom.behavior import errors, recording
from homeroom.behavior.models import FamilyResponse
from homeroom.messaging import services as messaging
from homeroom.messaging.limits import MAX_MESSAGE_CHARS, MessageTooLong
from homeroom.messaging.models import Conversation, Message


@pytest.fixture(autouse=True)
def _translation(settings):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"*": ["homeroom.testing.fakes.CountingProvider"]}


def _stored():
    return FamilyResponse.objects.count(), Message.objects.count(), Conversation.objects.count()


def test_a_moment_answer_of_100000_characters_is_refused_and_nothing_is_stored(world, cats):
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    before = _stored()
    with pytest.raises(errors.MomentRefused) as refused:
        recording.respond(world.rosa, moment, FamilyResponse.Kind.MESSAGE, "x" * 100_000)
    assert "100000 characters long; keep it to 10000 or fewer" in str(refused.value)
    assert _stored() == before


def test_a_moment_answer_of_10000_characters_is_sent(world, cats):
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    recording.respond(world.rosa, moment, FamilyResponse.Kind.MESSAGE, "y" * MAX_MESSAGE_CHARS)
    assert MAX_MESSAGE_CHARS == 10_000
    assert len(Message.objects.get(author_guardian=world.rosa).body) == 10_000
    assert FamilyResponse.objects.filter(guardian=world.rosa).count() == 1


def test_the_feed_says_an_overlong_answer_is_too_long_and_stores_nothing(world, login, cats):
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    url = reverse("behavior:respond", args=[world.ana.pk, moment.pk])
    before = _stored()
    response = login(world.rosa).post(
        url, {"kind": "message", "text": "x" * 100_000}, HTTP_HX_REQUEST="true"
    )
    assert "El mensaje tiene 100000 caracteres; el máximo es 10000." in response.content.decode()
    assert _stored() == before
    feed = login(world.rosa).get(reverse("behavior:child_feed", args=[world.ana.pk]))
    assert 'maxlength="10000"' in feed.content.decode()


def test_every_message_service_refuses_an_overlong_text_before_writing(world):
    conversation = messaging.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana read aloud today."
    )
    before = _stored()
    with pytest.raises(MessageTooLong):
        messaging.send_message(conversation, text="x" * 10_001, by_guardian=world.rosa)
    with pytest.raises(MessageTooLong):
        messaging.start_conversation(student=world.ana, by_staff=world.rivera, text="x" * 10_001)
    assert _stored() == before
