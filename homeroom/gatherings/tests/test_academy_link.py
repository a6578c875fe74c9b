"""A parent-academy session gathered by an event: the school's staff link one of its coming
sessions on the organisers' page, members answer with their needs on the event's page (the
group page points them there), and the organisers find those needs on the barriers board.
A session of another school, one another event gathers, or one already past is refused and
nothing is stored; whoever may not see the event or the group is shown neither."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.gatherings import services
from homeroom.gatherings.models import Event
from homeroom.gatherings.services import Needs, Slot
from homeroom.messaging.audiences import Audience
from homeroom.people.models import Guardianship
from homeroom.testing.personas import make_guardian
from homeroom.voice.groups import services as groups
from homeroom.voice.models import AcademySession

ANSWER = "Answer and tell us what would help you come"


def make_event(world, *, by=None, audience=None, title="Reading night"):
    by = by or world.rivera
    start = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    event = services.create_event(
        by,
        title=title,
        description="",
        place="Library",
        audience=audience or Audience.section(world.math),
        capacity=None,
        when=Slot(start, start + timedelta(hours=2)),
    )
    services.invite(event, by)
    return event


def make_academy(world, *, school=None, by=None, members=()):
    by = by or world.principal
    school = school or world.north
    group = groups.create_group(
        by,
        school,
        name="Parent academy",
        description="",
        languages=["es", "en"],
        is_academy=True,
    )
    for guardian in members:
        groups.join(group, guardian)
    return group


def make_session(group, *, days=5, title="Reading at home"):
    return AcademySession.objects.create(
        group=group,
        title=title,
        starts_at=timezone.now() + timedelta(days=days),
        place="School library",
        language="es",
    )


def organise(event):
    return reverse("gatherings:organise", args=[event.pk])


def family_page(event):
    return reverse("gatherings:family", args=[event.pk])


def group_page(group):
    return reverse("groups:detail", args=[group.pk])


# ---- linking --------------------------------------------------------------------------------


def test_an_organiser_links_a_session_and_members_answer_on_the_event(awake, login):
    world = awake
    group = make_academy(world, members=[world.marco])
    session = make_session(group)
    event = make_event(world)
    client = login(world.rivera)
    page = client.get(organise(event)).content.decode()
    assert "Parent academy: Reading at home" in page
    response = client.post(organise(event), {"action": "link", "session": session.pk})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.academy_session == session
    page = client.get(organise(event)).content.decode()
    assert "Part of <bdi>Parent academy</bdi>" in page and group_page(group) in page
    # Staff of the school find the barriers board from the group's page.
    page = client.get(group_page(group)).content.decode()
    assert reverse("gatherings:board", args=[event.pk]) in page

    marco = login(world.marco)
    page = marco.get(group_page(group)).content.decode()
    assert ANSWER in page and family_page(event) in page
    page = marco.get(family_page(event)).content.decode()
    assert "Part of <bdi>Parent academy</bdi>" in page and group_page(group) in page
    # His needs reach the organisers' barriers board.
    services.respond(event, world.marco, coming=True, needs=Needs(childcare=True), children=1)
    board = login(world.rivera).get(reverse("gatherings:board", args=[event.pk]))
    assert "<bdi>Marco</bdi> <bdi>Lopez</bdi>" in board.content.decode()


def test_the_link_reads_in_spanish(awake, login):
    world = awake
    group = make_academy(world, members=[world.rosa])
    event = make_event(world)
    services.link_academy_session(event, make_session(group))
    rosa = login(world.rosa)
    assert (
        "Responda y díganos qué le ayudaría a venir" in rosa.get(group_page(group)).content.decode()
    )
    assert "Parte de <bdi>Parent academy</bdi>" in rosa.get(family_page(event)).content.decode()


def test_an_organiser_unlinks_the_session(awake, login):
    world = awake
    group = make_academy(world, members=[world.gina])
    event = make_event(world)
    services.link_academy_session(event, make_session(group))
    client = login(world.rivera)
    assert client.post(organise(event), {"action": "unlink"}).status_code == 302
    event.refresh_from_db()
    assert event.academy_session is None
    assert ANSWER not in login(world.gina).get(group_page(group)).content.decode()


@pytest.mark.parametrize("which", ["another_school", "linked_elsewhere", "past"])
def test_a_session_that_may_not_be_linked_is_refused_and_nothing_is_stored(awake, login, which):
    world = awake
    event = make_event(world)
    if which == "another_school":
        session = make_session(make_academy(world, school=world.south, by=world.south_admin))
        says = "Choose a session of this school's parent academy."
    elif which == "linked_elsewhere":
        session = make_session(make_academy(world))
        services.link_academy_session(make_event(world, title="Another evening"), session)
        says = "That session is already linked to another event."
    else:
        session = make_session(make_academy(world))
        AcademySession.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - timedelta(hours=1)
        )
        session.refresh_from_db()
        says = "That session has already taken place."
    with pytest.raises(services.EventRefused, match=says.replace(".", r"\.")):
        services.link_academy_session(event, session)
    event.refresh_from_db()
    assert event.academy_session is None
    # Through the page, such a session is not one of the choices.
    response = login(world.rivera).post(organise(event), {"action": "link", "session": session.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "Reading at home" not in response.content.decode()
    event.refresh_from_db()
    assert event.academy_session is None


@pytest.mark.parametrize("value", ["", "999999", "not a number"])
def test_a_garbled_session_changes_nothing(awake, login, value):
    world = awake
    event = make_event(world)
    make_session(make_academy(world))
    response = login(world.rivera).post(organise(event), {"action": "link", "session": value})
    assert response.status_code == 400
    event.refresh_from_db()
    assert event.academy_session is None


@pytest.mark.parametrize("who", ["south_admin", "south_teacher", "elsewhere_admin", "gina"])
def test_whoever_may_not_organise_the_event_gets_a_404(awake, login, who):
    world = awake
    event = make_event(world)
    session = make_session(make_academy(world))
    client = login(getattr(world, who))
    response = client.post(organise(event), {"action": "link", "session": session.pk})
    assert response.status_code == 404
    assert not Event.objects.filter(academy_session__isnull=False).exists()


def test_a_co_organiser_family_edits_the_words_but_does_not_link(awake, login):
    world = awake
    event = make_event(world)
    services.add_co_organiser(event, world.rosa)
    session = make_session(make_academy(world))
    client = login(world.rosa)
    page = client.get(organise(event)).content.decode()
    assert "Reading at home" not in page
    response = client.post(organise(event), {"action": "link", "session": session.pk})
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.academy_session is None


# ---- who sees it ----------------------------------------------------------------------------


def test_a_member_outside_the_events_audience_sees_the_session_but_no_link(awake, login):
    world = awake
    # Sol's child is in Science 6, not in the Math 6 families the event invites.
    sol = make_guardian(world.district, "Sol", "Ali", "en", "+16125550177")
    Guardianship.objects.create(guardian=sol, student=world.ben)
    group = make_academy(world, members=[sol])
    event = make_event(world)
    services.link_academy_session(event, make_session(group))
    page = login(sol).get(group_page(group)).content.decode()
    assert "Reading at home" in page
    assert ANSWER not in page and family_page(event) not in page


def test_a_family_who_is_not_a_member_or_is_under_a_court_order_sees_no_link(awake, login):
    world = awake
    group = make_academy(world, members=[world.gina])
    event = make_event(world)
    services.link_academy_session(event, make_session(group))
    marco = login(world.marco)  # in the event's audience, not a member of the group
    page = marco.get(group_page(group)).content.decode()
    assert ANSWER not in page and family_page(event) not in page
    ray = login(world.ray)  # Cal's father, under a court order
    assert ray.get(group_page(group)).status_code == 404
    assert ray.get(family_page(event)).status_code == 404
    olga = login(world.olga)  # another school's family
    assert olga.get(group_page(group)).status_code == 404


def test_the_event_names_the_group_only_to_whom_may_open_it(awake, login):
    world = awake
    group = make_academy(world, members=[world.gina])
    event = make_event(world)
    services.link_academy_session(event, make_session(group))
    group.is_active = False
    group.save(update_fields=["is_active"])
    page = login(world.gina).get(family_page(event)).content.decode()
    assert "Part of" not in page and group_page(group) not in page
    page = login(world.rivera).get(organise(event)).content.decode()
    assert "Part of" not in page


# ---- what it costs --------------------------------------------------------------------------


def test_the_pages_cost_the_same_with_more_sessions_and_events(
    awake, login, django_assert_num_queries
):
    world = awake
    group = make_academy(world, members=[world.marco])
    event = make_event(world)
    make_session(group, days=4)
    client = login(world.marco)
    client.get(group_page(group))
    with django_assert_num_queries(QUERIES_GROUP_PAGE):
        client.get(group_page(group))
    services.link_academy_session(event, make_session(group))
    with django_assert_num_queries(QUERIES_GROUP_PAGE):
        client.get(group_page(group))
    with django_assert_num_queries(QUERIES_FAMILY_PAGE):
        client.get(family_page(event))
    for index in range(3):
        other = make_event(world, title=f"Evening {index}")
        services.link_academy_session(other, make_session(group, days=6 + index))
    with django_assert_num_queries(QUERIES_GROUP_PAGE):
        page = client.get(group_page(group)).content.decode()
    assert page.count(ANSWER) == 4


# The group page costs the same with or without events: each rides on the sessions' query.
# The family's event page (11 unlinked) asks once more, whether he may open the group.
QUERIES_GROUP_PAGE = 13
QUERIES_FAMILY_PAGE = 12
