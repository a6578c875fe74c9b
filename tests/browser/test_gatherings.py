"""Ms Rivera creates a family math night with three candidate times; Marco answers which he
can make; she fixes the time and invites the families; Rosa, in Spanish, on her phone, RSVPs
with childcare and a ride; the barriers board shows both."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect

from homeroom.gatherings.models import Event, Rsvp
from homeroom.testing.personas import build_world
from homeroom.transports import outbound

from .conftest import check_page
from .journeys import sign_in_with_password, sign_out, without_quiet_hours


def sign_in_by_text(page, phone):
    page.goto("/accounts/login/")
    page.locator("#family-phone").fill(phone)
    page.locator("#family-phone").press("Enter")
    import re

    texts = [m for m in outbound.outbox if m.channel == "sms" and m.to == phone]
    code = re.search(r"\b([A-Z0-9]{4}-?[A-Z0-9]{4})\b", texts[-1].body).group(1)
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=code]").press("Enter")


def test_an_event_planned_with_families_and_its_barriers_board(page, transactional_db, settings):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"en:es": ["apertium"], "*": ["libretranslate"]}
    world = build_world()
    without_quiet_hours(world)
    zone = ZoneInfo(world.north.time_zone)
    day = timezone.localtime(timezone.now(), zone).date() + timedelta(days=10)

    sign_in_with_password(page, world.rivera.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Title").fill("Family math night")
    page.get_by_label("Where").fill("Cafeteria")
    page.get_by_label("Who is invited").select_option(label="Families of Math 6, North Elementary")
    for n in range(1, 4):
        when = day + timedelta(days=n - 1)
        page.locator(f"#id_c{n}_starts").fill(f"{when.isoformat()}T18:00")
        page.locator(f"#id_c{n}_ends").fill(f"{when.isoformat()}T19:30")
    check_page(page, "event-new")
    page.get_by_role("button", name="Create the event").click()
    expect(page.get_by_role("heading", name="Family math night")).to_be_visible()
    page.get_by_role("button", name="Ask the families which times suit them").click()
    expect(page.get_by_text("The times have been put to the families.")).to_be_visible()
    event = Event.objects.get()
    sign_out(page)

    sign_in_by_text(page, str(world.marco.phone))
    page.goto(f"/events/{event.pk}/")
    times = page.locator("input[name=times]")
    expect(times).to_have_count(3)
    times.nth(1).check()
    times.nth(2).check()
    check_page(page, "event-times")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Thank you: your answer has been saved.")).to_be_visible()
    sign_out(page)

    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/events/{event.pk}/organise/")
    expect(page.get_by_text("1 family answered.")).to_be_visible()
    check_page(page, "event-organise")
    page.locator("input[name=candidate]").nth(1).check()
    page.get_by_role("button", name="Fix this time").click()
    expect(page.get_by_text("The time is fixed.")).to_be_visible()
    page.get_by_role("button", name="Invite the families").click()
    expect(page.get_by_text("The families have been invited.")).to_be_visible()
    sign_out(page)

    sign_in_by_text(page, str(world.rosa.phone))
    page.goto(f"/events/{event.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.locator("input[name=coming][value=yes]").check()
    page.locator("#id_children").fill("2")
    page.locator("#id_childcare").check()
    page.locator("#id_childcare_ages").fill("4, 7")
    page.locator("#id_ride").check()
    check_page(page, "event-rsvp")
    page.locator("form:has(input[value=rsvp]) button[type=submit]").click()
    expect(page.locator("form:has(input[value=cancel])")).to_be_visible()
    check_page(page, "event-rsvp-done")
    rsvp = Rsvp.objects.get()
    assert (rsvp.status, rsvp.children, rsvp.childcare, rsvp.ride) == ("going", 2, True, True)
    sign_out(page)

    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/events/{event.pk}/board/")
    expect(page.get_by_text("Childcare for 2 children aged 4–7")).to_be_visible()
    expect(page.get_by_text("1 ride", exact=True)).to_be_visible()
    expect(page.get_by_role("rowheader", name="Rosa Lopez")).to_have_count(2)
    check_page(page, "event-board")
