"""Every reply a family sends — from the app, by text or by email — goes through
receive_reply: it checks who is writing, keeps the original, detects the language, translates
for the teacher and lets the teacher know."""

import pytest

from homeroom.messaging.inbound.notify import unread_counts_for_staff
from homeroom.messaging.inbound.service import (
    MAX_REPLY_CHARS,
    ReplyRefused,
    receive_reply,
)
from homeroom.messaging.models import (
    Conversation,
    InboundEvent,
    Message,
    MessageTranslation,
    Participant,
)
from homeroom.people.models import Guardian, Guardianship
from homeroom.testing.fakes import CountingProvider

from .builders import committed, private_thread

COUNTING = "homeroom.testing.fakes.CountingProvider"


@pytest.fixture(autouse=True)
def _local_translation(settings):
    """Real Apertium for English–Spanish; no LibreTranslate server is reachable."""
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": ["apertium"],
        "es:en": ["apertium"],
        "*": ["libretranslate"],
    }
    CountingProvider.reset()


def fresh(guardian: Guardian) -> Guardian:
    return Guardian.objects.get(pk=guardian.pk)


# -- a reply lands, in the family's words and the teacher's ---------------------------------


def test_spanish_reply_is_kept_and_translated_into_english_for_the_teacher(world, apertium):
    conversation = private_thread(world, world.rosa)
    assert unread_counts_for_staff(world.rivera) == 0
    text = "Ana va a llegar tarde mañana porque tiene cita con el doctor."

    message = committed(receive_reply, world.rosa, conversation, text, "app")

    message.refresh_from_db()
    assert message.body == text
    assert message.language == "es"
    assert message.detected_language == ""
    assert message.author_guardian == world.rosa
    assert message.channel == "app"
    english = MessageTranslation.objects.get(message=message, language="en")
    assert english.machine is True
    assert english.provider == "apertium"
    assert "late" in english.text and "tomorrow" in english.text
    # The child's name is not a word to translate.
    assert "Ana" in english.text
    conversation.refresh_from_db()
    assert conversation.last_message_at == message.created_at
    assert unread_counts_for_staff(world.rivera) == 1


def test_english_reply_needs_no_translation(world):
    conversation = private_thread(world, world.marco)

    message = receive_reply(world.marco, conversation, "Thanks, I will sign the form.", "sms")

    assert message.language == "en"
    assert message.channel == "sms"
    assert not MessageTranslation.objects.filter(message=message).exists()


def test_writing_marks_the_thread_read_for_the_writer_only(world):
    conversation = private_thread(world, world.rosa)

    message = receive_reply(world.rosa, conversation, "Gracias maestra, nos vemos.", "app")

    rosa_marker = Participant.objects.get(conversation=conversation, guardian=world.rosa)
    rivera_marker = Participant.objects.get(conversation=conversation, staff=world.rivera)
    assert rosa_marker.last_read_at == message.created_at
    assert rivera_marker.last_read_at < message.created_at


def test_html_is_stored_as_the_text_it_is(world):
    conversation = private_thread(world, world.marco)
    text = '<script>alert("x")</script><b>Ana</b> & <i>Cal</i>'

    message = receive_reply(world.marco, conversation, text, "email")

    assert Message.objects.get(pk=message.pk).body == text


def test_a_reply_without_an_engine_for_its_language_is_kept_untranslated(world):
    conversation = private_thread(world, world.gina, student=world.cal)

    message = receive_reply(
        world.gina, conversation, "Cảm ơn cô, tôi sẽ đến buổi họp vào thứ Năm.", "sms"
    )

    assert Message.objects.filter(pk=message.pk, language="vi").exists()
    assert not MessageTranslation.objects.filter(message=message).exists()
    assert unread_counts_for_staff(world.rivera) == 1


# -- language detection: the stated language is the prior -----------------------------------


def test_a_confident_other_language_becomes_the_source_and_a_profile_suggestion(world, settings):
    settings.TRANSLATION_ROUTES = {"*": [COUNTING]}
    conversation = private_thread(world, world.rosa)

    message = committed(
        receive_reply,
        world.rosa,
        conversation,
        "Cảm ơn cô, tôi sẽ đến buổi họp vào thứ Năm.",
        "sms",
    )

    assert message.detected_language == "vi"
    assert message.language == "vi"
    assert [(source, target) for source, target, _ in CountingProvider.calls] == [("vi", "en")]
    rosa = fresh(world.rosa)
    assert rosa.language == "es"  # the family's own choice is not overwritten
    assert (rosa.suggested_language, rosa.suggested_language_message_id) == ("vi", message.pk)


@pytest.mark.parametrize("text", ["ok", "gracias", "Gracias!", "OK 👍"])
def test_short_everyday_replies_do_not_flip_the_language(world, settings, text):
    settings.TRANSLATION_ROUTES = {"*": [COUNTING]}
    conversation = private_thread(world, world.rosa)

    message = receive_reply(world.rosa, conversation, text, "sms")

    assert message.detected_language == ""
    assert message.language == "es"
    assert fresh(world.rosa).suggested_language == ""


# -- refusals change nothing ----------------------------------------------------------------


def _nothing_written():
    return not Message.objects.exists() and not InboundEvent.objects.exists()


def test_a_guardian_outside_the_conversation_is_refused(world):
    conversation = private_thread(world, world.rosa)

    with pytest.raises(ValueError, match="not part of this conversation"):
        receive_reply(world.olga, conversation, "Hello", "app")
    assert _nothing_written()


def test_a_guardian_who_may_no_longer_be_contacted_is_refused(world):
    conversation = private_thread(world, world.rosa, world.marco)
    Guardianship.objects.filter(guardian=world.marco, student=world.ana).update(may_contact=False)

    with pytest.raises(ValueError, match="may no longer be contacted"):
        receive_reply(world.marco, conversation, "Hello", "app", provider_id="SM" + "0" * 32)
    assert _nothing_written()


def test_a_restricted_guardian_is_refused_even_as_a_participant(world):
    conversation = private_thread(world, world.gina, world.ray, student=world.cal)

    with pytest.raises(ReplyRefused) as refused:
        receive_reply(world.ray, conversation, "I want to talk to the teacher", "sms")
    assert refused.value.reason == "not_contactable"
    assert _nothing_written()


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_reply_is_refused(world, text):
    conversation = private_thread(world, world.rosa)

    with pytest.raises(ValueError, match="empty"):
        receive_reply(world.rosa, conversation, text, "app")
    assert _nothing_written()


def test_a_reply_over_ten_thousand_characters_is_refused(world):
    conversation = private_thread(world, world.marco)

    with pytest.raises(ValueError, match="10,000"):
        receive_reply(world.marco, conversation, "a" * (MAX_REPLY_CHARS + 1), "email")
    assert _nothing_written()

    message = receive_reply(world.marco, conversation, "a" * MAX_REPLY_CHARS, "email")
    assert len(message.body) == MAX_REPLY_CHARS


def test_an_unknown_channel_is_refused(world):
    conversation = private_thread(world, world.marco)

    with pytest.raises(ValueError, match="carrier pigeon"):
        receive_reply(world.marco, conversation, "Hello", "carrier pigeon")
    assert _nothing_written()


# -- the same provider id twice is one message ------------------------------------------------


def test_the_same_provider_id_again_returns_the_first_message(world):
    conversation = private_thread(world, world.marco)
    sid = "SM" + "a" * 32

    first = receive_reply(world.marco, conversation, "See you Friday", "sms", provider_id=sid)
    again = receive_reply(world.marco, conversation, "See you Friday", "sms", provider_id=sid)

    assert again.pk == first.pk
    assert Message.objects.count() == 1
    event = InboundEvent.objects.get(provider_id=sid)
    assert event.message_id == first.pk
    assert event.from_address == str(world.marco.phone)
    assert event.outcome == "received"


# -- query counts are pinned -------------------------------------------------------------------


def test_an_english_reply_costs_a_fixed_number_of_queries(world, django_assert_num_queries):
    conversation = private_thread(world, world.marco)
    many = private_thread(
        world,
        world.marco,
        staff=[world.rivera, world.chen, world.liaison, world.counselor, world.interpreter],
    )
    # Loaded as a view would load it: the school and student come along.
    one = Conversation.objects.select_related("school", "student").get(pk=conversation.pk)
    five = Conversation.objects.select_related("school", "student").get(pk=many.pk)

    # participants, savepoint, message, thread time, read marker, inbound event, release
    with django_assert_num_queries(7):
        receive_reply(world.marco, one, "Thank you, I will come.", "sms", provider_id="SM1")
    with django_assert_num_queries(7):
        receive_reply(world.marco, five, "Thank you, I will come.", "sms", provider_id="SM2")


def test_a_translated_reply_costs_a_fixed_number_of_queries(
    world, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.TRANSLATION_ROUTES = {"*": [COUNTING]}
    conversation = Conversation.objects.get(pk=private_thread(world, world.rosa).pk)

    # In the request: the conversation with its school and student, participants, savepoint,
    # message, thread time, read marker, release. No engine, no translation memory.
    with django_capture_on_commit_callbacks() as on_commit, django_assert_num_queries(7):
        message = receive_reply(
            world.rosa, conversation, "Ana va a llegar tarde mañana, tiene cita.", "app"
        )
    assert CountingProvider.calls == []
    # After the commit, the task: the message, its staff, the district's translation routes,
    # glossary, memory look-up, memory insert, the engine's usage, savepoint, the pending
    # mark, the translation, release.
    (enqueue,) = on_commit
    with django_assert_num_queries(11):
        enqueue()
    assert MessageTranslation.objects.filter(message=message, language="en").exists()


def test_a_reply_is_never_posted_into_an_announcement_other_families_read(world):
    announcement = Conversation.objects.create(
        kind=Conversation.Kind.ANNOUNCEMENT,
        school=world.north,
        section=world.math,
        started_by=Conversation.StartedBy.SCHOOL,
    )
    Participant.objects.create(conversation=announcement, guardian=world.marco)

    with pytest.raises(ValueError, match="private thread"):
        receive_reply(world.marco, announcement, "What time?", "app")
    assert _nothing_written()
