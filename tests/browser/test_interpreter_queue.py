"""A Spanish-reading mother finds a translation confusing; the school's interpreter sees it
in the queue and writes a better one, which she then reads."""

from playwright.sync_api import expect

from homeroom.messaging import services
from homeroom.messaging.models import InterpreterRequest, MessageTranslation
from homeroom.testing.personas import build_world
from homeroom.transports import outbound

from .conftest import check_page
from .journeys import sign_in_by_code, sign_in_with_password, sign_out, without_quiet_hours

BETTER = "La excursión al museo es el viernes; traigan almuerzo."


def test_a_confusing_translation_goes_to_the_interpreter_and_comes_back_fixed(
    page, transactional_db
):
    world = build_world()
    without_quiet_hours(world)
    conversation = services.start_conversation(
        student=world.ana,
        by_staff=world.rivera,
        text="The museum trip is on Friday; bring a packed lunch.",
    )

    # Rosa reads the machine translation and says it is confusing.
    sign_in_by_code(page, "(612) 555-0111", str(world.rosa.phone))
    page.goto(f"/messages/{conversation.pk}/")
    message = page.locator(".message").first
    expect(message.get_by_text("Traducción automática — ver el original")).to_be_visible()
    message.get_by_text("¿Esta traducción es confusa?").click()
    message.get_by_label("¿Qué no está claro? (opcional)").fill("¿Qué es packed?")
    check_page(page, "family-flags-translation")
    message.get_by_role("button", name="Esta traducción es confusa").click()
    expect(
        page.get_by_text(
            "Gracias. El equipo de intérpretes de la escuela revisará esta traducción."
        )
    ).to_be_visible()
    check_page(page, "family-flagged-translation")
    assert InterpreterRequest.objects.filter(requested_by_guardian=world.rosa).count() == 1
    sign_out(page)

    # Ms Interpreter corrects it from the queue.
    sign_in_with_password(page, world.interpreter.user.email)
    page.goto("/translation/queue/")
    expect(page.get_by_role("heading", name="Interpreters' queue")).to_be_visible()
    item = page.locator(".queue-item").first
    expect(item).to_contain_text("The museum trip is on Friday")
    expect(item).to_contain_text("¿Qué es packed?")
    check_page(page, "interpreter-queue")
    item.get_by_label("Your translation into Spanish").fill(BETTER)
    item.get_by_role("button", name="Save the translation").click()
    expect(
        page.get_by_text("Saved. The corrected translation will be used from now on.")
    ).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for an interpreter.")).to_be_visible()
    check_page(page, "interpreter-queue-done")
    copy = MessageTranslation.objects.get(message__conversation=conversation, language="es")
    assert (copy.text, copy.human_checked) == (BETTER, True)
    sign_out(page)

    # Rosa now reads the interpreter's words, marked as a translation, not a machine's.
    outbound.outbox.clear()  # her first sign-in code is spent
    sign_in_by_code(page, "(612) 555-0111", str(world.rosa.phone))
    page.goto(f"/messages/{conversation.pk}/")
    message = page.locator(".message").first
    expect(message.locator(".message-text").first).to_contain_text(BETTER)
    expect(message.get_by_text("Traducido — ver el original")).to_be_visible()
    check_page(page, "family-reads-corrected-translation")
