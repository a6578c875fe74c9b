"""Two families taking the last place at the same instant: one gets it, the other waits.

`services.respond` locks the event's row while it counts places. The race is real only where
two connections write at once, so this runs on PostgreSQL (the suite's second database run,
`DATABASE_URL`); SQLite writes one connection at a time by design.
"""

import threading

import pytest
from django.db import connection, connections

from homeroom.gatherings import services
from homeroom.gatherings.models import Rsvp
from homeroom.testing.servers import awake as no_quiet_hours

from .test_events import make_event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two writers at once need PostgreSQL"
    ),
]


def test_two_families_racing_for_the_last_place_get_one_place_between_them(world):
    no_quiet_hours(world.rosa, world.gina)
    event = make_event(world, capacity=1)
    start = threading.Barrier(2)
    outcomes, failures = {}, []

    def take(guardian):
        try:
            start.wait(timeout=10)
            outcomes[guardian.pk] = services.respond(event, guardian, coming=True, adults=1).status
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(g,)) for g in (world.rosa, world.gina)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert sorted(outcomes.values()) == [Rsvp.Status.GOING, Rsvp.Status.WAITLISTED]
    assert Rsvp.objects.filter(event=event, status=Rsvp.Status.GOING).count() == 1
