"""A Spanish-reading guardian signs in with a code sent by text and sees her child."""

import re

from playwright.sync_api import expect

from homeroom.testing.personas import build_world
from homeroom.transports import outbound

from .conftest import check_page
from .journeys import code_from_last_text


def test_guardian_signs_in_by_code_and_reads_in_spanish(page, transactional_db):
    world = build_world()
    page.goto("/accounts/login/")
    page.locator("#family-phone").fill("(612) 555-0111")  # Rosa's number, as she would type it
    page.locator("#family-phone").press("Enter")

    expect(page.locator("input[name=code]")).to_be_visible()
    check_page(page, "family-enter-code")
    code = code_from_last_text(str(world.rosa.phone))
    assert "código" in outbound.outbox[-1].body  # the text itself is in Spanish
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=code]").press("Enter")

    expect(page.get_by_role("heading", name="Hola, Rosa")).to_be_visible()
    expect(page.get_by_role("navigation", name="Mis hijos")).to_contain_text("Ana")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    check_page(page, "family-home-es")
    page.get_by_role("link", name="Docentes y oficina de la escuela").click()
    expect(page.get_by_role("heading", name="Ana Lopez")).to_be_visible()
    expect(page.get_by_text("Math 6")).to_be_visible()
    check_page(page, "family-school-es")


def test_wrong_code_is_refused_with_a_clear_message(page, transactional_db):
    world = build_world()
    page.goto("/accounts/login/")
    page.locator("#family-phone").fill(str(world.marco.phone))
    page.locator("#family-phone").press("Enter")
    page.locator("input[name=code]").fill("ZZZZ-ZZZZ")
    page.locator("input[name=code]").press("Enter")
    expect(page.locator("input[name=code]")).to_be_visible()
    expect(page.locator("[aria-invalid=true], .errorlist").first).to_be_visible()
    check_page(page, "family-wrong-code")
    expect(page.get_by_role("heading", name=re.compile("Marco"))).to_have_count(0)


def test_arabic_reader_gets_a_right_to_left_page(page, transactional_db, client):
    world = build_world()
    page.goto("/accounts/login/")
    page.locator("#family-phone").fill(str(world.olga.phone))
    page.locator("#family-phone").press("Enter")
    page.locator("input[name=code]").fill(code_from_last_text(str(world.olga.phone)))
    page.locator("input[name=code]").press("Enter")
    expect(page.get_by_role("heading", name="مرحبًا، Olga")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    check_page(page, "family-home-rtl")
