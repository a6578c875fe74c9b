"""A teacher writes and sends the weekly one-sentence update to a class of 30 in one flow; a
mother answers by text and the coverage shows it; a day's check-in calls are logged."""

import re
import urllib.parse
import urllib.request
import uuid

from playwright.sync_api import expect
from twilio.request_validator import RequestValidator

from homeroom.people.models import Enrollment, Guardian, Guardianship, Student
from homeroom.routines import common
from homeroom.routines.models import ContactLog, ContactPlan, PlannedContact, UpdateSentence
from homeroom.testing.personas import build_world

from .conftest import check_page
from .journeys import sign_in_with_password, without_quiet_hours

TOKEN = "browser-test-auth-token"
PUBLIC = "https://homeroom.example"


def class_of_thirty(world):
    """Math 6 has Ana and Cal; 28 more students join, each with an English-reading parent."""
    for i in range(28):
        student = Student.objects.create(
            school=world.north, given_name=f"Kid{i:02d}", family_name="Class", grade="6"
        )
        Enrollment.objects.create(section=world.math, student=student)
        parent = Guardian.objects.create(
            district=world.district,
            given_name=f"Parent{i:02d}",
            family_name="Class",
            email=f"parent{i:02d}@family.example",
            channel="email",
        )
        Guardianship.objects.create(guardian=parent, student=student)


def text_from(live_server, phone: str, body: str):
    fields = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": "+16125550100",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
    }
    path = "/webhooks/twilio/sms"
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, fields)
    request = urllib.request.Request(
        live_server.url + path,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"X-Twilio-Signature": signature},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_weekly_update_to_thirty_families_and_a_reply_by_text(
    page, transactional_db, live_server, settings
):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC
    world = build_world()
    without_quiet_hours(world)
    class_of_thirty(world)

    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/routines/sections/{world.math.pk}/weekly/")
    expect(page.get_by_role("heading", name="Weekly update — Math 6")).to_be_visible()
    fields = page.locator("textarea[data-name]")
    expect(fields).to_have_count(30)
    check_page(page, "weekly-update-empty")

    # The first sentence starts from a starter, the name filled in; then a vague one gets a hint.
    fields.nth(0).focus()
    page.locator("button.starter[data-framing=positive]").first.click()
    expect(fields.nth(0)).to_have_value(re.compile(r"^Kid00 "))
    fields.nth(0).press("End")
    fields.nth(0).type(" fractions, and explained the steps.")
    fields.nth(0).press("Control+Enter")
    expect(fields.nth(1)).to_be_focused()
    fields.nth(1).fill("Good job!")
    fields.nth(1).press("Tab")
    expect(page.locator(".status .hint").first).to_be_visible()
    expect(fields.nth(2)).to_be_focused()
    # Everyone else: one sentence each, Tab to the next; the last student is skipped.
    for index in range(2, 29):
        field = fields.nth(index)
        name = field.get_attribute("data-name")
        if index % 3 == 0:
            page.locator(f"#{field.get_attribute('id')}").locator("xpath=..").get_by_label(
                "Next step"
            ).check()
        field.fill(f"{name} could read aloud for 15 minutes each night this week.")
        field.press("Tab")
    expect(page.locator("#tally")).to_contain_text("9 next steps")
    expect(page.locator(".status .chip.ok")).to_have_count(29)
    page.locator(".sentence-row").nth(29).get_by_role("button", name=re.compile("^Skip")).click()
    expect(page.locator("#tally")).to_contain_text("20 praise · 9 next steps · 1 skipped")
    check_page(page, "weekly-update-written")
    assert UpdateSentence.objects.filter(skipped=False).count() == 29

    page.get_by_role("button", name="Preview and send").click()
    expect(page.get_by_role("heading", name="Preview — Math 6")).to_be_visible()
    expect(page.locator("ol.previews > li")).to_have_count(29)
    check_page(page, "weekly-update-preview")
    page.get_by_role("button", name=re.compile(r"^Send all")).click()
    expect(page.get_by_text("Sent to the families of 29 students.")).to_be_visible()
    expect(page.locator("td.sent").first).to_have_text("29")
    expect(page.locator("td.skipped").first).to_have_text("1")
    expect(page.locator("td.replied").first).to_have_text("0")
    check_page(page, "weekly-coverage-sent")

    # Rosa answers by text; the reply lands in Ana's thread and the coverage counts it.
    text_from(live_server, str(world.rosa.phone), "¡Gracias! Lo practicamos en casa.")
    page.reload()
    expect(page.locator("td.replied").first).to_have_text("1")
    check_page(page, "weekly-coverage-replied")


def test_a_days_check_ins_are_logged(page, transactional_db):
    world = build_world()
    plan = ContactPlan.objects.create(staff=world.rivera, cycle_days=14, call_days=[])
    today = common.local_today(world.north)
    for guardian, student in (
        (world.rosa, world.ana),
        (world.marco, world.ana),
        (world.gina, world.cal),
    ):
        PlannedContact.objects.create(plan=plan, guardian=guardian, student=student, due_date=today)

    sign_in_with_password(page, world.rivera.user.email)
    page.goto("/routines/checkins/")
    expect(page.get_by_role("heading", name="Today's check-ins")).to_be_visible()
    expect(page.locator("li.checkin")).to_have_count(3)
    expect(page.locator("li.checkin", has_text="Rosa Lopez")).to_contain_text("Interpreter needed")
    check_page(page, "checkins-today")

    rosa = page.locator("li.checkin", has_text="Rosa Lopez")
    rosa.get_by_label("Note (optional)").fill("Told her about Ana's poem.")
    rosa.get_by_role("button", name=re.compile("^Reached")).click()
    expect(page.get_by_text("Logged: Rosa Lopez.")).to_be_visible()
    marco = page.locator("li.checkin", has_text="Marco Lopez")
    marco.get_by_role("button", name=re.compile("^No answer")).click()
    gina = page.locator("li.checkin", has_text="Gina Nguyen")
    gina.get_by_label("Neutral").check()
    gina.get_by_role("button", name=re.compile("^Left a message")).click()
    expect(page.get_by_text("No check-ins due today.")).to_be_visible()
    check_page(page, "checkins-done")
    outcomes = dict(ContactLog.objects.values_list("guardian__given_name", "outcome"))
    assert outcomes == {"Rosa": "reached", "Marco": "no_answer", "Gina": "left_message"}

    page.goto(f"/routines/students/{world.ana.pk}/timeline/")
    expect(page.locator(".timeline-item")).to_have_count(2)
    check_page(page, "contact-timeline")
