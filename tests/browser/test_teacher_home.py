"""A teacher's home lists her classes with their sizes; opening one loads its students and
their families in place, without leaving the page. Then her account page."""

from playwright.sync_api import expect

from homeroom.testing.personas import build_world

from .conftest import check_page
from .journeys import sign_in_with_password


def test_teacher_opens_a_class_on_her_home_and_sees_its_families(page, transactional_db):
    world = build_world()
    sign_in_with_password(page, world.rivera.user.email)
    expect(page.get_by_role("heading", name="My classes")).to_be_visible()
    math = page.locator("section.card", has=page.get_by_role("heading", name="Math 6"))
    expect(math.get_by_text("2 students")).to_be_visible()
    # Nothing of the roster is on the page before the class is opened.
    expect(page.get_by_role("link", name="Rosa Lopez")).to_have_count(0)
    check_page(page, "teacher-home-closed")
    home = page.url

    with page.expect_request(f"**/home/sections/{world.math.pk}/roster/") as fetched:
        math.locator("summary").click()
    assert fetched.value.headers.get("hx-request") == "true"
    expect(math.get_by_role("link", name="Rosa Lopez")).to_be_visible()
    expect(math.get_by_role("link", name="Ana Lopez")).to_be_visible()
    expect(math.get_by_text("Messages arrive translated")).to_be_visible()
    # Ray may not be contacted (court order): never listed to a teacher.
    expect(page.get_by_text("Ray Nguyen")).to_have_count(0)
    # Art 6 was not opened: its families were not fetched.
    art = page.locator("section.card", has=page.get_by_role("heading", name="Art 6"))
    expect(art.get_by_role("link", name="Cal Nguyen")).to_have_count(0)
    assert page.url == home  # loaded in place
    check_page(page, "teacher-home-section-open")

    # Closing and opening again does not fetch it twice.
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    summary = math.locator("summary")
    summary.click()
    summary.click()
    expect(math.get_by_role("link", name="Rosa Lopez")).to_be_visible()
    assert not [url for url in requests if "/roster/" in url]


def test_a_teacher_finds_her_account_from_her_settings(page, transactional_db):
    world = build_world()
    sign_in_with_password(page, world.rivera.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My settings").click()
    page.get_by_role("link", name="My account: how you sign in").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.get_by_text(world.rivera.user.email)).to_be_visible()
    expect(page.get_by_role("link", name="Change your password")).to_be_visible()
    check_page(page, "my-account")
