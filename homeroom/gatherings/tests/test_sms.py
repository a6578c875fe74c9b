"""Digits texted back to an event's candidate times are the family's answer; a text after
another message, or out of range, is not stored."""

import pytest

from homeroom.gatherings import services
from homeroom.gatherings.models import Availability
from homeroom.messaging.models import InboundEvent
from homeroom.messaging.tests.builders import PUBLIC, TOKEN, signed_post, twilio_fields
from homeroom.messaging.tests.test_inbound_sms import text_in

from .test_events import make_event

pytestmark = pytest.mark.urls("homeroom.messaging.tests.sms_urls")


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC


def test_rosa_answers_the_candidate_times_by_text(awake, client):
    event = make_event(awake, candidates=3)
    services.ask_for_times(event, awake.rivera)
    response = signed_post(client, twilio_fields("1 3", str(awake.rosa.phone)))
    assert "guard" in text_in(response).lower()  # "Gracias: su respuesta se ha guardado."
    times = list(event.candidates.all())
    availability = Availability.objects.get(guardian=awake.rosa)
    assert set(availability.times.all()) == {times[0], times[2]}
    assert availability.channel == "sms"
    assert InboundEvent.objects.get().outcome == "gatherings:times"


def test_a_number_out_of_range_stores_nothing(awake, client):
    event = make_event(awake, candidates=2)
    services.ask_for_times(event, awake.rivera)
    response = signed_post(client, twilio_fields("7", str(awake.rosa.phone)))
    assert "2" in text_in(response)
    assert not Availability.objects.exists()


def test_digits_after_another_message_are_not_claimed(awake, client):
    event = make_event(awake, candidates=2)
    services.ask_for_times(event, awake.rivera)
    make_event(awake)  # the invitation to another event is now the last text
    signed_post(client, twilio_fields("1", str(awake.rosa.phone)))
    assert not Availability.objects.exists()
    assert InboundEvent.objects.get().outcome != "gatherings:times"
