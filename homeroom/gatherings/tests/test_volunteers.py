"""Volunteer shifts at an event: organisers add them with a headcount, families sign up or
wait, a family that withdraws frees its place for whoever waits first (who is told), and
everyone going is reminded once, the day before."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.gatherings import slots
from homeroom.gatherings.models import VolunteerShift, VolunteerSignup
from homeroom.messaging.models import Delivery, Message, MessageTranslation
from homeroom.web.management.commands.periodic import SCHEDULE

from .test_events import local_input, make_event

GOING, WAITING = VolunteerSignup.Status.GOING, VolunteerSignup.Status.WAITLISTED


def make_shift(event, headcount=1, days=3):
    starts = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    return slots.add_shift(
        event,
        title="Set up the tables",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        headcount=headcount,
    )


def shift_data(**overrides):
    starts = timezone.now() + timedelta(days=5)
    data = {
        "title": "Serve the soup",
        "starts": local_input(starts),
        "ends": local_input(starts + timedelta(hours=2)),
        "headcount": "3",
    }
    data.update(overrides)
    return data


def test_an_organiser_adds_a_shift_and_sees_who_signed_up(world, login):
    event = make_event(world)
    client = login(world.rivera)
    response = client.post(reverse("gatherings:shifts", args=[event.pk]), shift_data())
    assert response.status_code == 302
    shift = VolunteerShift.objects.get()
    assert (shift.title, shift.headcount, shift.event) == ("Serve the soup", 3, event)
    slots.sign_up(shift, world.marco)
    page = client.get(reverse("gatherings:shifts", args=[event.pk])).content.decode()
    assert "Marco" in page and "1 of 3 volunteers" in page


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"headcount": "0"}, "greater than or equal to 1"),
        ({"title": ""}, "This field is required."),
        (
            {"starts": "2020-01-01T10:00", "ends": "2020-01-01T11:00"},
            "Choose a start in the future.",
        ),
        ({"ends": "2020-01-01T11:00"}, "The end must come after the start."),
        ({"starts": "tomorrow"}, "Enter a valid date/time."),
    ],
)
def test_bad_shifts_are_refused_and_nothing_is_stored(world, login, overrides, says):
    event = make_event(world)
    response = login(world.rivera).post(
        reverse("gatherings:shifts", args=[event.pk]), shift_data(**overrides)
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not VolunteerShift.objects.exists()


def test_a_full_shift_puts_the_next_family_on_the_waitlist(world, login):
    event = make_event(world)
    shift = make_shift(event, headcount=1)
    assert slots.sign_up(shift, world.rosa).status == GOING
    marco = login(world.marco)
    response = marco.post(
        reverse("gatherings:volunteer", args=[event.pk]), {"action": "sign_up", "pk": shift.pk}
    )
    assert response.status_code == 302
    assert VolunteerSignup.objects.get(guardian=world.marco).status == WAITING
    page = marco.get(reverse("gatherings:volunteer", args=[event.pk])).content.decode()
    assert "You are on the waiting list" in page and "0 places left" in page


def test_withdrawing_promotes_whoever_waits_first_and_tells_them(
    awake, login, django_capture_on_commit_callbacks
):
    world = awake
    event = make_event(world)
    shift = make_shift(event, headcount=1)
    slots.sign_up(shift, world.rosa)
    slots.sign_up(shift, world.marco)
    slots.sign_up(shift, world.gina)
    before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.rosa).post(
            reverse("gatherings:volunteer", args=[event.pk]), {"action": "withdraw", "pk": shift.pk}
        )
    assert response.status_code == 302
    statuses = dict(VolunteerSignup.objects.values_list("guardian__given_name", "status"))
    assert statuses == {"Marco": GOING, "Gina": WAITING}
    told = Message.objects.order_by("pk")[before:]
    assert len(told) == 1 and "A place opened up" in told[0].body
    assert Delivery.objects.filter(message=told[0], guardian=world.marco).exists()


def test_everyone_going_is_reminded_once_the_day_before_in_their_language(awake):
    world = awake
    event = make_event(world)
    tomorrow = make_shift(event, headcount=1, days=1)
    later = make_shift(event, headcount=2, days=4)
    slots.sign_up(tomorrow, world.rosa)
    slots.sign_up(tomorrow, world.marco)  # waits: not reminded
    slots.sign_up(later, world.gina)  # not yet
    now = tomorrow.starts_at - timedelta(hours=20)
    before = Message.objects.count()
    assert slots.remind_volunteers(now=now) == 1
    assert slots.remind_volunteers(now=now + timedelta(hours=1)) == 0
    reminder = Message.objects.order_by("pk")[before:].get()
    assert reminder.conversation.student == world.ana
    assert "A reminder: you are helping with Set up the tables" in reminder.body
    spanish = MessageTranslation.objects.get(message=reminder, language="es")
    assert "Un recordatorio" in spanish.text and not spanish.machine
    assert VolunteerSignup.objects.get(guardian=world.rosa).reminded_at == now
    assert VolunteerSignup.objects.get(guardian=world.marco).reminded_at is None


def test_the_reminder_runs_from_the_periodic_sweep():
    assert any(
        path == "homeroom.gatherings.slots.remind_volunteers_task" for _a, path, _e in SCHEDULE
    )


def test_a_started_shift_takes_no_more_volunteers(world):
    shift = make_shift(make_event(world))
    with pytest.raises(slots.SlotRefused):
        slots.sign_up(shift, world.rosa, now=shift.starts_at + timedelta(minutes=1))
    assert not VolunteerSignup.objects.exists()


@pytest.mark.parametrize("persona", ["ray", "olga", "eli"])
def test_families_outside_the_event_get_a_404(world, login, persona):
    event = make_event(world)
    shift = make_shift(event)
    client = login(getattr(world, persona))
    url = reverse("gatherings:volunteer", args=[event.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "sign_up", "pk": shift.pk}).status_code == 404
    assert not VolunteerSignup.objects.exists()


def test_a_shift_of_another_event_is_a_404(world, login):
    event = make_event(world)
    other = make_event(world, audience=None)
    other_shift = make_shift(other)
    response = login(world.rosa).post(
        reverse("gatherings:volunteer", args=[event.pk]),
        {"action": "sign_up", "pk": other_shift.pk},
    )
    assert response.status_code == 404
    assert not VolunteerSignup.objects.exists()


@pytest.mark.parametrize("persona", ["south_teacher", "south_admin", "elsewhere_admin", "rosa"])
def test_the_organisers_page_is_a_404_for_another_school_and_for_families(world, login, persona):
    event = make_event(world)
    response = login(getattr(world, persona)).get(reverse("gatherings:shifts", args=[event.pk]))
    assert response.status_code == 404


def test_the_shift_pages_take_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    event = make_event(world)
    for _n in range(3):
        make_shift(event, headcount=2)
    slots.sign_up(event.shifts.first(), world.marco)
    client = login(world.marco)
    url = reverse("gatherings:volunteer", args=[event.pk])
    client.get(url)
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
    staff = login(world.rivera)
    url = reverse("gatherings:shifts", args=[event.pk])
    staff.get(url)
    with django_assert_num_queries(10):
        assert staff.get(url).status_code == 200
