"""Rosa opens Homeroom on her phone: Ms Rivera's unread message and today's moment for Ana
lead her home, in Spanish; she thanks the teacher where the moment stands, and reaches the
child's news, "tell us about your child", the school, her messages and her settings from the
home in at most two taps."""

import re

from playwright.sync_api import expect

from homeroom.behavior import recording
from homeroom.behavior.models import FamilyResponse
from homeroom.messaging import services
from homeroom.testing.personas import build_world

from .conftest import check_page
from .journeys import code_from_last_text


def sign_in_rosa(page, world):
    page.goto("/accounts/login/")
    page.locator("#family-phone").fill(str(world.rosa.phone))
    page.locator("#family-phone").press("Enter")
    page.locator("input[name=code]").fill(code_from_last_text(str(world.rosa.phone)))
    page.locator("input[name=code]").press("Enter")
    expect(page.get_by_role("heading", name="Hola, Rosa")).to_be_visible()


def back_home(page):
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Inicio").click()
    expect(page.get_by_role("heading", name="Hola, Rosa")).to_be_visible()


def test_rosa_sees_what_is_new_first_and_thanks_the_teacher(page, transactional_db):
    world = build_world()
    recording.ensure_default_categories(world.north)
    helping = recording.active_categories(world.north)[0]  # Helping others
    recording.record_moments(
        world.rivera, [world.ana], helping, "Ana helped a classmate with fractions."
    )
    services.start_conversation(
        student=world.ana,
        by_staff=world.rivera,
        text="Ana did very well on today's quiz. Thank you for practising with her.",
    )

    sign_in_rosa(page, world)
    waiting = page.locator("section", has=page.get_by_role("heading", name="Esperan su respuesta"))
    expect(waiting.locator(".stream-item.unread")).to_contain_text("Maria Rivera")
    expect(waiting.locator(".stream-item .chip.child")).to_have_text("Ana")
    today = page.locator("section", has=page.get_by_role("heading", name="Hoy"))
    moment = today.locator(".stream-item.is-moment").first
    expect(moment.get_by_text("Buenas noticias")).to_be_visible()
    expect(moment.locator("p.note")).not_to_contain_text("helped a classmate")
    expect(moment.get_by_text("Traducción automática — ver el original")).to_be_visible()
    # The unread message comes before today's moment.
    boxes = [
        waiting.bounding_box()["y"],
        today.bounding_box()["y"],
    ]
    assert boxes == sorted(boxes)
    check_page(page, "family-home-stream-es")

    moment.get_by_role("button", name="Gracias").click()
    expect(moment.get_by_text("Usted dio las gracias.")).to_be_visible()
    assert FamilyResponse.objects.get(guardian=world.rosa).kind == "thank_you"
    check_page(page, "family-home-thanked-es")

    # The message's own page is one tap from its place in the stream.
    waiting.locator(".stream-item.unread h3 a").click()
    expect(page.get_by_role("heading", name="Ana Lopez")).to_be_visible()
    expect(page.locator(".message .message-text").first).to_be_visible()
    back_home(page)
    expect(page.get_by_role("heading", name="Esperan su respuesta")).to_have_count(0)


def test_every_family_page_is_two_taps_from_home(page, transactional_db):
    world = build_world()
    sign_in_rosa(page, world)
    expect(page.get_by_text("Todavía no hay novedades.")).to_be_visible()
    check_page(page, "family-home-empty-es")
    children = page.get_by_role("navigation", name="Mis hijos")

    children.get_by_role("link", name="Todas las noticias").click()
    expect(page.get_by_role("heading", name="Noticias sobre Ana Lopez")).to_be_visible()
    back_home(page)

    children.get_by_role("link", name="Cuéntenos sobre Ana").click()
    expect(page.get_by_role("heading", name="Cuéntenos sobre Ana")).to_be_visible()
    back_home(page)

    children.get_by_role("link", name="Docentes y oficina de la escuela").click()
    expect(page.get_by_role("heading", name="La escuela de mis hijos")).to_be_visible()
    expect(page.get_by_text("Math 6")).to_be_visible()
    check_page(page, "family-school-page-es")
    back_home(page)

    nav = page.get_by_role("navigation", name="Principal")
    nav.get_by_role("link", name=re.compile("^Mensajes")).click()
    expect(page.get_by_role("heading", name="Mensajes")).to_be_visible()
    page.get_by_role("link", name="Escribir a la escuela").click()  # the second tap
    expect(page.locator("form.compose")).to_be_visible()
    back_home(page)

    nav.get_by_role("link", name="Mis preferencias").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("main form").first).to_be_visible()
