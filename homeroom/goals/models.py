"""A goal a family and the child's teachers agree on, what each side does, and how it goes.

A goal is proposed by one side (the family, or the school: a teacher of the child, a counselor
or a liaison) and is active only once the other side agrees to the same version: an edit makes
a new version, agreed by its editor, which the other side agrees to again. Every step is a
`GoalEvent`; notes are written by both sides and translated for the other side's readers.
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeroom.messaging.models import Message
from homeroom.people.models import Guardian, StaffMember, Student

DEFAULT_DAYS = 60
DEFAULT_REMIND_WEEKS = 2
WHAT_MAX_CHARS = 300
MEASURE_MAX_CHARS = 300
STRATEGY_MAX_CHARS = 300
WHO_MAX_CHARS = 100
NOTE_MAX_CHARS = 1000
MAX_STRATEGIES = 6


def default_end():
    return timezone.localdate() + timedelta(days=DEFAULT_DAYS)


class Side(models.TextChoices):
    FAMILY = "family", _("Family")
    SCHOOL = "school", _("School")


class Goal(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for agreement")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")

    OPEN = (Status.PROPOSED, Status.ACTIVE)

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="goals")
    what = models.TextField(_("what"), max_length=WHAT_MAX_CHARS)
    measure = models.TextField(_("how we will know"), max_length=MEASURE_MAX_CHARS)
    ends_on = models.DateField(_("by when"), default=default_end)
    language = models.CharField(max_length=35, default="en")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    # Bumped by every edit: a side has agreed when it agreed to this version.
    version = models.PositiveIntegerField(default=1)
    proposed_by = models.CharField(max_length=6, choices=Side.choices)
    proposed_by_staff = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_by_guardian = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    remind_every_weeks = models.PositiveSmallIntegerField(default=DEFAULT_REMIND_WEEKS)
    activated_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    end_asked_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    renewed_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="renewals"
    )
    # The goal's words for the other side's readers: {language: {"what": …, "measure": …}}.
    translations = models.JSONField(default=dict, blank=True)
    translation_pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["student", "status"])]

    def __str__(self):
        return self.what[:60]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Strategy(models.Model):
    class Where(models.TextChoices):
        HOME = "home", _("At home")
        SCHOOL = "school", _("At school")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="strategies")
    text = models.CharField(_("what we do"), max_length=STRATEGY_MAX_CHARS)
    where = models.CharField(_("where"), max_length=6, choices=Where.choices)
    who = models.CharField(_("who does it"), max_length=WHO_MAX_CHARS)
    language = models.CharField(max_length=35, default="en")
    position = models.PositiveSmallIntegerField(default=0)
    # {language: text}, as on the goal.
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text[:60]


class Agreement(models.Model):
    """One person's yes to one version of a goal; a side agrees through any of its people.
    A split household's other guardian joins by agreeing too."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="agreements")
    side = models.CharField(max_length=6, choices=Side.choices)
    version = models.PositiveIntegerField()
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, null=True, blank=True)
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "version", "staff"],
                condition=models.Q(staff__isnull=False),
                name="goal_agreement_staff_once",
            ),
            models.UniqueConstraint(
                fields=["goal", "version", "guardian"],
                condition=models.Q(guardian__isnull=False),
                name="goal_agreement_guardian_once",
            ),
        ]

    def __str__(self):
        return f"{self.side} v{self.version}"


class GoalEvent(models.Model):
    """The goal's history, one row per step."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", _("Agreed")
        JOINED = "joined", _("Joined")
        EDITED = "edited", _("Changed")
        DECLINED = "declined", _("Declined")
        ACTIVATED = "activated", _("Agreed by both sides")
        REMINDED = "reminded", _("Reminder sent")
        END_ASKED = "end_asked", _("Asked whether it was met")
        MET = "met", _("Marked met")
        NOT_MET = "not_met", _("Marked not met")
        RENEWED = "renewed", _("Renewed")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    side = models.CharField(max_length=6, choices=Side.choices, blank=True)
    version = models.PositiveIntegerField(default=1)
    staff = models.ForeignKey(StaffMember, on_delete=models.SET_NULL, null=True, blank=True)
    guardian = models.ForeignKey(Guardian, on_delete=models.SET_NULL, null=True, blank=True)
    # A reminder's (or the end question's) message to the family: a text answering it, with
    # no keyword, is a note to this goal.
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return self.kind


class Note(models.Model):
    """Progress, told by either side: words, a photo, or "we practised tonight"."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Note")
        PRACTISED = "practised", _("We practised tonight")
        PHOTO = "photo", _("Photo")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        SMS = "sms", _("Text message")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="notes")
    side = models.CharField(max_length=6, choices=Side.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    author_staff = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_guardian = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(max_length=NOTE_MAX_CHARS, blank=True)
    language = models.CharField(max_length=35, default="en")
    channel = models.CharField(max_length=3, choices=Channel.choices, default=Channel.WEB)
    photo = models.FileField(upload_to="goals/%Y/%m/", blank=True)
    photo_type = models.CharField(max_length=100, blank=True)
    translation_pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["goal", "-created_at"])]

    def __str__(self):
        return self.text[:60] or self.kind

    @property
    def from_family(self) -> bool:
        return self.side == Side.FAMILY


class NoteTranslation(models.Model):
    """A note in one reader's language beside the original (as a message's translations)."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=35)
    text = models.TextField()
    provider = models.CharField(max_length=30, blank=True)
    machine = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["note", "language"], name="goal_note_translation_once")
        ]

    def __str__(self):
        return self.language
