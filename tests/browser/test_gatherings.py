"""Ms Rivera creates a family math night with three candidate times and plans it with Marco, a
father of Math 6, who writes what it is; Rosa, who reads Spanish, answers the times by text;
Ms Rivera fixes the time and invites the families; Rosa, on her phone, RSVPs with childcare and
a ride and asks for one from her area; Gina offers seats; Ms Rivera proposes the ride, both
families accept, and only then does each see the other's name; the barriers board shows the
childcare and the ride need met."""

import json
import re
import uuid
from datetime import timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import expect
from twilio.request_validator import RequestValidator

from homeroom.gatherings.models import Availability, Event, RideMatch, RideRequest, Rsvp
from homeroom.testing.personas import build_world
from homeroom.translation.protection import MONTHS, WEEKDAYS
from homeroom.transports import outbound

from .conftest import check_page
from .journeys import sign_in_with_password, sign_out, without_quiet_hours

TOKEN = "test-auth-token-0123456789abcdef"
WEBHOOK = "/webhooks/twilio/sms"
SCHOOL_NUMBER = "+16125550100"
DESCRIPTION = "Games with fractions for the whole family. Bring a calculator if you have one."


def sign_in_by_text(page, phone):
    """Sign in with the code the last text to this phone carried (earlier texts to a family
    who reads by text are the school's messages)."""
    page.goto("/accounts/login/")
    page.locator("#family-phone").fill(phone)
    page.locator("#family-phone").press("Enter")
    texts = [m for m in outbound.outbox if m.channel == "sms" and m.to == phone]
    code = re.search(r"\b([A-Z0-9]{4}-?[A-Z0-9]{4})\b", texts[-1].body).group(1)
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=code]").press("Enter")


def text_from_family(page, public_url: str, phone: str, body: str) -> str:
    """Post one inbound text the way Twilio does (form fields, signed with the auth token)
    and return the text of the reply."""
    sid = "SM" + uuid.uuid4().hex
    fields = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": SCHOOL_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "FromCountry": "US",
        "FromState": "MN",
        "ApiVersion": "2010-04-01",
    }
    signature = RequestValidator(TOKEN).compute_signature(public_url + WEBHOOK, fields)
    answer = page.request.post(WEBHOOK, form=fields, headers={"X-Twilio-Signature": signature})
    assert answer.status == 200, answer.text()
    assert answer.headers["content-type"].startswith("text/xml")
    return ElementTree.fromstring(answer.text()).findtext("Message") or ""


def texts_to(path, phone: str) -> list[str]:
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [record["body"] for record in records if record["to"] == phone]


def in_spanish(candidate, zone) -> str:
    """A candidate time as a Spanish reader gets it: "viernes 11 de diciembre, 18:00"."""
    start = timezone.localtime(candidate.starts_at, zone)
    weekday = WEEKDAYS[f"{start:%A}".lower()]
    return f"{weekday} {start.day} de {MONTHS[f'{start:%B}'.lower()]}, {start:%H:%M}"


def open_ride_page(page, event):
    page.goto(f"/events/{event.pk}/")
    page.locator(f"a[href='/events/{event.pk}/ride/']").click()
    expect(page).to_have_url(re.compile(rf"/events/{event.pk}/ride/$"))


def test_an_event_planned_with_families_and_its_barriers_board(
    page, transactional_db, settings, live_server, tmp_path
):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"en:es": ["apertium"], "*": ["libretranslate"]}
    # Twilio calls the live server's public address, signed with the auth token.
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = live_server.url
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE = tmp_path / "sms.jsonl"
    world = build_world()
    without_quiet_hours(world)
    zone = ZoneInfo(world.north.time_zone)
    day = timezone.localtime(timezone.now(), zone).date() + timedelta(days=10)
    rosa_phone, gina_phone = str(world.rosa.phone), str(world.gina.phone)

    # Ms Rivera creates the event with three candidate times.
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
    event = Event.objects.get()

    # She plans it with Marco, Ana's father, a family of Math 6.
    planned_with = page.get_by_role("region", name="Planned with families")
    planned_with.get_by_label("Marco Lopez").check()
    planned_with.get_by_role("button", name="Plan it with this family").click()
    expect(page.get_by_text("They can now edit the event with you.")).to_be_visible()
    expect(planned_with.get_by_role("listitem")).to_have_text(["Marco Lopez"])
    expect(page.get_by_text("Planned with families.")).to_be_visible()
    check_page(page, "event-organise-co")
    sign_out(page)

    # Marco finds the event he plans with the school and writes what it is.
    sign_in_by_text(page, str(world.marco.phone))
    page.goto("/events/")
    page.get_by_role("link", name="Family math night").click()
    expect(page.get_by_role("heading", name="Family math night")).to_be_visible()
    expect(page.get_by_role("button", name="Ask the families which times suit them")).to_have_count(
        0
    )
    page.get_by_label("What it is").fill(DESCRIPTION)
    page.get_by_role("region", name="The event").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(page.get_by_label("What it is")).to_have_value(DESCRIPTION)
    check_page(page, "event-organise-parent")
    event.refresh_from_db()
    assert event.description == DESCRIPTION and event.co_planned
    sign_out(page)

    # Ms Rivera asks the families which times suit them; Rosa reads texts, in Spanish.
    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/events/{event.pk}/organise/")
    page.get_by_role("button", name="Ask the families which times suit them").click()
    expect(page.get_by_text("The times have been put to the families.")).to_be_visible()
    sign_out(page)
    first, _second, third = event.candidates.order_by("starts_at")

    # Her text links to the message in Homeroom; she reads the three times there, in Spanish.
    [text] = texts_to(settings.SMS_FILE, rosa_phone)
    link = re.search(r"/messages/\d+/", text)
    assert link, text
    sign_in_by_text(page, rosa_phone)
    page.goto(link.group(0))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    for number, candidate in enumerate(event.candidates.order_by("starts_at"), 1):
        expect(page.locator("main")).to_contain_text(f"{number}) {in_spanish(candidate, zone)}")
    check_page(page, "event-times-message")
    sign_out(page)

    # Rosa answers by text: she can make the first and the third.
    reply = text_from_family(page, live_server.url, rosa_phone, "1 3")
    assert reply == "Gracias: su respuesta se ha guardado.", reply
    availability = Availability.objects.get(event=event, guardian=world.rosa)
    assert availability.channel == "sms"
    assert set(availability.times.all()) == {first, third}

    # Ms Rivera sees the counts, fixes the third time and invites the families.
    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/events/{event.pk}/organise/")
    expect(page.get_by_text("1 family answered.")).to_be_visible()
    counts = page.get_by_role("table", name="Families who can make each time")
    expect(counts.locator("tbody tr td:first-of-type")).to_have_text(["1", "0", "1"])
    check_page(page, "event-organise")
    page.locator("input[name=candidate]").nth(2).check()
    page.get_by_role("button", name="Fix this time").click()
    expect(page.get_by_text("The time is fixed.")).to_be_visible()
    page.get_by_role("button", name="Invite the families").click()
    expect(page.get_by_text("The families have been invited.")).to_be_visible()
    event.refresh_from_db()
    assert event.starts_at == third.starts_at

    # She places the neighbourhoods families drive and ride from on the school's grid.
    page.get_by_role("link", name="Rides: drivers, families who need a ride").click()
    areas = page.get_by_role("region", name="Areas")
    areas.get_by_label("Area (a neighbourhood or a postal code)").fill("Eastside")
    areas.get_by_label("Kilometres east").fill("2.5")
    areas.get_by_label("Kilometres north").fill("1")
    areas.get_by_role("button", name="Save the area").click()
    expect(page.get_by_text("The area is saved.")).to_be_visible()
    areas.get_by_label("Lines of area,x,y (kilometres)").fill(
        "area,x,y\nRiverside,2.8,1.4\nNorthfield,-1.5,3"
    )
    areas.get_by_role("button", name="Save these areas").click()
    expect(page.get_by_text("2 areas saved.")).to_be_visible()
    expect(areas.get_by_role("rowheader")).to_have_text(["Eastside", "Northfield", "Riverside"])
    check_page(page, "event-rides-areas")
    sign_out(page)

    # Rosa, on her phone, reads Marco's words and says she is coming, with what would help.
    sign_in_by_text(page, rosa_phone)
    page.goto(f"/events/{event.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_text(DESCRIPTION)).to_be_visible()
    page.locator("input[name=coming][value=yes]").check()
    page.locator("#id_children").fill("2")
    page.locator("#id_childcare").check()
    page.locator("#id_childcare_ages").fill("4, 7")
    page.locator("#id_ride").check()
    check_page(page, "event-rsvp")
    page.locator("form:has(input[value=rsvp]) button[type=submit]").click()
    expect(page.locator("form:has(input[value=cancel])")).to_be_visible()
    check_page(page, "event-rsvp-done")
    rsvp = Rsvp.objects.get(guardian=world.rosa)
    assert (rsvp.status, rsvp.children, rsvp.childcare, rsvp.ride) == ("going", 2, True, True)

    # She asks for a ride from Eastside for herself and her two children.
    open_ride_page(page, event)
    asking = page.get_by_role("region", name="Necesitamos transporte")
    asking.get_by_label("Necesitamos transporte desde").select_option(label="Eastside")
    expect(asking.get_by_label("Adultos que viajan")).to_have_value("1")
    expect(asking.get_by_label("Niños que viajan")).to_have_value("2")
    asking.get_by_label("Doy mi consentimiento para que mis hijos viajen").check()
    check_page(page, "event-ride-ask")
    asking.get_by_role("button", name="Pedir transporte").click()
    expect(page.get_by_text("Gracias: le avisaremos cuando se proponga un viaje.")).to_be_visible()
    request = RideRequest.objects.get(event=event, guardian=world.rosa)
    assert (request.area.name, request.adults, request.children, request.children_consent) == (
        "Eastside",
        1,
        2,
        True,
    )
    sign_out(page)

    # Gina is coming too, and offers four seats from Riverside.
    sign_in_by_text(page, gina_phone)
    page.goto(f"/events/{event.pk}/")
    page.locator("input[name=coming][value=yes]").check()
    page.locator("form:has(input[value=rsvp]) button[type=submit]").click()
    expect(page.locator("form:has(input[value=cancel])")).to_be_visible()
    open_ride_page(page, event)
    offering = page.locator("form:has(input[name=action][value=offer])")
    offering.locator("input[name=seats]").fill("4")
    offering.locator("select[name=area]").select_option(label="Riverside")
    offering.locator("button[type=submit]").click()
    expect(page.locator("#drive-heading + p")).to_contain_text("4")
    offer = event.ride_offers.get()
    assert (offer.guardian, offer.area.name, offer.seats) == (world.gina, "Riverside", 4)
    sign_out(page)

    # Ms Rivera proposes the matches: Rosa's family rides in Gina's car.
    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/events/{event.pk}/rides/")
    page.get_by_role("button", name="Propose matches").click()
    expect(page.get_by_text("1 ride proposed: both families are asked to accept.")).to_be_visible()
    proposed = page.get_by_role("table", name="Rides proposed")
    expect(proposed.locator("tbody tr")).to_have_count(1)
    expect(proposed.locator("tbody tr")).to_contain_text("Gina Nguyen")
    expect(proposed.locator("tbody tr")).to_contain_text("Rosa Lopez")
    check_page(page, "event-rides-proposed")
    sign_out(page)
    match = RideMatch.objects.get()
    assert (match.offer, match.request, match.status) == (offer, request, "proposed")

    # Rosa sees a family driving from Riverside, never its name or number, and accepts.
    sign_in_by_text(page, rosa_phone)
    open_ride_page(page, event)
    ride = page.get_by_role("region", name="Un viaje para su familia")
    expect(ride).to_contain_text("Una familia que conduce desde")
    expect(ride).to_contain_text("Riverside")
    expect(page.locator("main")).not_to_contain_text("Gina")
    expect(page.locator("main")).not_to_contain_text("Nguyen")
    expect(page.locator("main")).not_to_contain_text(gina_phone)
    check_page(page, "event-ride-proposed")
    ride.get_by_role("button", name="Aceptar este viaje").click()
    expect(page.get_by_text("Gracias: esperamos a que la otra familia acepte.")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Gina")
    sign_out(page)

    # Gina accepts too: the ride is agreed and she sees whom she drives.
    sign_in_by_text(page, gina_phone)
    open_ride_page(page, event)
    page.locator("form:has(input[name=action][value=accept]) button").click()
    expect(page.locator("main")).to_contain_text("Rosa Lopez")
    sign_out(page)
    match.refresh_from_db()
    assert match.status == "accepted"

    # Now Rosa sees who drives her, and how to reach them.
    sign_in_by_text(page, rosa_phone)
    open_ride_page(page, event)
    ride = page.get_by_role("region", name="Un viaje para su familia")
    expect(ride).to_contain_text("Ambas familias aceptaron: el viaje está acordado.")
    expect(ride).to_contain_text("Usted viaja con:")
    expect(ride.locator("strong")).to_contain_text("Gina Nguyen")
    expect(ride.locator(f"a[href='tel:{gina_phone}']")).to_be_visible()
    check_page(page, "event-ride-agreed")
    sign_out(page)

    # The barriers board: childcare for two children aged 4 to 7, and the ride need met.
    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/events/{event.pk}/board/")
    expect(page.get_by_text("Childcare for 2 children aged 4–7")).to_be_visible()
    expect(page.get_by_text("1 ride", exact=True)).to_be_visible()
    rides_need = page.get_by_role("region", name="Ride", exact=True)
    expect(rides_need).to_contain_text("Met")
    expect(rides_need).to_contain_text("1 of 1 met.")
    expect(rides_need.get_by_role("table")).to_have_count(0)
    childcare = page.get_by_role("region", name="Childcare", exact=True)
    expect(childcare).to_contain_text("0 of 1 met.")
    expect(childcare.get_by_role("rowheader", name="Rosa Lopez")).to_have_count(1)
    check_page(page, "event-board")
