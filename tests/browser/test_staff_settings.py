"""A teacher chooses, from the menu, the language she reads families in, how she hears that
a family wrote, and her office hours; then reads a Spanish family's reply as she chose."""

from playwright.sync_api import expect

from homeroom.messaging import services
from homeroom.messaging.inbound.service import receive_reply
from homeroom.people.models import StaffMember
from homeroom.testing.personas import build_world

from .conftest import check_page
from .journeys import sign_in_with_password


def test_teacher_sets_how_she_reads_and_hears_families(page, transactional_db):
    world = build_world()
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana did well on her test."
    )
    receive_reply(world.rosa, conversation, "Gracias, maestra.", "app")
    sign_in_with_password(page, world.rivera.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My settings").click()
    expect(page.get_by_role("heading", name="My settings")).to_be_visible()
    expect(page.get_by_label("An email for each family message")).to_be_checked()
    check_page(page, "staff-settings")

    page.get_by_label("Read families' messages in").select_option("es")
    page.get_by_label("One email an hour at most, listing them").check()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(day).check()
    page.get_by_label("From").fill("07:30")
    page.get_by_label("Until").fill("15:30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    check_page(page, "staff-settings-saved")
    rivera = StaffMember.objects.get(pk=world.rivera.pk)
    assert (rivera.language, rivera.family_alerts) == ("es", "hourly")
    assert rivera.office_hours == {"days": [0, 1, 2, 3, 4], "start": "07:30", "end": "15:30"}

    # Rosa wrote in Spanish: a Spanish reader reads her as she wrote, no translation shown.
    page.goto(f"/messages/{conversation.pk}/")
    expect(page.get_by_text("Gracias, maestra.")).to_be_visible()
    expect(page.get_by_text("Written in Spanish — see original")).to_have_count(0)


def test_bad_office_hours_are_refused_clearly(page, transactional_db):
    world = build_world()
    sign_in_with_password(page, world.rivera.user.email)
    page.goto("/settings/")
    page.get_by_label("Monday").check()
    page.get_by_label("From").fill("16:00")
    page.get_by_label("Until").fill("08:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Office hours must end after they start.")).to_be_visible()
    check_page(page, "staff-settings-error")
    assert StaffMember.objects.get(pk=world.rivera.pk).office_hours is None
