"""The family home: one stream across a family's children, what waits for them first, then
the days, newest first, good news before needs-work; each item names its child."""

import html
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.behavior import notices, recording
from homeroom.behavior.models import Category, FamilyResponse, Moment
from homeroom.messaging import services
from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Message
from homeroom.people.models import Enrollment, Guardianship, Student
from homeroom.routines import visits, weekly
from homeroom.web.stream import PAGE_SIZE, WAITING_SIZE

from .test_home_pages import add_children


@pytest.fixture
def cats(world):
    recording.ensure_default_categories(world.north)
    recording.ensure_default_categories(world.south)
    return {c.name: c for c in Category.objects.filter(school=world.north)}


def _positive(cats):
    return next(c for c in cats.values() if c.is_positive)


def _needs_work(cats):
    return next(c for c in cats.values() if not c.is_positive and c.visible_to_families)


def _home(client, **query):
    response = client.get(reverse("family_home"), query)
    assert response.status_code == 200
    return response.content.decode()


def _order(text, *needles):
    """The needles' positions in the page, each found."""
    positions = [text.find(needle) for needle in needles]
    assert all(p >= 0 for p in positions), list(zip(needles, positions, strict=True))
    return positions


def test_unread_first_then_today_with_good_news_before_needs_work(world, login, cats):
    good = recording.record_moments(
        world.rivera, [world.ana], _positive(cats), "Shared her markers"
    )
    recording.record_moments(world.rivera, [world.ana], _needs_work(cats), "Forgot homework")
    notices.notify_at_once([m.pk for m in good])
    services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Could we talk on Friday about the trip?"
    )
    text = _home(login(world.marco))
    waiting, today, shared, forgot = _order(
        text, "Waiting for you", ">Today<", "Shared her markers", "Forgot homework"
    )
    assert waiting < text.find("Could we talk on Friday") < today < shared < forgot
    # The message waiting is not listed again under its day, and the text that carried the
    # moment to the family is not a second item beside the moment.
    assert text.count("Could we talk on Friday") == 1
    assert text.count("Shared her markers") == 1
    assert 'class="chip child">' in text and "Ana" in text


def test_a_read_message_is_listed_under_its_day(world, login):
    conversation = services.start_conversation(
        student=world.ana, by_staff=world.rivera, text="Thank you for the snacks."
    )
    client = login(world.marco)
    client.get(reverse("conversation", args=[conversation.pk]))  # read it
    text = _home(client)
    assert "Waiting for you" not in text
    assert _order(text, ">Today<", "Thank you for the snacks.")


def test_a_spanish_family_reads_each_item_in_spanish_with_the_original_at_hand(world, login, cats):
    recording.record_moments(world.rivera, [world.ana], _positive(cats), "Helped a classmate")
    text = _home(login(world.rosa))
    assert 'lang="es"' in text
    assert "Hoy" in text  # the day, in her language
    assert "Helped a classmate" in text.split('<details class="original">', 1)[1]


def test_the_family_thanks_the_teacher_from_the_stream(world, login, cats):
    (moment,) = recording.record_moments(world.rivera, [world.ana], _positive(cats), "Kind")
    client = login(world.marco)
    assert reverse("behavior:respond", args=[world.ana.pk, moment.pk]) in _home(client)
    response = client.post(
        reverse("behavior:respond", args=[world.ana.pk, moment.pk]),
        {"kind": FamilyResponse.Kind.THANK_YOU},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert FamilyResponse.objects.filter(guardian=world.marco, moment=moment).count() == 1
    assert "You said thank you." in _home(client)


def test_a_weekly_update_sentence_is_named_and_counted_as_good_news(world, login):
    update = weekly.weekly_update_for(world.math, world.rivera, date(2026, 11, 30))
    weekly.save_sentence(update, world.ana, "Ana explained fractions to her table.")
    weekly.send_weekly_update(update, world.rivera)
    services.start_conversation(
        student=world.ana, by_staff=world.liaison, text="Science fair forms are due."
    )
    client = login(world.marco)
    for conversation in services.Conversation.objects.all():
        client.get(reverse("conversation", args=[conversation.pk]))
    text = _home(client)
    weekly_at, sentence, other = _order(
        text, "Weekly update", "Ana explained fractions", "Science fair forms"
    )
    assert weekly_at < sentence < other  # later message, but praise comes first in the day


def test_an_announcement_names_the_child_it_concerns(world, login):
    announcement = services.send_announcement(
        by_staff=world.rivera, audience=Audience.section(world.math), text="Quiz on Tuesday."
    )
    text = _home(login(world.gina))
    item = text[text.index('<li class="stream-item is-message') :]
    item = item[: item.index("</li>")]
    assert "Cal" in item and "Quiz on Tuesday." in item
    assert reverse("conversation", args=[announcement.pk]) in item


def test_a_home_visit_to_answer_waits_at_the_top(world, login):
    visit = visits.propose_home_visit(
        world.rivera, world.ana, world.marco, [timezone.now() + timedelta(days=3)]
    )
    text = _home(login(world.marco))
    assert _order(text, "Waiting for you", reverse("routines:visit", args=[visit.pk]))


def test_what_each_family_may_not_see_stays_out(world, login, cats):
    recording.record_moments(world.rivera, [world.cal], _positive(cats), "Cal's drawing")
    services.start_conversation(student=world.cal, by_staff=world.rivera, text="Cal's field trip")
    services.start_conversation(
        student=world.ana, by_guardian=world.rosa, staff=[world.rivera], text="Rosa's question"
    )
    # Ray may not see Cal's records nor be contacted; Olga is of another school.
    for guardian in (world.ray, world.olga):
        text = _home(login(guardian))
        assert "Cal&#x27;s drawing" not in text and "Cal's drawing" not in text
        assert "field trip" not in text
    # Marco, Ana's father in the other household, does not read Rosa's own words.
    assert "Rosa&#x27;s question" not in _home(login(world.marco))
    assert "Cal&#x27;s drawing" in _home(login(world.gina))


def test_older_news_pages_back_and_a_bad_cursor_shows_the_newest(world, login, cats):
    positive = _positive(cats)
    start = timezone.now() - timedelta(days=40)
    Moment.objects.bulk_create(
        Moment(
            student=world.ana,
            school=world.north,
            category=positive,
            recorded_by=world.rivera,
            note=f"Moment number {n:02d}",
            positive=True,
            points=positive.points,
            created_at=start + timedelta(days=n),
        )
        for n in range(PAGE_SIZE + 5)
    )
    client = login(world.marco)
    first = _home(client)
    newest = PAGE_SIZE + 4
    assert f"Moment number {newest:02d}" in first and "Moment number 05" in first
    assert "Moment number 04" not in first
    (older,) = re.findall(r'href="(\?before=[^"]+)"', first)
    second = client.get(reverse("family_home") + html.unescape(older)).content.decode()
    assert "Moment number 04" in second and "Moment number 00" in second
    assert "Moment number 05" not in second
    for bad in ("\x00", "yesterday", "9" * 400, "2026-13-45T99:00"):
        assert f"Moment number {newest:02d}" in _home(client, before=bad)


def test_empty_stream_says_what_will_appear(world, login):
    text = _home(login(world.marco))
    assert "Nothing new yet." in text
    assert reverse("behavior:child_feed", args=[world.ana.pk]) in text
    assert reverse("routines:story", args=[world.ana.pk]) in text
    assert reverse("family_school") in text


# One query more since the home lists open decisions the family has not voted on.
FAMILY_STREAM_QUERIES = 17


def _fill(world, guardian, cats, per_child: int) -> None:
    """`per_child` moments and as many school messages for each of the guardian's children."""
    children = [
        link.student
        for link in Guardianship.objects.filter(guardian=guardian).select_related("student")
    ]
    now = timezone.now()
    moments, messages = [], []
    for child in children:
        teacher = world.rivera if child.school_id == world.north.pk else world.south_teacher
        category = Category.objects.filter(school=child.school, points__gt=0).first()
        conversation = services.start_conversation(student=child, by_staff=teacher, text="Hello")
        for n in range(per_child):
            at = now - timedelta(hours=n)
            moments.append(
                Moment(
                    student=child,
                    school=child.school,
                    category=category,
                    recorded_by=teacher,
                    note=f"note {n}",
                    positive=n % 4 != 0,
                    points=category.points,
                    created_at=at,
                )
            )
            messages.append(
                Message(
                    conversation=conversation,
                    author_staff=teacher,
                    body=f"message {n}",
                    language="en",
                    created_at=at,
                )
            )
    Moment.objects.bulk_create(moments)
    Message.objects.bulk_create(messages)


@pytest.mark.parametrize("children", [0, 4], ids=["one child", "five children"])
def test_the_stream_query_count_does_not_grow(
    world, login, cats, django_assert_num_queries, children
):
    add_children(world, world.marco, children, 2)
    _fill(world, world.marco, cats, 500)
    assert Student.objects.filter(guardianships__guardian=world.marco).count() == children + 1
    assert Enrollment.objects.exists()
    client = login(world.marco)
    client.get(reverse("family_home"))  # warm the per-process caches
    with django_assert_num_queries(FAMILY_STREAM_QUERIES):
        text = _home(client)
    assert text.count('<li class="stream-item') == PAGE_SIZE + WAITING_SIZE
