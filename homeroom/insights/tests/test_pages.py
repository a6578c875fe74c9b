"""The school's insights page, its CSV, and the admin home read from the daily roll-up:
who reaches them (404 for another school's id), what they show, their query counts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from homeroom.insights import communication, facts
from homeroom.insights.models import DailyFigures
from homeroom.messaging.models import Conversation, Message

DAY = date(2026, 10, 15)
# The admin layout (session, user, staff, guardian, assignments, TOTP, time zone, unread); + the
# school, the last day rolled up, its rows.
SCHOOL_PAGE_QUERIES = 10
# The admin home with a roll-up: as before, with the roll-up's day and rows in place of
# the families' links.
ADMIN_HOME_QUERIES = 12


def _rolled_up(world):
    end = communication.day_end(DAY, world.north)
    talk = Conversation.objects.create(
        district=world.district, school=world.north, student=world.ana, started_by="school"
    )
    Message.objects.create(
        conversation=talk,
        author_guardian=world.rosa,
        body="Thank you",
        language="es",
        created_at=end - timedelta(days=1),
    )
    facts.roll_up(world.district, DAY)


@pytest.mark.parametrize(
    "persona, school, status",
    [
        ("principal", "north", 200),
        ("principal", "south", 404),
        ("south_admin", "north", 404),
        ("district_admin", "south", 200),
        ("elsewhere_admin", "north", 404),
        ("rivera", "north", 404),
        ("rosa", "north", 404),
    ],
)
@pytest.mark.parametrize("name", ["insights:school", "insights:school_csv"])
def test_only_the_schools_admins_and_the_district_admin_open_its_insights(
    world, login, persona, school, status, name
):
    _rolled_up(world)
    client = login(getattr(world, persona))
    response = client.get(reverse(name, args=[getattr(world, school).pk]))
    assert response.status_code == status


def test_the_school_page_shows_the_figures_of_the_last_day(world, login, django_assert_num_queries):
    _rolled_up(world)
    facts.roll_up(world.district, DAY - timedelta(days=1))  # an older day is not shown
    client = login(world.principal)
    url = reverse("insights:school", args=[world.north.pk])
    client.get(url)
    with django_assert_num_queries(SCHOOL_PAGE_QUERIES):
        response = client.get(url)
    text = response.content.decode()
    assert "October 15, 2026" in text
    # Five families at North; Rosa wrote: 1 of 5 two-way.
    assert '<th scope="row">Two-way in the last 14 days</th><td>20%</td>' in text
    assert '<th scope="row">Spanish</th><td>1</td><td>1</td><td>1</td>' in text


def test_the_csv_holds_each_figure_and_each_language(world, login):
    _rolled_up(world)
    response = login(world.principal).get(reverse("insights:school_csv", args=[world.north.pk]))
    lines = response.content.decode().splitlines()
    assert lines[0] == "day,language,figure,value"
    assert "2026-10-15,,two_way_14,20%" in lines
    assert "2026-10-15,es,two_way_30,1" in lines


def test_without_a_roll_up_the_page_says_so(world, login):
    response = login(world.principal).get(reverse("insights:school", args=[world.north.pk]))
    assert "No figures yet" in response.content.decode()


def test_the_district_admin_home_reads_the_roll_up(world, login, django_assert_num_queries):
    _rolled_up(world)
    # A family joining after the roll-up shows the next day, not now: the page reads the rows.
    world.pat.joined_at = world.rosa.joined_at
    world.pat.save()
    client = login(world.district_admin)
    client.get(reverse("home"))
    with django_assert_num_queries(ADMIN_HOME_QUERIES):
        response = client.get(reverse("home"))
    text = response.content.decode()
    assert "<td>4</td><td>5</td>" in text  # North: 4 of 5 joined, as of the roll-up
    assert reverse("insights:school", args=[world.north.pk]) in text
    assert DailyFigures.objects.filter(day=DAY).exists()


def test_a_school_admin_home_reads_their_schools_rows(world, login):
    _rolled_up(world)
    text = login(world.principal).get(reverse("home")).content.decode()
    assert reverse("insights:school", args=[world.north.pk]) in text
    assert reverse("insights:school", args=[world.south.pk]) not in text
