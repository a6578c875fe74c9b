"""The ride network: families who drive offer seats for an event, families who need a ride ask
for one, and Homeroom proposes matches, each driver's seats filled by the riders nearest to
them. Both sides accept before either sees the other's name or number.

The matcher (`match_riders`) is a pure function over plain data: networkx's min-cost
maximum flow over seats, on straight-line distances between the areas the school placed on
its own grid. Who may open an event's rides is `gatherings.access`; what a reader sees of the
other side is decided here (`family_rides`, `organiser_rides`)."""

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

import networkx as nx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.languages import STAFF_LANGUAGE
from homeroom.messaging.services import catalogue_versions, start_conversation
from homeroom.people.models import Guardian, School, StaffMember

from . import access as gatherings_access
from .models import (
    MAX_RIDE_COORDINATE_KM,
    MAX_RIDE_SEATS,
    RIDE_AREA_NAME_MAX_CHARS,
    Event,
    RideArea,
    RideMatch,
    RideOffer,
    RideRequest,
    RideSettings,
    Rsvp,
)
from .services import EventRefused

# ---- the matcher --------------------------------------------------------------------------

SOURCE, SINK = "riders", "drivers"


@dataclass(frozen=True)
class Seats:
    """A driver (seats offered) or a rider (seats needed: the family's adults and children
    riding), at a point of the school's grid in metres."""

    key: int
    x_m: int
    y_m: int
    seats: int


@dataclass(frozen=True)
class Placement:
    rider: int
    driver: int
    distance_m: int


def distance_m(a: Seats, b: Seats) -> int:
    return round(math.hypot(a.x_m - b.x_m, a.y_m - b.y_m))


def ride_graph(
    drivers: Iterable[Seats],
    riders: Iterable[Seats],
    *,
    room: dict[int, int] | None = None,
    declined: frozenset[tuple[int, int]] = frozenset(),
    family_size: int | None = None,
) -> nx.DiGraph:
    """The flow network of a matching, costs in metres between areas.

    Over seats (`family_size` None): source → each rider (capacity: the seats it needs),
    rider → each driver with room for all of it (capacity: its seats, cost: the distance),
    driver → sink (capacity: the seats left). A flow over it may split a family between cars.

    Over families of one size k: source → each rider (capacity 1), rider → driver (capacity
    1, cost: the distance), driver → sink (capacity: how many families of k its seats left
    take, room // k). A unit of flow is a whole family: none can be split.

    A pair one side declined has no edge."""
    drivers, riders = list(drivers), list(riders)
    room = room if room is not None else {d.key: d.seats for d in drivers}
    unit = family_size is not None
    graph = nx.DiGraph()
    graph.add_node(SOURCE)
    graph.add_node(SINK)
    for driver in drivers:
        left = room[driver.key] // family_size if unit else room[driver.key]
        graph.add_edge(("d", driver.key), SINK, capacity=left, weight=0)
    for rider in riders:
        need = 1 if unit else rider.seats
        graph.add_edge(SOURCE, ("r", rider.key), capacity=need, weight=0)
        for driver in drivers:
            if room[driver.key] >= rider.seats and (rider.key, driver.key) not in declined:
                graph.add_edge(
                    ("r", rider.key),
                    ("d", driver.key),
                    capacity=need,
                    weight=distance_m(rider, driver),
                )
    return graph


def match_riders(
    drivers: Iterable[Seats],
    riders: Iterable[Seats],
    *,
    declined: frozenset[tuple[int, int]] = frozenset(),
) -> list[Placement]:
    """Place families in drivers' seats, each family whole in one car, each driver's seats
    going to the families nearest to them.

    A min-cost flow over seats would split a family of three between two cars, and placing
    families whole in cars is a bin-packing problem no flow solves exactly. So the families
    are placed by size, the largest first: for each size k, networkx's min-cost maximum flow
    over families of k (a unit of flow is one whole family; a car takes as many as its seats
    left hold) places as many of them as fit, at the least total distance; the seats they
    take are gone for the smaller families after them, and one-person families fill what is
    left. Exact when every family is one person; in every case no family waits while a car
    it was not declined by has room for all of it."""
    drivers = sorted(drivers, key=lambda d: d.key)
    room = {d.key: d.seats for d in drivers}
    riders = sorted((r for r in riders if r.seats > 0), key=lambda r: r.key)
    by_key = {d.key: d for d in drivers}
    placements: list[Placement] = []
    for size in sorted({r.seats for r in riders}, reverse=True):
        with_room = [d for d in drivers if room[d.key] >= size]
        if not with_room:
            continue
        families = [r for r in riders if r.seats == size]
        graph = ride_graph(with_room, families, room=room, declined=declined, family_size=size)
        flow = nx.max_flow_min_cost(graph, SOURCE, SINK)
        for rider in families:
            for node, units in flow[("r", rider.key)].items():
                if units:
                    driver = by_key[node[1]]
                    room[driver.key] -= size
                    placements.append(Placement(rider.key, driver.key, distance_m(rider, driver)))
    return sorted(placements, key=lambda p: (p.driver, p.rider))


# ---- areas and the school's policy --------------------------------------------------------


def areas_of(school: School):
    return RideArea.objects.filter(school=school).order_by("name", "pk")


def ride_settings(school: School) -> RideSettings:
    found = RideSettings.objects.filter(school=school).first()
    return found or RideSettings(school=school)


def set_drivers_need_approval(school: School, required: bool) -> RideSettings:
    policy, _created = RideSettings.objects.update_or_create(
        school=school, defaults={"drivers_need_approval": required}
    )
    return policy


def _coordinate(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise EventRefused(
            _("%(where)s: %(value)s is not a number of kilometres.")
            % {"where": where, "value": text.strip()[:20]}
        ) from None
    if not value.is_finite() or abs(value) > MAX_RIDE_COORDINATE_KM:
        raise EventRefused(
            _("%(where)s: a place on the grid is at most %(km)s km from its centre.")
            % {"where": where, "km": MAX_RIDE_COORDINATE_KM}
        )
    return value.quantize(Decimal("0.01"))


def _area_name(text: str, where: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise EventRefused(_("%(where)s: give the area a name.") % {"where": where})
    if len(name) > RIDE_AREA_NAME_MAX_CHARS:
        raise EventRefused(
            _("%(where)s: an area's name is at most %(count)s characters.")
            % {"where": where, "count": RIDE_AREA_NAME_MAX_CHARS}
        )
    if "\x00" in name:
        raise EventRefused(
            _("%(where)s: the name holds a character that is not text.") % {"where": where}
        )
    return name


def save_areas(school: School, rows: list[tuple[str, str, str]]) -> list[RideArea]:
    """Areas typed or pasted as `area,x,y` (kilometres east and north on the school's grid).
    An area already known by that name moves to the new place. One bad row refuses them all
    and nothing is stored."""
    cleaned: dict[str, tuple[str, Decimal, Decimal]] = {}
    for number, row in enumerate(rows, start=1):
        where = _("Line %(number)s") % {"number": number}
        if len(row) != 3:
            raise EventRefused(
                _("%(where)s: write the area, then x and y in kilometres, separated by commas.")
                % {"where": where}
            )
        name = _area_name(row[0], where)
        cleaned[name.casefold()] = (name, _coordinate(row[1], where), _coordinate(row[2], where))
    if not cleaned:
        raise EventRefused(_("Give at least one area."))
    saved = []
    with transaction.atomic():
        known = {a.name.casefold(): a for a in areas_of(school)}
        for key, (name, x_km, y_km) in cleaned.items():
            area = known.get(key) or RideArea(school=school, name=name)
            area.x_km, area.y_km = x_km, y_km
            area.save()
            saved.append(area)
    return saved


def read_areas_csv(text: str) -> list[tuple[str, str, str]]:
    """The rows of a pasted or uploaded `area,x,y` file; a first row naming the columns and
    empty lines are skipped."""
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    rows = [row for row in rows if any(row)]
    if rows and rows[0] and rows[0][0].casefold() in {"area", "name", "postal code"}:
        rows = rows[1:]
    return [tuple(row) for row in rows]


# ---- offers and requests ------------------------------------------------------------------


def _check_family_may_ride(event: Event, guardian: Guardian, now: datetime) -> None:
    if event.is_past(now):
        raise EventRefused(_("This event has already started."))
    going = Rsvp.objects.filter(event=event, guardian=guardian, status=Rsvp.Status.GOING)
    if not going.exists():
        raise EventRefused(_("Tell us you are coming first: rides are for families coming."))


def _area_of(event: Event, area_id: int) -> RideArea:
    area = areas_of(event.school).filter(pk=area_id).first()
    if area is None:
        raise EventRefused(_("Choose one of the school's areas."))
    return area


def _live(matches):
    return matches.exclude(status=RideMatch.Status.DECLINED)


def _lock(event: Event) -> None:
    """Hold the event's row, as `propose_matches` does while it reads the seats and the
    families riding: a change to an offer or a request waits for a proposal run, and the
    other way round, so no car is filled past what its driver offers."""
    Event.objects.select_for_update().filter(pk=event.pk).first()


def offer_seats(
    event: Event, guardian: Guardian, *, area_id: int, seats: int, now: datetime | None = None
) -> RideOffer:
    """ "I can drive: N seats from <area>." Changed freely until a ride is proposed."""
    now = now or timezone.now()
    _check_family_may_ride(event, guardian, now)
    if not 1 <= seats <= MAX_RIDE_SEATS:
        raise EventRefused(_("Offer between 1 and %(count)s seats.") % {"count": MAX_RIDE_SEATS})
    area = _area_of(event, area_id)
    with transaction.atomic():
        _lock(event)
        if RideRequest.objects.filter(event=event, guardian=guardian).exists():
            raise EventRefused(_("You asked for a ride: withdraw that before offering seats."))
        offer = RideOffer.objects.select_for_update().filter(event=event, guardian=guardian).first()
        if offer is not None and _live(offer.matches.all()).exists():
            raise EventRefused(
                _("A ride is proposed with your seats: withdraw your offer to change it.")
            )
        offer = offer or RideOffer(event=event, guardian=guardian)
        offer.area, offer.seats = area, seats
        try:
            with transaction.atomic():
                offer.save()
        except IntegrityError:
            raise EventRefused(_("You have offered seats already.")) from None
    return offer


def ask_for_ride(
    event: Event,
    guardian: Guardian,
    *,
    area_id: int,
    adults: int,
    children: int,
    children_consent: bool,
    now: datetime | None = None,
) -> RideRequest:
    """ "We need a ride from <area>." A child is never placed in a car unless the guardian
    asking consented for the children riding."""
    now = now or timezone.now()
    _check_family_may_ride(event, guardian, now)
    if adults < 0 or children < 0 or adults + children < 1:
        raise EventRefused(_("Count at least one person riding."))
    if adults + children > MAX_RIDE_SEATS:
        raise EventRefused(
            _("At most %(count)s people fit in one car.") % {"count": MAX_RIDE_SEATS}
        )
    if children and not children_consent:
        raise EventRefused(
            _("Tick that your children may ride with the family driving, or count only adults.")
        )
    area = _area_of(event, area_id)
    with transaction.atomic():
        _lock(event)
        if RideOffer.objects.filter(event=event, guardian=guardian).exists():
            raise EventRefused(_("You offered seats: withdraw that before asking for a ride."))
        request = (
            RideRequest.objects.select_for_update().filter(event=event, guardian=guardian).first()
        )
        if request is not None and _live(request.matches.all()).exists():
            raise EventRefused(_("A ride is proposed for you: withdraw your request to change it."))
        request = request or RideRequest(event=event, guardian=guardian)
        request.area, request.adults, request.children = area, adults, children
        request.children_consent = children_consent and children > 0
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            raise EventRefused(_("You have asked for a ride already.")) from None
        # The barriers board counts the ride as a need.
        Rsvp.objects.filter(event=event, guardian=guardian).update(ride=True)
    return request


def withdraw_offer(event: Event, guardian: Guardian) -> None:
    """The seats are no longer offered; riders whose ride was accepted are told."""
    with transaction.atomic():
        _lock(event)
        offer = RideOffer.objects.select_for_update().filter(event=event, guardian=guardian).first()
        if offer is None:
            return
        accepted = list(offer.matches.filter(status=RideMatch.Status.ACCEPTED))
        riders = [m.request.guardian_id for m in accepted]
        Rsvp.objects.filter(event=event, guardian__in=riders).update(ride_met=False)
        offer.delete()
        for guardian_pk in riders:
            transaction.on_commit(lambda pk=guardian_pk: _tell(event.pk, pk, _ride_withdrawn_text))


def withdraw_request(event: Event, guardian: Guardian) -> None:
    with transaction.atomic():
        _lock(event)
        request = (
            RideRequest.objects.select_for_update().filter(event=event, guardian=guardian).first()
        )
        if request is None:
            return
        drivers = [
            m.offer.guardian_id
            for m in request.matches.filter(status=RideMatch.Status.ACCEPTED).select_related(
                "offer"
            )
        ]
        Rsvp.objects.filter(event=event, guardian=guardian).update(ride_met=False)
        request.delete()
        for guardian_pk in drivers:
            transaction.on_commit(lambda pk=guardian_pk: _tell(event.pk, pk, _ride_withdrawn_text))


def approve_driver(event: Event, staff: StaffMember, offer_id: int, now=None) -> RideOffer:
    offer = event.ride_offers.filter(pk=offer_id).first()
    if offer is None:
        raise EventRefused(_("Choose a driver of this event."))
    if offer.approved_at is None:
        offer.approved_at, offer.approved_by = now or timezone.now(), staff
        offer.save(update_fields=["approved_at", "approved_by"])
    return offer


# ---- proposing and accepting --------------------------------------------------------------


def _going(event: Event, guardian_field: str):
    return Exists(
        Rsvp.objects.filter(
            event=event, guardian=OuterRef(guardian_field), status=Rsvp.Status.GOING
        )
    )


def _metres(km: Decimal) -> int:
    return int(km * 1000)


def propose_matches(event: Event, now: datetime | None = None) -> list[RideMatch]:
    """Run the matcher over the seats still free and the families still without a ride, and
    propose what it places to both sides (a message each, through the outbox). Drivers the
    school has not approved, when it requires approval, wait; so do families no longer coming;
    a pair one side declined is not proposed again."""
    now = now or timezone.now()
    if event.is_past(now):
        raise EventRefused(_("This event has already started."))
    with transaction.atomic():
        # One proposal run at a time per event: two organisers pressing at once would
        # otherwise give the same seats twice.
        Event.objects.select_for_update().filter(pk=event.pk).first()
        offers = event.ride_offers.filter(_going(event, "guardian")).select_related("area")
        if ride_settings(event.school).drivers_need_approval:
            offers = offers.filter(approved_at__isnull=False)
        offers = list(
            offers.annotate(
                taken_adults=Sum("matches__request__adults", filter=~Q(matches__status="declined")),
                taken_children=Sum(
                    "matches__request__children", filter=~Q(matches__status="declined")
                ),
            )
        )
        requests = list(
            event.ride_requests.filter(_going(event, "guardian"))
            .exclude(Exists(_live(RideMatch.objects.filter(request=OuterRef("pk")))))
            .select_related("area")
        )
        declined = frozenset(
            RideMatch.objects.filter(offer__event=event).values_list("request_id", "offer_id")
        )
        drivers = [
            Seats(
                o.pk,
                _metres(o.area.x_km),
                _metres(o.area.y_km),
                o.seats - (o.taken_adults or 0) - (o.taken_children or 0),
            )
            for o in offers
        ]
        riders = [
            Seats(r.pk, _metres(r.area.x_km), _metres(r.area.y_km), r.seats) for r in requests
        ]
        placements = match_riders([d for d in drivers if d.seats > 0], riders, declined=declined)
        matches = RideMatch.objects.bulk_create(
            RideMatch(offer_id=p.driver, request_id=p.rider, distance_m=p.distance_m)
            for p in placements
        )
        for match in matches:
            transaction.on_commit(lambda pk=match.pk: tell_proposed(pk))
    return matches


ACCEPTING = {
    # (status, side accepting) → the status after
    (RideMatch.Status.PROPOSED, "driver"): RideMatch.Status.ACCEPTED_BY_DRIVER,
    (RideMatch.Status.PROPOSED, "rider"): RideMatch.Status.ACCEPTED_BY_RIDER,
    (RideMatch.Status.ACCEPTED_BY_RIDER, "driver"): RideMatch.Status.ACCEPTED,
    (RideMatch.Status.ACCEPTED_BY_DRIVER, "rider"): RideMatch.Status.ACCEPTED,
}


def matches_of(event: Event, guardian: Guardian):
    """The rides proposed to this family for this event, as driver or as rider."""
    return RideMatch.objects.filter(
        Q(offer__guardian=guardian) | Q(request__guardian=guardian), offer__event=event
    ).select_related("offer__area", "offer__guardian", "request__area", "request__guardian")


def _side(match: RideMatch, guardian: Guardian) -> str:
    return "driver" if match.offer.guardian_id == guardian.pk else "rider"


def accept(event: Event, guardian: Guardian, match_id: int, now=None) -> RideMatch:
    """One side accepts; once both have, the ride is on: the rider's need is met on the
    barriers board and both families are told (names are on the page, not in the message)."""
    with transaction.atomic():
        match = (
            matches_of(event, guardian).select_for_update(of=("self",)).filter(pk=match_id).first()
        )
        if match is None:
            raise EventRefused(_("Choose one of your rides."))
        after = ACCEPTING.get((match.status, _side(match, guardian)))
        if after is None:
            if match.status == RideMatch.Status.DECLINED:
                raise EventRefused(_("This ride was declined."))
            return match  # accepting twice changes nothing
        match.status = after
        if after == RideMatch.Status.ACCEPTED:
            match.accepted_at = now or timezone.now()
            Rsvp.objects.filter(event=event, guardian=match.request.guardian_id).update(
                ride_met=True
            )
            for pk in (match.offer.guardian_id, match.request.guardian_id):
                transaction.on_commit(lambda pk=pk: _tell(event.pk, pk, _ride_accepted_text))
        match.save(update_fields=["status", "accepted_at"])
    return match


def decline(event: Event, guardian: Guardian, match_id: int) -> RideMatch:
    """Either side declines, before or after accepting; the rider is an open need again and
    the pair is not proposed again. When the ride had been agreed, the other side is told."""
    with transaction.atomic():
        match = (
            matches_of(event, guardian).select_for_update(of=("self",)).filter(pk=match_id).first()
        )
        if match is None:
            raise EventRefused(_("Choose one of your rides."))
        if match.status == RideMatch.Status.DECLINED:
            return match
        was_accepted = match.status == RideMatch.Status.ACCEPTED
        side = _side(match, guardian)
        match.status = RideMatch.Status.DECLINED
        match.declined_by_driver = side == "driver"
        match.save(update_fields=["status", "declined_by_driver"])
        if was_accepted:
            Rsvp.objects.filter(event=event, guardian=match.request.guardian_id).update(
                ride_met=False
            )
            other = match.request.guardian_id if side == "driver" else match.offer.guardian_id
            transaction.on_commit(lambda: _tell(event.pk, other, _ride_withdrawn_text))
    return match


# ---- messages to families -----------------------------------------------------------------


def ride_link(event: Event) -> str:
    return settings.PUBLIC_BASE_URL + reverse("gatherings:ride", args=[event.pk])


def _ride_proposed_to_driver_text(event: Event, match: RideMatch) -> str:
    return _(
        "Homeroom proposes a ride for %(title)s: a family of %(count)s from %(area)s would "
        "ride in your car. Accept or decline here: %(link)s"
    ) % {
        "title": event.title,
        "count": match.request.seats,
        "area": match.request.area.name,
        "link": ride_link(event),
    }


def _ride_proposed_to_rider_text(event: Event, match: RideMatch) -> str:
    return _(
        "Homeroom proposes a ride for %(title)s with a family driving from %(area)s. "
        "Accept or decline here: %(link)s"
    ) % {"title": event.title, "area": match.offer.area.name, "link": ride_link(event)}


def _ride_accepted_text(event: Event, match=None) -> str:
    return _(
        "Your ride for %(title)s is agreed: both families accepted. See who you ride with "
        "here: %(link)s"
    ) % {"title": event.title, "link": ride_link(event)}


def _ride_withdrawn_text(event: Event, match=None) -> str:
    return _(
        "The ride agreed for %(title)s is off: the other family can no longer make it. "
        "The school will look for another ride: %(link)s"
    ) % {"title": event.title, "link": ride_link(event)}


def _tell(event_pk: int, guardian_pk: int, render, match: RideMatch | None = None) -> None:
    """A private message to one family about its child in the audience, written from the
    catalogue in each language (the outbox sends it on the family's channel)."""
    event = Event.objects.select_related("school", "created_by").get(pk=event_pk)
    guardian = Guardian.objects.get(pk=guardian_pk)
    student = gatherings_access.child_to_tell(event, guardian)
    if student is None:
        return

    def text() -> str:
        return render(event, match)

    with override(STAFF_LANGUAGE):
        english = text()
        subject = _("A ride to %(title)s") % {"title": event.title}
    start_conversation(
        student=student,
        by_staff=event.created_by,
        text=english,
        subject=subject,
        prepared=catalogue_versions(text),
        subject_prepared=catalogue_versions(
            lambda: _("A ride to %(title)s") % {"title": event.title}
        ),
    )


def tell_proposed(match_pk: int) -> None:
    match = RideMatch.objects.select_related("offer__area", "offer__event", "request__area").get(
        pk=match_pk
    )
    event_pk = match.offer.event_id
    _tell(event_pk, match.offer.guardian_id, _ride_proposed_to_driver_text, match)
    _tell(event_pk, match.request.guardian_id, _ride_proposed_to_rider_text, match)


# ---- what each reader sees ----------------------------------------------------------------


@dataclass
class OtherSide:
    """The other family of a ride, as one side sees it: the area and seats always; the name
    and phone only once both accepted."""

    area: str
    adults: int = 0
    children: int = 0
    seats: int = 0
    name: str = ""
    phone: str = ""


@dataclass
class MyRide:
    match: RideMatch
    side: str  # "driver" or "rider"
    other: OtherSide
    may_accept: bool
    waiting_for_other: bool


@dataclass
class FamilyRides:
    going: bool
    offer: RideOffer | None
    request: RideRequest | None
    waiting_approval: bool
    rides: list[MyRide] = field(default_factory=list)


def _name(guardian: Guardian) -> str:
    return f"{guardian.given_name} {guardian.family_name}".strip()


def family_rides(event: Event, guardian: Guardian, rsvp: Rsvp | None) -> FamilyRides:
    """What one family sees of its rides (`rsvp`: its answer to the event). Before both sides
    accept, the other family is an area and a number of seats: never its name, phone or
    email."""
    going = rsvp is not None and rsvp.status == Rsvp.Status.GOING
    offer = event.ride_offers.filter(guardian=guardian).select_related("area").first()
    request = event.ride_requests.filter(guardian=guardian).select_related("area").first()
    waiting_approval = (
        offer is not None
        and offer.approved_at is None
        and ride_settings(event.school).drivers_need_approval
    )
    rides = []
    for match in _live(matches_of(event, guardian)).order_by("proposed_at", "pk"):
        side = _side(match, guardian)
        agreed = match.status == RideMatch.Status.ACCEPTED
        if side == "driver":
            them = match.request
            other = OtherSide(
                area=them.area.name, adults=them.adults, children=them.children, seats=them.seats
            )
        else:
            them = match.offer
            other = OtherSide(area=them.area.name, seats=them.seats)
        if agreed:
            other.name, other.phone = _name(them.guardian), str(them.guardian.phone or "")
        mine_done = {
            "driver": RideMatch.Status.ACCEPTED_BY_DRIVER,
            "rider": RideMatch.Status.ACCEPTED_BY_RIDER,
        }[side]
        rides.append(
            MyRide(
                match=match,
                side=side,
                other=other,
                may_accept=(match.status, side) in ACCEPTING,
                waiting_for_other=match.status == mine_done,
            )
        )
    return FamilyRides(going, offer, request, waiting_approval, rides)


@dataclass
class OrganiserRides:
    """An event's rides for its organisers. Staff see every family's name and, on agreed
    rides, the phone numbers; a co-organiser family sees the counts and the agreed rides by
    name, never a phone number."""

    areas: list[RideArea]
    drivers_need_approval: bool
    offers: list[RideOffer]
    requests: list[RideRequest]
    open_requests: list[RideRequest]
    matches: list[RideMatch]
    accepted: list[RideMatch]
    seats_offered: int
    seats_asked: int


def organiser_rides(event: Event, policy: RideSettings) -> OrganiserRides:
    offers = list(
        event.ride_offers.select_related("area", "guardian", "approved_by").order_by(
            "guardian__family_name", "guardian__given_name", "pk"
        )
    )
    requests = list(
        event.ride_requests.select_related("area", "guardian").order_by(
            "guardian__family_name", "guardian__given_name", "pk"
        )
    )
    matches = list(
        RideMatch.objects.filter(offer__event=event)
        .select_related("offer__area", "offer__guardian", "request__area", "request__guardian")
        .order_by("offer__guardian__family_name", "pk")
    )
    placed = {m.request_id for m in matches if m.status != RideMatch.Status.DECLINED}
    return OrganiserRides(
        areas=list(areas_of(event.school)),
        drivers_need_approval=policy.drivers_need_approval,
        offers=offers,
        requests=requests,
        open_requests=[r for r in requests if r.pk not in placed],
        matches=matches,
        accepted=[m for m in matches if m.status == RideMatch.Status.ACCEPTED],
        seats_offered=sum(o.seats for o in offers),
        seats_asked=sum(r.seats for r in requests),
    )
