"""A court order, tried on every channel and every page type at once.

Ray is Cal's father; a court order bars him from contact and from Cal's records. Before the
order the school talked with him like any parent: a private thread about Cal, a logged call.
After it, whatever the school does about Cal — a message, a moment, the weekly update, a
digest, an announcement, a story invitation — Ray receives nothing; whatever Ray does — open
a page, text a keyword or a question, answer an old email — tells him nothing of Cal or of
Cal's school; and staff who do not keep the records no longer see Ray beside Cal. Staff of
another school see none of it either.

Cal and Ray carry names only this test uses, so any page or text that shows them is caught.
"""

from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from homeroom.behavior import notices
from homeroom.behavior import recording as behavior
from homeroom.behavior.models import Category
from homeroom.messaging import services as messaging
from homeroom.messaging.audiences import Audience
from homeroom.messaging.inbound.email import receive_email
from homeroom.messaging.models import Delivery, Message, Participant
from homeroom.people.models import Guardian, Guardianship, Student
from homeroom.routines import checkins, common, stories, weekly
from homeroom.transports import outbound

CHILD = "Quillonia"  # Cal, renamed
FATHER = "Raymontague"  # Ray, renamed
SCHOOL_WORDS = ("North Elementary", "555-0100", "5550100", "north@example.org")
TOKEN = "court-order-test-token-0123456789"
PUBLIC = "https://homeroom.example"
REPLY_DOMAIN = "reply.homeroom.example"


@pytest.fixture(autouse=True)
def _channels(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.REPLY_DOMAIN = REPLY_DOMAIN
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"en:es": ["apertium"], "es:en": ["apertium"], "*": []}


@pytest.fixture
def ordered(world):
    """The world after the order, with what the school had with Ray before it."""
    Student.objects.filter(pk=world.cal.pk).update(given_name=CHILD)
    Guardian.objects.filter(pk=world.ray.pk).update(given_name=FATHER)
    world.cal.refresh_from_db()
    world.ray.refresh_from_db()
    link = Guardianship.objects.filter(guardian=world.ray, student=world.cal)
    link.update(may_contact=True, may_see_records=True)

    thread = messaging.start_conversation(
        student=world.cal, by_staff=world.rivera, text=f"{CHILD} painted a heron in art today."
    )
    assert Participant.objects.filter(conversation=thread, guardian=world.ray).exists()
    checkins.log_contact(
        world.rivera,
        world.cal,
        kind="call",
        guardian=world.ray,
        note=f"Called {FATHER} about the art show.",
    )

    link.update(may_contact=False, may_see_records=False)
    outbound.outbox.clear()
    world.thread = thread
    world.deliveries_before = set(
        Delivery.objects.filter(guardian=world.ray).values_list("pk", flat=True)
    )
    return world


def _ray_heard_nothing_new(world):
    new = Delivery.objects.filter(guardian=world.ray).exclude(pk__in=world.deliveries_before)
    assert not new.exists(), list(new.values("message__body", "channel"))
    ray_addresses = {str(world.ray.phone), world.ray.email}
    assert not [o for o in outbound.outbox if o.to in ray_addresses]


def _tells_nothing(text: str):
    assert CHILD not in text
    for words in SCHOOL_WORDS:
        assert words not in text


# -- what the school does reaches Ray nowhere -------------------------------------------------


def test_nothing_the_school_does_about_the_child_reaches_the_barred_father(ordered):
    world = ordered
    messaging.send_message(world.thread, text="She finished the heron.", by_staff=world.rivera)
    messaging.start_conversation(
        student=world.cal, by_staff=world.rivera, text="A new thread about the painting."
    )
    behavior.ensure_default_categories(world.north)
    category = Category.objects.filter(school=world.north, kind="positive").first()
    behavior.record_moments(world.rivera, [world.cal], category, note="Helped a classmate.")
    notices.send_moment_digests(now=timezone.now() + timedelta(days=2))
    update = weekly.weekly_update_for(world.math, world.rivera, common.local_today())
    weekly.save_sentence(update, world.cal, f"{CHILD} explained fractions to the class.")
    weekly.send_weekly_update(update, world.rivera)
    messaging.send_announcement(
        by_staff=world.rivera,
        audience=Audience(kind="section", section_id=world.math.pk),
        text="Picture day is Friday.",
    )
    stories.invite_family_stories(world.math, world.rivera)
    checkins.create_plan(world.rivera, section=world.math, cycle_days=14, call_days=[0])

    _ray_heard_nothing_new(world)


# -- what Ray opens shows him nothing ---------------------------------------------------------


def test_the_barred_fathers_pages_show_nothing_of_the_child(ordered, login):
    world = ordered
    client = login(world.ray)

    for name in ("home", "family_home", "inbox"):
        page = client.get(reverse(name), follow=True)
        assert page.status_code == 200, name
        _tells_nothing(page.content.decode())

    by_id = [
        reverse("conversation", args=[world.thread.pk]),
        reverse("behavior:child_feed", args=[world.cal.pk]),
        reverse("routines:story", args=[world.cal.pk]),
        reverse("student_detail", args=[world.cal.pk]),
        reverse("routines:timeline", args=[world.cal.pk]),
        reverse("routines:visits", args=[world.cal.pk]),
        reverse("section_detail", args=[world.math.pk]),
        reverse("school_detail", args=[world.north.pk]),
    ]
    for url in by_id:
        assert client.get(url).status_code == 404, url
    posted = client.post(
        reverse("conversation", args=[world.thread.pk]), {"text": "Is she all right?"}
    )
    assert posted.status_code == 404
    assert not Message.objects.filter(author_guardian=world.ray).exists()


def test_a_code_sent_to_the_barred_father_names_no_school(ordered, client):
    world = ordered
    client.post(reverse("account_request_login_code"), {"phone": str(world.ray.phone)})

    texts = [o for o in outbound.outbox if o.to == str(world.ray.phone)]
    assert texts, "the father may still sign in; he gets his code"
    for text in texts:
        _tells_nothing(text.body)


# -- what Ray texts or emails tells him nothing and files nothing ----------------------------


def _text(client, phone: str, body: str, n: int):
    fields = {
        "MessageSid": f"SM{n:032d}",
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": "+16125550100",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
    }
    path = reverse("twilio_sms")
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, fields)
    response = client.post(path, fields, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200
    return response.content.decode()


def test_the_barred_fathers_texts_are_answered_without_the_school(ordered, client):
    world = ordered
    phone = str(world.ray.phone)
    words = ["HELP", "AYUDA", "INFO", f"Is {CHILD} all right?", "STOP", "START", "PARAR"]
    for n, body in enumerate(words, start=1):
        _tells_nothing(_text(client, phone, body, n))

    assert not Message.objects.filter(author_guardian=world.ray).exists()
    _ray_heard_nothing_new(world)


def test_the_barred_fathers_email_to_an_old_reply_address_is_not_filed(ordered):
    world = ordered
    token = Participant.objects.get(conversation=world.thread, guardian=world.ray).reply_token
    address = f"reply+{token}@{REPLY_DOMAIN}"
    email = EmailMessage()
    email["From"] = f"{FATHER} Nguyen <{world.ray.email}>"
    email["To"] = address
    email["Subject"] = "Re: the heron"
    email["Message-ID"] = "<court-order-test@family.example>"
    email.set_content(f"How is {CHILD} doing?")

    status = receive_email(email.as_bytes(), [address])

    _tells_nothing(status)
    assert not Message.objects.filter(author_guardian=world.ray).exists()
    _ray_heard_nothing_new(world)


# -- staff who do not keep the records no longer see Ray beside the child --------------------


STAFF_PAGES = [
    ("student_detail", "cal"),
    ("routines:timeline", "cal"),
    ("behavior:student_moments", "cal"),
    ("section_detail", "math"),
    ("inbox", None),
    ("behavior:ratios", None),
    ("routines:checkins", None),
]


@pytest.mark.parametrize("who", ["rivera", "liaison", "counselor", "interpreter"])
def test_staff_pages_no_longer_show_the_barred_father(ordered, login, who):
    world = ordered
    client = login(getattr(world, who))
    urls = [
        reverse(name, args=[getattr(world, arg).pk]) if arg else reverse(name)
        for name, arg in STAFF_PAGES
    ]
    if who == "rivera":
        urls.append(reverse("conversation", args=[world.thread.pk]))
        urls.append(reverse("inbox") + "?all=1")
    for url in urls:
        page = client.get(url)
        if page.status_code == 404:
            continue  # outside this role's pages altogether
        assert page.status_code == 200, url
        assert FATHER not in page.content.decode(), url


@pytest.mark.parametrize("who", ["south_teacher", "south_admin", "elsewhere_admin"])
def test_staff_of_another_school_open_nothing_of_the_child(ordered, login, who):
    world = ordered
    client = login(getattr(world, who))
    for url in [
        reverse("student_detail", args=[world.cal.pk]),
        reverse("routines:timeline", args=[world.cal.pk]),
        reverse("behavior:student_moments", args=[world.cal.pk]),
        reverse("routines:visits", args=[world.cal.pk]),
        reverse("conversation", args=[world.thread.pk]),
        reverse("guardian_detail", args=[world.ray.pk]),
        reverse("section_detail", args=[world.math.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for name in ("inbox", "student_list", "home"):
        page = client.get(reverse(name), follow=True)
        assert page.status_code == 200
        body = page.content.decode()
        assert CHILD not in body and FATHER not in body, name


@pytest.mark.parametrize("who", ["ray", "south_admin", "rivera"])
def test_the_django_admin_shows_them_nothing(ordered, login, who):
    world = ordered
    client = login(getattr(world, who))
    for url in [
        "/django-admin/",
        f"/django-admin/people/guardianship/?student__id__exact={world.cal.pk}",
        f"/django-admin/people/student/{world.cal.pk}/change/",
    ]:
        page = client.get(url, follow=True)
        body = page.content.decode()
        assert "Site administration" not in body, url
        assert CHILD not in body and FATHER not in body, url
