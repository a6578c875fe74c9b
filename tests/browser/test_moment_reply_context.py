"""A teacher replies to a moment response inside its conversation: Rosa answers a moment in
Spanish from her child's feed; it lands in the thread her child's teacher already has with
the family (the weekly update), quoting the moment; the teacher reads it in English on the
moments page, follows it to that thread and answers there."""

from django.urls import reverse
from playwright.sync_api import expect

from homeroom.behavior import recording
from homeroom.behavior.models import FamilyResponse
from homeroom.messaging.models import Conversation, Message
from homeroom.routines import common, weekly
from homeroom.testing.personas import build_world
from homeroom.transports import outbound

from .conftest import check_page
from .journeys import sign_in_by_code, sign_in_with_password, sign_out, without_quiet_hours


def test_a_teacher_replies_to_a_moment_response_inside_its_conversation(page, transactional_db):
    world = build_world()
    without_quiet_hours(world)
    update = weekly.weekly_update_for(
        world.math, world.rivera, common.week_start_of(common.local_today(world.north))
    )
    weekly.save_sentence(update, world.ana, "Ana read her poem to the class today.")
    weekly.send_weekly_update(update, world.rivera)
    thread = Conversation.objects.get(student=world.ana)
    recording.ensure_default_categories(world.north)
    helping = next(c for c in recording.active_categories(world.north) if c.name == "Kindness")
    (moment,) = recording.record_moments(
        world.rivera, [world.ana], helping, "Ana shared her lunch with a new classmate."
    )
    outbound.outbox.clear()  # the texts the weekly update sent; the sign-in code comes next

    # Rosa answers the moment in Spanish from Ana's feed.
    sign_in_by_code(page, "(612) 555-0111", str(world.rosa.phone))
    page.goto(reverse("behavior:child_feed", args=[world.ana.pk]))
    item = page.locator(f"#moment-{moment.pk}")
    item.get_by_text("Escribir a Maria Rivera").click()
    item.locator(f"#text-{moment.pk}").fill("¡Qué orgullo! Gracias por contarnos.")
    check_page(page, "moment-answer-writing-es")
    item.get_by_role("button", name="Enviar").click()
    expect(page.get_by_text("¡Gracias! Su respuesta se envió a la escuela.")).to_be_visible()
    answer = FamilyResponse.objects.get(kind="message")
    assert answer.conversation_id == thread.pk  # the thread of the weekly update, not a new one

    # From the moment she opens the thread: her answer carries the moment, in Spanish.
    page.locator(f"#moment-{moment.pk}").get_by_role("link", name="Abrir la conversación").click()
    expect(page.get_by_role("heading", name="Ana Lopez")).to_be_visible()
    mine = page.locator(".message.mine")
    expect(mine.locator(".message-quote")).to_contain_text("Sobre:")
    expect(mine.locator(".message-quote")).not_to_contain_text("Kindness")
    check_page(page, "moment-answer-family-thread-es")
    sign_out(page)

    # Ms Rivera reads it on Ana's moments page, in English with the Spanish one tap away.
    sign_in_with_password(page, world.rivera.user.email)
    expect(page.get_by_role("heading", name="My classes")).to_be_visible()
    page.goto(reverse("behavior:student_moments", args=[world.ana.pk]))
    answered = page.locator(f"#moment-{moment.pk} div.answered")
    expect(answered.locator(".message-text").first).to_have_attribute("lang", "en")
    expect(answered.locator(".message-text").first).not_to_contain_text("Gracias")
    answered.get_by_text("Written in Spanish — see original").click()
    expect(answered.get_by_text("¡Qué orgullo! Gracias por contarnos.")).to_be_visible()
    check_page(page, "moment-answer-on-moments-page")

    # She follows it into the conversation: the weekly sentence, then the answer quoting
    # the moment; she replies there.
    answered.get_by_role("link", name="Reply in the conversation").click()
    expect(page.get_by_role("heading", name="Ana Lopez")).to_be_visible()
    expect(page.locator(".message").first).to_contain_text("Ana read her poem")
    family = page.locator(".message.from-family")
    expect(family.locator(".message-quote")).to_contain_text(
        "Re: ♥ Kindness — “Ana shared her lunch with a new classmate.”"
    )
    check_page(page, "moment-answer-staff-thread")
    page.get_by_label("Your message").fill("Thank you, Rosa! Ana is a good friend to everyone.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".message.mine").last).to_contain_text("Ana is a good friend")
    check_page(page, "moment-answer-staff-replied")
    assert Conversation.objects.filter(student=world.ana).count() == 1
    reply = Message.objects.filter(conversation=thread, author_staff=world.rivera).last()
    assert reply.body == "Thank you, Rosa! Ana is a good friend to everyone."
