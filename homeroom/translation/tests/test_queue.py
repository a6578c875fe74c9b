"""The interpreters' queue: who sees it, what it shows, and what saving a translation does."""

import pytest
from django.urls import reverse

from homeroom.messaging import services
from homeroom.messaging.models import InterpreterRequest, MessageTranslation
from homeroom.people.models import Role
from homeroom.testing.fakes import CountingProvider
from homeroom.testing.personas import make_staff
from homeroom.translation.models import MemoryEntry
from homeroom.translation.services import translate

COUNTING = "homeroom.testing.fakes.CountingProvider"
TEXT = "The field trip form is due on Friday."
BETTER = "El formulario de la excursión se entrega el viernes."


@pytest.fixture(autouse=True)
def _routes(settings):
    settings.TRANSLATION_ROUTES = {"en:es": [COUNTING], "es:en": [COUNTING], "*": ["nothing"]}


def sent_to_rosa(world, text=TEXT):
    conversation = services.start_conversation(student=world.ana, by_staff=world.rivera, text=text)
    return conversation.messages.get()


def flagged(world, message, guardian=None, **extra):
    return InterpreterRequest.objects.create(
        school=world.north,
        kind=InterpreterRequest.Kind.CONFUSING_TRANSLATION,
        message=message,
        language="es",
        requested_by_guardian=guardian or world.rosa,
        **extra,
    )


def resolve(client, request, text):
    return client.post(
        reverse("interpreter_resolve", args=[request.pk]), {f"r{request.pk}-text": text}
    )


@pytest.mark.parametrize("persona", ["rivera", "counselor", "rosa", "district_admin"])
def test_the_queue_is_a_404_for_anyone_who_does_not_work_it_at_a_school(world, login, persona):
    assert login(getattr(world, persona)).get(reverse("interpreter_queue")).status_code == 404


@pytest.mark.parametrize("persona", ["interpreter", "liaison", "principal"])
def test_interpreters_liaisons_and_admins_see_their_schools_open_requests_oldest_first(
    world, login, persona
):
    message = sent_to_rosa(world)
    first = flagged(world, message, note="No entiendo la palabra 'form'")
    second = flagged(world, message, guardian=world.marco)
    flagged(world, message, guardian=world.gina, status=InterpreterRequest.Status.DONE)
    dee = services.start_conversation(student=world.dee, by_staff=world.south_teacher, text="Hi")
    InterpreterRequest.objects.create(
        school=world.south, kind="confusing_translation", message=dee.messages.get(), language="ar"
    )
    response = login(getattr(world, persona)).get(reverse("interpreter_queue"))
    assert [item.pk for item in response.context["page"]] == [first.pk, second.pk]
    page = response.content.decode()
    assert TEXT in page and f"{TEXT} (es)" in page  # the original and the translation now
    assert "No entiendo la palabra" in page


def test_an_interpreter_of_another_school_cannot_touch_a_request(world, login):
    south_interpreter = make_staff(world.district, "Sol", "Tolk", (world.south, Role.INTERPRETER))
    request = flagged(world, sent_to_rosa(world))
    client = login(south_interpreter)
    assert [item.pk for item in client.get(reverse("interpreter_queue")).context["page"]] == []
    assert resolve(client, request, BETTER).status_code == 404
    request.refresh_from_db()
    assert request.status == "open"
    assert not MemoryEntry.objects.filter(corrected_at__isnull=False).exists()


def test_a_correction_from_the_queue_is_kept_and_reused_without_the_machine(world, login):
    message = sent_to_rosa(world)
    request = flagged(world, message)
    response = resolve(login(world.interpreter), request, BETTER)
    assert response.status_code == 302 and response["Location"] == reverse("interpreter_queue")

    copy = MessageTranslation.objects.get(message=message, language="es")
    assert (copy.text, copy.provider, copy.machine, copy.human_checked) == (
        BETTER,
        "correction",
        False,
        True,
    )
    request.refresh_from_db()
    assert (request.status, request.resolved_by) == ("done", world.interpreter)
    assert request.resolved_at is not None

    CountingProvider.reset()
    (again,) = translate([TEXT], "en", "es", school=world.north)
    assert (again.text, again.provider, again.human_checked) == (BETTER, "correction", True)
    assert CountingProvider.calls == []  # no engine was asked

    # And the next message with the same words goes out in the interpreter's words.
    CountingProvider.reset()
    later = sent_to_rosa(world)
    assert MessageTranslation.objects.get(message=later, language="es").text == BETTER
    assert not [call for call in CountingProvider.calls if call[1] == "es"]


def test_an_empty_correction_is_refused_and_nothing_is_stored(world, login):
    message = sent_to_rosa(world)
    request = flagged(world, message)
    response = resolve(login(world.interpreter), request, "   ")
    assert response.status_code == 400
    assert "Write the corrected translation first" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "open"
    assert not MemoryEntry.objects.filter(corrected_at__isnull=False).exists()
    copy = MessageTranslation.objects.get(message=message, language="es")
    assert (copy.text, copy.human_checked) == (f"{TEXT} (es)", False)


QUEUE_QUERIES = 9


@pytest.mark.parametrize("size", [1, 15], ids=["one", "many"])
def test_the_queue_costs_the_same_queries_whatever_its_length(
    world, login, django_assert_num_queries, size
):
    guardians = [world.rosa, world.marco]
    for index in range(size):
        message = sent_to_rosa(world, text=f"Note number {index}.")
        flagged(world, message, guardian=guardians[index % 2])
    client = login(world.interpreter)
    client.get(reverse("interpreter_queue"))
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("interpreter_queue"))
    assert len(response.context["page"]) == size
