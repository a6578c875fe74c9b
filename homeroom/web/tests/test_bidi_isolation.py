"""A person's name or words cannot reorder the page around them: right-to-left override
characters typed into a name or a message render inside bidi isolation (<bdi> or dir="auto"),
and attributes read aloud (aria-label, title) carry none of them."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from homeroom.behavior import recording as behavior
from homeroom.behavior.models import Category
from homeroom.messaging import services as messaging
from homeroom.people.models import Guardian, Student

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what follows it displays backwards
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@pytest.fixture(autouse=True)
def _translation(settings):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"*": ["homeroom.testing.fakes.CountingProvider"]}


class _Isolation(HTMLParser):
    """Text with a bidi control outside any isolating element, and attributes with one."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.loose: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and BIDI_CONTROLS & set(value):
                self.attributes.append(f"<{tag} {name}={value!r}>")
        if tag in VOID:
            return
        isolating = tag == "bdi" or dict(attrs).get("dir") == "auto"
        self.stack.append((tag, isolating))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if BIDI_CONTROLS & set(data) and not any(isolating for _tag, isolating in self.stack):
            where = "/".join(tag for tag, _isolating in self.stack[-3:])
            self.loose.append(f"{where}: {data.strip()!r}")


def _problems_in(html: str) -> list[str]:
    page = _Isolation()
    page.feed(html)
    return page.loose + page.attributes


def _problems(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return _problems_in(response.content.decode())


@pytest.fixture
def overridden(world):
    """Rosa, Ana and a message each carry a right-to-left override."""
    Guardian.objects.filter(pk=world.rosa.pk).update(given_name=f"Rosa{RLO}ssap")
    Student.objects.filter(pk=world.ana.pk).update(family_name=f"Lopez{RLO}gnp.exe")
    world.rosa.refresh_from_db()
    world.ana.refresh_from_db()
    conversation = messaging.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana read aloud today."
    )
    messaging.send_message(conversation, text=f"Gracias {RLO}maestra", by_guardian=world.rosa)
    behavior.ensure_default_categories(world.north)
    good = Category.objects.filter(school=world.north, kind="positive").first()
    behavior.record_moments(world.rivera, [world.ana], good, f"Shared {RLO}crayons")
    return conversation


def test_staff_pages_isolate_names_and_messages(world, login, overridden):
    client = login(world.rivera)
    pages = [
        reverse("inbox"),
        reverse("conversation", args=[overridden.pk]),
        reverse("student_list"),
        reverse("student_detail", args=[world.ana.pk]),
        reverse("section_detail", args=[world.math.pk]),
        reverse("guardian_detail", args=[world.rosa.pk]),
        reverse("behavior:student_moments", args=[world.ana.pk]),
        reverse("behavior:section_record", args=[world.math.pk]),
        reverse("home"),
    ]
    found = {page: _problems(client.get(page)) for page in pages}
    assert {page: problems for page, problems in found.items() if problems} == {}


def test_family_pages_isolate_names_and_messages(world, login, overridden):
    client = login(world.rosa)
    pages = [
        reverse("family_home"),
        reverse("inbox"),
        reverse("conversation", args=[overridden.pk]),
        reverse("behavior:child_feed", args=[world.ana.pk]),
    ]
    found = {page: _problems(client.get(page)) for page in pages}
    assert {page: problems for page, problems in found.items() if problems} == {}


def test_the_override_is_shown_as_typed_inside_isolation(world, login, overridden):
    html = login(world.rivera).get(reverse("conversation", args=[overridden.pk])).content.decode()
    assert f"Gracias {RLO}maestra" in html  # kept as typed, isolated (checked above)
    assert _problems_in(html) == []
