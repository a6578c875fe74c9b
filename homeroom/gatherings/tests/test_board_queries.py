"""The barriers board of a big event: every answer is read in one query, and each need lists
at most `OPEN_LISTED` families while it is open, with how many more wait behind them, so
the page's queries stay the same from three answers to hundreds (the benchmark has 5,000)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from homeroom.gatherings import services
from homeroom.gatherings.models import Rsvp
from homeroom.gatherings.services import OPEN_LISTED, Needs, Slot
from homeroom.messaging.audiences import Audience
from homeroom.people.models import Guardian

MANY = OPEN_LISTED + 250


def school_night(world):
    start = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    event = services.create_event(
        world.rivera,
        title="Family math night",
        description="",
        place="Cafeteria",
        audience=Audience.section(world.math),
        capacity=None,
        when=Slot(start, start + timedelta(hours=2)),
    )
    services.invite(event, world.rivera)
    return event


def answers(event, district, count):
    """`count` families answering at once, each needing a ride, a meal and an interpreter,
    one in three childcare, every fourth one waiting; their names sort after the personas'."""
    guardians = Guardian.objects.bulk_create(
        Guardian(district=district, given_name=f"G{n:04}", family_name="Zimmer", language="so")
        for n in range(count)
    )
    Rsvp.objects.bulk_create(
        Rsvp(
            event=event,
            guardian=guardian,
            status=Rsvp.Status.WAITLISTED if n % 4 == 3 else Rsvp.Status.GOING,
            adults=1,
            children=2,
            childcare=n % 3 == 0,
            childcare_ages="4, 11" if n % 3 == 0 else "",
            interpreter_language="so",
            ride=True,
            meal=True,
            dietary_note="Halal",
        )
        for n, guardian in enumerate(guardians)
    )


def test_the_boards_queries_do_not_grow_with_the_answers(awake, login, django_assert_num_queries):
    world = awake
    event = school_night(world)
    for guardian in (world.rosa, world.gina, world.marco):
        services.respond(event, guardian, coming=True, needs=Needs(ride=True, meal=True))
    client = login(world.rivera)
    url = reverse("gatherings:board", args=[event.pk])
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200

    answers(event, world.district, MANY)
    with django_assert_num_queries(8):
        response = client.get(url)
    page = response.content.decode()
    # The sums still count every family; the lists stop at OPEN_LISTED.
    assert f"{MANY + 3} rides" in page
    assert f"Somali for {MANY} families" in page
    assert f"{MANY} × <bdi>halal</bdi>" in page
    assert "Childcare for 200 children aged 4–11" in page
    assert page.count('name="need" value="ride"') == OPEN_LISTED
    assert f"{MANY + 3 - OPEN_LISTED} more families wait with this need open" in page
    assert page.count('name="need" value="interpreter"') == OPEN_LISTED
    # Nobody asked for accessibility: no list, nothing waiting.
    assert page.count('name="need" value="accessibility"') == 0


def test_a_family_marked_met_leaves_the_list_and_the_next_one_appears(awake, login):
    world = awake
    event = school_night(world)
    answers(event, world.district, OPEN_LISTED + 1)
    board = services.barriers(event)
    listed = board.open_needs["ride"]
    assert len(listed) == OPEN_LISTED and listed.more == 1
    first, last = listed[0], Rsvp.objects.get(guardian__given_name=f"G{OPEN_LISTED:04}")
    assert (first.guardian.given_name, first.guardian.family_name) == ("G0000", "Zimmer")
    assert last.pk not in [r.pk for r in listed]

    response = login(world.rivera).post(
        reverse("gatherings:board", args=[event.pk]),
        {"rsvp": first.pk, "need": "ride", "met": "1"},
    )
    assert response.status_code == 302
    board = services.barriers(event)
    assert board.met["ride"] == 1 and board.total["ride"] == OPEN_LISTED + 1
    assert board.open_needs["ride"].more == 0
    assert board.open_needs["ride"][-1].pk == last.pk
    # The families listed are the event's answers, with the fields the board does not show
    # read when asked for.
    assert board.open_needs["ride"][-1].guardian.language == "so"
