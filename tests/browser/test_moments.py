"""Recognition in the browser: a teacher records for a whole class on a phone; a
Spanish-reading mother reads it in Spanish and answers."""

import re

from playwright.sync_api import expect

from homeroom.behavior import recording
from homeroom.behavior.models import FamilyResponse, Moment
from homeroom.testing.personas import build_world, give_totp

from .conftest import check_page
from .journeys import code_from_last_text, current_totp, sign_in_with_password


def test_teacher_records_good_news_for_a_whole_section(page, transactional_db):
    world = build_world()
    recording.ensure_default_categories(world.north)
    off_task = next(c for c in recording.active_categories(world.north) if c.name == "Off task")
    recording.record_moments(world.rivera, [world.cal], off_task, "No pencil again.")
    sign_in_with_password(page, world.rivera.user.email)
    expect(page.get_by_role("heading", name="My classes")).to_be_visible()
    check_page(page, "moments-teacher-home")
    page.goto(f"/students/{world.ana.pk}/")
    page.get_by_role("link", name="Record a moment").click()
    expect(page.get_by_role("heading", name="Moments — Ana Lopez")).to_be_visible()
    check_page(page, "moments-student")
    page.goto(f"/moments/sections/{world.math.pk}/")
    expect(page.get_by_role("heading", name=re.compile("Record a moment"))).to_be_visible()
    check_page(page, "moments-section")
    page.get_by_label("Select all").check()
    page.locator("label.tile", has_text="Kindness").click()
    page.get_by_label("Note (optional)").fill("Everyone helped set up the fair.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Recorded for 2 students")).to_be_visible()
    check_page(page, "moments-section-recorded")
    assert Moment.objects.filter(recorded_by=world.rivera, positive=True).count() == 2
    assert Moment.objects.filter(recorded_by=world.rivera, positive=False).count() == 1
    assert not page.locator("input[name=students]:checked").count()  # ready for the next one

    page.goto("/moments/ratios/")
    expect(page.get_by_role("heading", name="Ratios and nudges")).to_be_visible()
    check_page(page, "moments-ratios")


def test_rosa_reads_good_news_in_spanish_and_answers(page, transactional_db):
    world = build_world()
    recording.ensure_default_categories(world.north)
    category = recording.active_categories(world.north)[0]  # Helping others
    recording.record_moments(
        world.rivera, [world.ana], category, "Ana helped a classmate with fractions."
    )
    page.goto("/accounts/login/")
    page.locator("#family-phone").fill(str(world.rosa.phone))
    page.locator("#family-phone").press("Enter")
    page.locator("input[name=code]").fill(code_from_last_text(str(world.rosa.phone)))
    page.locator("input[name=code]").press("Enter")
    expect(page.get_by_role("heading", name="Hola, Rosa")).to_be_visible()
    check_page(page, "moments-family-home-es")

    page.goto(f"/moments/children/{world.ana.pk}/")
    expect(page.get_by_role("heading", name="Noticias sobre Ana Lopez")).to_be_visible()
    moment = page.locator("li.moment").first
    expect(moment.get_by_text("Buenas noticias")).to_be_visible()
    expect(moment.locator("p.note")).not_to_contain_text("helped a classmate")
    expect(moment.locator("p.note")).to_contain_text("Ana")  # the name survives translation
    expect(moment.get_by_text("Traducción automática — ver el original")).to_be_visible()
    check_page(page, "moments-family-feed-es")

    moment.get_by_role("button", name="Lo hablamos en casa").click()
    expect(moment.get_by_text("Lo hablaron en casa.")).to_be_visible()
    check_page(page, "moments-family-answered-es")
    assert FamilyResponse.objects.get().kind == "talked_at_home"


def test_leader_sees_insights_with_charts_and_tables(page, transactional_db):
    world = build_world()
    recording.ensure_default_categories(world.north)
    categories = recording.active_categories(world.north)
    recording.record_moments(world.rivera, [world.ana, world.cal], categories[0], "Teamwork")
    recording.record_moments(world.chen, [world.ben], categories[-1])
    give_totp(world.principal.user)
    sign_in_with_password(page, world.principal.user.email)
    page.locator("input[name=code]").fill(current_totp("JBSWY3DPEHPK3PXP"))
    page.locator("input[name=code]").press("Enter")
    expect(page.get_by_role("heading", name="Schools", exact=True)).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", name="Recognition insights")).to_be_visible()
    # Chart.js drew on both canvases (a drawn chart sets its own size attributes).
    page.wait_for_function("Chart.getChart('chart-weeks') && Chart.getChart('chart-categories')")
    expect(page.get_by_role("row", name=re.compile("Helping others"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Maria Rivera"))).to_be_visible()
    check_page(page, "moments-insights")

    # Week by week, by the language each family reads: one series per language.
    page.get_by_label("Break down by").select_option(label="Family language")
    page.get_by_role("form", name="Break down the weekly chart").get_by_role(
        "button", name="Show"
    ).click()
    expect(page.get_by_label("Break down by")).to_have_value("language")
    page.wait_for_function("Chart.getChart('chart-weeks')")
    series = page.evaluate("Chart.getChart('chart-weeks').data.datasets.map(d => d.label)")
    assert sorted(series) == ["Somali", "Spanish", "Vietnamese"]
    weeks = page.locator("#time-heading ~ details")
    weeks.locator("summary").click()
    expect(weeks.get_by_role("columnheader", name="Vietnamese")).to_be_visible()
    check_page(page, "moments-insights-by-language")
