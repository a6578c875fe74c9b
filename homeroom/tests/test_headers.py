"""What every response tells the browser: a Content-Security-Policy that runs only our own
files, no caching of signed-in pages, and sessions that fit shared school computers."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from homeroom.testing.personas import PASSWORD
from homeroom.transports import outbound

ROOT = Path(__file__).resolve().parents[2]
LOGIN = reverse("account_login")
TWELVE_HOURS = 12 * 60 * 60
FOURTEEN_DAYS = 14 * 24 * 60 * 60


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


# ---- sessions ----------------------------------------------------------------------------


def test_the_sign_in_page_offers_remember_me(client, db):
    page = client.get(LOGIN).content.decode()
    assert re.search(r'<input type="checkbox" name="remember" id="id_remember">', page)
    assert '<label for="id_remember">' in page


def test_staff_who_are_not_remembered_are_signed_out_when_the_browser_closes(client, world):
    response = client.post(LOGIN, {"login": world.rivera.user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == TWELVE_HOURS
    assert not client.cookies["sessionid"]["max-age"]


@pytest.mark.parametrize("who", ["rivera", "principal"])
def test_remembered_staff_still_sign_in_again_after_a_working_day(client, world, who, settings):
    from homeroom.testing.personas import give_totp

    user = getattr(world, who).user
    give_totp(user)
    client.post(LOGIN, {"login": user.email, "password": PASSWORD, "remember": "on"})
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == TWELVE_HOURS


def test_families_signed_in_by_code_stay_signed_in_longer(client, world):
    client.post(reverse("account_request_login_code"), {"phone": "(612) 555-0111"})
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", outbound.outbox[0].body).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.rosa.user.pk
    assert client.session.get_expiry_age() == FOURTEEN_DAYS
    assert int(client.cookies["sessionid"]["max-age"]) == FOURTEEN_DAYS


def test_the_https_redirect_spares_the_health_check(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    redirected = client.get("/")
    assert redirected.status_code == 301 and redirected["Location"].startswith("https://")
