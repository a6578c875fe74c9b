"""Translations people fix from a conversation: staff correct, families flag what confuses
them, the staff page offers a guardian's new language, families see when staff answer."""

import pytest
from django.urls import reverse

from homeroom.messaging import services
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import InterpreterRequest, MessageTranslation
from homeroom.testing.fakes import CountingProvider
from homeroom.translation.models import MemoryEntry

COUNTING = "homeroom.testing.fakes.CountingProvider"
TEXT = "Ana read her poem to the class."
BETTER = "Ana leyó su poema a la clase."


@pytest.fixture(autouse=True)
def _routes(settings):
    settings.TRANSLATION_ROUTES = {"*": [COUNTING]}


@pytest.fixture
def sent(world):
    conversation = services.start_conversation(student=world.ana, by_staff=world.rivera, text=TEXT)
    return conversation.messages.get()


def correct(client, message, language, text):
    return client.post(
        reverse("correct_translation", args=[message.pk, language]),
        {f"m{message.pk}-{language}-text": text},
        follow=True,
    )


def test_a_teacher_corrects_the_family_copy_of_her_message_and_it_is_reused(world, login, sent):
    client = login(world.rivera)
    page = client.get(reverse("conversation", args=[sent.conversation_id])).content.decode()
    assert "Correct translation" in page
    response = correct(client, sent, "es", BETTER)
    assert "Translation corrected" in response.content.decode()
    copy = MessageTranslation.objects.get(message=sent, language="es")
    assert (copy.text, copy.provider, copy.machine, copy.human_checked) == (
        BETTER,
        "correction",
        False,
        True,
    )
    CountingProvider.reset()
    again = services.send_message(sent.conversation, text=TEXT, by_staff=world.rivera)
    assert MessageTranslation.objects.get(message=again, language="es").text == BETTER
    assert not [call for call in CountingProvider.calls if call[1] == "es"]


def test_staff_correct_a_familys_words_translated_into_english(
    world, login, sent, django_capture_on_commit_callbacks
):
    # The staff's copy is made once the reply is committed.
    with django_capture_on_commit_callbacks(execute=True):
        reply = receive_reply(world.rosa, sent.conversation, "Gracias por todo.", "app")
    client = login(world.rivera)
    correct(client, reply, "en", "Thank you for everything.")
    copy = MessageTranslation.objects.get(message=reply, language="en")
    assert (copy.text, copy.human_checked) == ("Thank you for everything.", True)
    entry = MemoryEntry.objects.get(source_language="es", target_language="en")
    assert entry.corrected_text == "Thank you for everything."
    assert entry.corrected_by == world.rivera.user


def test_who_may_correct(world, login, sent):
    # A teacher outside the conversation cannot even see it; a counselor may read but not fix.
    assert correct(login(world.chen), sent, "es", BETTER).status_code == 404
    # Rosa is in it, as a family: families flag, they do not correct.
    assert correct(login(world.rosa), sent, "es", BETTER).status_code == 404
    assert not MemoryEntry.objects.filter(corrected_at__isnull=False).exists()
    # The school's interpreter and its admin may correct any translation of the school.
    correct(login(world.interpreter), sent, "es", BETTER)
    assert MessageTranslation.objects.get(message=sent, language="es").human_checked


def test_an_empty_correction_says_what_to_fix_and_stores_nothing(world, login, sent):
    response = correct(login(world.rivera), sent, "es", "  ")
    assert "Write the corrected translation first" in response.content.decode()
    assert not MemoryEntry.objects.filter(corrected_at__isnull=False).exists()
    assert not MessageTranslation.objects.get(message=sent, language="es").human_checked


def test_a_family_flags_a_confusing_translation_once(world, login, sent):
    client = login(world.rosa)
    page = client.get(reverse("conversation", args=[sent.conversation_id])).content.decode()
    assert "Esta traducción es confusa" in page
    url = reverse("flag_confusing", args=[sent.pk])
    response = client.post(url, {"note": "¿Qué clase?"}, follow=True)
    assert "Gracias. El equipo de intérpretes de la escuela revisará esta traducción." in (
        response.content.decode()
    )
    request = InterpreterRequest.objects.get()
    assert (request.kind, request.language, request.school, request.note) == (
        "confusing_translation",
        "es",
        world.north,
        "¿Qué clase?",
    )
    assert request.requested_by_guardian == world.rosa
    client.post(url, {"note": "again"})
    assert InterpreterRequest.objects.count() == 1


def test_a_family_cannot_flag_a_message_of_a_conversation_it_is_not_in(world, login, sent):
    assert login(world.gina).post(reverse("flag_confusing", args=[sent.pk])).status_code == 404
    assert login(world.rivera).post(reverse("flag_confusing", args=[sent.pk])).status_code == 404
    assert not InterpreterRequest.objects.exists()


def test_the_family_page_shows_when_staff_answer_in_the_familys_language(world, login, sent):
    world.rivera.office_hours = {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "16:00"}
    world.rivera.save()
    page = login(world.rosa).get(reverse("conversation", args=[sent.conversation_id]))
    assert "maria rivera responde de lunes a viernes, 8:00–16:00" in page.content.decode().lower()
    staff_page = login(world.rivera).get(reverse("conversation", args=[sent.conversation_id]))
    assert "8:00–16:00" not in staff_page.content.decode()


@pytest.mark.parametrize(("action", "language"), [("accept", "vi"), ("dismiss", "es")])
def test_staff_act_on_a_suggested_language(world, login, action, language):
    world.rosa.suggested_language, world.rosa.suggested_language_message_id = "vi", 1
    world.rosa.save()
    client = login(world.rivera)
    url = reverse("guardian_detail", args=[world.rosa.pk])
    page = client.get(url).content.decode()
    assert "Recent replies are written in Vietnamese — update their language?" in page
    client.post(url, {"action": action})
    world.rosa.refresh_from_db()
    assert world.rosa.language == language
    assert world.rosa.suggested_language == ""
    assert "Recent replies are written in" not in client.get(url).content.decode()


def test_only_staff_who_see_the_family_act_on_its_language(world, login):
    world.olga.suggested_language, world.olga.suggested_language_message_id = "fr", 1
    world.olga.save()
    url = reverse("guardian_detail", args=[world.olga.pk])
    assert login(world.rivera).post(url, {"action": "accept"}).status_code == 404
    world.olga.refresh_from_db()
    assert world.olga.language == "ar"
