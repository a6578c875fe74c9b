"""What every response tells the browser: a Content-Security-Policy that runs only our own
files, and no caching of signed-in pages."""

import json
import re
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
LOGIN = reverse("account_login")


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_pages_carry_a_policy_that_runs_only_our_own_scripts(client, db):
    csp = policy(client.get(LOGIN))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in str(csp) and "'unsafe-eval'" not in str(csp)


# The policy forbids these; a page that still had one would silently lose it.
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I), "script"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= handler"),
    (re.compile(r"\shx-on[:-]", re.I), "hx-on handler (evaluated as script)"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "style element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_page_template_needs_inline_script_or_style():
    found = []
    for template in sorted(ROOT.glob("homeroom/*/templates/**/*.html")):
        if "/email/" in str(template):  # mail clients, not browsers under our policy
            continue
        text = template.read_text()
        for pattern, what in INLINE:
            found += [f"{template.relative_to(ROOT)}: {what}" for _ in pattern.findall(text)]
    assert found == []


def test_htmx_asks_for_nothing_the_policy_forbids(client, db):
    """htmx would add its own <style> element, evaluate hx-on and swapped-in scripts, and copy
    style attributes while settling a swap: all blocked by the policy, so all turned off."""
    page = client.get(LOGIN).content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert match, "no htmx-config in the page"
    config = json.loads(match.group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert "style" not in config["attributesToSettle"]


def test_signed_in_pages_are_never_stored(client, world, login):
    login(world.rivera)
    for path in ("/", reverse("student_list"), reverse("inbox")):
        response = client.get(path)
        assert response.status_code == 200
        cache_control = {p.strip() for p in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= cache_control, path
