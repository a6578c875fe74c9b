"""Browser tests: Playwright driving Debian's Chromium against the live server.

Every journey runs at a phone width (360 px) and a desktop width (1280 px), saves a
screenshot of each page it reaches under test-artifacts/screenshots/, and checks the page
with axe: no serious or critical violation is allowed.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("HOMEROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make test`, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(browser, viewport, live_server):
    context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=live_server.url)
    context.set_default_timeout(10_000)
    # Every page is served under the Content-Security-Policy: anything it blocks on our own
    # pages (an inline script or style, an outside file) fails the test.
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text)
            if message.text.startswith(CSP_VIOLATION)
            else None
        ),
    )
    page.viewport_name = viewport
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not page.csp_violations, f"Content-Security-Policy violations: {page.csp_violations}"


CSP_VIOLATION = "Content-Security-Policy violation:"
REPORT_CSP_VIOLATIONS = f"""
document.addEventListener("securitypolicyviolation", function (event) {{
  console.error("{CSP_VIOLATION} " + event.effectiveDirective + " blocked "
    + (event.blockedURI || "inline") + " on " + event.documentURI
    + " (" + event.sourceFile + ":" + event.lineNumber + ")");
}});
"""


_axe = Axe()

# The words of table cells laid out on more than one line. Hyphens, slashes and dashes are
# places a word may wrap, so the parts between them are the words checked.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll("td, th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s\\-\u2010-\u2015\\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
          .map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def check_page(page, name: str):
    """Save a screenshot of the page and fail on serious or critical accessibility issues."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    page.screenshot(path=str(SCREENSHOTS / f"{slug}-{page.viewport_name}.png"), full_page=True)
    results = _axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not bad, f"Accessibility violations on {name}:\n" + "\n".join(bad)
    # Nothing may overflow a phone screen sideways.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at {page.viewport_name}"
    # No word is broken inside a table cell ("Join ed"): a wide table scrolls in its box.
    broken = page.evaluate(BROKEN_WORDS)
    assert not broken, f"{name} breaks words inside table cells: {broken[:5]}"


def loaded_picture(img) -> dict:
    """Wait until a picture has arrived (lazy pictures load once scrolled to), then measure it:
    its natural width and the width it is shown at."""
    img.scroll_into_view_if_needed()
    img.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=img.element_handle(), timeout=10_000
    )
    return img.evaluate(
        "img => ({natural: img.naturalWidth, shown: img.getBoundingClientRect().width})"
    )
