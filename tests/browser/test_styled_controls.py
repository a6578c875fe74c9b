"""The settings pages and the check-ins form use the project's controls, not the browser's bare
ones: every radio and checkbox is a large tappable row, selects and time inputs fill their
column, choices are grouped under a legend, and a focused control is plainly marked — on a
phone and a desktop, left to right and right to left."""

from django.conf import settings
from playwright.sync_api import expect

from homeroom.people.models import StaffMember
from homeroom.routines import common
from homeroom.routines.models import ContactPlan, PlannedContact
from homeroom.testing.personas import build_world

from .conftest import check_page
from .journeys import sign_in_by_code, sign_in_with_password

# Every option row (a label holding a radio or a checkbox), every select and every time or
# number input on the page, measured as laid out.
MEASURE = """form => {
  const box = el => el.getBoundingClientRect();
  const rows = [...form.querySelectorAll("input[type=radio], input[type=checkbox]")]
    .map(input => input.closest("label"));
  const fields = [...form.querySelectorAll("select, input[type=time], input[type=number]")];
  return {
    rows: rows.map(label => label ? Math.round(box(label).height) : 0),
    loose: rows.filter(label => !label).length,
    fields: fields.map(el => ({
      name: el.name,
      height: Math.round(box(el).height),
      width: Math.round(box(el).width),
      column: Math.round(box(el.parentElement).width),
    })),
    legends: [...form.querySelectorAll("fieldset")].map(f => !!f.querySelector(":scope > legend")),
    unframed: rows.filter(label => label && getComputedStyle(label).borderStyle === "none").length,
  };
}"""


def assert_styled(page, form, *, rows: int, fields: int):
    shape = form.evaluate(MEASURE)
    assert shape["loose"] == 0, "every radio and checkbox sits inside its own label"
    assert len(shape["rows"]) == rows, shape
    assert min(shape["rows"]) >= 44, f"option rows shorter than a thumb: {shape['rows']}"
    assert shape["unframed"] == 0, "each option row is drawn as a row, not a bare control"
    assert len(shape["fields"]) == fields, shape
    for field in shape["fields"]:
        assert field["height"] >= 44, field
        assert field["width"] >= field["column"] - 2, f"{field['name']} does not fill its column"
    assert shape["legends"] and all(shape["legends"]), "every group of choices has a legend"


def assert_focus_is_visible(control):
    control.focus()
    ring = control.evaluate(
        """el => {
          const row = el.closest("label") || el;
          const own = getComputedStyle(el), around = getComputedStyle(row);
          return [own.outlineStyle, own.outlineWidth, around.outlineStyle, around.outlineWidth];
        }"""
    )
    assert any(
        style != "none" and float(width[:-2]) >= 2 for style, width in (ring[:2], ring[2:])
    ), ring


def test_a_family_sets_preferences_with_large_controls(page, transactional_db):
    world = build_world()
    sign_in_by_code(page, "(612) 555-0111", str(world.rosa.phone))
    page.goto("/welcome/")
    expect(page.get_by_role("heading", name="Cómo le contacta la escuela")).to_be_visible()
    form = page.locator("form[action='/welcome/']")
    # Three ways to be reached; the language select and the two quiet-hours times.
    assert_styled(page, form, rows=3, fields=3)
    page.keyboard.press("Tab")
    assert_focus_is_visible(form.get_by_label("Correo electrónico"))
    assert_focus_is_visible(form.get_by_label("Inicio de las horas de silencio"))
    check_page(page, "family-preferences-controls")

    # The row itself is the target: a tap on its words chooses it.
    form.get_by_text("Correo electrónico", exact=True).click()
    expect(form.get_by_label("Correo electrónico")).to_be_checked()


def test_an_arabic_family_reads_the_same_controls_right_to_left(
    page, transactional_db, live_server
):
    world = build_world()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}]
    )
    sign_in_by_code(page, "(612) 555-0117", str(world.olga.phone))
    page.goto("/welcome/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    form = page.locator("form[action='/welcome/']")
    assert_styled(page, form, rows=3, fields=3)
    # The control sits at the start of its row: the right edge in Arabic.
    radio = form.locator("input[type=radio]").first
    row = radio.locator("xpath=ancestor::label[1]")
    radio_box, row_box = radio.bounding_box(), row.bounding_box()
    assert row_box["x"] + row_box["width"] - (radio_box["x"] + radio_box["width"]) < 24
    check_page(page, "family-preferences-controls-arabic")


def test_a_teacher_sets_office_hours_with_large_controls(page, transactional_db):
    world = build_world()
    sign_in_with_password(page, world.rivera.user.email)
    page.goto("/settings/")
    expect(page.get_by_role("heading", name="My settings")).to_be_visible()
    form = page.locator("form[action='/settings/']")
    # Three ways to hear of families, seven days; the language select and two times.
    assert_styled(page, form, rows=3 + 7, fields=3)
    assert_focus_is_visible(form.get_by_label("Monday"))
    assert_focus_is_visible(form.get_by_label("Read families' messages in"))
    form.get_by_text("Tuesday", exact=True).click()
    form.get_by_text("Monday", exact=True).click()
    check_page(page, "staff-settings-controls")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    assert StaffMember.objects.get(pk=world.rivera.pk).office_hours["days"] == [0, 1]


def test_the_check_ins_form_has_large_controls(page, transactional_db):
    world = build_world()
    plan = ContactPlan.objects.create(staff=world.rivera, cycle_days=14, call_days=[])
    today = common.local_today(world.north)
    PlannedContact.objects.create(plan=plan, guardian=world.rosa, student=world.ana, due_date=today)
    sign_in_with_password(page, world.rivera.user.email)
    page.goto("/routines/checkins/")
    expect(page.get_by_role("heading", name="Today's check-ins")).to_be_visible()
    # The call's tone: three rows.
    checkin = page.locator("li.checkin form")
    assert_styled(page, checkin, rows=3, fields=0)
    assert_focus_is_visible(checkin.get_by_label("Concern"))
    # Planning a rotation: the seven call days, the cycle and the class.
    plan_form = page.locator("form[action='/routines/checkins/']")
    assert_styled(page, plan_form, rows=7, fields=2)
    assert_focus_is_visible(plan_form.get_by_label("Families of"))
    check_page(page, "checkins-controls")
    checkin.get_by_text("Concern", exact=True).click()
    expect(checkin.get_by_label("Concern")).to_be_checked()
