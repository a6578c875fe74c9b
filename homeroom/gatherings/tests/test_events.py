"""Events planned with families: staff create one for an audience, may plan it with
families, put candidate times to the audience, fix one, invite through the outbox; families
RSVP with their needs, wait when it is full and are told when a place opens; the barriers
board sums the needs and shows whose are still open."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.gatherings import services
from homeroom.gatherings.models import Availability, Event, Rsvp
from homeroom.gatherings.services import Needs, Slot
from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Delivery, Message


def slot(days, hours=0, length=2):
    start = (timezone.now() + timedelta(days=days, hours=hours)).replace(second=0, microsecond=0)
    return Slot(start, start + timedelta(hours=length))


def make_event(world, *, candidates=0, capacity=None, audience=None, by=None, invite=True):
    by = by or world.rivera
    event = services.create_event(
        by,
        title="Family math night",
        description="Games for the whole family.",
        place="Cafeteria",
        audience=audience or Audience.section(world.math),
        capacity=capacity,
        when=None if candidates else slot(7),
        candidates=[slot(7 + n) for n in range(candidates)],
    )
    if invite and not candidates:
        services.invite(event, by)
    return event


def local_input(moment):
    from zoneinfo import ZoneInfo

    return timezone.localtime(moment, ZoneInfo("America/Chicago")).strftime("%Y-%m-%dT%H:%M")


def new_event_data(world, **overrides):
    when = slot(10)
    data = {
        "title": "Family math night",
        "description": "",
        "place": "Cafeteria",
        "audience": f"section:{world.math.pk}",
        "capacity": "",
        "starts": local_input(when.starts_at),
        "ends": local_input(when.ends_at),
    }
    data.update(overrides)
    return data


# ---- creating -------------------------------------------------------------------------------


def test_a_teacher_creates_an_event_in_the_schools_time_zone(world, login):
    client = login(world.rivera)
    data = new_event_data(world, starts="2031-03-05T18:00", ends="2031-03-05T19:30")
    response = client.post(reverse("gatherings:new"), data)
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("gatherings:organise", args=[event.pk])
    assert event.starts_at.isoformat() == "2031-03-06T00:00:00+00:00"  # 18:00 in Chicago
    assert event.audience == {"kind": "section", "section": world.math.pk, "school": world.north.pk}
    assert not event.co_planned and not Message.objects.exists()


@pytest.mark.parametrize(
    "overrides, says",
    [
        (
            {"starts": "2020-01-01T18:00", "ends": "2020-01-01T19:00"},
            "Choose a start in the future.",
        ),
        ({"capacity": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"title": "Bad\x00title"}, "Null characters are not allowed."),
        ({"place": "Room \u202e1"}, "invisible direction characters"),
        ({"starts": "", "ends": ""}, "Choose when the event is"),
        (
            {
                "c1_starts": "2031-03-05T18:00",
                "c1_ends": "2031-03-05T19:00",
                "c2_starts": "2031-03-06T18:00",
                "c2_ends": "2031-03-06T19:00",
            },
            "not both",
        ),
        ({"audience": f"section:{999999}"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(world, login, overrides, says):
    response = login(world.rivera).post(
        reverse("gatherings:new"), new_event_data(world, **overrides)
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Event.objects.exists()


def test_one_candidate_time_is_not_a_choice(world, login):
    data = new_event_data(
        world, starts="", ends="", c1_starts="2031-03-05T18:00", c1_ends="2031-03-05T19:00"
    )
    response = login(world.rivera).post(reverse("gatherings:new"), data)
    assert response.status_code == 400
    assert "Put between 2 and 5 times" in response.content.decode()
    assert not Event.objects.exists()


def test_capacity_zero_is_refused_by_the_service_too(world):
    with pytest.raises(services.EventRefused):
        services.create_event(
            world.rivera,
            title="x",
            description="",
            place="",
            audience=Audience.section(world.math),
            capacity=0,
            when=slot(3),
        )
    assert not Event.objects.exists()


def test_a_teacher_cannot_invite_a_class_she_does_not_teach(world, login):
    response = login(world.rivera).post(
        reverse("gatherings:new"), new_event_data(world, audience=f"section:{world.science.pk}")
    )
    assert response.status_code == 400
    assert not Event.objects.exists()


# ---- co-organisers --------------------------------------------------------------------------


def test_a_family_of_the_audience_co_organises_and_edits_but_sees_no_other_family(world, login):
    event = make_event(world, invite=False)
    client = login(world.rivera)
    response = client.post(
        reverse("gatherings:organise", args=[event.pk]), {"action": "co", "guardian": world.rosa.pk}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.co_planned and list(event.co_organisers.all()) == [world.rosa]
    rosa = login(world.rosa)
    services.invite(event, world.rivera)
    family_page = rosa.get(reverse("gatherings:family", args=[event.pk])).content.decode()
    assert reverse("gatherings:organise", args=[event.pk]) in family_page
    page = rosa.get(reverse("gatherings:organise", args=[event.pk])).content.decode()
    assert "Family math night" in page
    assert "Marco" not in page and str(world.marco.phone) not in page and "Gina" not in page
    response = rosa.post(
        reverse("gatherings:organise", args=[event.pk]),
        {"action": "edit", "title": "Math and pizza night", "description": "", "place": "Gym"},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Math and pizza night" and event.place == "Gym"
    # A co-organiser family edits the words only: no inviting, no other family's needs.
    assert (
        rosa.post(reverse("gatherings:organise", args=[event.pk]), {"action": "invite"}).status_code
        == 404
    )
    assert rosa.get(reverse("gatherings:board", args=[event.pk])).status_code == 404
    assert Message.objects.count() == 1  # the invitation staff sent, nothing more


def test_only_a_family_of_the_audience_may_co_organise(world):
    event = make_event(world, invite=False)
    with pytest.raises(services.EventRefused):
        services.add_co_organiser(event, world.olga)  # South High
    with pytest.raises(services.EventRefused):
        services.add_co_organiser(event, world.ray)  # the school may not contact him
    event.refresh_from_db()
    assert not event.co_planned and not event.co_organisers.exists()


# ---- candidate times ------------------------------------------------------------------------


def test_families_answer_which_times_they_can_make_and_the_teacher_fixes_one(awake, login):
    world = awake
    event = make_event(world, candidates=3)
    services.ask_for_times(event, world.rivera)
    message = Message.objects.get()
    assert reverse("gatherings:family", args=[event.pk]) in message.body
    assert "1 3" in message.body
    assert Delivery.objects.filter(guardian=world.rosa).exists()
    times = list(event.candidates.all())
    rosa = login(world.rosa)
    response = rosa.post(
        reverse("gatherings:family", args=[event.pk]),
        {"action": "times", "times": [times[0].pk, times[2].pk]},
    )
    assert response.status_code == 302
    assert set(Availability.objects.get(guardian=world.rosa).times.all()) == {times[0], times[2]}
    tally = services.time_counts(event)
    assert [row.families for row in tally.times] == [1, 0, 1]
    assert tally.languages == [] and tally.hidden == 1  # one Spanish answer: too few to show
    teacher = login(world.rivera)
    page = teacher.get(reverse("gatherings:organise", args=[event.pk])).content.decode()
    assert "1 family answered." in page and "fewer than 5 answers" in page
    response = teacher.post(
        reverse("gatherings:organise", args=[event.pk]), {"action": "fix", "candidate": times[2].pk}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.starts_at == times[2].starts_at


def test_counts_by_language_show_groups_of_five_or_more(awake):
    from homeroom.testing.personas import link, make_guardian

    world = awake
    event = make_event(world, candidates=2)
    services.ask_for_times(event, world.rivera)
    first, second = event.candidates.all()
    for n in range(5):
        guardian = make_guardian(world.district, f"Sofia{n}", "Perez", "es", f"+1612555020{n}")
        link(guardian, world.ana)
        services.answer_times(event, guardian, [first.pk])
    services.answer_times(event, world.marco, [first.pk, second.pk])
    tally = services.time_counts(event)
    assert tally.languages == [("es", 5)] and tally.hidden == 1
    assert [(row.families, row.by_language) for row in tally.times] == [(6, {"es": 5}), (1, {})]


def test_a_time_outside_the_event_is_refused(awake):
    event = make_event(awake, candidates=2)
    other = make_event(awake, candidates=2)
    services.ask_for_times(event, awake.rivera)
    with pytest.raises(services.EventRefused):
        services.answer_times(event, awake.rosa, [other.candidates.first().pk])
    assert not Availability.objects.exists()


# ---- invitation and calendar ----------------------------------------------------------------


def test_the_invitation_goes_through_the_outbox_with_a_calendar_file(awake, login):
    world = awake
    event = make_event(world)
    message = Message.objects.get()
    assert reverse("gatherings:family", args=[event.pk]) in message.body
    assert Delivery.objects.get(guardian=world.rosa).channel == "sms"
    assert not Delivery.objects.filter(guardian=world.ray).exists()
    response = login(world.rosa).get(reverse("gatherings:ics", args=[event.pk]))
    assert response["Content-Type"] == "text/calendar"
    import icalendar

    calendar = icalendar.Calendar.from_ical(response.content)
    entry = next(iter(calendar.walk("VEVENT")))
    assert str(entry["summary"]) == "Family math night"
    assert entry.decoded("dtstart") == event.starts_at


# ---- RSVPs ----------------------------------------------------------------------------------


def rsvp_data(**overrides):
    data = {"action": "rsvp", "coming": "yes", "adults": "1", "children": "2"}
    data.update(overrides)
    return data


def test_a_spanish_family_rsvps_with_childcare_and_a_ride(awake, login):
    event = make_event(awake)
    rosa = login(awake.rosa)
    response = rosa.post(
        reverse("gatherings:family", args=[event.pk]),
        rsvp_data(childcare="on", childcare_ages="3, 7", ride="on", interpreter="es"),
    )
    assert response.status_code == 302
    rsvp = Rsvp.objects.get()
    assert (rsvp.status, rsvp.children, rsvp.childcare_ages, rsvp.ride) == (
        "going",
        2,
        "3, 7",
        True,
    )
    board = services.barriers(event)
    assert board.childcare_children == 2 and board.childcare_ages == (3, 7)
    assert board.rides == 1 and board.interpreters == [("es", 1)]
    assert [r.guardian for r in board.open_needs["ride"]] == [awake.rosa]


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"children": "500"}, "Ensure this value is less than or equal to 20."),
        ({"adults": "-2"}, "Ensure this value is greater than or equal to 0."),
        ({"adults": "0"}, "Count at least one adult."),
        ({"dietary_note": "no\x00nuts", "meal": "on"}, "Null characters are not allowed."),
        ({"accessibility_note": "ramp \u202e", "accessibility": "on"}, "invisible direction"),
        ({"interpreter": "klingon"}, "Select a valid choice."),
    ],
)
def test_a_bad_rsvp_is_refused_and_nothing_is_stored(awake, login, overrides, says):
    event = make_event(awake)
    marco = login(awake.marco)  # reads English
    response = marco.post(reverse("gatherings:family", args=[event.pk]), rsvp_data(**overrides))
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Rsvp.objects.exists()


def test_500_children_are_refused_by_the_service_too(awake):
    event = make_event(awake)
    with pytest.raises(services.EventRefused):
        services.respond(event, awake.rosa, coming=True, adults=1, children=500)
    assert not Rsvp.objects.exists()


def test_a_full_event_waitlists_and_promotes_when_a_family_cancels(awake, login):
    world = awake
    event = make_event(world, capacity=3)
    gina = services.respond(event, world.gina, coming=True, adults=1, children=2)
    rosa = services.respond(event, world.rosa, coming=True, adults=2, children=0)
    assert (gina.status, rsvp_status(rosa)) == ("going", "waitlisted")
    before = Message.objects.count()
    client = login(world.gina)
    with django_capture_on_commit(client):
        response = client.post(reverse("gatherings:family", args=[event.pk]), {"action": "cancel"})
    assert response.status_code == 302
    assert rsvp_status(gina) == "not_going" and rsvp_status(rosa) == "going"
    told = Message.objects.order_by("-pk").first()
    assert Message.objects.count() == before + 1
    assert "A place opened up" in told.body
    assert Delivery.objects.filter(message=told, guardian=world.rosa).exists()
    assert not Delivery.objects.filter(message=told, guardian=world.gina).exists()


def rsvp_status(rsvp):
    rsvp.refresh_from_db()
    return rsvp.status


class django_capture_on_commit:
    """Run what the request queued on commit (the test runs inside one transaction)."""

    def __init__(self, client):
        self.client = client

    def __enter__(self):
        from django.db import connection

        self._count = len(connection.run_on_commit)

    def __exit__(self, *exc):
        from django.db import connection

        callbacks = connection.run_on_commit[self._count :]
        del connection.run_on_commit[self._count :]
        for _sids, callback, _robust in callbacks:
            callback()


def test_the_last_place_goes_to_one_family(awake):
    world = awake
    event = make_event(world, capacity=2)
    first = services.respond(event, world.rosa, coming=True, adults=1, children=1)
    second = services.respond(event, world.gina, coming=True, adults=1, children=0)
    assert (first.status, second.status) == ("going", "waitlisted")


def test_a_going_family_cannot_grow_past_the_places_left(awake):
    event = make_event(awake, capacity=3)
    services.respond(event, awake.rosa, coming=True, adults=1, children=1)
    with pytest.raises(services.EventRefused, match="Only 3 places are left"):
        services.respond(event, awake.rosa, coming=True, adults=2, children=3)
    assert Rsvp.objects.get().people == 2


# ---- the barriers board ---------------------------------------------------------------------


def test_the_board_sums_needs_and_an_organiser_marks_one_met(awake, login):
    world = awake
    event = make_event(world)
    services.respond(
        event,
        world.rosa,
        coming=True,
        adults=1,
        children=2,
        needs=Needs(childcare=True, childcare_ages="2 and 9", interpreter_language="es", ride=True),
    )
    services.respond(
        event,
        world.gina,
        coming=True,
        adults=2,
        children=1,
        needs=Needs(
            childcare=True,
            childcare_ages="5",
            interpreter_language="vi",
            meal=True,
            dietary_note="Vegetarian",
            accessibility=True,
            accessibility_note="ramp",
        ),
    )
    services.respond(
        event,
        world.marco,
        coming=True,
        adults=1,
        children=0,
        needs=Needs(meal=True, dietary_note="vegetarian"),
    )
    client = login(world.rivera)
    page = client.get(reverse("gatherings:board", args=[event.pk])).content.decode()
    assert "Childcare for 3 children aged 2–9" in page
    assert "Spanish for 1 family" in page and "Vietnamese for 1 family" in page
    assert "1 ride" in page and "2 × <bdi>vegetarian</bdi>" in page
    rosa = Rsvp.objects.get(guardian=world.rosa)
    response = client.post(
        reverse("gatherings:board", args=[event.pk]),
        {"rsvp": rosa.pk, "need": "interpreter", "met": "1"},
    )
    assert response.status_code == 302
    rosa.refresh_from_db()
    assert rosa.interpreter_met and not rosa.ride_met
    board = services.barriers(event)
    assert board.met["interpreter"] == 1 and board.total["interpreter"] == 2
    assert [r.guardian for r in board.open_needs["interpreter"]] == [world.gina]


def test_marking_a_need_of_another_events_family_changes_nothing(awake, login):
    event = make_event(awake)
    other = make_event(awake)
    rsvp = services.respond(other, awake.rosa, coming=True, needs=Needs(ride=True))
    response = login(awake.rivera).post(
        reverse("gatherings:board", args=[event.pk]), {"rsvp": rsvp.pk, "need": "ride", "met": "1"}
    )
    assert response.status_code == 404
    rsvp.refresh_from_db()
    assert not rsvp.ride_met


# ---- who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, name",
    [
        ("south_teacher", "organise"),
        ("south_teacher", "board"),
        ("south_teacher", "ics"),
        ("elsewhere_admin", "organise"),
        ("olga", "family"),  # a family outside the audience
        ("olga", "ics"),
        ("ray", "family"),  # a guardian the school may not contact
        ("ray", "organise"),
        ("rosa", "organise"),  # a family, not a co-organiser
        ("rosa", "board"),
    ],
)
def test_an_event_the_user_may_not_see_is_a_404(awake, login, persona, name):
    event = make_event(awake)
    response = login(getattr(awake, persona)).get(reverse(f"gatherings:{name}", args=[event.pk]))
    assert response.status_code == 404


def test_a_family_may_not_rsvp_to_an_event_outside_its_audience(awake, login):
    event = make_event(awake)
    response = login(awake.olga).post(reverse("gatherings:family", args=[event.pk]), rsvp_data())
    assert response.status_code == 404
    assert not Rsvp.objects.exists()


def test_query_counts_do_not_grow_with_the_families(awake, login, django_assert_num_queries):
    world = awake
    event = make_event(world)
    for guardian in (world.rosa, world.gina, world.marco):
        services.respond(event, guardian, coming=True, needs=Needs(ride=True, meal=True))
    client = login(world.rivera)
    with django_assert_num_queries(8):
        assert client.get(reverse("gatherings:board", args=[event.pk])).status_code == 200
    # One of them lists the coming academy sessions the event may gather; the audience's
    # families are read from its links (`gatherings.access.audience_links`), not re-checked.
    with django_assert_num_queries(12):
        assert client.get(reverse("gatherings:organise", args=[event.pk])).status_code == 200
    family = login(world.rosa)
    with django_assert_num_queries(11):
        assert family.get(reverse("gatherings:family", args=[event.pk])).status_code == 200
