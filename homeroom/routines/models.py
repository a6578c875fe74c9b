"""Relationship routines: the weekly one-sentence update, planned positive check-ins and the
log of every call, visit, conference and note with a family."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from homeroom.messaging.models import Message
from homeroom.people.models import Guardian, School, Section, StaffMember, Student

SENTENCE_MAX_CHARS = 500
NOTE_MAX_CHARS = 1000


class Framing(models.TextChoices):
    POSITIVE = "positive", _("Praise")
    NEXT_STEP = "next_step", _("Next step")


class WeeklyUpdate(models.Model):
    """One teacher's week of one-sentence messages to the families of one class."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="weekly_updates")
    week_start = models.DateField()  # the Monday of the week
    created_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, related_name="weekly_updates"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["section", "week_start"], name="unique_weekly_update")
        ]

    def __str__(self):
        return f"{self.section} — week of {self.week_start}"


class UpdateSentence(models.Model):
    update = models.ForeignKey(WeeklyUpdate, on_delete=models.CASCADE, related_name="sentences")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("sentence"), max_length=SENTENCE_MAX_CHARS, blank=True)
    framing = models.CharField(
        _("framing"), max_length=10, choices=Framing.choices, default=Framing.POSITIVE
    )
    skipped = models.BooleanField(default=False)
    saved_at = models.DateTimeField(default=timezone.now)
    # The message the families received, once sent.
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["update", "student"]
        constraints = [
            models.UniqueConstraint(fields=["update", "student"], name="unique_update_sentence")
        ]
        indexes = [models.Index(fields=["student", "update"])]

    def __str__(self):
        return f"{self.student_id}: {self.text[:40]}"


class ContactKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    CONFERENCE = "conference", _("Conference")
    NOTE = "note", _("Note")


class Direction(models.TextChoices):
    SCHOOL = "school", _("School initiated")
    FAMILY = "family", _("Family initiated")


class Tone(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    CONCERN = "concern", _("Concern")


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    LEFT_MESSAGE = "left_message", _("Left a message")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class ContactLog(models.Model):
    """A contact with a family outside the message threads: a call, a visit, a conference."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="contact_logs")
    guardian = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="contact_logs"
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, related_name="contact_logs"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ContactKind.choices)
    direction = models.CharField(
        _("who initiated"), max_length=8, choices=Direction.choices, default=Direction.SCHOOL
    )
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    tone = models.CharField(_("tone"), max_length=10, choices=Tone.choices, default=Tone.NEUTRAL)
    note = models.TextField(_("note"), max_length=NOTE_MAX_CHARS, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["student", "at"]),
            models.Index(fields=["guardian", "at"]),
        ]

    def __str__(self):
        return f"{self.kind} about {self.student_id} at {self.at:%Y-%m-%d}"


class ContactPlan(models.Model):
    """A rotation of positive check-ins: every family once per cycle, on chosen weekdays."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="contact_plans")
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    cycle_days = models.PositiveSmallIntegerField(_("days per cycle"), default=14)
    call_days = models.JSONField(_("call days"), default=list)  # weekdays, Monday = 0
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(cycle_days__gte=1), name="contact_plan_cycle_days")
        ]

    def __str__(self):
        return f"Check-ins of {self.staff} every {self.cycle_days} days"


class PlannedContact(models.Model):
    plan = models.ForeignKey(ContactPlan, on_delete=models.CASCADE, related_name="contacts")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    log = models.ForeignKey(
        ContactLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["plan", "due_date"])]

    def __str__(self):
        return f"Call {self.guardian_id} on {self.due_date}"


STORY_MAX_CHARS = 20_000


class FamilyStory(models.Model):
    """ "Tell me about your child": a family's own words, once per school year, editable."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="family_stories")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="family_stories")
    school_year = models.PositiveSmallIntegerField()  # the year the school year starts
    text = models.TextField(_("your story"), max_length=STORY_MAX_CHARS)
    language = models.CharField(max_length=16)  # BCP 47, as detected
    translated_text = models.TextField(blank=True)  # English for staff; empty when none served
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-school_year", "guardian__family_name", "guardian__given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "guardian", "school_year"], name="unique_family_story"
            )
        ]

    def __str__(self):
        return f"Story of {self.student_id} by {self.guardian_id} ({self.school_year})"


class StoryInvitation(models.Model):
    """The one invitation per student and school year to tell us about the child."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    school_year = models.PositiveSmallIntegerField()
    invited_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year"], name="unique_story_invitation"
            )
        ]

    def __str__(self):
        return f"Story invitation for {self.student_id} ({self.school_year})"


VISIT_NOTE_MAX_CHARS = 4000


class VisitStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    # "Done" alone is shared with other statuses; a visit's is feminine in Spanish ("Realizada").
    DONE = "done", pgettext_lazy("home visit", "Done")


class HomeVisit(models.Model):
    """A visit to a family at home, to listen: their hopes, their worries, how the child learns."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="home_visits")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="home_visits")
    staff = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, related_name="home_visits"
    )
    proposed_slots = models.JSONField(default=list)  # ISO 8601 datetimes, with offset
    confirmed_at = models.DateTimeField(null=True, blank=True)
    family_proposal = models.TextField(blank=True, max_length=NOTE_MAX_CHARS)
    status = models.CharField(
        max_length=10, choices=VisitStatus.choices, default=VisitStatus.PROPOSED
    )
    notes_hopes = models.TextField(_("their hopes"), blank=True, max_length=VISIT_NOTE_MAX_CHARS)
    notes_worries = models.TextField(
        _("their worries"), blank=True, max_length=VISIT_NOTE_MAX_CHARS
    )
    notes_learning = models.TextField(
        _("how the child learns best"), blank=True, max_length=VISIT_NOTE_MAX_CHARS
    )
    share_with_teachers = models.BooleanField(default=False)  # the family's consent
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["student", "created_at"])]

    def __str__(self):
        return f"Home visit to {self.guardian_id} about {self.student_id} ({self.status})"
