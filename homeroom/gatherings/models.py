"""Gatherings: events planned with families, the times put to them, invitations, RSVPs and
the needs they carry (the barriers board), and the parent-academy session an event is for.
Rides and sign-up slots will live here too."""

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
