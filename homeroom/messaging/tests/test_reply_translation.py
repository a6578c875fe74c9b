"""A family's reply is stored and shown at once in their own words; the staff's translation is
made after the commit by a task, and staff alerts wait for it (without losing or repeating
an email)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from homeroom.messaging.inbound import translating
from homeroom.messaging.inbound.notify import alert_staff
from homeroom.messaging.inbound.service import receive_reply
from homeroom.messaging.models import Message, MessageTranslation
from homeroom.testing.fakes import CountingProvider

from .builders import private_thread, thread
from .screens import HX, html, url

COUNTING = "homeroom.testing.fakes.CountingProvider"
TEXT = "Ana va a llegar tarde mañana porque tiene cita con el doctor."


@pytest.fixture(autouse=True)
def _counting_engine(settings):
    settings.TRANSLATION_ROUTES = {"*": [COUNTING]}
    CountingProvider.reset()
    yield
    CountingProvider.reset()


def engine_calls() -> list:
    return list(CountingProvider.calls)


def test_posting_a_reply_runs_no_engine_call_and_shows_it_at_once(
    world, login, django_capture_on_commit_callbacks
):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])

    with django_capture_on_commit_callbacks() as on_commit:
        response = login(world.rosa).post(
            url("conversation", conversation.pk), {"text": TEXT}, **HX
        )

    assert response.status_code == 200
    assert engine_calls() == []  # nothing translated in the request
    # The family sees their reply at once, in their own words.
    assert TEXT in html(response)
    message = Message.objects.get(conversation=conversation, author_guardian=world.rosa)
    assert (message.body, message.language, message.translation_pending) == (TEXT, "es", True)
    assert not MessageTranslation.objects.filter(message=message).exists()

    for callback in on_commit:  # the commit: the translation task runs
        callback()

    assert [(source, target) for source, target, _texts in engine_calls()] == [("es", "en")]
    message.refresh_from_db()
    assert message.translation_pending is False
    english = MessageTranslation.objects.get(message=message, language="en")
    assert english.text.endswith("(en)") and english.machine


def test_staff_see_the_original_translating_then_the_translation(
    world, login, django_capture_on_commit_callbacks
):
    conversation = thread(world, world.ana, world.rivera, [world.rosa])
    with django_capture_on_commit_callbacks() as on_commit:
        receive_reply(world.rosa, conversation, TEXT, "sms")
    staff = login(world.rivera)

    waiting = html(staff.get(url("conversation", conversation.pk)))
    assert "Written in Spanish; translating…" in waiting
    assert f'lang="es">{TEXT}</div>' in waiting  # never an empty body

    for callback in on_commit:
        callback()

    done = html(staff.get(url("conversation", conversation.pk)))
    assert "translating…" not in done
    assert f'lang="en">{TEXT} (en)</div>' in done
    assert "Written in Spanish — see original" in done


def test_a_reply_in_the_staff_language_has_nothing_to_wait_for(
    world, django_capture_on_commit_callbacks
):
    conversation = private_thread(world, world.marco)
    with django_capture_on_commit_callbacks() as on_commit:
        message = receive_reply(world.marco, conversation, "Thanks, I will sign it.", "app")
    assert message.translation_pending is False
    assert on_commit == []
    assert engine_calls() == []


def test_the_alert_waits_for_the_translation_and_goes_out_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    conversation = private_thread(world, world.rosa)
    with django_capture_on_commit_callbacks() as on_commit:
        receive_reply(world.rosa, conversation, TEXT, "app")

    assert alert_staff() == 0  # the translation is on its way: wait for it
    assert mailoutbox == []

    for callback in on_commit:
        callback()
    assert alert_staff() == 1
    (email,) = mailoutbox
    assert f"{TEXT} (en)" in email.body  # the staff language's copy
    assert f"Original: {TEXT}" in email.body
    assert alert_staff() == 0  # told once


def test_an_alert_does_not_wait_for_ever_for_a_lost_translation(world, mailoutbox):
    conversation = private_thread(world, world.rosa)
    receive_reply(world.rosa, conversation, TEXT, "app")  # its task never runs

    later = timezone.now() + translating.TRANSLATION_WAIT
    assert alert_staff(later) == 1
    assert TEXT in mailoutbox[0].body  # the family's own words rather than nothing
    assert alert_staff(later + timedelta(minutes=1)) == 0


def test_the_translation_task_is_safe_to_run_twice(world, django_capture_on_commit_callbacks):
    conversation = private_thread(world, world.rosa)
    with django_capture_on_commit_callbacks() as on_commit:
        message = receive_reply(world.rosa, conversation, TEXT, "app")
    for callback in on_commit:
        callback()

    assert translating.translate_reply(message.pk) is False
    assert MessageTranslation.objects.filter(message=message).count() == 1
    assert len(engine_calls()) == 1


def test_the_sweep_enqueues_again_what_a_lost_task_left_pending(world):
    conversation = private_thread(world, world.rosa)
    lost = receive_reply(world.rosa, conversation, TEXT, "app")  # no commit: no task
    fresh = receive_reply(world.rosa, conversation, "Gracias.", "app")

    assert translating.sweep_untranslated_replies() == 0  # both may still be on their way
    Message.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    # The test backend runs the task as it is enqueued.
    assert translating.sweep_untranslated_replies() == 1
    assert Message.objects.get(pk=lost.pk).translation_pending is False
    assert MessageTranslation.objects.filter(message=lost, language="en").exists()
    assert Message.objects.get(pk=fresh.pk).translation_pending is True
