"""District, schools, staff, students, sections, guardians and the links between them."""

import secrets
import unicodedata
from datetime import time

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email=None, password=None, **extra):
        email = self.normalize_email(email) if email else None
        user = self.model(email=email, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A sign-in. Staff sign in by email and password; guardians by a code to phone or email."""

    username = None
    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    phone = PhoneNumberField(_("phone"), unique=True, null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    def __str__(self):
        return self.email or str(self.phone) or f"user {self.pk}"


class District(models.Model):
    name = models.CharField(max_length=200)
    sourced_id = models.CharField(max_length=255, unique=True, null=True, blank=True)

    def __str__(self):
        return self.name


class School(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="schools")
    name = models.CharField(max_length=200)
    sourced_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="America/Chicago")
    # ISO 3166 region used to read phone numbers written without a country code.
    country = models.CharField(max_length=2, default="US")
    phone = PhoneNumberField(blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class FamilyAlerts(models.TextChoices):
    EACH = "each", _("An email for each family message")
    HOURLY = "hourly", _("One email an hour at most, listing them")
    BADGE = "badge", _("No email: the unread count in Homeroom only")


class StaffMember(models.Model):
    """A person who works for the district; their roles are per school (Assignment)."""

    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff"
    )
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="staff")
    sourced_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True)
    is_district_admin = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # What the SIS sends about them, kept as it came. Their own choices are the fields below.
    metadata = models.JSONField(default=dict, blank=True)
    schools = models.ManyToManyField(School, through="Assignment", related_name="staff")
    # The language their reminder emails are in (blank: the site's).
    language = models.CharField(_("language"), max_length=35, blank=True)
    # When they answer families: {"days": [0-6, Monday = 0], "start": "08:00", "end": "16:00"}
    # in the school's time zone; `messaging.inbound.office_hours.office_hours_of` reads it,
    # and anything it cannot read means "always reachable".
    office_hours = models.JSONField(null=True, blank=True)
    # How they hear that a family wrote (`messaging.inbound.notify`), and when they were
    # last told: each email and digest lists only family messages that came in since.
    family_alerts = models.CharField(
        _("how you hear of family messages"),
        max_length=10,
        choices=FamilyAlerts.choices,
        default=FamilyAlerts.EACH,
    )
    alerted_at = models.DateTimeField(null=True, blank=True)
    # The weekday (Monday = 0) they are reminded of a weekly update not yet sent, and the
    # Monday of the last week they were reminded.
    weekly_update_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(6)]
    )
    weekly_update_reminded = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}".strip()


class Role(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    COUNSELOR = "counselor", _("Counselor")
    FAMILY_LIAISON = "family_liaison", _("Family liaison")
    INTERPRETER = "interpreter", _("Interpreter")
    SCHOOL_ADMIN = "school_admin", _("School admin")


# Roles that see the whole school, not only their own sections.
SCHOOL_WIDE_ROLES = (Role.COUNSELOR, Role.FAMILY_LIAISON, Role.INTERPRETER, Role.SCHOOL_ADMIN)


class Assignment(models.Model):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="assignments")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "school", "role"], name="unique_assignment")
        ]

    def __str__(self):
        return f"{self.staff} — {self.get_role_display()} at {self.school}"


class Program(models.Model):
    """A program a student takes part in (English learner, IEP, 504…), for equity breakdowns."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="programs")
    code = models.CharField(max_length=50)
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="unique_program_code")
        ]
        ordering = ["name"]

    def __str__(self):
        return self.name


def searchable(*parts: str) -> str:
    """Text as search compares it: without accents, in lower case, spaces collapsed
    ("Sofía  Núñez" -> "sofia nunez"), so "Sofia" finds Sofía on every database."""
    text = unicodedata.normalize("NFKD", " ".join(part for part in parts if part))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().split())


class Student(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students")
    sourced_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    grade = models.CharField(max_length=10, blank=True)
    programs = models.ManyToManyField(Program, blank=True, related_name="students")
    is_active = models.BooleanField(default=True)
    metadata = models.JSONField(default=dict, blank=True)
    # The names as search reads them (`searchable`), kept by `save` and the roster import.
    search_name = models.CharField(max_length=310, blank=True, editable=False)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["school", "is_active"])]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_name = searchable(self.given_name, self.preferred_name, self.family_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"given_name", "family_name", "preferred_name"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        return f"{self.preferred_name or self.given_name} {self.family_name}".strip()

    @property
    def first_name(self):
        """The name the child goes by."""
        return self.preferred_name or self.given_name


class Section(models.Model):
    """A class: a group of students taught by one or more teachers."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="sections")
    sourced_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    title = models.CharField(max_length=200)
    course_title = models.CharField(max_length=200, blank=True)
    period = models.CharField(max_length=50, blank=True)
    term = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    teachers = models.ManyToManyField(
        StaffMember, through="TeachingAssignment", related_name="sections"
    )
    students = models.ManyToManyField(Student, through="Enrollment", related_name="sections")

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class TeachingAssignment(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="teaching")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="teaching")
    sourced_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    is_primary = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "staff"], name="unique_teaching_assignment")
        ]

    def __str__(self):
        return f"{self.staff} teaches {self.section}"


class Enrollment(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrollments")
    sourced_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "student"], name="unique_enrollment")
        ]

    def __str__(self):
        return f"{self.student} in {self.section}"


class Channel(models.TextChoices):
    APP = "app", _("App")
    SMS = "sms", _("Text message (SMS)")
    EMAIL = "email", _("Email")


CHANNEL_LABELS = dict(Channel.choices)


class Guardian(models.Model):
    """A parent, guardian or relative; their own preferences travel with them."""

    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="guardian"
    )
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="guardians")
    sourced_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    # BCP 47 language tag, e.g. "es", "vi", "so", "ht", "ar".
    language = models.CharField(_("language"), max_length=35, default="en")
    channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, default=Channel.SMS
    )
    phone = PhoneNumberField(_("mobile phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    quiet_start = models.TimeField(_("quiet hours start"), default=time(20, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=time(7, 0))
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # What the SIS sends about them, kept as it came. Their own choices are the fields above
    # and below.
    metadata = models.JSONField(default=dict, blank=True)
    # When they hear of their children's moments: "each", "daily" or "weekly" (blank: the
    # default), and the time of day a digest goes.
    moment_notifications = models.CharField(max_length=10, blank=True)
    moment_digest_time = models.TimeField(null=True, blank=True)
    # A reply came in another language than theirs: staff are offered to change it.
    suggested_language = models.CharField(max_length=35, blank=True)
    suggested_language_message_id = models.PositiveBigIntegerField(null=True, blank=True)
    students = models.ManyToManyField(Student, through="Guardianship", related_name="guardians")

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["phone"]), models.Index(fields=["email"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def has_joined(self):
        return self.joined_at is not None

    @property
    def channel_label(self) -> str:
        """`get_channel_display`, without rebuilding the choices for every row of a list."""
        return CHANNEL_LABELS.get(self.channel, self.channel)


class Relationship(models.TextChoices):
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Guardian")
    RELATIVE = "relative", _("Relative")


RELATIONSHIP_LABELS = dict(Relationship.choices)


class GuardianshipQuerySet(models.QuerySet):
    def about_the_child(self):
        """Links through which the school may tell a guardian about the child: contact and
        records both allowed (a court order barring either means nothing is sent), the
        guardian and the student active. Announcements, which name no child, need contact
        only."""
        return self.filter(
            is_active=True,
            may_contact=True,
            may_see_records=True,
            guardian__is_active=True,
            student__is_active=True,
        )


class Guardianship(models.Model):
    """The link between a guardian and a student, with what the school may do."""

    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="guardianships")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardianships")
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, default=Relationship.PARENT
    )
    # Free label naming the home, so staff see split households at a glance.
    household = models.CharField(max_length=100, blank=True)
    lives_with = models.BooleanField(default=True)
    may_contact = models.BooleanField(default=True)
    may_see_records = models.BooleanField(default=True)
    is_primary = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    objects = GuardianshipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="unique_guardianship")
        ]
        indexes = [models.Index(fields=["student", "may_contact", "is_active"])]

    def __str__(self):
        return f"{self.guardian} → {self.student}"

    @property
    def relationship_label(self) -> str:
        """`get_relationship_display`, without rebuilding the choices for every row."""
        return RELATIONSHIP_LABELS.get(self.relationship, self.relationship)


def _invitation_code():
    # Eight characters from an alphabet without look-alikes, easy to type from an SMS.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def _invitation_token():
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="invitations")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code = models.CharField(max_length=12, unique=True, default=_invitation_code)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.guardian} ({self.code})"

    @property
    def is_usable(self):
        return self.accepted_at is None and self.expires_at > timezone.now()


class RosterImport(models.Model):
    """One run of a OneRoster import: what was asked, how far it got, what it found."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Rejected")

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="imports")
    started_by = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"created": {...}, "updated": {...}, "deactivated": {...}}
    counts = models.JSONField(default=dict, blank=True)
    # [{"file": "users.csv", "line": 4, "column": "role", "message": "..."}]
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.status})"
