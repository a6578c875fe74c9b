"""A NUL byte in anything a person sends is refused with a clear answer, never a server error.

PostgreSQL cannot store or compare text with a NUL in it, so a value that reaches a query
unchecked answers 500 there. For each persona the test visits every page of the URL conf they
can reach (and the pages those link to), submits every form on them with a NUL in one field at
a time, and asks every page again with a NUL in `q=`, `page=` and each field of its search
forms. Nothing may answer 5xx, and a refused post may change nothing.
"""

from collections import deque
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from homeroom.behavior import services as behavior
from homeroom.behavior.models import Category
from homeroom.messaging import services as messaging
from homeroom.messaging.models import ConversationAccess
from homeroom.people.models import RosterImport
from homeroom.routines import checkins, common, stories, visits, weekly
from homeroom.translation import interpreters

COUNTING = "homeroom.translation.tests.fakes.CountingProvider"
NUL = "\x00"
MAX_PAGES = 80  # per persona; the crawl follows links beyond the URL conf's own pages
# Not pages of the app: sign-in flows, the Django admin, language switch, webhooks, files.
SKIPPED = ("/accounts/", "/django-admin/", "/i18n/", "/webhooks/", "/messages/media/", "/healthz")
TEXT_INPUTS = {
    "",
    "text",
    "search",
    "email",
    "tel",
    "url",
    "number",
    "hidden",
    "date",
    "time",
    "datetime-local",
}


@pytest.fixture(autouse=True)
def _translation(settings):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"*": [COUNTING]}


# ---- reading forms ------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every form on a page (its action, method and fields) and every same-site link."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None
        self._textarea: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {key: (value or "") for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            method = "post" if a.get("hx-post") or a.get("method", "").lower() == "post" else "get"
            action = a.get("hx-post") or a.get("hx-get") or a.get("action", "")
            self._form = {"method": method, "action": action, "fields": [], "buttons": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append({"name": name, "value": a.get("value", "on")})
                elif kind == "radio" and not any(f["name"] == name for f in self._form["fields"]):
                    self._form["fields"].append({"name": name, "value": a.get("value", "")})
            elif kind == "submit":
                self._form["buttons"].append((name, a.get("value", "")))
            elif kind in TEXT_INPUTS and name != "csrfmiddlewaretoken":
                self._form["fields"].append({"name": name, "value": a.get("value", ""), "text": 1})
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "value": "", "text": 1}
            self._form["fields"].append(self._textarea)
        elif tag == "select" and name:
            self._select = {"name": name, "value": None}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select["value"] is None or "selected" in a:
                self._select["value"] = a.get("value", "")
        elif tag == "button" and name:
            self._form["buttons"].append((name, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def _parse(html: str) -> _Forms:
    page = _Forms()
    page.feed(html)
    return page


# ---- the world the pages show -------------------------------------------------------------


def _populate(world):
    """Something on every page: moments, conversations, a weekly update, a plan, a visit, a
    story, an interpreter's request and a roster import."""
    behavior.ensure_default_categories(world.north)
    good = Category.objects.filter(
        school=world.north, kind="positive", visible_to_families=True, is_active=True
    ).first()
    needs_work = Category.objects.filter(school=world.north, kind="needs_work").first()
    behavior.record_moments(world.rivera, [world.ana, world.cal], good, "Helped a classmate")
    behavior.record_moments(world.rivera, [world.ana], needs_work, "Forgot homework")
    conversation = messaging.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Ana read aloud today."
    )
    messaging.send_message(conversation, text="Gracias, maestra.", by_guardian=world.rosa)
    untranslated = messaging.start_conversation(
        student=world.ben, by_staff=world.chen, text="Ben asked good questions."
    )
    interpreters.ask_interpreter(untranslated.messages.first(), ["so"], by_staff=world.chen)
    today = common.local_today(world.north)
    update = weekly.weekly_update_for(world.math, world.rivera, common.week_start_of(today))
    weekly.save_sentence(update, world.ana, "Ana solved every fraction problem this week.")
    checkins.create_plan(world.rivera, cycle_days=14, call_days=list(range(7)), section=world.math)
    visits.propose_home_visit(
        world.rivera, world.ana, world.rosa, [timezone.now() + timedelta(days=3)]
    )
    stories.save_story(world.ana, world.rosa, "Ana loves drawing horses.")
    RosterImport.objects.create(
        district=world.district, started_by=world.district_admin, file_name="roster.zip"
    )
    return conversation


def _ids(world, conversation) -> dict:
    """Arguments for each named URL: ids the persona may or may not reach (a 404 is fine)."""
    from homeroom.routines.models import HomeVisit
    from homeroom.translation.models import InterpreterRequest

    message = conversation.messages.order_by("pk").first()
    request = InterpreterRequest.objects.first()
    moment = world.ana.moments.order_by("pk").first()
    visit = HomeVisit.objects.first()
    roster_import = RosterImport.objects.first()
    return {
        "behavior:section_record": [world.math.pk],
        "behavior:student_moments": [world.ana.pk],
        "behavior:correct": [moment.pk],
        "behavior:review": [moment.pk],
        "behavior:child_feed": [world.ana.pk],
        "behavior:respond": [world.ana.pk, moment.pk],
        "student_detail": [world.ana.pk],
        "section_detail": [world.math.pk],
        "guardian_detail": [world.rosa.pk],
        "school_detail": [world.north.pk],
        "invite_section": [world.math.pk],
        "invite_school": [world.north.pk],
        "invite_guardian": [world.pat.pk],
        "join_accept": ["not-a-token"],
        "import_detail": [roster_import.pk],
        "routines:weekly": [world.math.pk],
        "routines:save_sentence": [world.math.pk, world.ana.pk],
        "routines:preview": [world.math.pk],
        "routines:send": [world.math.pk],
        "routines:reminder": [world.math.pk],
        "routines:coverage": [world.math.pk],
        "routines:checkin_log": [world.ana.pk],
        "routines:timeline": [world.ana.pk],
        "routines:story": [world.ana.pk],
        "routines:visits": [world.ana.pk],
        "routines:visit": [visit.pk],
        "routines:visit_notes": [visit.pk],
        "routines:invite_stories": [world.math.pk],
        "interpreter_resolve": [request.pk],
        "correct_translation": [message.pk, "es"],
        "flag_confusing": [message.pk],
        "conversation": [conversation.pk],
        "conversation_detail": [conversation.pk],
    }


def _named_urls(resolver=None, namespace="", prefix=""):
    """(name, has arguments) of every named URL of the app's own URL conf."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if any(route.startswith(skip.lstrip("/")) for skip in SKIPPED):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_urls(entry, inner, route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", bool(entry.pattern.converters)


def _start_urls(world, conversation) -> list[str]:
    ids = _ids(world, conversation)
    urls = []
    for name, has_args in _named_urls():
        if has_args:
            assert name in ids, f"{name}: give it arguments in _ids()"
            urls.append(reverse(name, args=ids[name]))
        else:
            urls.append(reverse(name))
    return urls


# ---- what a refused post may not change ---------------------------------------------------


def _snapshot():
    """Every row of the app's tables; sign-in and reading records aside."""
    state = {}
    for model in apps.get_models():
        if not model.__module__.startswith("homeroom.") or model in (ConversationAccess,):
            continue
        state[model._meta.label] = list(model.objects.order_by("pk").values_list())
    state["people.User"] = [row[0] for row in state["people.User"]]  # last_login moves
    return state


def _changed(before, after) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if any(parts.path.startswith(skip) for skip in SKIPPED):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _with_nul(value: str) -> str:
    return f"{value}{NUL}" if value else f"a{NUL}b"


def _ask(send, *args):
    """One request in a savepoint: a query PostgreSQL refused must not end the test's
    transaction with it."""
    savepoint = transaction.savepoint()
    response = send(*args)
    if response.status_code >= 500:
        transaction.set_rollback(False)  # the view's own atomic block marked it
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return response


def _crawl(client, start_urls) -> list[str]:
    """Every problem found, as "METHOD url field: what happened"."""
    problems = []
    queue = deque(start_urls)
    seen_pages, seen_forms = set(), set()
    while queue and len(seen_pages) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        if path in seen_pages:
            continue
        seen_pages.add(path)
        response = _ask(client.get, url)
        if response.status_code >= 500:
            problems.append(f"GET {url}: {response.status_code}")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _parse(response.content.decode())
        for link in page.links:
            local = _local(urljoin(url, link))
            if local and urlsplit(local).path not in seen_pages:
                queue.append(local)
        for field in ("q", "page", "before", "student", "kind", "period", "school", "by"):
            asked = _ask(client.get, path, {field: _with_nul("")})
            if asked.status_code >= 500:
                problems.append(f"GET {path}?{field}=%00: {asked.status_code}")
        for form in page.forms:
            action = _local(urljoin(url, form["action"] or url))
            if action is None:
                continue
            key = (form["method"], urlsplit(action).path, tuple(f["name"] for f in form["fields"]))
            if key in seen_forms:
                continue
            seen_forms.add(key)
            problems += _submit(client, form, action)
    return problems


def _submit(client, form, action) -> list[str]:
    problems = []
    data = {}
    for field in form["fields"]:
        data.setdefault(field["name"], []).append(field["value"] or "")
    if form["buttons"]:
        name, value = form["buttons"][0]
        data.setdefault(name, [value])
    names = list(dict.fromkeys(f["name"] for f in form["fields"] if f.get("text")))
    names += [name for name, _value in form["buttons"] if name not in names]
    for name in names:
        sent = {key: list(values) for key, values in data.items()}
        sent[name] = [_with_nul(value) for value in sent.get(name, [""])]
        if form["method"] == "get":
            response = _ask(client.get, urlsplit(action).path + "?" + urlencode(sent, doseq=True))
            if response.status_code >= 500:
                problems.append(f"GET {action} {name}: {response.status_code}")
            continue
        before = _snapshot()
        response = _ask(client.post, action, sent)
        changed = _changed(before, _snapshot())
        if response.status_code >= 500:
            problems.append(f"POST {action} {name}: {response.status_code}")
        elif changed:
            problems.append(f"POST {action} {name}: {response.status_code}, wrote {changed}")
    return problems


@pytest.mark.parametrize(
    "persona", ["rivera", "principal", "district_admin", "interpreter", "rosa"]
)
def test_a_nul_byte_anywhere_is_refused_and_changes_nothing(world, login, persona):
    conversation = _populate(world)
    client = login(getattr(world, persona))
    client.raise_request_exception = False  # a crash is one more problem to list
    problems = _crawl(client, _start_urls(world, conversation))
    assert problems == [], "\n".join(problems)
