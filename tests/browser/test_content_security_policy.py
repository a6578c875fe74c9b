"""The Content-Security-Policy is enforced in a real browser, and the browser tests notice."""

from playwright.sync_api import expect

from homeroom.testing.personas import build_world

from .conftest import check_page
from .journeys import sign_in_with_password


def test_an_injected_inline_script_does_not_run_and_is_reported(page, transactional_db):
    world = build_world()
    sign_in_with_password(page, world.rivera.user.email)
    expect(page.get_by_role("heading", name="My classes")).to_be_visible()
    check_page(page, "csp-teacher-home")
    ran = page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.head.append(script);
          const link = document.createElement("a");
          link.setAttribute("onclick", "window.injected = true");
          document.body.append(link);
          link.click();
          return window.injected === true;
        }"""
    )
    assert ran is False
    page.wait_for_function("() => true")  # let the violation events reach the console
    expect(page.get_by_role("heading", name="My classes")).to_be_visible()
    reported = list(page.csp_violations)
    page.csp_violations.clear()  # expected here; any other violation fails the test
    assert any("script-src-elem blocked inline" in v for v in reported), reported
    assert any("script-src-attr blocked inline" in v for v in reported), reported
