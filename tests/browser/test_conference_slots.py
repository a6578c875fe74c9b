"""A family books a conference slot: Ms Rivera publishes her hours for a day; Rosa, in
Spanish, on her phone, books a time for Ana and asks for a Spanish interpreter; Ms Rivera's
schedule shows the booking and the interpreter needed."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from homeroom.gatherings.models import Booking
from homeroom.testing.personas import build_world

from .conftest import check_page
from .journeys import sign_in_with_password, sign_out
from .test_gatherings import sign_in_by_text


def test_a_family_books_a_conference_slot(page, transactional_db):
    world = build_world()
    zone = ZoneInfo(world.north.time_zone)
    day = timezone.localtime(timezone.now(), zone).date() + timedelta(days=10)

    sign_in_with_password(page, world.rivera.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Conferences").click()
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_label("Starts").fill("15:00")
    page.get_by_label("Ends").fill("16:00")
    page.get_by_label("Where").fill("Room 12")
    check_page(page, "conferences-publish")
    page.get_by_role("button", name="Publish the hours").click()
    expect(page.get_by_text("Your conference hours are published.")).to_be_visible()
    sign_out(page)

    sign_in_by_text(page, str(world.rosa.phone))
    page.goto("/events/conferences/book/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    times = page.locator("input[name=slot]")
    expect(times).to_have_count(3)
    times.nth(1).check()
    page.locator("select[name=interpreter]").select_option("es")
    check_page(page, "conferences-book")
    page.locator("form:has(input[value=book]) button[type=submit]").click()
    expect(page.locator("form:has(input[value=cancel])")).to_be_visible()
    check_page(page, "conferences-booked")
    booking = Booking.objects.get()
    assert (booking.guardian, booking.student, booking.interpreter_language) == (
        world.rosa,
        world.ana,
        "es",
    )
    sign_out(page)

    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/events/conferences/{booking.slot.block_id}/")
    expect(page.get_by_text("Interpreters needed: Spanish")).to_be_visible()
    expect(page.get_by_role("cell", name="Ana Lopez — Rosa Lopez")).to_be_visible()
    check_page(page, "conferences-schedule")
