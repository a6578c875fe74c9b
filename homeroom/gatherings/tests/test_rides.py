"""The ride network: families who drive offer seats, families who need a ride ask for one,
the school proposes matches (each driver's seats filled by the riders nearest, a family never
split), both sides accept before either sees the other's name or number, children ride only
with their guardian's consent, the school may require drivers to be approved, and organisers
see every agreed ride."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from homeroom.gatherings import rides, services
from homeroom.gatherings.models import (
    RideArea,
    RideMatch,
    RideOffer,
    RideRequest,
    RideSettings,
    Rsvp,
)
from homeroom.gatherings.rides import Seats, match_riders
from homeroom.gatherings.services import Slot
from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Delivery, Message

# ---- the matcher, on plain data --------------------------------------------------------------


def test_each_driver_takes_the_riders_nearest_to_them():
    east, west = Seats(1, 10_000, 0, 2), Seats(2, -10_000, 0, 2)
    near_east, near_west = Seats(10, 9_000, 0, 1), Seats(11, -9_500, 0, 2)
    placements = match_riders([east, west], [near_west, near_east])
    assert {(p.rider, p.driver, p.distance_m) for p in placements} == {
        (10, 1, 1000),
        (11, 2, 500),
    }


def test_a_family_is_never_split_between_two_cars():
    # Two cars of two seats: the family of three fits in neither, though four seats are free.
    placements = match_riders([Seats(1, 0, 0, 2), Seats(2, 0, 0, 2)], [Seats(10, 0, 0, 3)])
    assert placements == []


def test_a_family_the_flow_would_split_still_gets_a_whole_car():
    # Seats alone would carry the family of three 2 + 1 across the near cars; it rides whole in
    # the three-seat car, and the single rider takes what is left.
    drivers = [Seats(1, 0, 0, 2), Seats(2, 100, 0, 3)]
    riders = [Seats(10, 0, 0, 3), Seats(11, 0, 0, 1)]
    placements = match_riders(drivers, riders)
    assert {(p.rider, p.driver) for p in placements} == {(10, 2), (11, 1)}


def test_a_declined_pair_is_not_proposed_again():
    placements = match_riders(
        [Seats(1, 0, 0, 4), Seats(2, 50_000, 0, 4)],
        [Seats(10, 0, 0, 1)],
        declined=frozenset({(10, 1)}),
    )
    assert [(p.rider, p.driver) for p in placements] == [(10, 2)]


def _greedy(drivers, riders):
    """Each rider in turn takes the nearest car with room: what the matcher must not lose to."""
    room = {d.key: d.seats for d in drivers}
    total, placed = 0, 0
    for rider in riders:
        fits = [(rides.distance_m(rider, d), d.key) for d in drivers if room[d.key] >= rider.seats]
        if fits:
            distance, key = min(fits)
            room[key] -= rider.seats
            total += distance
            placed += rider.seats
    return placed, total


points = st.integers(min_value=-20_000, max_value=20_000)


def _people(seats, keys):
    return st.lists(
        st.builds(Seats, key=st.just(0), x_m=points, y_m=points, seats=seats), max_size=12
    ).map(lambda rows: [Seats(keys + i, r.x_m, r.y_m, r.seats) for i, r in enumerate(rows)])


@settings(max_examples=60, deadline=None)
@given(
    drivers=_people(st.integers(min_value=1, max_value=8), 1),
    riders=_people(st.integers(min_value=1, max_value=5), 1000),
    declined_share=st.integers(min_value=0, max_value=3),
)
def test_every_placement_fits_and_no_rider_waits_while_a_car_has_room_for_them(
    drivers, riders, declined_share
):
    declined = frozenset(
        (r.key, d.key) for r in riders for d in drivers if (r.key + d.key) % 4 < declined_share
    )
    placements = match_riders(drivers, riders, declined=declined)
    seats = {r.key: r.seats for r in riders}
    room = {d.key: d.seats for d in drivers}
    placed = [p.rider for p in placements]
    assert len(placed) == len(set(placed))  # one car per family: never split
    for p in placements:
        room[p.driver] -= seats[p.rider]
        assert (p.rider, p.driver) not in declined
    assert all(left >= 0 for left in room.values())
    for rider in riders:
        if rider.key not in placed:
            assert not any(
                room[d.key] >= rider.seats and (rider.key, d.key) not in declined for d in drivers
            )


@settings(max_examples=60, deadline=None)
@given(
    drivers=_people(st.integers(min_value=1, max_value=4), 1),
    riders=_people(st.just(1), 1000),
)
def test_one_person_families_are_placed_at_least_as_well_as_greedily(drivers, riders):
    placements = match_riders(drivers, riders)
    greedy_placed, greedy_total = _greedy(drivers, riders)
    assert len(placements) == min(len(riders), sum(d.seats for d in drivers))
    assert len(placements) >= greedy_placed
    if len(placements) == greedy_placed:
        assert sum(p.distance_m for p in placements) <= greedy_total


# ---- the world: Math 6's evening, Gina drives, Rosa and Marco need rides --------------------


def make_event(world, by=None):
    start = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    event = services.create_event(
        by or world.rivera,
        title="Family math night",
        description="",
        place="Cafeteria",
        audience=Audience.section(world.math),
        capacity=None,
        when=Slot(start, start + timedelta(hours=2)),
    )
    services.invite(event, by or world.rivera)
    return event


def areas(world):
    made = rides.save_areas(
        world.north, [("Eastside", "5", "0"), ("Westside", "-5", "0"), ("55104", "0", "3")]
    )
    return {a.name: a for a in made}


@pytest.fixture
def evening(awake):
    world = awake
    event = make_event(world)
    for guardian in (world.rosa, world.marco, world.gina):
        services.respond(event, guardian, coming=True, adults=1, children=1)
    world.event, world.areas = event, areas(world)
    return world


def gina_drives(world, seats=3, area="Eastside"):
    return rides.offer_seats(world.event, world.gina, area_id=world.areas[area].pk, seats=seats)


def rosa_asks(world, area="55104", adults=1, children=1):
    return rides.ask_for_ride(
        world.event,
        world.rosa,
        area_id=world.areas[area].pk,
        adults=adults,
        children=children,
        children_consent=bool(children),
    )


def ride_page(world, login, guardian):
    return login(guardian).get(reverse("gatherings:ride", args=[world.event.pk])).content.decode()


def rides_page(world, login, person):
    return login(person).get(reverse("gatherings:rides", args=[world.event.pk]))


# ---- asking and offering --------------------------------------------------------------------


def test_a_family_offers_seats_and_another_asks_on_the_ride_page(evening, login):
    world = evening
    url = reverse("gatherings:ride", args=[world.event.pk])
    response = login(world.gina).post(
        url, {"action": "offer", "seats": "3", "area": world.areas["Eastside"].pk}
    )
    assert response.status_code == 302
    offer = RideOffer.objects.get()
    assert (offer.guardian, offer.seats, offer.area.name) == (world.gina, 3, "Eastside")
    response = login(world.rosa).post(
        url,
        {
            "action": "request",
            "area": world.areas["55104"].pk,
            "adults": "1",
            "children": "2",
            "children_consent": "on",
        },
    )
    assert response.status_code == 302
    request = RideRequest.objects.get()
    assert (request.guardian, request.seats, request.children_consent) == (world.rosa, 3, True)
    # The barriers board counts the ride as a need of Rosa's family.
    assert Rsvp.objects.get(event=world.event, guardian=world.rosa).ride


@pytest.mark.parametrize(
    "data, says",
    [
        ({"adults": "1", "children": "1"}, "Tick that your children may ride"),
        ({"adults": "0", "children": "0"}, "Count at least one person riding."),
        ({"adults": "5", "children": "4"}, "At most 8 people fit in one car."),
        ({"adults": "-1", "children": "1"}, "greater than or equal to 0"),
        ({"adults": "x"}, "Enter a whole number."),
        ({"area": "999999"}, "Select a valid choice."),
    ],
)
def test_a_bad_request_is_refused_with_a_message_and_nothing_is_stored(evening, login, data, says):
    world = evening
    posted = {"action": "request", "area": world.areas["55104"].pk, "adults": "1"}
    posted.update(data)
    # Marco reads English: the messages are checked in the words the page shows him.
    response = login(world.marco).post(reverse("gatherings:ride", args=[world.event.pk]), posted)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not RideRequest.objects.exists()


@pytest.mark.parametrize(
    "seats, says",
    [("0", "greater than or equal to 1"), ("9", "less than or equal to 8"), ("", "required")],
)
def test_a_bad_offer_is_refused_with_a_message_and_nothing_is_stored(evening, login, seats, says):
    world = evening
    response = login(world.marco).post(
        reverse("gatherings:ride", args=[world.event.pk]),
        {"action": "offer", "seats": seats, "area": world.areas["Eastside"].pk},
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not RideOffer.objects.exists()


def test_another_schools_area_is_not_a_choice(evening, login):
    world = evening
    (south_area,) = rides.save_areas(world.south, [("Southside", "1", "1")])
    response = login(world.marco).post(
        reverse("gatherings:ride", args=[world.event.pk]),
        {"action": "offer", "seats": "3", "area": south_area.pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    with pytest.raises(services.EventRefused, match="Choose one of the school's areas"):
        rides.offer_seats(world.event, world.gina, area_id=south_area.pk, seats=3)
    assert not RideOffer.objects.exists()


def test_children_are_never_placed_without_their_guardians_consent(evening):
    world = evening
    with pytest.raises(services.EventRefused, match="Tick that your children"):
        rides.ask_for_ride(
            world.event,
            world.rosa,
            area_id=world.areas["55104"].pk,
            adults=1,
            children=1,
            children_consent=False,
        )
    assert not RideRequest.objects.exists()
    # The database holds it too, whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        RideRequest.objects.create(
            event=world.event, guardian=world.rosa, area=world.areas["55104"], children=1
        )


def test_a_family_not_coming_is_told_to_answer_first_and_nothing_is_stored(awake, login):
    world = awake
    event = make_event(world)
    (area,) = rides.save_areas(world.north, [("Eastside", "5", "0")])
    response = login(world.marco).post(
        reverse("gatherings:ride", args=[event.pk]),
        {"action": "offer", "seats": "3", "area": area.pk},
    )
    assert response.status_code == 400
    assert "Tell us you are coming first" in response.content.decode()
    assert not RideOffer.objects.exists()


def test_a_family_either_drives_or_rides(evening):
    world = evening
    gina_drives(world)
    with pytest.raises(services.EventRefused, match="withdraw that before asking"):
        rides.ask_for_ride(
            world.event,
            world.gina,
            area_id=world.areas["Eastside"].pk,
            adults=1,
            children=0,
            children_consent=False,
        )
    assert not RideRequest.objects.exists()


# ---- proposing, accepting and what each side sees -------------------------------------------

GINA_PHONE, ROSA_PHONE, MARCO_PHONE = "+16125550113", "+16125550111", "+16125550112"


def test_contact_details_are_hidden_until_both_sides_accept(evening, login):
    world = evening
    gina_drives(world)
    rides.ask_for_ride(
        world.event,
        world.marco,
        area_id=world.areas["55104"].pk,
        adults=1,
        children=1,
        children_consent=True,
    )
    (match,) = rides.propose_matches(world.event)
    assert match.status == RideMatch.Status.PROPOSED

    def marco_sees():  # the rider (reads English)
        return ride_page(world, login, world.marco)

    def gina_sees():  # the driver
        return ride_page(world, login, world.gina)

    def hidden():
        for guardian in (world.marco, world.gina):
            rsvp = services.rsvp_of(world.event, guardian)
            (ride,) = rides.family_rides(world.event, guardian, rsvp).rides
            assert (ride.other.name, ride.other.phone) == ("", "")
        page = marco_sees()
        assert "A family driving from <bdi>Eastside</bdi>, with 3 seats." in page
        assert "Gina" not in page and "Nguyen" not in page
        assert GINA_PHONE not in page and world.gina.email not in page
        page = gina_sees()
        assert "55104" in page
        assert "Marco" not in page and "Lopez" not in page
        assert MARCO_PHONE not in page and world.marco.email not in page

    hidden()
    rides.accept(world.event, world.marco, match.pk)
    hidden()  # one side accepting is not enough
    assert "We are waiting for the other family" in marco_sees()
    done = rides.accept(world.event, world.gina, match.pk)
    assert done.status == RideMatch.Status.ACCEPTED
    page = marco_sees()
    assert "Gina</bdi> <bdi>Nguyen" in page or "Gina Nguyen" in page
    assert GINA_PHONE in page
    page = gina_sees()
    assert "Marco Lopez" in page and MARCO_PHONE in page
    # Marco's ride is met on the barriers board.
    board = services.barriers(world.event)
    assert board.total["ride"] == 1 and board.met["ride"] == 1


def test_the_order_of_accepting_does_not_matter_and_accepting_twice_changes_nothing(evening):
    world = evening
    gina_drives(world)
    rosa_asks(world)
    (match,) = rides.propose_matches(world.event)
    assert rides.accept(world.event, world.gina, match.pk).status == "accepted_by_driver"
    assert rides.accept(world.event, world.gina, match.pk).status == "accepted_by_driver"
    assert rides.accept(world.event, world.rosa, match.pk).status == "accepted"


def test_both_families_are_told_in_their_language_without_names(
    evening, django_capture_on_commit_callbacks
):
    world = evening
    gina_drives(world)
    rosa_asks(world)
    Message.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        (match,) = rides.propose_matches(world.event)
    told = list(Message.objects.order_by("pk"))
    assert len(told) == 2
    to_gina = next(m for m in told if m.deliveries.filter(guardian=world.gina).exists())
    to_rosa = next(m for m in told if m.deliveries.filter(guardian=world.rosa).exists())
    assert "from 55104" in to_gina.body and reverse("gatherings:ride", args=[world.event.pk])
    assert "driving from Eastside" in to_rosa.body
    for message in told:
        assert "Rosa" not in message.body and "Gina" not in message.body
        assert ROSA_PHONE not in message.body and GINA_PHONE not in message.body
    # Rosa reads Spanish, Gina Vietnamese: each from the catalogue, not a machine.
    spanish = to_rosa.translations.get(language="es")
    assert spanish.text.startswith("Homeroom propone un viaje") and "Eastside" in spanish.text
    assert not spanish.machine
    assert not to_gina.translations.get(language="vi").machine
    Message.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        rides.accept(world.event, world.gina, match.pk)
    assert not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        rides.accept(world.event, world.rosa, match.pk)
    assert Delivery.objects.filter(guardian=world.rosa).exists()
    assert Delivery.objects.filter(guardian=world.gina).exists()


def test_a_declined_ride_frees_the_rider_and_is_not_proposed_again(evening):
    world = evening
    gina_drives(world)
    rosa_asks(world)
    (match,) = rides.propose_matches(world.event)
    rides.decline(world.event, world.gina, match.pk)
    assert RideMatch.objects.get().status == RideMatch.Status.DECLINED
    assert rides.propose_matches(world.event) == []
    with pytest.raises(services.EventRefused, match="declined"):
        rides.accept(world.event, world.rosa, match.pk)
    # Another driver is proposed to Rosa.
    rides.offer_seats(world.event, world.marco, area_id=world.areas["Westside"].pk, seats=2)
    (again,) = rides.propose_matches(world.event)
    assert again.offer.guardian == world.marco and again.request.guardian == world.rosa


def test_when_an_agreed_ride_is_called_off_the_other_family_is_told_and_the_need_reopens(
    evening, django_capture_on_commit_callbacks
):
    world = evening
    gina_drives(world)
    rosa_asks(world)
    (match,) = rides.propose_matches(world.event)
    rides.accept(world.event, world.gina, match.pk)
    rides.accept(world.event, world.rosa, match.pk)
    Message.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        rides.withdraw_offer(world.event, world.gina)
    assert not RideMatch.objects.exists()
    assert not Rsvp.objects.get(event=world.event, guardian=world.rosa).ride_met
    (told,) = Message.objects.all()
    assert "is off" in told.body and told.deliveries.filter(guardian=world.rosa).exists()


def test_a_driver_who_cannot_come_after_all_frees_the_ride_and_the_rider_is_told(
    evening, django_capture_on_commit_callbacks
):
    world = evening
    gina_drives(world)
    rosa_asks(world)
    (match,) = rides.propose_matches(world.event)
    rides.accept(world.event, world.gina, match.pk)
    rides.accept(world.event, world.rosa, match.pk)
    Message.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(world.event, world.gina)
    assert not RideOffer.objects.filter(guardian=world.gina).exists()
    assert not RideMatch.objects.exists()
    assert not Rsvp.objects.get(event=world.event, guardian=world.rosa).ride_met
    assert Message.objects.filter(deliveries__guardian=world.rosa, body__contains="is off").exists()
    # A rider who cannot come frees the seats too.
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(world.event, world.rosa)
    assert not RideRequest.objects.filter(guardian=world.rosa).exists()


def test_a_driver_fills_seats_with_the_nearest_families_and_the_rest_stay_open(evening, login):
    world = evening
    gina_drives(world, seats=2, area="Eastside")
    rosa_asks(world, area="Westside", adults=1, children=0)
    rides.ask_for_ride(
        world.event,
        world.marco,
        area_id=world.areas["Eastside"].pk,
        adults=2,
        children=0,
        children_consent=False,
    )
    (match,) = rides.propose_matches(world.event)
    assert match.request.guardian == world.marco and match.distance_m == 0
    page = rides_page(world, login, world.rivera).content.decode()
    assert "Families still looking for a ride" in page
    open_list = page.split("Families still looking for a ride")[1].split("</section>")[0]
    assert "Rosa" in open_list and "Marco" not in open_list


# ---- the school's policy: drivers approved by staff -----------------------------------------


def test_when_the_school_requires_it_only_approved_drivers_are_matched(evening, login):
    world = evening
    url = reverse("gatherings:rides", args=[world.event.pk])
    # A teacher may not set the school's policy; its admin may.
    response = login(world.rivera).post(url, {"action": "policy", "drivers_need_approval": "on"})
    assert response.status_code == 403
    assert not RideSettings.objects.exists()
    response = login(world.principal).post(url, {"action": "policy", "drivers_need_approval": "on"})
    assert response.status_code == 302
    offer = rides.offer_seats(world.event, world.marco, area_id=world.areas["Westside"].pk, seats=3)
    rosa_asks(world)
    assert "approves drivers before matching" in ride_page(world, login, world.marco)
    assert rides.propose_matches(world.event) == []
    response = login(world.rivera).post(url, {"action": "approve", "offer": offer.pk})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.approved_by == world.rivera and offer.approved_at
    assert "approves drivers before matching" not in ride_page(world, login, world.marco)
    assert len(rides.propose_matches(world.event)) == 1


# ---- organisers -----------------------------------------------------------------------------


def test_staff_see_every_ride_with_numbers_and_a_co_organiser_sees_agreed_rides_by_name(
    evening, login
):
    world = evening
    services.add_co_organiser(world.event, world.marco)
    gina_drives(world)
    rosa_asks(world)
    (match,) = rides.propose_matches(world.event)
    co_page = rides_page(world, login, world.marco)
    assert co_page.status_code == 200
    text = co_page.content.decode()
    assert "Gina" not in text and "Rosa" not in text  # proposed, not agreed: no names
    rides.accept(world.event, world.gina, match.pk)
    rides.accept(world.event, world.rosa, match.pk)
    text = rides_page(world, login, world.marco).content.decode()
    assert "Gina</bdi> <bdi>Nguyen" in text and "Rosa</bdi> <bdi>Lopez" in text
    assert GINA_PHONE not in text and ROSA_PHONE not in text
    text = rides_page(world, login, world.rivera).content.decode()
    assert "Gina</bdi> <bdi>Nguyen" in text and GINA_PHONE in text and ROSA_PHONE in text
    # A co-organiser reads; it does not act.
    response = login(world.marco).post(
        reverse("gatherings:rides", args=[world.event.pk]), {"action": "propose"}
    )
    assert response.status_code == 404


def test_staff_place_areas_on_the_schools_grid_typed_or_pasted(evening, login):
    world = evening
    url = reverse("gatherings:rides", args=[world.event.pk])
    client = login(world.rivera)
    response = client.post(url, {"action": "area", "name": "Frogtown", "x_km": "-2.5", "y_km": "1"})
    assert response.status_code == 302
    assert RideArea.objects.get(name="Frogtown").x_km == -2.5
    response = client.post(
        url, {"action": "areas", "text": "area,x,y\n55102, 1.25, -3\nFrogtown,0,0\n"}
    )
    assert response.status_code == 302
    assert RideArea.objects.get(name="55102").y_km == -3
    assert RideArea.objects.get(name="Frogtown").x_km == 0  # moved, not doubled
    assert "Frogtown" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "text, says",
    [
        ("Ok,1,1\nBad,east,2", "Line 2: east is not a number of kilometres."),
        ("Ok,1,1\nFar,5000,0", "Line 2: a place on the grid is at most 1000 km"),
        ("Ok,1,1\nNo coordinates", "Line 2: write the area, then x and y"),
        ("Ok,1,1\n,1,1", "Line 2: give the area a name."),
        ("", "Give at least one area."),
        ("Ok\u202e,1,1", "invisible direction characters"),
    ],
)
def test_bad_areas_are_refused_with_the_line_and_nothing_is_stored(evening, login, text, says):
    world = evening
    before = RideArea.objects.count()
    response = login(world.rivera).post(
        reverse("gatherings:rides", args=[world.event.pk]), {"action": "areas", "text": text}
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert RideArea.objects.count() == before


def test_a_typed_area_out_of_range_is_refused(evening, login):
    world = evening
    response = login(world.rivera).post(
        reverse("gatherings:rides", args=[world.event.pk]),
        {"action": "area", "name": "Moon", "x_km": "384400", "y_km": "0"},
    )
    assert response.status_code == 400
    assert "less than or equal to 1000" in response.content.decode()
    assert not RideArea.objects.filter(name="Moon").exists()


# ---- what nobody else may reach: 404 ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["south_teacher", "south_admin", "rosa", "olga", "ray"])
def test_the_rides_page_of_an_event_the_user_may_not_organise_is_a_404(evening, login, persona):
    world = evening
    assert rides_page(world, login, getattr(world, persona)).status_code == 404


@pytest.mark.parametrize("persona", ["olga", "ray", "eli", "rivera"])
def test_the_ride_page_of_an_event_the_family_may_not_see_is_a_404(evening, login, persona):
    world = evening
    response = login(getattr(world, persona)).get(reverse("gatherings:ride", args=[world.event.pk]))
    assert response.status_code == 404


def test_a_ride_of_other_families_cannot_be_accepted_or_declined(evening, login):
    world = evening
    gina_drives(world)
    rosa_asks(world)
    (match,) = rides.propose_matches(world.event)
    url = reverse("gatherings:ride", args=[world.event.pk])
    for action in ("accept", "decline"):
        response = login(world.marco).post(url, {"action": action, "match": match.pk})
        assert response.status_code == 404
    assert RideMatch.objects.get().status == RideMatch.Status.PROPOSED


def test_a_driver_of_another_event_cannot_be_approved_here(evening, login):
    world = evening
    other = make_event(world)
    services.respond(other, world.gina, coming=True)
    offer = rides.offer_seats(other, world.gina, area_id=world.areas["Eastside"].pk, seats=2)
    response = login(world.rivera).post(
        reverse("gatherings:rides", args=[world.event.pk]), {"action": "approve", "offer": offer.pk}
    )
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.approved_at is None


# ---- query counts ---------------------------------------------------------------------------


def _crowd(world, families):
    """`families` more ride requests on the evening (guardians of Math 6 made on the spot)."""
    from homeroom.people.models import Enrollment, Student
    from homeroom.testing.personas import link, make_guardian

    for n in range(families):
        child = Student.objects.create(
            school=world.north, given_name=f"Kid{n}", family_name="Crowd", grade="6"
        )
        Enrollment.objects.create(student=child, section=world.math)
        guardian = make_guardian(world.district, f"Parent{n}", "Crowd", "en", f"+1612555{n:04d}")
        link(guardian, child)
        services.respond(world.event, guardian, coming=True)
        rides.ask_for_ride(
            world.event,
            guardian,
            area_id=world.areas["Westside"].pk,
            adults=1,
            children=0,
            children_consent=False,
        )


@pytest.mark.parametrize("families", [2, 12])
def test_the_rides_pages_do_not_grow_queries_with_the_families(
    evening, login, django_assert_num_queries, families
):
    world = evening
    gina_drives(world, seats=8)
    _crowd(world, families)
    rides.propose_matches(world.event)
    staff, gina = Client(), Client()
    staff.force_login(world.rivera.user)
    gina.force_login(world.gina.user)
    organiser_url = reverse("gatherings:rides", args=[world.event.pk])
    family_url = reverse("gatherings:ride", args=[world.event.pk])
    staff.get(organiser_url), gina.get(family_url)  # warm the session and caches
    with django_assert_num_queries(ORGANISER_QUERIES):
        assert staff.get(organiser_url).status_code == 200
    with django_assert_num_queries(FAMILY_QUERIES):
        assert gina.get(family_url).status_code == 200


ORGANISER_QUERIES = 12
FAMILY_QUERIES = 13
