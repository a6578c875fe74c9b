"""An event for every family of the district, held at one of its schools: only the district's
admins create and run it, every school's families are invited, no other district's."""

import pytest
from django.urls import reverse

from homeroom.gatherings import access as gatherings_access
from homeroom.gatherings import services
from homeroom.gatherings.models import Event
from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Delivery

from .test_events import new_event_data, slot


def district_event(world, host=None):
    event = services.create_event(
        world.district_admin,
        title="District science fair",
        description="",
        place="Gym",
        audience=Audience.district(),
        capacity=None,
        when=slot(12),
        host=host or world.south,
    )
    return event


def sees(guardian, event):
    return gatherings_access.events_for_family(guardian.user).filter(pk=event.pk).exists()


def test_the_district_admin_holds_an_event_for_every_family_of_the_district(awake, login):
    world = awake
    client = login(world.district_admin)
    data = new_event_data(world, audience="district", host=str(world.south.pk))
    response = client.post(reverse("gatherings:new"), data)
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.school == world.south
    assert event.audience == {"kind": "district", "district": world.district.pk}
    organise = reverse("gatherings:organise", args=[event.pk])
    assert client.post(organise, {"action": "invite"}).status_code == 302
    event.refresh_from_db()
    assert event.invited_at is not None
    invited = set(Delivery.objects.values_list("guardian__given_name", flat=True))
    assert {"Rosa", "Marco", "Gina", "Olga"} <= invited
    assert not invited & {"Ray", "Zoe"}
    assert sees(world.rosa, event) and sees(world.olga, event)
    assert not sees(world.zed_parent, event) and not sees(world.ray, event)
    assert services.respond(event, world.rosa, coming=True).status == "going"


def test_a_district_event_needs_its_host_school(awake, login):
    world = awake
    data = new_event_data(world, audience="district")
    response = login(world.district_admin).post(reverse("gatherings:new"), data)
    assert response.status_code == 400
    assert "Choose the school where the district&#x27;s event is held." in response.content.decode()
    assert not Event.objects.exists()
    with pytest.raises(services.EventRefused):
        services.create_event(
            world.district_admin,
            title="x",
            description="",
            place="",
            audience=Audience.district(),
            capacity=None,
            when=slot(3),
        )
    assert not Event.objects.exists()


def test_only_the_districts_admins_create_or_run_it(awake, login):
    world = awake
    for staff in (world.principal, world.rivera, world.south_admin):
        response = login(staff).post(
            reverse("gatherings:new"), new_event_data(world, audience="district")
        )
        assert response.status_code in (400, 403), staff
    assert not Event.objects.exists()
    event = district_event(world)
    # The host school's admin sees it and its board, but the invitation is the district's.
    client = login(world.south_admin)
    organise = reverse("gatherings:organise", args=[event.pk])
    assert client.get(organise).status_code == 200
    assert "Invite the families" not in client.get(organise).content.decode()
    client.post(organise, {"action": "invite"})
    event.refresh_from_db()
    assert event.invited_at is None and not Delivery.objects.exists()
    assert login(world.elsewhere_admin).get(organise).status_code == 404


def test_another_districts_school_cannot_host_it(awake):
    world = awake
    other = world.zed.school
    with pytest.raises(services.EventRefused):
        district_event(world, host=other)
    assert not Event.objects.exists()
