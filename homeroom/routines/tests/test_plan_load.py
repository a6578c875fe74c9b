"""A check-in plan that would put more calls on one day than a teacher can make warns, and
saves nothing until the teacher confirms it or spreads it out."""

from datetime import date

import pytest
from django.urls import reverse

from homeroom.people.models import Student
from homeroom.routines import checkins
from homeroom.routines.models import ContactPlan, PlannedContact
from homeroom.testing.personas import enrol, link, make_guardian

MONDAY = date(2026, 11, 23)


@pytest.fixture
def big_class(world):
    """Math 6 with 70 more children, one contactable guardian each: 73 calls in all."""
    for n in range(70):
        child = Student.objects.create(school=world.north, given_name=f"K{n}", family_name="Big")
        enrol(world.math, child)
        link(make_guardian(world.district, f"P{n}", "Big", joined=False), child)
    return world.math


def test_the_load_is_counted_per_day_before_saving(world, big_class):
    load = checkins.plan_load(
        world.rivera, cycle_days=7, call_days=[0], section=big_class, start=MONDAY
    )
    assert (load.calls, load.busiest, load.too_heavy) == (73, 73, True)
    assert load.per_day == [(MONDAY, 73)]
    assert load.days_needed == 3
    spread = checkins.plan_load(
        world.rivera, cycle_days=7, call_days=[0, 1, 2], section=big_class, start=MONDAY
    )
    assert (spread.busiest, spread.too_heavy) == (25, False)
    assert not ContactPlan.objects.exists()


def test_the_service_refuses_a_too_busy_plan_unless_confirmed(world, big_class):
    with pytest.raises(checkins.PlanTooHeavy) as refused:
        checkins.create_plan(
            world.rivera, cycle_days=7, call_days=[0], section=big_class, start=MONDAY
        )
    assert refused.value.load.busiest == 73
    assert not ContactPlan.objects.exists() and not PlannedContact.objects.exists()
    plan = checkins.create_plan(
        world.rivera,
        cycle_days=7,
        call_days=[0],
        section=big_class,
        start=MONDAY,
        busy_confirmed=True,
    )
    assert plan.contacts.count() == 73


def test_the_page_shows_the_load_and_asks_to_confirm(login, world, big_class):
    client = login(world.rivera)
    wanted = {"cycle_days": "7", "call_days": ["0"], "section": str(big_class.pk)}
    response = client.post(reverse("routines:checkins"), wanted)
    body = response.content.decode()
    assert response.status_code == 200
    assert "This plan puts 73 calls on one day, more than the 30 a teacher can make." in body
    assert ": 73 calls</li>" in body
    assert "at least 3 call days per cycle" in body
    assert 'name="busy_confirmed"' in body
    assert not ContactPlan.objects.exists() and not PlannedContact.objects.exists()

    # Spread over three days: saved with no question.
    spread = client.post(reverse("routines:checkins"), {**wanted, "call_days": ["0", "1", "2"]})
    assert spread.status_code == 302
    ContactPlan.objects.all().delete()

    confirmed = client.post(reverse("routines:checkins"), {**wanted, "busy_confirmed": "on"})
    assert confirmed.status_code == 302
    assert ContactPlan.objects.get().contacts.count() == 73


def test_a_light_plan_shows_no_question(login, world):
    body = login(world.rivera).get(reverse("routines:checkins")).content.decode()
    assert 'name="busy_confirmed"' not in body
