"""Gatherings: events planned with families, the times put to them, invitations, RSVPs and
the needs they carry (the barriers board), the parent-academy session an event is for, and
the ride network (offers, requests and the matches proposed between them). Sign-up slots will
live here too."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX_CHARS = 200
DESCRIPTION_MAX_CHARS = 2000
PLACE_MAX_CHARS = 300
NOTE_MAX_CHARS = 300
MIN_CANDIDATES = 2
MAX_CANDIDATES = 5
MAX_ADULTS = 20
MAX_CHILDREN = 20


class Event(models.Model):
    school = models.ForeignKey("people.School", on_delete=models.CASCADE, related_name="events")
    created_by = models.ForeignKey(
        "people.StaffMember", on_delete=models.RESTRICT, related_name="events"
    )
    title = models.CharField(max_length=TITLE_MAX_CHARS)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX_CHARS)
    place = models.CharField(max_length=PLACE_MAX_CHARS, blank=True)
    # Who is invited, as `messaging.audiences.check_audience` describes it, and as columns so
    # a family's events are found in one query (as surveys do).
    audience = models.JSONField(default=dict)
    section = models.ForeignKey(
        "people.Section", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grade = models.CharField(max_length=20, blank=True)
    # Empty while candidate times are put to the families; fixed by an organiser.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    # In people (adults and children); None: no limit.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    co_organisers = models.ManyToManyField(
        "people.Guardian", blank=True, related_name="co_organised_events"
    )
    # A family co-organised it (insights reads this; it stays true once set).
    co_planned = models.BooleanField(default=False)
    times_asked_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    # The announcement that carried the candidate times (the SMS answerer checks it).
    times_announcement = models.ForeignKey(
        "messaging.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The parent-academy session this event gathers the RSVPs of: its members answer here
    # and the organisers see their needs on the barriers board.
    academy_session = models.OneToOneField(
        "voice.AcademySession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event",
    )
    # A parent-led group's event: its members are invited, by one of its parent leaders;
    # filed under the staff member who made the group (`created_by`), as its posts are.
    group = models.ForeignKey(
        "voice.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    leader = models.ForeignKey(
        "people.Guardian", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When "how was it?" was asked of the families who came.
    followup_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_fixed(self) -> bool:
        return self.starts_at is not None

    def is_past(self, now=None) -> bool:
        return self.is_fixed and self.starts_at <= (now or timezone.now())


class CandidateTime(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="candidates")
    position = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "position"], name="gatherings_candidate_position"
            )
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


class Availability(models.Model):
    """Which candidate times one family can make (none: none of them)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="availabilities")
    guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.CASCADE, related_name="event_availabilities"
    )
    times = models.ManyToManyField(CandidateTime, blank=True, related_name="availabilities")
    channel = models.CharField(max_length=10, default="web")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "guardian"], name="gatherings_one_availability"
            )
        ]

    def __str__(self):
        return f"availability {self.pk} for event {self.event_id}"


class FeedbackRating(models.IntegerChoices):
    """The answers to "how was it?", labelled from one end to the other."""

    NOT_GOOD = 1, _("It did not work for us")
    OKAY = 2, _("It was okay")
    GOOD = 3, _("It was good")
    VERY_GOOD = 4, _("It was very good")
    GREAT = 5, _("It was great: we would come again")


class Rsvp(models.Model):
    class Status(models.TextChoices):
        GOING = "going"
        WAITLISTED = "waitlisted"
        NOT_GOING = "not_going"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.CASCADE, related_name="event_rsvps"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=0)
    # Needs, and whether the school has met each one (an organiser marks it).
    childcare = models.BooleanField(default=False)
    childcare_ages = models.CharField(max_length=NOTE_MAX_CHARS, blank=True)
    childcare_met = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=16, blank=True)
    interpreter_met = models.BooleanField(default=False)
    ride = models.BooleanField(default=False)
    ride_met = models.BooleanField(default=False)
    meal = models.BooleanField(default=False)
    dietary_note = models.CharField(max_length=NOTE_MAX_CHARS, blank=True)
    meal_met = models.BooleanField(default=False)
    accessibility = models.BooleanField(default=False)
    accessibility_note = models.CharField(max_length=NOTE_MAX_CHARS, blank=True)
    accessibility_met = models.BooleanField(default=False)
    # The waitlist's order: when the family last asked to come.
    asked_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The reminder the day before, once sent (a run never reminds twice).
    reminded_at = models.DateTimeField(null=True, blank=True)
    # -- after the event --
    # A light attendance record an organiser keeps: None until marked. One fact among others:
    # insights does not read it as the measure of an event's success.
    attended = models.BooleanField(null=True, blank=True)
    # "How was it?", asked of those who came: a labelled answer and a few words.
    feedback_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=FeedbackRating.choices
    )
    feedback_comment = models.CharField(max_length=NOTE_MAX_CHARS, blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "guardian"], name="gatherings_one_rsvp"),
            models.CheckConstraint(
                condition=models.Q(children__lte=MAX_CHILDREN, adults__lte=MAX_ADULTS),
                name="gatherings_rsvp_bounded",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="gatherings_rsvp_status")]

    def __str__(self):
        return f"rsvp {self.pk} to event {self.event_id}"

    @property
    def people(self) -> int:
        return self.adults + self.children


# -- Rides --------------------------------------------------------------------------------
# Families who drive offer seats for an event; families who need a ride ask for one; the
# matcher (`rides.propose_matches`) proposes each driver the riders nearest to them. Neither
# side sees the other's name or number until both accept.

RIDE_AREA_NAME_MAX_CHARS = 60
MAX_RIDE_SEATS = 8
# The school's grid, in kilometres from a point the school picks (its own door, say).
MAX_RIDE_COORDINATE_KM = 1000


class RideSettings(models.Model):
    """A school's rides policy, edited by its admins on an event's rides page."""

    school = models.OneToOneField(
        "people.School", on_delete=models.CASCADE, related_name="ride_settings"
    )
    drivers_need_approval = models.BooleanField(
        _("drivers are approved by staff before they are matched"), default=False
    )

    def __str__(self):
        return f"ride settings of school {self.school_id}"


class RideArea(models.Model):
    """A neighbourhood or postal-code area the school defines, placed on the school's own
    grid (kilometres east and north of a point it picks): staff type it on the rides page or
    paste lines of `area,x,y`. Distances between areas are straight lines on that grid; no
    geocoding service is asked."""

    school = models.ForeignKey("people.School", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=RIDE_AREA_NAME_MAX_CHARS)
    x_km = models.DecimalField(max_digits=7, decimal_places=2)
    y_km = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="gatherings_ride_area_name")
        ]

    def __str__(self):
        return self.name


class RideOffer(models.Model):
    """A family who drives: seats for the event from an area."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ride_offers")
    guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.CASCADE, related_name="ride_offers"
    )
    area = models.ForeignKey(RideArea, on_delete=models.PROTECT, related_name="offers")
    seats = models.PositiveSmallIntegerField()
    # Set by staff when the school requires drivers to be approved.
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "guardian"], name="gatherings_one_offer"),
            models.CheckConstraint(
                condition=models.Q(seats__gte=1, seats__lte=MAX_RIDE_SEATS),
                name="gatherings_offer_seats",
            ),
        ]

    def __str__(self):
        return f"ride offer {self.pk} for event {self.event_id}"


class RideRequest(models.Model):
    """A family who needs a ride: its adults and children riding, from an area. Children
    ride only when the requesting guardian consented for them (`children_consent`)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ride_requests")
    guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.CASCADE, related_name="ride_requests"
    )
    area = models.ForeignKey(RideArea, on_delete=models.PROTECT, related_name="requests")
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=0)
    children_consent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "guardian"], name="gatherings_one_request"),
            models.CheckConstraint(
                condition=models.Q(children=0) | models.Q(children_consent=True),
                name="gatherings_request_children_consent",
            ),
            models.CheckConstraint(
                condition=models.Q(adults__gte=0, children__gte=0)
                & ~models.Q(adults=0, children=0),
                name="gatherings_request_someone_rides",
            ),
            models.CheckConstraint(
                condition=models.Q(adults__lte=MAX_RIDE_SEATS - models.F("children")),
                name="gatherings_request_fits_a_car",
            ),
        ]

    def __str__(self):
        return f"ride request {self.pk} for event {self.event_id}"

    @property
    def seats(self) -> int:
        return self.adults + self.children


class RideMatch(models.Model):
    """A proposed ride: one request placed whole in one offer's seats. Both sides accept
    before either sees the other's name or number."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED_BY_DRIVER = "accepted_by_driver", _("Accepted by the driver")
        ACCEPTED_BY_RIDER = "accepted_by_rider", _("Accepted by the riders")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    offer = models.ForeignKey(RideOffer, on_delete=models.CASCADE, related_name="matches")
    request = models.ForeignKey(RideRequest, on_delete=models.CASCADE, related_name="matches")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    # Between the two areas, on the school's grid.
    distance_m = models.PositiveIntegerField()
    proposed_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_by_driver = models.BooleanField(default=False)

    class Meta:
        ordering = ["proposed_at", "pk"]
        constraints = [
            # A request is in one live match at a time; a declined pair is not proposed again.
            models.UniqueConstraint(
                fields=["request"],
                condition=~models.Q(status="declined"),
                name="gatherings_one_live_match",
            ),
            models.UniqueConstraint(fields=["offer", "request"], name="gatherings_match_pair"),
        ]

    def __str__(self):
        return f"ride match {self.pk}"


# ---- sign-up slots: conferences and volunteer shifts ------------------------------------------

MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 60
MAX_BUFFER_MINUTES = 30


class SlotBlock(models.Model):
    """One teacher's conference hours on one day at one school, cut into slots of the same
    length with a buffer between meetings."""

    teacher = models.ForeignKey(
        "people.StaffMember", on_delete=models.CASCADE, related_name="slot_blocks"
    )
    school = models.ForeignKey(
        "people.School", on_delete=models.CASCADE, related_name="slot_blocks"
    )
    # In the school's time zone.
    date = models.DateField()
    starts = models.TimeField()
    ends = models.TimeField()
    slot_minutes = models.PositiveSmallIntegerField()
    buffer_minutes = models.PositiveSmallIntegerField(default=0)
    place = models.CharField(max_length=PLACE_MAX_CHARS, blank=True)
    # When the whole day was last moved (a snow day); the booked families were told.
    moved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "starts", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    slot_minutes__gte=MIN_SLOT_MINUTES,
                    slot_minutes__lte=MAX_SLOT_MINUTES,
                    buffer_minutes__lte=MAX_BUFFER_MINUTES,
                ),
                name="gatherings_block_lengths",
            ),
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="gatherings_block_ends_after"
            ),
        ]

    def __str__(self):
        return f"slot block {self.pk} on {self.date}"


class ConferenceSlot(models.Model):
    block = models.ForeignKey(SlotBlock, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["block", "starts_at"], name="gatherings_slot_start")]

    def __str__(self):
        return f"slot {self.pk} at {self.starts_at:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    """A family's meeting with one teacher about one child. The slot is one-to-one: two
    families cannot hold the same slot, whatever the code above does."""

    slot = models.OneToOneField(ConferenceSlot, on_delete=models.CASCADE, related_name="booking")
    guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.CASCADE, related_name="conference_bookings"
    )
    student = models.ForeignKey(
        "people.Student", on_delete=models.CASCADE, related_name="conference_bookings"
    )
    # The language the family asked an interpreter for; empty: none needed.
    interpreter_language = models.CharField(max_length=16, blank=True)
    # A staff member who booked for a family who called; None: the family booked.
    booked_by_staff = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slot__starts_at", "pk"]

    def __str__(self):
        return f"booking {self.pk} of slot {self.slot_id}"


class VolunteerShift(models.Model):
    """A job families can sign up for at an event, for a number of people."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    title = models.CharField(max_length=TITLE_MAX_CHARS)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    headcount = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(headcount__gte=1), name="gatherings_shift_headcount"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="gatherings_shift_ends_after",
            ),
        ]

    def __str__(self):
        return self.title


class VolunteerSignup(models.Model):
    class Status(models.TextChoices):
        GOING = "going"
        WAITLISTED = "waitlisted"

    shift = models.ForeignKey(VolunteerShift, on_delete=models.CASCADE, related_name="signups")
    guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.CASCADE, related_name="volunteer_signups"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    # The waitlist's order.
    asked_at = models.DateTimeField(default=timezone.now)
    # The reminder the day before, once sent (a run never reminds twice).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "guardian"], name="gatherings_one_signup_per_shift"
            )
        ]

    def __str__(self):
        return f"signup {self.pk} to shift {self.shift_id}"
