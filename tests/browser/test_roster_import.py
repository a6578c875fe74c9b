"""A school admin uploads the SIS export and sees what changed — or what to fix."""

import re

from playwright.sync_api import expect

from homeroom.people.models import Student
from homeroom.testing.oneroster_factory import find, story_bundle, zip_bytes
from homeroom.testing.personas import build_world, give_totp

from .conftest import check_page


def signed_in_admin(page, world):
    give_totp(world.district_admin.user)
    page.context.add_cookies([])  # fresh context per test
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(world.district_admin.user.email)
    page.locator("input[name=password]").fill("correct-horse-battery-staple")
    page.locator("input[name=password]").press("Enter")
    # Admins with TOTP are asked for a code from their authenticator app.
    from tests.browser.test_staff_signin import current_totp

    secret = world.district_admin.user.authenticator_set.get().wrap().instance.data["secret"]
    page.locator("input[name=code]").fill(current_totp(secret))
    page.locator("input[name=code]").press("Enter")
    expect(page.get_by_role("heading", name="Schools", exact=True)).to_be_visible()


def upload(page, tmp_path, payload: bytes, name="oneroster.zip"):
    bundle = tmp_path / name
    bundle.write_bytes(payload)
    page.get_by_role("link", name="Import a roster").click()
    check_page(page, "roster-upload")
    page.locator("input[type=file]").set_input_files(str(bundle))
    page.get_by_role("button", name="Upload and import").click()


def test_admin_imports_a_roster_and_sees_the_outcome(page, transactional_db, tmp_path):
    world = build_world()
    before = Student.objects.count()
    signed_in_admin(page, world)
    upload(page, tmp_path, zip_bytes(story_bundle(), bom=True, crlf=True))
    expect(page.get_by_role("heading", name=re.compile("Roster import"))).to_be_visible()
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    check_page(page, "roster-import-done")
    assert Student.objects.count() > before


def test_a_bad_bundle_names_every_problem_and_changes_nothing(page, transactional_db, tmp_path):
    world = build_world()
    bundle = story_bundle()
    find(bundle["users.csv"], next(iter(r["sourcedId"] for r in bundle["users.csv"])))["role"] = (
        "wizard"
    )
    before = Student.objects.count()
    signed_in_admin(page, world)
    upload(page, tmp_path, zip_bytes(bundle))
    expect(page.get_by_role("heading", name=re.compile("stopped the import"))).to_be_visible()
    expect(page.get_by_text("users.csv").first).to_be_visible()
    check_page(page, "roster-import-rejected")
    assert Student.objects.count() == before
