"""Another module answers a text itself: the webhook offers it before threading it.

A survey's digits or a suggestion's keyword are answered by the module that owns them
(`messaging.inbound.answerers`). Here a small answerer claims texts starting with "PING":
the claimed text is answered, recorded once and never threaded; any other text is threaded
as before; a Twilio retry is acted on once; what an answerer stored is rolled back when the
text cannot be recorded.
"""

import pytest

from homeroom.messaging.inbound import answerers
from homeroom.messaging.models import InboundEvent, Message

from .builders import PUBLIC, TOKEN, private_thread, signed_post, twilio_fields
from .test_inbound_sms import text_in

pytestmark = pytest.mark.urls("homeroom.messaging.tests.sms_urls")


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC


@pytest.fixture
def ping(monkeypatch):
    """Registers an answerer for "PING …" texts; returns what it was offered."""
    offered = []
    monkeypatch.setattr(answerers, "_answerers", list(answerers._answerers))

    def answer(text):
        offered.append(text)
        if not text.body.upper().startswith("PING"):
            return None
        return answerers.Answered(reply=f"PONG {text.guardians[0].pk}", outcome="ping:answered")

    answerers.register("ping", answer)
    return offered


def test_a_claimed_text_is_answered_recorded_and_not_threaded(client, world, ping):
    private_thread(world, world.marco)
    fields = twilio_fields("ping please", str(world.marco.phone))

    response = signed_post(client, fields)

    assert text_in(response) == f"PONG {world.marco.pk}"
    event = InboundEvent.objects.get(provider_id=fields["MessageSid"])
    assert event.outcome == "ping:answered"
    assert event.body == "ping please"
    assert not Message.objects.filter(author_guardian=world.marco).exists()
    assert [text.guardians for text in ping] == [[world.marco]]


def test_a_text_no_answerer_claims_is_threaded_as_before(client, world, ping):
    private_thread(world, world.marco)

    response = signed_post(client, twilio_fields("See you Friday.", str(world.marco.phone)))

    assert text_in(response) == ""
    assert Message.objects.filter(author_guardian=world.marco, body="See you Friday.").exists()
    assert len(ping) == 1


def test_a_retried_text_is_acted_on_once(client, world, ping):
    fields = twilio_fields("PING", str(world.marco.phone))

    signed_post(client, fields)
    again = signed_post(client, fields)

    assert text_in(again) == ""
    assert InboundEvent.objects.filter(provider_id=fields["MessageSid"]).count() == 1
    assert len(ping) == 1


def test_carrier_keywords_and_unknown_numbers_are_never_offered(client, world, ping):
    signed_post(client, twilio_fields("STOP", str(world.marco.phone)))
    signed_post(client, twilio_fields("PING", "+15005550199"))

    assert ping == []


def test_what_an_answerer_stored_is_undone_when_the_text_cannot_be_recorded(
    client, world, monkeypatch
):
    monkeypatch.setattr(answerers, "_answerers", [])
    fields = twilio_fields("PING", str(world.marco.phone))

    def answer_racing_a_retry(text):
        world.marco.given_name = "Stored"
        world.marco.save(update_fields=["given_name"])
        # The first attempt recorded the same MessageSid meanwhile.
        InboundEvent.objects.create(channel="sms", provider_id=text.sid, from_address=text.phone)
        return answerers.Answered(reply="PONG", outcome="ping:answered")

    answerers.register("racing", answer_racing_a_retry)

    response = signed_post(client, fields)

    assert text_in(response) == ""
    world.marco.refresh_from_db()
    assert world.marco.given_name != "Stored"
