"""A teacher and an admin sign in and reach their home pages."""

import re

from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from homeroom.testing.personas import build_world

from .conftest import check_page
from .journeys import current_totp, sign_in_with_password


def test_teacher_signs_in_and_sees_her_classes(page, transactional_db):
    world = build_world()
    sign_in_with_password(page, world.rivera.user.email)
    expect(page.get_by_role("heading", name="My classes")).to_be_visible()
    expect(page.get_by_role("heading", name="Math 6")).to_be_visible()
    page.get_by_text("Students and families").first.click()
    expect(page.get_by_role("link", name="Rosa Lopez")).to_be_visible()
    # Ray may not be contacted (court order): he is never listed to a teacher.
    expect(page.get_by_text("Ray Nguyen")).to_have_count(0)
    check_page(page, "teacher-home")


def test_admin_sets_up_totp_then_sees_schools(page, transactional_db):
    world = build_world()
    sign_in_with_password(page, world.principal.user.email)
    # An admin without an authenticator can do nothing before setting one up; the password
    # typed a moment ago counts, so it is not asked for again.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    check_page(page, "admin-totp-setup")
    assert not Authenticator.objects.filter(user=world.principal.user).exists()

    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(current_totp(secret))
    page.locator("input[name=code]").press("Enter")
    assert Authenticator.objects.filter(
        user=world.principal.user, type=Authenticator.Type.TOTP
    ).exists()

    page.goto("/")
    expect(page.get_by_role("heading", name="Schools", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="North Elementary")).to_be_visible()
    expect(page.get_by_text("South High")).to_have_count(0)  # not her school
    check_page(page, "admin-home")
