"""The round trip by text: Ms Rivera writes to Ana's family in the app; Rosa, who reads
Spanish and asked for texts, gets a text in Spanish and answers it by text; the teacher
reads the answer in English, the Spanish original one tap away."""

import json
import re
import uuid

import pytest
from playwright.sync_api import expect
from twilio.request_validator import RequestValidator

from homeroom.messaging.models import Conversation, Delivery, InboundEvent, Message
from homeroom.testing.personas import build_world

from .conftest import check_page, loaded_picture
from .journeys import png, sign_in_with_password, without_quiet_hours

TOKEN = "test-auth-token-0123456789abcdef"
WEBHOOK = "/webhooks/twilio/sms"
SCHOOL_NUMBER = "+16125550100"
REPLY = "Gracias, maestra. Ana va a practicar las tablas en casa."


@pytest.fixture
def texts(settings, tmp_path, live_server):
    """Texts go to a file the test reads; Twilio calls the live server's public address."""
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE = tmp_path / "sms.jsonl"
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = live_server.url
    return settings.SMS_FILE


def texts_to(path, phone: str) -> list[str]:
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [record["body"] for record in records if record["to"] == phone]


def text_from_family(page, public_url: str, phone: str, body: str):
    """Post one inbound text the way Twilio does: form fields, signed with the auth token."""
    sid = "SM" + uuid.uuid4().hex
    fields = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": SCHOOL_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "FromCountry": "US",
        "FromState": "MN",
        "ApiVersion": "2010-04-01",
    }
    signature = RequestValidator(TOKEN).compute_signature(public_url + WEBHOOK, fields)
    return page.request.post(WEBHOOK, form=fields, headers={"X-Twilio-Signature": signature})


def test_rosa_answers_a_text_by_text_and_the_teacher_reads_it_in_english(
    page, transactional_db, texts, live_server
):
    world = build_world()
    without_quiet_hours(world)
    rosa_phone = str(world.rosa.phone)
    assert (world.rosa.language, world.rosa.channel, rosa_phone) == ("es", "sms", "+16125550111")

    # Ms Rivera writes to Ana's family from the compose page.
    sign_in_with_password(page, world.rivera.user.email)
    page.goto("/messages/new/")
    page.get_by_label("Find a student").fill("Ana")
    page.get_by_label("Find a student").press("Enter")
    page.get_by_role("link", name="Ana Lopez").click()
    expect(page.get_by_role("heading", name="Message to the family of Ana Lopez")).to_be_visible()
    check_page(page, "sms-roundtrip-compose")
    page.get_by_label("Message", exact=True).fill(
        "Ana is learning her times tables. Please practise them with her at home."
    )
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", name="Ana Lopez")).to_be_visible()
    expect(page.locator(".delivery-summary")).to_contain_text("2 of 2 guardians reached")
    check_page(page, "sms-roundtrip-sent")

    # Rosa got a text, in Spanish, at her number.
    conversation = Conversation.objects.get(student=world.ana)
    sent = Delivery.objects.get(message__conversation=conversation, guardian=world.rosa)
    assert (sent.channel, sent.to_address, sent.status) == ("sms", rosa_phone, "sent")
    assert sent.language == "es" and not sent.untranslated
    [text] = texts_to(texts, rosa_phone)
    assert text.startswith("Maria Rivera (North Elementary), sobre Ana: ")
    assert text.endswith("(Traducido por computadora; responda ORIGINAL)")
    assert "Ana" in text
    assert "aprendiendo" in text and "en casa" in text, text  # Apertium's Spanish
    assert "Please practise" not in text

    # She answers by text; Twilio posts it to the webhook, signed.
    answer = text_from_family(page, live_server.url, rosa_phone, REPLY)
    assert answer.status == 200, answer.text()
    assert answer.headers["content-type"].startswith("text/xml")
    event = InboundEvent.objects.get(from_address=rosa_phone)
    reply = Message.objects.get(conversation=conversation, author_guardian=world.rosa)
    assert event.message_id == reply.pk
    assert (reply.channel, reply.language, reply.body) == ("sms", "es", REPLY)

    # The teacher opens the conversation again: the answer in English, the original to hand.
    page.goto(f"/messages/{conversation.pk}/")
    answer_shown = page.locator(".message.from-family")
    expect(answer_shown).to_have_count(1)
    english = answer_shown.locator(".message-text").first
    expect(english).to_have_attribute("lang", "en")
    expect(english).to_contain_text("Thank you")
    expect(english).to_contain_text(re.compile(r"practi[sc]e"))
    expect(english).not_to_contain_text("Gracias")
    expect(answer_shown.locator(".message-meta .channel")).to_have_text("Text message")
    original = answer_shown.locator("details.original")
    expect(original.locator(".message-text")).to_be_hidden()
    original.get_by_text("Written in Spanish — see original").click()
    expect(original.locator(".message-text")).to_have_text(REPLY)
    expect(original.locator(".message-text")).to_have_attribute("lang", "es")
    check_page(page, "sms-roundtrip-reply")


def test_a_photo_texted_by_the_family_appears_in_the_teachers_conversation(
    page, transactional_db, live_server, settings
):
    from homeroom.messaging.models import Attachment
    from homeroom.messaging.tests.builders import private_thread, sms_delivery, staff_wrote
    from homeroom.testing.servers import FakeTwilio

    world = build_world()
    twilio = FakeTwilio().start()
    try:
        settings.TWILIO_ACCOUNT_SID = twilio.account_sid
        settings.TWILIO_AUTH_TOKEN = twilio.auth_token
        settings.TWILIO_API_BASE_URL = twilio.url
        settings.PUBLIC_BASE_URL = live_server.url
        conversation = private_thread(world, world.rosa)
        sms_delivery(staff_wrote(conversation, world.rivera), world.rosa, days_ago=0.5)

        # Rosa texts a picture of Ana's homework, no words; Twilio posts it, signed.
        picture = png(480, 320)
        sid = "MM" + uuid.uuid4().hex
        fields = {
            "MessageSid": sid,
            "AccountSid": twilio.account_sid,
            "From": str(world.rosa.phone),
            "To": SCHOOL_NUMBER,
            "Body": "",
            "NumMedia": "1",
            "MediaUrl0": twilio.add_media(picture, "image/png", message_sid=sid),
            "MediaContentType0": "image/png",
            "ApiVersion": "2010-04-01",
        }
        signature = RequestValidator(twilio.auth_token).compute_signature(
            live_server.url + WEBHOOK, fields
        )
        answer = page.request.post(WEBHOOK, form=fields, headers={"X-Twilio-Signature": signature})
        assert answer.status == 200, answer.text()
        item = Attachment.objects.get(message__author_guardian=world.rosa)
        assert item.status == Attachment.Status.STORED, item.error
        assert twilio.media == {}  # Twilio's copy was deleted once ours was kept

        sign_in_with_password(page, world.rivera.user.email)
        page.goto(f"/messages/{conversation.pk}/")
        from_family = page.locator(".message.from-family")
        photo = from_family.get_by_role("img", name="Photo sent by Rosa Lopez")
        expect(photo).to_be_visible()
        picture = loaded_picture(photo)
        assert picture["natural"] == 480 and picture["shown"] >= 200
        check_page(page, "sms-photo-from-family")
    finally:
        twilio.stop()
