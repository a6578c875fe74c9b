"""What several journeys do on the way: sign in (by password, by a texted code, with a TOTP),
sign out, read the code a text carried, and make a real photo."""

import re
import struct
import time
import zlib
from datetime import time as clock

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from playwright.sync_api import expect

from homeroom.people.models import Guardian
from homeroom.testing.personas import PASSWORD
from homeroom.transports import outbound

from .conftest import check_page


def sign_in_with_password(page, email):
    page.goto("/accounts/login/")
    check_page(page, "sign-in")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")


def current_totp(secret: str) -> str:
    """The code an authenticator app shows now. A code read in the last seconds of its window
    would expire before the browser submits it, so wait for the next window, as a person would."""
    period = getattr(settings, "MFA_TOTP_PERIOD", 30)
    left = period - time.time() % period
    if left < 5:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def code_from_last_text(phone: str) -> str:
    texts = [m for m in outbound.outbox if m.channel == "sms" and m.to == phone]
    assert len(texts) == 1, texts
    return re.search(r"\b([A-Z0-9]{4}-?[A-Z0-9]{4})\b", texts[0].body).group(1)


def without_quiet_hours(world):
    """Deliveries go out at once whatever the hour the suite runs at (quiet hours are tested
    where they are the point)."""
    Guardian.objects.filter(district=world.district).update(
        quiet_start=clock(0, 0), quiet_end=clock(0, 0)
    )


def sign_out(page):
    page.locator("form[action='/accounts/logout/'] button").click()
    expect(page.locator("form[action='/accounts/logout/']")).to_have_count(0)


def sign_in_by_code(page, phone_as_typed: str, phone: str):
    page.goto("/accounts/login/")
    page.locator("#family-phone").fill(phone_as_typed)
    page.locator("#family-phone").press("Enter")
    page.locator("input[name=code]").fill(code_from_last_text(phone))
    page.locator("input[name=code]").press("Enter")


def png(width: int, height: int) -> bytes:
    """A real PNG picture (a sky-to-grass gradient), as a phone camera would send one."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(
        b"\0" + bytes((90, 150, 220) if y < height * 0.6 else (70, 150, 60)) * width
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
