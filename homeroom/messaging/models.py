"""Conversations between staff and families, and the outbox that delivers them.

A Conversation is about one student (private) or goes to many families (announcement).
Participants are the people in it, each with their own read marker. A Message keeps the
original text; MessageTranslation keeps it in each reader's language. A Delivery is one
recipient on one channel, moving queued → sending → sent → delivered / read, or held for
quiet hours, or failed (then a fallback Delivery on the next channel takes over).
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeroom.people.access import schools_of_district
from homeroom.people.models import (
    Channel,
    District,
    Guardian,
    School,
    Section,
    StaffMember,
    Student,
)


def _reply_token():
    return secrets.token_urlsafe(12)


class Conversation(models.Model):
    class Kind(models.TextChoices):
        PRIVATE = "private", _("Private")
        ANNOUNCEMENT = "announcement", _("Announcement")

    class StartedBy(models.TextChoices):
        SCHOOL = "school", _("School")
        FAMILY = "family", _("Family")

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRIVATE)
    # Whose records the conversation is: always a district, and a school for every one but
    # an announcement to the whole district, which belongs to no school (so no school's
    # staff can open it or write into it).
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="conversations")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="conversations"
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, null=True, blank=True, related_name="conversations"
    )
    # Announcements: who they went to, in words and as a filter description.
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="announcements"
    )
    audience = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    # The subject in each reader language it was translated into with the first message:
    # {"es": "Excursión el viernes"} (base language -> text; see `subject_in`).
    subject_translations = models.JSONField(default=dict, blank=True)
    started_by = models.CharField(max_length=10, choices=StartedBy.choices)
    # A family's reply to an announcement becomes a private conversation pointing back.
    reply_to_announcement = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="private_replies"
    )
    # The one conversation a staff member and a family keep about a child: the weekly
    # update's sentences and the family's answers to moments all land in it
    # (services.conversation_about).
    standing = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_message_at"]
        indexes = [
            models.Index(fields=["school", "-last_message_at"]),
            models.Index(fields=["district", "-last_message_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False) | Q(kind="announcement"),
                name="only_announcements_go_without_school",
            ),
        ]

    def __str__(self):
        return self.subject or f"Conversation {self.pk}"

    def save(self, *args, **kwargs):
        if self.district_id is None and self.school_id is not None:
            self.district_id = (
                self.school.district_id
                if Conversation.school.is_cached(self)
                else School.objects.values_list("district_id", flat=True).get(pk=self.school_id)
            )
        super().save(*args, **kwargs)

    def subject_in(self, language: str) -> str:
        """The subject as a reader of `language` (a base language) reads it: its translation
        when one was made, else as written."""
        translated = (self.subject_translations or {}).get(language)
        return translated if isinstance(translated, str) and translated else self.subject

    @property
    def district_wide(self) -> bool:
        """An announcement to every family of the district: no school's, the district's."""
        return self.school_id is None

    @property
    def sender_name(self) -> str:
        """Who the conversation is from, as families read it: the school, else the district."""
        if self.school_id is not None:
            return self.school.name
        return self.district.name

    @property
    def time_zone(self) -> str:
        """The zone quiet hours are counted in when the family gave none."""
        if self.school_id is not None:
            return self.school.time_zone
        if getattr(self, "_district_zone", None):
            return self._district_zone
        first = schools_of_district(self.district_id).values_list("time_zone", flat=True).first()
        self._district_zone = first or School._meta.get_field("time_zone").default
        return self._district_zone


class Participant(models.Model):
    """One person in a conversation: a staff member or a guardian, never both."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    guardian = models.ForeignKey(
        Guardian, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    last_read_at = models.DateTimeField(null=True, blank=True)
    # Email replies to reply+<token>@… land in this conversation, from this person.
    reply_token = models.CharField(max_length=32, unique=True, default=_reply_token)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "staff"],
                condition=Q(staff__isnull=False),
                name="unique_staff_participant",
            ),
            models.UniqueConstraint(
                fields=["conversation", "guardian"],
                condition=Q(guardian__isnull=False),
                name="unique_guardian_participant",
            ),
            models.CheckConstraint(
                condition=Q(staff__isnull=True) ^ Q(guardian__isnull=True),
                name="participant_is_staff_or_guardian",
            ),
        ]
        indexes = [
            models.Index(fields=["staff", "conversation"]),
            models.Index(fields=["guardian", "conversation"]),
        ]

    def __str__(self):
        return f"{self.staff or self.guardian} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author_staff = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_guardian = models.ForeignKey(
        Guardian, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    language = models.CharField(max_length=35)
    # Set on inbound text when detection is confident it differs from the stated language.
    detected_language = models.CharField(max_length=35, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.APP)
    is_urgent = models.BooleanField(default=False)
    urgent_reason = models.CharField(max_length=300, blank=True)
    is_automatic = models.BooleanField(default=False)
    # What the message answers, quoted as the school wrote it ("☺ Helping others — “…”", a
    # moment a family answers), and that quote in each reader language {"es": "…"}.
    quote = models.TextField(blank=True)
    quote_translations = models.JSONField(default=dict, blank=True)
    # A family's reply whose copies for the staff are still being made, after the commit
    # (messaging/inbound/translating.py); staff see the original meanwhile.
    translation_pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            models.Index(
                fields=["created_at"],
                condition=models.Q(translation_pending=True),
                name="message_translation_pending",
            ),
        ]

    def __str__(self):
        return f"Message {self.pk}"

    def quote_in(self, language: str) -> str:
        """The quote as a reader of `language` (a base language) reads it: its translation
        when one was made, else as written."""
        translated = (self.quote_translations or {}).get(language)
        return translated if isinstance(translated, str) and translated else self.quote

    @property
    def from_family(self) -> bool:
        return self.author_guardian_id is not None


class Attachment(models.Model):
    """A photo or file that came with a family's message (a picture texted by MMS).

    The provider's copy is fetched by a task, kept in the default storage and served only to
    the conversation's people; until then the row says it is on its way. A kind of file we do
    not keep is still recorded, so staff know something was sent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("on its way")
        STORED = "stored", _("kept")
        FAILED = "failed", _("could not be fetched")
        REFUSED = "refused", _("not a kind of file we keep")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    content_type = models.CharField(max_length=100)
    source_url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to="attachments/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(default=timezone.now)  # when a pending fetch is due
    updated_at = models.DateTimeField(default=timezone.now)  # the last fetch began
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "retry_at"])]

    def __str__(self):
        return f"{self.content_type} for message {self.message_id}"

    # Pictures every browser shows inline; other kept files are offered as downloads.
    SHOWN_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})

    @property
    def shows_inline(self) -> bool:
        return self.content_type in self.SHOWN_TYPES


class MessageTranslation(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=35)
    text = models.TextField()
    provider = models.CharField(max_length=30)
    machine = models.BooleanField(default=True)
    human_checked = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "language"], name="unique_translation")
        ]

    def __str__(self):
        return f"{self.message_id} in {self.language}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        HELD = "held", _("Held for quiet hours")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        # No translation into the family's language: waiting for an interpreter to write one.
        AWAITING_INTERPRETER = "interpret", _("Waiting for an interpreter")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    guardian = models.ForeignKey(
        Guardian, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    to_address = models.CharField(max_length=254, blank=True)
    language = models.CharField(max_length=35, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Not before this time: retry backoff, or the end of the recipient's quiet hours.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Which worker's claim this row is under: a worker sends only rows still carrying its token.
    claim_token = models.CharField(max_length=32, blank=True)
    # When a task was last queued for this row, so the sweep re-queues only forgotten rows.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # No translation into the reader's language was available: they got the original text.
    untranslated = models.BooleanField(default=False)
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    # A retry must never send twice: channels pass this to the provider and check it.
    idempotency_key = models.CharField(max_length=64, unique=True)
    segments = models.PositiveSmallIntegerField(null=True, blank=True)
    fallback_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="fallback"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["guardian", "-created_at"]),
        ]
        verbose_name_plural = "deliveries"

    def __str__(self):
        return f"{self.channel} to {self.guardian_id or self.staff_id}: {self.status}"


class InboundEvent(models.Model):
    """Every text or email that came in, kept so a provider's retry is recognised."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    provider_id = models.CharField(max_length=200, unique=True)
    from_address = models.CharField(max_length=254)
    body = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=50, blank=True)

    def __str__(self):
        return f"{self.channel} from {self.from_address}"


class SmsOptOut(models.Model):
    """A phone number that texted STOP: no SMS goes to it until it texts START."""

    phone = models.CharField(max_length=20, unique=True)
    opted_out_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.phone


class ConversationAccess(models.Model):
    """A school leader read a conversation they are not part of (conversations are records)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.staff_id} read {self.conversation_id}"


class InterpreterRequest(models.Model):
    """Work for the school's interpreters: a message to put into a family's language by hand,
    or a translation someone found confusing or wants checked."""

    class Kind(models.TextChoices):
        INTERPRET_MESSAGE = "interpret_message", _("Translate a message")
        CONFUSING_TRANSLATION = "confusing_translation", _("A family found it confusing")
        CHECK_TRANSLATION = "check_translation", _("Check a translation")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    school = models.ForeignKey(
        "people.School", on_delete=models.CASCADE, related_name="interpreter_requests"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interpreter_requests",
    )
    # The language the translation is (or must be) in.
    language = models.CharField(max_length=12)
    requested_by_staff = models.ForeignKey(
        "people.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by_guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        "people.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Its table kept the name it had when the queue lived in translation.
        db_table = "translation_interpreterrequest"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["school", "status", "created_at"])]
        constraints = [
            # A family flags one message once until an interpreter has looked at it.
            models.UniqueConstraint(
                fields=["message", "requested_by_guardian"],
                condition=models.Q(status="open", requested_by_guardian__isnull=False),
                name="one_open_request_per_message_and_guardian",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language}) — {self.status}"
