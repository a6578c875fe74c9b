"""Two families taking the last conference slot, or the last volunteer seat, at the same
instant: one gets it, the other is told so (a slot) or waits (a seat), and nothing else is
stored.

`slots.book` locks the slot's row while it checks it, and a booking's slot is one-to-one in
the database; `slots.sign_up` locks the shift's row while it counts. The race is real only
where two connections write at once, so this runs on PostgreSQL (the suite's second database
run, `DATABASE_URL`); SQLite writes one connection at a time by design.
"""

import threading
from datetime import time, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from homeroom.gatherings import slots
from homeroom.gatherings.models import Booking, VolunteerSignup

from .test_events import make_event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two writers at once need PostgreSQL"
    ),
]


def race(work, *arguments):
    """Run `work(argument)` in one thread per argument, released together by a barrier."""
    start = threading.Barrier(len(arguments))
    outcomes, failures = {}, []

    def run(argument):
        try:
            start.wait(timeout=10)
            outcomes[argument] = work(argument)
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes, failures


def test_two_families_booking_the_last_slot_at_once_get_it_once(world):
    day = timezone.localdate() + timedelta(days=10)
    block = slots.publish_block(
        world.rivera, world.north, day=day, starts=time(15), ends=time(15, 15), slot_minutes=15
    )
    last = block.slots.get()
    children = {world.rosa.pk: world.ana, world.gina.pk: world.cal}
    guardians = {world.rosa.pk: world.rosa, world.gina.pk: world.gina}

    def take(guardian_pk):
        try:
            slots.book(last, guardians[guardian_pk], children[guardian_pk])
        except slots.SlotRefused as refusal:
            return str(refusal)
        return "booked"

    outcomes, failures = race(take, world.rosa.pk, world.gina.pk)

    assert failures == []
    assert sorted(outcomes.values()) == [
        "Someone has just booked this time. Please choose another one.",
        "booked",
    ]
    assert Booking.objects.count() == 1


def test_two_families_taking_the_last_volunteer_seat_at_once_get_it_once(world):
    event = make_event(world)
    starts = timezone.now() + timedelta(days=3)
    shift = slots.add_shift(
        event, title="Tables", starts_at=starts, ends_at=starts + timedelta(hours=1), headcount=1
    )
    guardians = {world.rosa.pk: world.rosa, world.gina.pk: world.gina}

    outcomes, failures = race(
        lambda pk: slots.sign_up(shift, guardians[pk]).status, world.rosa.pk, world.gina.pk
    )

    assert failures == []
    assert sorted(outcomes.values()) == [VolunteerSignup.Status.GOING, "waitlisted"]
    assert VolunteerSignup.objects.filter(status=VolunteerSignup.Status.GOING).count() == 1
