"""Recognition and behaviour: school-defined categories, the moments staff record against
them, what families answer, and which moments have reached which family."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeroom.messaging.models import Conversation, Message
from homeroom.people.models import Guardian, School, StaffMember, Student

NOTE_MAX_CHARS = 500


class Kind(models.TextChoices):
    POSITIVE = "positive", _("Good news")
    NEEDS_WORK = "needs_work", _("Needs work")


class Category(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="moment_categories")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Positive for praise, zero or negative for needs-work (enforced below).
    points = models.SmallIntegerField(_("points"), default=1)
    icon = models.CharField(_("icon"), max_length=16, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    visible_to_families = models.BooleanField(_("families see it"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["school", "-kind", "position", "name"]  # "positive" sorts after "needs_work"
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="unique_category_name"),
            models.CheckConstraint(
                condition=Q(kind="positive", points__gt=0) | Q(kind="needs_work", points__lte=0),
                name="category_points_match_kind",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_positive(self) -> bool:
        return self.kind == Kind.POSITIVE


class SchoolBehaviorSettings(models.Model):
    """Per-school policy, edited by the school's admins."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="behavior")
    anyone_may_recognise = models.BooleanField(
        _("any staff member may record for any student of the school"), default=False
    )
    needs_work_review_required = models.BooleanField(
        _("needs-work moments are reviewed before families hear of them"), default=False
    )
    # Positive moments per needs-work moment the school aims for (4 means 4:1).
    ratio_target = models.PositiveSmallIntegerField(_("ratio target"), default=4)
    retention_months = models.PositiveSmallIntegerField(_("months moments are kept"), default=12)

    class Meta:
        verbose_name_plural = "school behaviour settings"

    def __str__(self):
        return f"Behaviour settings of {self.school}"


class Moment(models.Model):
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="moments")
    category = models.ForeignKey(Category, on_delete=models.RESTRICT, related_name="moments")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="moments")
    recorded_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, related_name="moments_recorded"
    )
    note = models.CharField(_("note"), max_length=NOTE_MAX_CHARS, blank=True)
    # Copied from the category when recorded (and corrected), so ratios and totals need no
    # join and a later change of a category's points does not rewrite history.
    positive = models.BooleanField()
    points = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["student", "created_at"]),
            models.Index(fields=["school", "created_at"]),
            models.Index(fields=["recorded_by", "created_at"]),
        ]

    def __str__(self):
        return f"{self.category} for {self.student} ({self.created_at:%Y-%m-%d})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class MomentAudit(models.Model):
    """Who corrected or withdrew a moment, when, and what it was before."""

    class Action(models.TextChoices):
        CORRECTED = "corrected", _("Corrected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REVIEWED = "reviewed", _("Reviewed")

    moment = models.ForeignKey(Moment, on_delete=models.CASCADE, related_name="audit")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(StaffMember, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # {"category": [old_id, new_id], "note": [old, new]}
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action} {self.moment_id} by {self.by_id}"


class FamilyResponse(models.Model):
    class Kind(models.TextChoices):
        THANK_YOU = "thank_you", _("Thank you")
        TALKED_AT_HOME = "talked_at_home", _("We talked about it at home")
        MESSAGE = "message", _("Message")

    moment = models.ForeignKey(Moment, on_delete=models.CASCADE, related_name="responses")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A written answer continues in this private conversation with the moment's author.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The written answer itself, in that conversation, quoting the moment.
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["guardian", "moment"])]

    def __str__(self):
        return f"{self.kind} on {self.moment_id}"


class MomentThread(models.Model):
    """The conversation one guardian gets moments about one child in, and its last digest."""

    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="unique_moment_thread")
        ]

    def __str__(self):
        return f"Moments of {self.student_id} for {self.guardian_id}"


class MomentNotice(models.Model):
    """A moment has been sent to a guardian (at once or in a digest): never send it twice."""

    moment = models.ForeignKey(Moment, on_delete=models.CASCADE, related_name="notices")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    # The message that carried it: the family home shows the moment, not this message, too.
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["moment", "guardian"], name="unique_moment_notice")
        ]

    def __str__(self):
        return f"{self.moment_id} sent to {self.guardian_id}"
