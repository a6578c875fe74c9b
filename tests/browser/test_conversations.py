"""A teacher and a Spanish-reading mother write to each other, each in their own language;
a teacher announces to a class and sees what became of every family's copy."""

import re

from playwright.sync_api import expect

from homeroom.messaging.models import Conversation, Message
from homeroom.testing.personas import build_world

from .conftest import check_page, loaded_picture
from .journeys import (
    png,
    sign_in_by_code,
    sign_in_with_password,
    sign_out,
    without_quiet_hours,
)


def test_teacher_and_spanish_family_write_each_in_their_own_language(page, transactional_db):
    world = build_world()
    without_quiet_hours(world)

    # Ms Rivera writes to Ana's family.
    sign_in_with_password(page, world.rivera.user.email)
    page.get_by_role("link", name=re.compile(r"^Messages")).click()
    check_page(page, "staff-inbox-empty")
    page.get_by_role("link", name="New message").click()
    page.get_by_label("Find a student").fill("Ana")
    page.get_by_label("Find a student").press("Enter")
    page.get_by_role("link", name="Ana Lopez").click()
    expect(page.get_by_role("heading", name="Message to the family of Ana Lopez")).to_be_visible()
    expect(page.locator(".recipients-plan")).to_contain_text("Rosa Lopez")
    check_page(page, "compose-staff")
    page.get_by_label("Message", exact=True).fill("Ana read her poem to the class today.")
    page.get_by_role("button", name="Preview each family's copy").click()
    spanish = page.locator("#preview article", has_text="Spanish")
    expect(spanish).to_contain_text("poema")
    expect(spanish).to_contain_text("By text message (1)")
    check_page(page, "compose-staff-preview")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_role("heading", name="Ana Lopez")).to_be_visible()
    expect(page.locator(".delivery-summary")).to_contain_text("2 of 2 guardians reached")
    page.get_by_text("Delivery to each family").click()
    expect(page.locator(".recipients")).to_contain_text("Rosa Lopez")
    check_page(page, "conversation-staff-sent")
    sign_out(page)

    # Rosa signs in with a code by text and reads it in Spanish, the original one tap away.
    sign_in_by_code(page, "(612) 555-0111", str(world.rosa.phone))
    page.get_by_role("link", name=re.compile(r"^Mensajes")).click()
    expect(page.get_by_role("heading", name="Mensajes")).to_be_visible()
    expect(page.locator(".conversation-row")).to_contain_text("Ana Lopez")
    check_page(page, "family-inbox-es")
    page.get_by_role("link", name="Escribir a la escuela").click()
    expect(page.get_by_role("group", name="¿Para quién es?")).to_contain_text("Maria Rivera")
    expect(page.get_by_label("La oficina de la escuela")).to_be_visible()
    check_page(page, "compose-family-es")
    page.get_by_role("link", name="Todos los mensajes").click()
    page.get_by_role("link", name="Ana Lopez").click()
    expect(page.get_by_role("heading", name="Ana Lopez")).to_be_visible()
    message = page.locator(".message").first
    expect(message.locator(".message-text").first).to_contain_text("poema")
    expect(message.locator(".message-text").first).to_have_attribute("lang", "es")
    marker = message.get_by_text("Traducción automática — ver el original")
    expect(marker).to_be_visible()
    marker.click()
    expect(message.get_by_text("Ana read her poem to the class today.")).to_be_visible()
    expect(page.get_by_text("Los mensajes con la escuela son registros escolares.")).to_be_visible()
    check_page(page, "conversation-family-es")

    # She replies in Spanish; the reply appears without the page reloading.
    page.evaluate("window.samePage = true")
    page.get_by_label("Su mensaje").fill("Gracias, maestra. Ana practicó mucho en casa.")
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_text("Su mensaje se envió.")).to_be_visible()
    expect(page.locator(".message.mine")).to_contain_text("Ana practicó mucho en casa.")
    assert page.evaluate("window.samePage") is True
    expect(page.get_by_label("Su mensaje")).to_have_value("")
    check_page(page, "conversation-family-replied")
    conversation = Conversation.objects.get(student=world.ana)
    reply = Message.objects.get(conversation=conversation, author_guardian=world.rosa)
    assert (reply.channel, reply.language) == ("app", "es")
    sign_out(page)

    # Back to the teacher: the reply in English, the Spanish original available.
    sign_in_with_password(page, world.rivera.user.email)
    inbox_link = page.get_by_role("link", name=re.compile(r"^Messages"))
    expect(inbox_link.locator(".count-badge")).to_have_text(re.compile("1"))
    inbox_link.click()
    expect(page.locator(".conversation-row.unread")).to_contain_text("Ana Lopez")
    check_page(page, "staff-inbox-unread")
    page.get_by_role("link", name="Ana Lopez").click()
    answer = page.locator(".message.from-family")
    expect(answer.locator(".message-text").first).to_have_attribute("lang", "en")
    expect(answer.locator(".message-text").first).to_contain_text("Ana")
    expect(answer.locator(".message-text").first).not_to_contain_text("Gracias")
    answer.get_by_text("Written in Spanish — see original").click()
    expect(answer.get_by_text("Gracias, maestra. Ana practicó mucho en casa.")).to_be_visible()
    check_page(page, "conversation-staff-reply")


def test_urgent_needs_a_reason_before_it_is_sent(page, transactional_db):
    world = build_world()
    conversation_count = Conversation.objects.count()
    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/messages/new/?student={world.ana.pk}")
    reason = page.get_by_label("Why can it not wait?")
    expect(reason).to_be_hidden()  # appears only when the message is marked urgent
    page.get_by_label("Message", exact=True).fill("Pick-up moves to the gym.")
    page.get_by_label(re.compile("^Urgent")).check()
    expect(reason).to_be_visible()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Say why this cannot wait until morning")).to_be_visible()
    expect(page.get_by_label("Why can it not wait?")).to_have_attribute("aria-invalid", "true")
    check_page(page, "compose-urgent-error")
    assert Conversation.objects.count() == conversation_count


def test_teacher_announces_to_math_6_and_sees_each_familys_delivery(page, transactional_db):
    world = build_world()
    without_quiet_hours(world)
    sign_in_with_password(page, world.rivera.user.email)
    page.goto("/messages/announce/")
    audience = page.get_by_label("Send to")
    audience.select_option(label="Families of Art 6, North Elementary")
    expect(page.locator("#audience")).to_contain_text("1 family will receive it")
    audience.select_option(label="Families of Math 6, North Elementary")
    expect(page.locator("#audience")).to_contain_text("3 families will receive it")
    expect(page.locator("#audience")).to_contain_text("Vietnamese")
    expect(page.locator("#audience")).to_contain_text("1 family reads Vietnamese")
    check_page(page, "announce")
    # The message box comes first, within the first screen even on a phone; the warning
    # about Vietnamese, said once, comes after it.
    message_box = page.get_by_label("Message", exact=True)
    warning = page.get_by_text(re.compile("no translation is available"))
    assert message_box.bounding_box()["y"] < page.viewport_size["height"]
    assert warning.bounding_box()["y"] > message_box.bounding_box()["y"]
    said = re.compile(r"no translation (is|into)", re.IGNORECASE)
    assert len(said.findall(page.locator("body").inner_text())) == 1
    message_box.fill("Our class trip to the museum is on Friday.")
    page.get_by_role("button", name="Preview each language").click()
    expect(page.locator("#preview")).to_contain_text("Vietnamese · 1 family")
    expect(page.locator("#preview")).to_contain_text("Not translated: these families get")
    assert len(said.findall(page.locator("body").inner_text())) == 1
    check_page(page, "announce-preview")
    page.get_by_role("button", name="Send announcement").click()

    expect(page.get_by_role("heading", name="Families of Math 6, North Elementary")).to_be_visible()
    summary = page.locator(".delivery-summary")
    expect(summary).to_contain_text("3 of 3 guardians reached")
    expect(summary).to_contain_text("1 got the English text: no translation was available")
    page.get_by_text("Delivery to each family").click()
    recipients = page.locator(".recipients")
    for name in ("Rosa Lopez", "Marco Lopez", "Gina Nguyen"):
        expect(recipients).to_contain_text(name)
    expect(recipients).not_to_contain_text("Ray Nguyen")  # a court order: never contacted
    check_page(page, "announcement-delivery")


def test_a_family_sends_a_photo_of_the_homework_from_the_app(page, transactional_db, tmp_path):
    from homeroom.messaging.models import Attachment
    from homeroom.messaging.tests.builders import private_thread

    world = build_world()
    conversation = private_thread(world, world.rosa)
    photo = tmp_path / "tarea.png"
    photo.write_bytes(png(400, 300))

    sign_in_by_code(page, "(612) 555-0111", str(world.rosa.phone))
    page.goto(f"/messages/{conversation.pk}/")
    page.evaluate("window.samePage = true")
    page.get_by_label("Añadir una foto o un PDF (opcional)").set_input_files(str(photo))
    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_text("Su mensaje se envió.")).to_be_visible()
    sent = page.locator(".message.mine").get_by_role("img", name="Foto enviada por Rosa Lopez")
    expect(sent).to_be_visible()
    assert loaded_picture(sent)["shown"] >= 200  # a photo, not a dot
    assert page.evaluate("window.samePage") is True
    check_page(page, "conversation-family-photo")
    item = Attachment.objects.get(message__author_guardian=world.rosa)
    assert (item.content_type, item.status) == ("image/png", "stored")
    sign_out(page)

    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/messages/{conversation.pk}/")
    shown = page.locator(".message.from-family").get_by_role("img", name="Photo sent by Rosa Lopez")
    expect(shown).to_be_visible()
    picture = loaded_picture(shown)
    assert picture["natural"] == 400 and picture["shown"] >= 200
