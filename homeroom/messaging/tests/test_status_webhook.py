"""Twilio's status callbacks: signed requests only; delivered, or failed and handed over to
the family's next channel."""

import pytest
from twilio.request_validator import RequestValidator

from homeroom.messaging import outbox, services
from homeroom.messaging.models import Delivery, SmsOptOut
from homeroom.testing.servers import AUTH_TOKEN, awake

pytestmark = pytest.mark.usefixtures("messaging_settings", "counting_translator")

URL = "/webhooks/twilio/status"
Status = Delivery.Status


@pytest.fixture
def sent_text(world, twilio_server, smtp_server):
    """Rosa's text, sent through the loopback Twilio: it has a MessageSid now."""
    awake(world.rosa, world.marco)
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana did well."
    )
    rosa = Delivery.objects.get(message__conversation=conversation, guardian=world.rosa)
    outbox.deliver([rosa.pk])
    rosa.refresh_from_db()
    assert rosa.status == Status.SENT and rosa.provider_id.startswith("SM")
    return rosa


def callback(client, fields: dict, *, token: str = AUTH_TOKEN, signature: str | None = None):
    """POST as Twilio does: form fields, signed over the public URL and the fields."""
    url = "https://homeroom.example" + URL
    if signature is None:
        signature = RequestValidator(token).compute_signature(url, fields)
    return client.post(URL, fields, HTTP_X_TWILIO_SIGNATURE=signature)


def status_fields(delivery: Delivery, status: str, **extra) -> dict:
    return {
        "MessageSid": delivery.provider_id,
        "SmsSid": delivery.provider_id,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": "AC" + "0123456789abcdef" * 2,
        "To": delivery.to_address,
        "From": "+16125550199",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def test_delivered_is_recorded(client, sent_text):
    response = callback(client, status_fields(sent_text, "delivered"))
    assert response.status_code == 200
    sent_text.refresh_from_db()
    assert sent_text.status == Status.DELIVERED and sent_text.delivered_at is not None


def test_a_bad_signature_is_refused_and_changes_nothing(client, sent_text):
    response = callback(client, status_fields(sent_text, "delivered"), token="not-the-token")
    assert response.status_code == 403
    sent_text.refresh_from_db()
    assert sent_text.status == Status.SENT and sent_text.delivered_at is None


def test_a_missing_signature_is_refused(client, sent_text):
    response = client.post(URL, status_fields(sent_text, "delivered"))
    assert response.status_code == 403
    sent_text.refresh_from_db()
    assert sent_text.status == Status.SENT


def test_fields_changed_after_signing_are_refused(client, sent_text):
    fields = status_fields(sent_text, "delivered")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        "https://homeroom.example" + URL, fields
    )
    fields["MessageStatus"] = "undelivered"
    assert callback(client, fields, signature=signature).status_code == 403
    sent_text.refresh_from_db()
    assert sent_text.status == Status.SENT


def test_an_unknown_sid_is_acknowledged_and_ignored(client, sent_text):
    fields = status_fields(sent_text, "failed", MessageSid="SM" + "f" * 32, ErrorCode="30006")
    assert callback(client, fields).status_code == 200
    assert Delivery.objects.filter(status=Status.FAILED).count() == 0


def test_undelivered_fails_the_text_and_the_email_takes_over(client, sent_text, smtp_server):
    response = callback(client, status_fields(sent_text, "undelivered", ErrorCode="30006"))
    assert response.status_code == 200
    sent_text.refresh_from_db()
    assert sent_text.status == Status.FAILED
    assert sent_text.last_error == "The number is a landline or cannot receive texts."
    fallback = sent_text.fallback
    assert (fallback.channel, fallback.status) == ("email", Status.SENT)
    assert len(smtp_server.to("rosa.lopez@family.example")) == 1


def test_a_failure_reported_twice_is_handled_once(client, sent_text, smtp_server):
    fields = status_fields(sent_text, "failed", ErrorCode="30003")
    callback(client, fields)
    callback(client, fields)
    assert Delivery.objects.filter(fallback_from=sent_text).count() == 1
    assert len(smtp_server.to("rosa.lopez@family.example")) == 1


def test_an_unsubscribed_number_is_remembered(client, sent_text):
    callback(client, status_fields(sent_text, "failed", ErrorCode="21610"))
    assert SmsOptOut.objects.filter(phone="+16125550111").exists()


def test_intermediate_statuses_change_nothing(client, sent_text):
    for status in ("queued", "sending", "sent"):
        assert callback(client, status_fields(sent_text, status)).status_code == 200
    sent_text.refresh_from_db()
    assert sent_text.status == Status.SENT


def test_a_malformed_callback_is_rejected(client, sent_text):
    fields = status_fields(sent_text, "delivered", MessageSid="not-a-sid")
    assert callback(client, fields).status_code == 400


def test_only_post_is_accepted(client):
    assert client.get(URL).status_code == 405
