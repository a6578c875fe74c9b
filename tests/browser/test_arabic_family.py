"""An Arabic-reading mother signs in on her phone and reads Homeroom in Arabic, right to left:
her home page, the school's invitation to a home visit (from the reviewed catalogue, not a
machine), her answer, the visit page the invitation links to, "tell us about your child",
her child's moments, and her settings."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from homeroom.routines.models import FamilyStory, VisitStatus
from homeroom.routines.visits import propose_home_visit
from homeroom.testing.personas import build_world
from homeroom.transports import outbound

from .conftest import check_page
from .journeys import sign_in_by_code, without_quiet_hours

ARABIC = re.compile(r"[\u0600-\u06FF]")


def expect_arabic_page(page):
    """The whole page is Arabic and right-to-left, and no English label is left in it."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    nav = page.get_by_role("navigation", name="الرئيسية")
    expect(nav).to_contain_text("تسجيل الخروج")  # Sign out
    for english in ("Home", "Messages", "My settings", "Sign out"):
        expect(nav.get_by_text(english, exact=True)).to_have_count(0)


def shown_left_to_right(locator, first: str, last: str) -> bool:
    """Whether `first` is drawn to the left of `last` in the element's text, as in a phone
    number, which keeps its order inside right-to-left text."""
    return locator.evaluate(
        """(element, [first, last]) => {
            const node = element.firstChild;
            const box = word => {
                const range = document.createRange();
                const at = node.data.indexOf(word);
                range.setStart(node, at);
                range.setEnd(node, at + word.length);
                return range.getBoundingClientRect().left;
            };
            return box(first) < box(last);
        }""",
        [first, last],
    )


def test_arabic_family_reads_homeroom_in_arabic_right_to_left(page, live_server, transactional_db):
    world = build_world()
    without_quiet_hours(world)
    visit = propose_home_visit(
        world.south_teacher, world.dee, world.olga, [timezone.now() + timedelta(days=3)]
    )

    # The sign-in page, in Arabic once she picks it (the language choice is remembered).
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url}]
    )
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="تسجيل الدخول إلى Homeroom")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    example = page.locator("#family-phone-help")
    assert shown_left_to_right(example, "612", "0111"), example.inner_text()
    check_page(page, "arabic-sign-in")

    # Olga signs in with the code the school texts her, and the text is in Arabic.
    sign_in_by_code(page, "(612) 555-0117", str(world.olga.phone))
    code_text = next(m for m in outbound.outbox if m.to == str(world.olga.phone))
    assert "رمز الدخول إلى Homeroom" in code_text.body

    # Home: what waits for her first (the visit), in an Arabic page laid out right to left.
    expect(page.get_by_role("heading", name="مرحبًا، Olga")).to_be_visible()
    expect(page.get_by_role("heading", name="بانتظار ردّكم")).to_be_visible()  # Waiting for you
    expect(page.locator(".stream-item.is-visit")).to_contain_text("يودّ Sam South زيارتكم في البيت")
    expect_arabic_page(page)
    check_page(page, "arabic-family-home")

    # Her child's school, one tap away: the teachers and the office.
    page.get_by_role("link", name="المعلمون ومكتب المدرسة").click()
    expect(page.get_by_role("heading", name="Dee Haddad")).to_be_visible()
    expect(page.get_by_role("heading", name="هيئة التدريس")).to_be_visible()  # Teachers
    expect_arabic_page(page)
    check_page(page, "arabic-family-school")

    # Messages: the home-visit invitation, written in Arabic from the catalogue.
    page.get_by_role("link", name=re.compile(r"^الرسائل")).click()
    expect(page.get_by_role("heading", name="الرسائل")).to_be_visible()
    expect(page.locator(".conversation-row")).to_contain_text("Dee Haddad")
    expect_arabic_page(page)
    check_page(page, "arabic-family-inbox")

    page.locator(".conversation-row a", has_text="Dee Haddad").click()
    expect(page.get_by_role("heading", name="Dee Haddad")).to_be_visible()
    text = page.locator(".message .message-text").first
    expect(text).to_have_attribute("lang", "ar")
    expect(text).to_contain_text("طلب زيارة منزلية من Sam South")
    # The link keeps its left-to-right order inside the right-to-left sentence.
    expect(text.locator("bdi[dir=ltr]")).to_have_text(re.compile(r"^http://.*/routines/visits/"))
    expect(page.get_by_text("الرسائل المتبادلة مع المدرسة جزء من سجلات المدرسة.")).to_be_visible()
    expect_arabic_page(page)
    check_page(page, "arabic-family-conversation")

    # She answers in Arabic; the confirmation is in Arabic too.
    page.get_by_label("رسالتكم").fill("شكرًا لكم، يسعدنا ذلك كثيرًا.")
    page.get_by_role("button", name="إرسال").click()
    expect(page.locator(".message.mine")).to_contain_text("يسعدنا ذلك كثيرًا")
    expect(page.get_by_text("أُرسلت رسالتكم.")).to_be_visible()
    expect(page.locator(".message.mine .channel")).to_have_text("في التطبيق")  # In the app
    check_page(page, "arabic-family-replied")

    # The invitation's link: she picks the time offered.
    link = urlsplit(text.locator("bdi[dir=ltr]").inner_text())
    assert link.path == f"/routines/visits/{visit.pk}/"
    page.goto(link.path)
    expect(page.get_by_role("heading", name="زيارة منزلية")).to_be_visible()  # A home visit
    expect_arabic_page(page)
    check_page(page, "arabic-family-visit")
    page.get_by_role("group", name="اختاروا موعدًا").get_by_role("radio").first.check()
    page.get_by_role("button", name="إرسال").click()
    expect(page.get_by_text("شكرًا لكم. تم حفظ إجابتكم.")).to_be_visible()
    expect(page.get_by_text("تم تأكيد الزيارة")).to_be_visible()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CONFIRMED
    check_page(page, "arabic-family-visit-confirmed")

    # "Tell us about your child", in her own words.
    page.goto(f"/routines/story/{world.dee.pk}/")
    expect(page.get_by_role("heading", name="حدّثونا عن Dee")).to_be_visible()
    expect_arabic_page(page)
    check_page(page, "arabic-family-story")
    page.get_by_label("عن Dee").fill("تحب دي الرسم والقراءة، وتتعلم أفضل عندما ترى الأمثلة.")
    page.get_by_role("button", name="حفظ").click()
    expect(page.get_by_text("شكرًا لكم. تم حفظ قصتكم")).to_be_visible()
    assert FamilyStory.objects.get(student=world.dee).text.startswith("تحب دي الرسم")
    check_page(page, "arabic-family-story-saved")

    # Her child's moments: none yet, said in Arabic.
    page.goto(f"/moments/children/{world.dee.pk}/")
    expect(page.get_by_role("heading", name="أخبار عن Dee")).to_be_visible()
    expect(page.get_by_text("لم يُسجَّل شيء بعد.")).to_be_visible()
    expect_arabic_page(page)
    check_page(page, "arabic-family-moments")

    # Settings: every label of the form in Arabic.
    page.get_by_role("link", name="إعداداتي").click()
    expect(page.get_by_role("heading", name="طريقة تواصل المدرسة معكم")).to_be_visible()
    expect(page.get_by_label("لغة الرسائل")).to_be_visible()
    expect(page.get_by_text("بداية ساعات الهدوء")).to_be_visible()
    expect(page.locator("dd bdi[dir=ltr]")).to_have_text("(612) 555-0117")  # not "555-0117 (612)"
    expect_arabic_page(page)
    body = page.locator("main").inner_text()
    assert len(ARABIC.findall(body)) > 100, body
    check_page(page, "arabic-family-settings")
