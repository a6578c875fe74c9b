"""A parent leader plans an event with the members of their group: candidate times put to
the members by a post to the group, a time fixed, the invitation, RSVPs — co-planned by a
family from the start, and out of reach of anyone outside the group."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.gatherings import access as gatherings_access
from homeroom.gatherings import services
from homeroom.gatherings.models import CandidateTime, Event
from homeroom.messaging.models import Delivery
from homeroom.voice.groups import services as group_services
from homeroom.voice.models import GroupPost
from homeroom.voice.tests.test_groups import make_group

from .test_events import local_input, slot


def event_data(**overrides):
    first, second = slot(8), slot(9)
    data = {
        "title": "Coffee morning",
        "description": "",
        "place": "Library",
        "capacity": "",
        "c1_starts": local_input(first.starts_at),
        "c1_ends": local_input(first.ends_at),
        "c2_starts": local_input(second.starts_at),
        "c2_ends": local_input(second.ends_at),
    }
    data.update(overrides)
    return data


def group_event(group, leader, *, fixed=False):
    return services.create_group_event(
        leader,
        group,
        title="Coffee morning",
        description="",
        place="Library",
        capacity=None,
        when=slot(8) if fixed else None,
        candidates=[] if fixed else [slot(8), slot(9)],
    )


def sees(guardian, event):
    return gatherings_access.events_for_family(guardian.user).filter(pk=event.pk).exists()


def test_a_leader_plans_an_event_with_the_members_from_the_group_page(awake, login):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa, world.gina])
    client = login(world.marco)
    page = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert reverse("gatherings:group_new", args=[group.pk]) in page
    response = client.post(reverse("gatherings:group_new", args=[group.pk]), event_data())
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("gatherings:organise", args=[event.pk])
    assert (event.group, event.leader, event.created_by) == (group, world.marco, world.principal)
    assert event.co_planned and list(event.co_organisers.all()) == [world.marco]
    assert event.audience == {"kind": "group", "group": group.pk, "school": world.north.pk}
    # The leader puts the times to the members: a post to the group.
    organise = reverse("gatherings:organise", args=[event.pk])
    assert client.post(organise, {"action": "ask"}).status_code == 302
    event.refresh_from_db()
    post = GroupPost.objects.get(group=group)
    assert event.times_announcement == post.conversation
    assert set(Delivery.objects.values_list("guardian", flat=True)) == {
        world.rosa.pk,
        world.gina.pk,
    }
    assert sees(world.rosa, event) and not sees(world.olga, event)
    assert not sees(world.ray, event)
    services.answer_times(event, world.rosa, [event.candidates.first().pk])
    first = CandidateTime.objects.filter(event=event).order_by("position").first()
    assert client.post(organise, {"action": "fix", "candidate": str(first.pk)}).status_code == 302
    assert client.post(organise, {"action": "invite"}).status_code == 302
    event.refresh_from_db()
    assert event.is_fixed and event.invited_at is not None
    rsvp = services.respond(event, world.gina, coming=True, adults=1, children=2)
    assert rsvp.status == "going"
    # The leader's group page lists the event.
    page = login(world.marco).get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert organise in page


def test_a_north_family_outside_the_group_does_not_see_it(awake, login):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa])
    event = group_event(group, world.marco, fixed=True)
    services.invite(event, world.marco)
    assert sees(world.rosa, event)
    assert not sees(world.gina, event)  # North, Math 6, not a member
    assert login(world.gina).get(reverse("gatherings:family", args=[event.pk])).status_code == 404
    group_services.leave(group, world.rosa)
    assert not sees(world.rosa, event)


def test_only_a_leader_of_the_group_creates_and_runs_it(awake, login):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa])
    for person in (world.rosa, world.gina, world.olga, world.rivera, world.south_admin):
        response = login(person).post(
            reverse("gatherings:group_new", args=[group.pk]), event_data()
        )
        assert response.status_code == 404, person
    assert not Event.objects.exists()
    event = group_event(group, world.marco)
    organise = reverse("gatherings:organise", args=[event.pk])
    # The school's staff see it, but its messages are the group's: they are refused.
    response = login(world.principal).post(organise, {"action": "ask"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.times_asked_at is None and not GroupPost.objects.exists()
    # A leader who stops leading keeps editing its words as co-organiser, but runs nothing.
    group_services.remove_leader(group, world.marco)
    response = login(world.marco).post(organise, {"action": "ask"})
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.times_asked_at is None and not Delivery.objects.exists()


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"title": ""}, "This field is required."),
        ({"capacity": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"c2_starts": "", "c2_ends": ""}, "Put between 2 and 5 times"),
        ({"title": "Bad\x00"}, "Null characters are not allowed."),
    ],
)
def test_a_leaders_bad_event_is_refused_and_nothing_is_stored(awake, login, overrides, says):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa])
    response = login(world.marco).post(
        reverse("gatherings:group_new", args=[group.pk]), event_data(**overrides)
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Event.objects.exists()


def test_an_event_in_the_past_is_refused(awake, login):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa])
    past = timezone.now() - timedelta(days=1)
    data = event_data(c1_starts=local_input(past), c1_ends=local_input(past + timedelta(hours=1)))
    response = login(world.marco).post(reverse("gatherings:group_new", args=[group.pk]), data)
    assert response.status_code == 400
    assert "Choose a start in the future." in response.content.decode()
    assert not Event.objects.exists()
