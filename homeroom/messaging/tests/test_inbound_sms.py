"""Families answer by text: Twilio posts each text to /webhooks/twilio/sms, signed.

A text must carry a valid signature and a well-formed payload before anything is stored; it
lands in the conversation that last texted the number (else the school's family liaisons);
carrier keywords are answered in the family's language.
"""

from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator

from homeroom.messaging import services
from homeroom.messaging.inbound.sms import sms_is_off
from homeroom.messaging.models import (
    Conversation,
    Delivery,
    InboundEvent,
    Message,
    MessageTranslation,
    Participant,
    SmsOptOut,
)
from homeroom.people.models import Guardianship
from homeroom.translation.detection import detect_language

from .builders import (
    PUBLIC,
    TOKEN,
    WEBHOOK,
    committed,
    private_thread,
    signed_post,
    sms_delivery,
    staff_wrote,
    twilio_fields,
)

pytestmark = pytest.mark.urls("homeroom.messaging.tests.sms_urls")


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    # Twilio calls the public address; Django behind the proxy sees "testserver".
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": ["apertium"],
        "es:en": ["apertium"],
        "*": ["libretranslate"],
    }


def text_in(response) -> str:
    """The text of the TwiML <Message>, or "" for an empty <Response>."""
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Response"
    return "".join(element.text or "" for element in root.iter("Message"))


def nothing_stored():
    return not (
        InboundEvent.objects.exists() or Message.objects.exists() or SmsOptOut.objects.exists()
    )


# -- the signature ------------------------------------------------------------------------------


def test_a_correctly_signed_text_is_taken(client, world):
    fields = twilio_fields("Thanks, see you Friday.", str(world.marco.phone))

    response = signed_post(client, fields)

    assert response.status_code == 200
    assert text_in(response) == ""
    assert response.content.decode().endswith("<Response></Response>")
    message = Message.objects.get()
    assert message.author_guardian == world.marco
    assert message.body == "Thanks, see you Friday."
    assert InboundEvent.objects.get(provider_id=fields["MessageSid"]).message == message


def test_a_wrong_signature_is_refused_and_nothing_is_stored(client, world):
    private_thread(world, world.marco)
    fields = twilio_fields("Thanks", str(world.marco.phone))

    response = signed_post(client, fields, token="not-the-auth-token")

    assert response.status_code == 403
    assert nothing_stored()


def test_a_signature_over_other_fields_is_refused(client, world):
    fields = twilio_fields("Thanks", str(world.marco.phone))
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + WEBHOOK, fields)
    fields["Body"] = "STOP"

    response = signed_post(client, fields, signature=signature)

    assert response.status_code == 403
    assert nothing_stored()


def test_a_signature_over_the_internal_address_is_refused(client, world):
    """Behind a proxy only the public address Twilio called counts."""
    fields = twilio_fields("Thanks", str(world.marco.phone))
    signature = RequestValidator(TOKEN).compute_signature("http://testserver" + WEBHOOK, fields)

    response = signed_post(client, fields, signature=signature)

    assert response.status_code == 403
    assert nothing_stored()


def test_a_missing_signature_is_refused(client, world):
    response = client.post(WEBHOOK, twilio_fields("STOP", str(world.marco.phone)))

    assert response.status_code == 403
    assert nothing_stored()


def test_without_an_auth_token_every_text_is_refused(client, world, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    fields = twilio_fields("STOP", str(world.marco.phone))

    response = signed_post(client, fields, token="")

    assert response.status_code == 403
    assert nothing_stored()


def test_only_post_is_answered(client):
    assert client.get(WEBHOOK).status_code == 405


# -- the payload ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"Body": ""}, "Body is empty"),
        ({"Body": "   \n "}, "Body is empty"),
        ({"Body": "x" * 1601}, "longer than 1600"),
        ({"Body": "x" * 10_001}, "longer than 1600"),
        ({"From": None}, "From is missing"),
        ({"From": "612-555-0112"}, "E.164"),
        ({"MessageSid": None}, "MessageSid is missing"),
        ({"MessageSid": "SM123"}, "MessageSid must be"),
    ],
)
def test_a_malformed_text_gets_a_clear_400_and_nothing_is_stored(client, world, change, complaint):
    private_thread(world, world.marco)
    fields = twilio_fields("Thanks", str(world.marco.phone))
    for name, value in change.items():
        if value is None:
            del fields[name]
        else:
            fields[name] = value

    response = signed_post(client, fields)

    assert response.status_code == 400
    assert complaint in response.content.decode()
    assert nothing_stored()


def test_a_text_of_exactly_1600_characters_is_taken(client, world):
    private_thread(world, world.marco)

    response = signed_post(client, twilio_fields("y" * 1600, str(world.marco.phone)))

    assert response.status_code == 200
    assert len(Message.objects.get().body) == 1600


def test_a_repeated_message_sid_is_ignored(client, world):
    private_thread(world, world.marco)
    fields = twilio_fields("See you at the conference.", str(world.marco.phone))

    first = signed_post(client, fields)
    again = signed_post(client, fields)

    assert first.status_code == again.status_code == 200
    assert text_in(again) == ""
    assert Message.objects.count() == 1
    assert InboundEvent.objects.filter(provider_id=fields["MessageSid"]).count() == 1


# -- threading ------------------------------------------------------------------------------


def test_a_text_lands_in_the_conversation_that_last_texted_the_number(client, world):
    older = private_thread(world, world.marco, staff=[world.rivera])
    newer = private_thread(world, world.marco, staff=[world.chen])
    sms_delivery(staff_wrote(older, world.rivera), world.marco, days_ago=1)
    sms_delivery(staff_wrote(newer, world.chen), world.marco, days_ago=0.5)

    signed_post(client, twilio_fields("Yes, that works.", str(world.marco.phone)))

    reply = Message.objects.get(author_guardian=world.marco)
    assert reply.conversation == newer
    assert reply.channel == "sms"


def test_a_text_after_thirty_days_silence_goes_to_the_family_liaisons(client, world):
    old = private_thread(world, world.rosa)
    sms_delivery(staff_wrote(old, world.rivera), world.rosa, days_ago=31)

    signed_post(client, twilio_fields("¿Hay escuela el lunes?", str(world.rosa.phone)))

    reply = Message.objects.get(author_guardian=world.rosa)
    inbox = reply.conversation
    assert inbox != old
    assert inbox.kind == Conversation.Kind.PRIVATE
    assert inbox.started_by == Conversation.StartedBy.FAMILY
    assert inbox.student == world.ana
    assert inbox.school == world.north
    staff = set(
        Participant.objects.filter(conversation=inbox, staff__isnull=False).values_list(
            "staff", flat=True
        )
    )
    assert staff == {world.liaison.pk}
    assert Participant.objects.filter(conversation=inbox, guardian=world.rosa).exists()


def test_a_second_text_follows_the_first_into_the_liaison_inbox(client, world):
    signed_post(client, twilio_fields("Ana está enferma hoy.", str(world.rosa.phone)))
    signed_post(client, twilio_fields("Mañana regresa.", str(world.rosa.phone)))

    assert Conversation.objects.count() == 1
    assert Message.objects.filter(conversation=Conversation.objects.get()).count() == 2


def test_a_spanish_text_reaches_the_teacher_in_english(client, world, apertium):
    conversation = private_thread(world, world.rosa)
    sms_delivery(staff_wrote(conversation, world.rivera), world.rosa, days_ago=0.1)
    text = "Ana va a llegar tarde mañana porque tiene cita con el doctor."

    committed(signed_post, client, twilio_fields(text, str(world.rosa.phone)))

    reply = Message.objects.get(author_guardian=world.rosa)
    assert reply.conversation == conversation
    assert reply.body == text
    assert reply.language == "es"
    english = MessageTranslation.objects.get(message=reply, language="en").text
    assert "doctor" in english and "tomorrow" in english and "Ana" in english


def test_markup_in_a_text_is_stored_as_written(client, world):
    private_thread(world, world.marco)
    text = "<img src=x onerror=alert(1)> see you"

    signed_post(client, twilio_fields(text, str(world.marco.phone)))

    assert Message.objects.get().body == text


def test_an_unknown_number_is_told_to_contact_the_school(client, world):
    fields = twilio_fields("Hi, is this the school?", "+14155550199")

    response = signed_post(client, fields)

    assert response.status_code == 200
    assert "contact your child's school" in text_in(response)
    event = InboundEvent.objects.get(provider_id=fields["MessageSid"])
    assert event.outcome == "unknown_number"
    assert event.from_address == "+14155550199"
    assert not Message.objects.exists()


def test_a_guardian_barred_from_contact_is_not_threaded(client, world):
    fields = twilio_fields("I want to speak to the teacher", str(world.ray.phone))

    response = signed_post(client, fields)

    assert "contact your child's school" in text_in(response)
    assert InboundEvent.objects.get().outcome == "no_contactable_child"
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


def test_a_guardian_whose_contact_was_withdrawn_is_not_posted(client, world):
    conversation = private_thread(world, world.marco)
    sms_delivery(staff_wrote(conversation, world.rivera), world.marco, days_ago=1)
    Guardianship.objects.filter(guardian=world.marco).update(may_contact=False)

    response = signed_post(client, twilio_fields("Hello?", str(world.marco.phone)))

    assert "contact your child's school" in text_in(response)
    assert InboundEvent.objects.get().outcome == "refused:not_contactable"
    assert not Message.objects.filter(author_guardian=world.marco).exists()


# -- keywords ---------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop ", "UNSUBSCRIBE", "quit", "STOPALL"])
def test_stop_turns_sms_off_and_confirms(client, world, word):
    response = signed_post(client, twilio_fields(word, str(world.marco.phone)))

    answer = text_in(response)
    assert "no longer get text messages" in answer
    assert "North Elementary" in answer and "START" in answer
    assert SmsOptOut.objects.filter(phone=str(world.marco.phone)).exists()
    assert sms_is_off(world.marco)
    assert InboundEvent.objects.get().outcome == "opt_out"
    assert not Message.objects.exists()


def test_after_stop_the_next_message_is_not_sent_by_sms(client, world):
    conversation = private_thread(world, world.rosa)
    signed_post(client, twilio_fields("STOP", str(world.rosa.phone)))

    message = services.send_message(
        conversation, text="Ana did great today!", by_staff=world.rivera
    )

    rosa_deliveries = Delivery.objects.filter(message=message, guardian=world.rosa)
    assert rosa_deliveries.exists()
    assert not rosa_deliveries.filter(channel="sms").exists()
    assert not Delivery.objects.filter(channel="sms", to_address=str(world.rosa.phone)).exists()


def test_start_turns_sms_back_on(client, world):
    signed_post(client, twilio_fields("STOP", str(world.marco.phone)))

    response = signed_post(client, twilio_fields("start", str(world.marco.phone)))

    assert "again" in text_in(response)
    assert not SmsOptOut.objects.exists()
    assert not sms_is_off(world.marco)
    assert [e.outcome for e in InboundEvent.objects.order_by("pk")] == ["opt_out", "opt_in"]


def test_help_names_the_school_and_how_to_reach_it(client, world):
    response = signed_post(client, twilio_fields("HELP", str(world.marco.phone)))

    answer = text_in(response)
    assert "North Elementary" in answer
    assert "(612) 555-0100" in answer and "north@example.org" in answer
    assert "Reply STOP to stop." in answer
    assert not SmsOptOut.objects.exists()


def test_stop_from_a_number_we_do_not_know_is_still_honoured(client, world):
    response = signed_post(client, twilio_fields("STOP", "+14155550199"))

    assert "no longer get text messages" in text_in(response)
    assert SmsOptOut.objects.filter(phone="+14155550199").exists()


def test_parar_is_answered_in_spanish(client, world, apertium):
    response = signed_post(client, twilio_fields("PARAR", str(world.rosa.phone)))

    answer = text_in(response)
    assert SmsOptOut.objects.filter(phone=str(world.rosa.phone)).exists()
    assert detect_language(answer).language == "es"
    # Carrier keywords and the school's name come through untranslated.
    assert "START" in answer and "North Elementary" in answer


def test_ayuda_is_answered_in_spanish(client, world, apertium):
    response = signed_post(client, twilio_fields("Ayuda", str(world.rosa.phone)))

    answer = text_in(response)
    assert detect_language(answer).language == "es"
    assert "STOP" in answer and "(612) 555-0100" in answer
    assert not SmsOptOut.objects.exists()


# -- answering an announcement --------------------------------------------------------------


def test_a_text_answering_an_announcement_becomes_a_private_thread(client, world, apertium):
    announcement = services.send_announcement(
        by_staff=world.rivera,
        audience=services.Audience.section(world.math),
        text="Picture day is on Friday.",
    )
    assert Delivery.objects.filter(
        message__conversation=announcement, channel="sms", to_address=str(world.rosa.phone)
    ).exists()
    fields = twilio_fields("¿A qué hora son las fotos?", str(world.rosa.phone))

    signed_post(client, fields)

    reply = Message.objects.get(author_guardian=world.rosa)
    thread = reply.conversation
    assert thread.kind == Conversation.Kind.PRIVATE
    assert thread.reply_to_announcement == announcement
    assert reply.channel == "sms"
    assert not Message.objects.filter(conversation=announcement, author_guardian__isnull=False)
    assert InboundEvent.objects.get(provider_id=fields["MessageSid"]).message == reply


def test_a_family_taken_out_of_the_last_thread_is_heard_by_the_liaisons(client, world):
    conversation = private_thread(world, world.marco)
    sms_delivery(staff_wrote(conversation, world.rivera), world.marco, days_ago=1)
    Participant.objects.filter(conversation=conversation, guardian=world.marco).delete()

    signed_post(client, twilio_fields("Is the trip still on?", str(world.marco.phone)))

    reply = Message.objects.get(author_guardian=world.marco)
    assert reply.conversation != conversation
    assert reply.conversation.participants.filter(staff=world.liaison).exists()


# -- keywords from a restricted guardian --------------------------------------------------------

NORTH_DETAILS = ("North Elementary", "(612) 555-0100", "north@example.org", "612")


@pytest.mark.parametrize("word", ["HELP", "STOP", "START", "INFO"])
def test_a_restricted_guardians_number_is_told_nothing_of_the_school(client, world, word):
    response = signed_post(client, twilio_fields(word, str(world.ray.phone)))

    answer = text_in(response)
    assert answer
    assert not any(detail in answer for detail in NORTH_DETAILS), answer
    assert "STOP" in answer or "START" in answer


@pytest.mark.parametrize("word", ["AYUDA", "PARAR", "COMENZAR"])
def test_a_restricted_guardian_is_told_nothing_in_spanish_either(client, world, apertium, word):
    response = signed_post(client, twilio_fields(word, str(world.ray.phone)))

    answer = text_in(response)
    assert detect_language(answer).language == "es"
    assert not any(detail in answer for detail in NORTH_DETAILS), answer


def test_a_restricted_guardians_help_is_the_answer_an_unknown_number_gets(client, world):
    unknown = text_in(signed_post(client, twilio_fields("HELP", "+14155550199")))
    restricted = text_in(signed_post(client, twilio_fields("HELP", str(world.ray.phone))))

    assert restricted == unknown
    assert "call or visit the school" in unknown


def test_a_guardian_restricted_for_one_child_hears_only_of_the_other_childs_school(client, world):
    world.south.phone = "+16125550200"
    world.south.email = "south@example.org"
    world.south.save()
    Guardianship.objects.create(guardian=world.ray, student=world.dee)  # allowed for Dee

    answer = text_in(signed_post(client, twilio_fields("HELP", str(world.ray.phone))))

    assert "South High" in answer
    assert "(612) 555-0200" in answer and "south@example.org" in answer
    assert not any(detail in answer for detail in NORTH_DETAILS[:3]), answer
