"""Family voice: surveys the school asks families, in their language.

Suggestions, decisions and parent-led groups will live here too; only surveys are built.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX_CHARS = 200
INTRO_MAX_CHARS = 2000
QUESTION_MAX_CHARS = 500
OPTION_MAX_CHARS = 200
SHORT_ANSWER_MAX_CHARS = 500
LONG_ANSWER_MAX_CHARS = 5000
SCALE_MIN_OPTIONS = 5
MAX_OPTIONS = 12


class Survey(models.Model):
    district = models.ForeignKey(
        "people.District", on_delete=models.CASCADE, related_name="surveys"
    )
    # Empty for a survey of the whole district: filed under no school, as its announcement is.
    school = models.ForeignKey(
        "people.School", null=True, blank=True, on_delete=models.CASCADE, related_name="surveys"
    )
    created_by = models.ForeignKey(
        "people.StaffMember", on_delete=models.RESTRICT, related_name="surveys"
    )
    title = models.CharField(max_length=TITLE_MAX_CHARS)
    intro = models.TextField(blank=True, max_length=INTRO_MAX_CHARS)
    # Who is asked, as `messaging.audiences.check_audience` describes it:
    # {"kind": "section", "section": 3, "school": 1}, {"kind": "school", "school": 1},
    # {"kind": "district", "district": 1} or {"kind": "families", "school": 1, "guardians": […]}.
    audience = models.JSONField(default=dict)
    # A list of families: the guardians chosen, so a family's surveys are found in one query.
    families = models.ManyToManyField("people.Guardian", blank=True, related_name="+")
    # A parent-led group's survey: asked of its members by one of its parent leaders, filed
    # under the staff member who made the group (`created_by`), as the group's posts are.
    group = models.ForeignKey(
        "voice.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="surveys"
    )
    leader = models.ForeignKey(
        "people.Guardian", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The same audience as columns, so a family's surveys are found in one query.
    section = models.ForeignKey(
        "people.Section", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grade = models.CharField(max_length=20, blank=True)
    closes_at = models.DateTimeField()
    anonymous = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Families the survey was sent to, for the response rate.
    reached = models.PositiveIntegerField(default=0)
    # Per base language, each text as its families read it, after staff checked it:
    # {"es": {"title": "…", "intro": "…", "q12": "…", "o40": "…"}}.
    translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # -- answers by text --
    # The announcement that carried the survey: a family's "2" texted back after it is an
    # answer when the survey has one question with one choice (`voice.sms`).
    announcement = models.ForeignKey(
        "messaging.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def sender_name(self) -> str:
        """Who asks: a parent-led group, the school, or the district for a survey of the
        whole district."""
        if self.group_id:
            return self.group.name
        return self.school.name if self.school_id else self.district.name

    @property
    def time_zone(self) -> str:
        if self.school_id:
            return self.school.time_zone
        first = self.district.schools.order_by("pk").first()
        return first.time_zone if first else "America/Chicago"

    def is_open(self, now=None) -> bool:
        return self.is_sent and (now or timezone.now()) < self.closes_at


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        SCALE = "scale", _("A labelled scale")
        SHORT_TEXT = "short_text", _("A short answer")
        LONG_TEXT = "long_text", _("A long answer")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.CharField(max_length=QUESTION_MAX_CHARS)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="voice_question_position")
        ]

    def __str__(self):
        return self.text

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE, self.Kind.SCALE)


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=OPTION_MAX_CHARS)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class Response(models.Model):
    """One family's answers to a survey. `respondent_key` (an HMAC of the survey and the
    guardian under the deployment's secret, see `voice.services.respondent_key`) keeps it to
    one per guardian; in an anonymous survey `guardian` stays empty, and nothing else here
    (no time, no language) points back to the person."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    guardian = models.ForeignKey(
        "people.Guardian",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    respondent_key = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"], name="voice_one_response_per_guardian"
            )
        ]

    def __str__(self):
        return f"response {self.pk} to survey {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    options = models.ManyToManyField(Option, blank=True, related_name="answers")
    text = models.TextField(blank=True, max_length=LONG_ANSWER_MAX_CHARS)
    # -- written answers translated for staff --
    # The language the text is written in, as detected (blank until then); the text says it
    # anyway, so it tells no more of who wrote it.
    language = models.CharField(max_length=35, blank=True)
    # Written, not yet translated for staff (`services.translate_answers` after commit).
    translation_pending = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="voice_one_answer")
        ]

    def __str__(self):
        return f"answer to question {self.question_id}"


class AnswerTranslation(models.Model):
    """A written answer in a staff reading language, made once after it is stored."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=35)
    text = models.TextField()
    provider = models.CharField(max_length=30)
    machine = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "language"], name="voice_one_answer_translation"
            )
        ]

    def __str__(self):
        return f"answer {self.answer_id} in {self.language}"


# ---- Built-in surveys: the engagement-preferences survey (voice.engagement) -----------------


class BuiltinSurvey(models.Model):
    """Marks a survey whose questions come from a built-in template (`voice.engagement.template`):
    its texts are read from the catalogues per reader language, and its answers by key."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="builtin")
    template = models.CharField(max_length=40)

    def __str__(self):
        return f"{self.template} survey {self.survey_id}"


class QuestionKey(models.Model):
    """The stable name of a built-in question ("barriers"), so code reads answers by meaning."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="stable_key")
    key = models.CharField(max_length=60)

    def __str__(self):
        return self.key


class OptionKey(models.Model):
    """The stable name of a built-in option ("barrier:childcare", "channel:sms")."""

    option = models.OneToOneField(Option, on_delete=models.CASCADE, related_name="stable_key")
    key = models.CharField(max_length=60, db_index=True)

    def __str__(self):
        return self.key


# ---- Parent-led groups and the parent academy -------------------------------------------
# A school's groups (a circle, a parent academy) led by parents. Who sees and does what is
# `voice.access` (its "Parent-led groups" block); the writes are `voice.groups.services`.

GROUP_NAME_MAX_CHARS = 120
GROUP_DESCRIPTION_MAX_CHARS = 2000
TOPIC_MAX_CHARS = 200
TOPIC_DETAILS_MAX_CHARS = 1000
PLACE_MAX_CHARS = 200
POST_MAX_CHARS = 2000


class Group(models.Model):
    school = models.ForeignKey("people.School", on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=GROUP_NAME_MAX_CHARS)
    description = models.TextField(blank=True, max_length=GROUP_DESCRIPTION_MAX_CHARS)
    # The base languages the group meets in: ["es"], ["en", "es"].
    languages = models.JSONField(default=list)
    is_academy = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        "people.StaffMember", on_delete=models.RESTRICT, related_name="groups_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class GroupLeader(models.Model):
    """A guardian a school admin made a parent leader of a group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="leaders")
    guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.CASCADE, related_name="groups_led"
    )
    appointed_by = models.ForeignKey(
        "people.StaffMember", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "guardian"], name="voice_one_leader_row")
        ]

    def __str__(self):
        return f"leader {self.guardian_id} of group {self.group_id}"


class GroupMember(models.Model):
    """A guardian's membership: each guardian joins or leaves for themselves."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.CASCADE, related_name="group_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "guardian"], name="voice_one_membership")
        ]

    def __str__(self):
        return f"member {self.guardian_id} of group {self.group_id}"


class Topic(models.Model):
    """A topic a family proposed for the parent academy."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="topics")
    proposed_by = models.ForeignKey(
        "people.Guardian", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=TOPIC_MAX_CHARS)
    details = models.TextField(blank=True, max_length=TOPIC_DETAILS_MAX_CHARS)
    language = models.CharField(max_length=35, blank=True)
    picked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title


class TopicVote(models.Model):
    """One vote per family and topic. `family` is the family's key as
    `people.households.families_of` finds it among the school's links (the smallest guardian
    id of the family); `guardian` is who cast it."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="votes")
    guardian = models.ForeignKey(
        "people.Guardian", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    family = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "family"], name="voice_one_vote_per_family")
        ]

    def __str__(self):
        return f"vote for topic {self.topic_id}"


class AcademySession(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    title = models.CharField(max_length=TOPIC_MAX_CHARS)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=PLACE_MAX_CHARS)
    language = models.CharField(max_length=35)
    created_by = models.ForeignKey(
        "people.Guardian", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["group", "starts_at"])]

    def __str__(self):
        return self.title


class GroupPost(models.Model):
    """A leader's post to the group's members: the original, its version per reader language
    (`{"es": "…"}`, made when it was sent), and the announcement that carried it."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        "people.Guardian", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=POST_MAX_CHARS)
    language = models.CharField(max_length=35)
    translations = models.JSONField(default=dict, blank=True)
    conversation = models.ForeignKey(
        "messaging.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "-created_at"])]

    def __str__(self):
        return f"post {self.pk} in group {self.group_id}"


class GroupPostAudit(models.Model):
    """What staff did to a post, and why: the post's audit trail."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        SHOWN = "shown", _("Shown again")

    post = models.ForeignKey(GroupPost, on_delete=models.CASCADE, related_name="audit")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        "people.StaffMember", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action} post {self.post_id}"


# ---- suggestions ----------------------------------------------------------------------------
# A family's suggestion to its school, and its visible life: received → under discussion →
# adopted → done, or declined with a reason (docs/voice.md, "Suggestions").

SUGGESTION_MAX_CHARS = 2000
SUGGESTION_ANSWER_MAX_CHARS = 2000
DEFAULT_ANSWER_WITHIN_DAYS = 5


class SuggestionSettings(models.Model):
    """A school's promise: every suggestion answered within this many school days."""

    school = models.OneToOneField(
        "people.School", on_delete=models.CASCADE, related_name="suggestion_settings"
    )
    answer_within_days = models.PositiveSmallIntegerField(default=DEFAULT_ANSWER_WITHIN_DAYS)

    def __str__(self):
        return f"suggestions at school {self.school_id}"


class Suggestion(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        DISCUSSING = "discussing", _("Under discussion")
        ADOPTED = "adopted", _("Adopted")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    class Channel(models.TextChoices):
        APP = "app", _("Web app")
        SMS = "sms", _("Text message")

    school = models.ForeignKey(
        "people.School", on_delete=models.CASCADE, related_name="suggestions"
    )
    # Whoever sent it. Staff see it; other families never do.
    guardian = models.ForeignKey(
        "people.Guardian",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )
    text = models.TextField(max_length=SUGGESTION_MAX_CHARS)
    # What it was written in (detected, with the guardian's language as the prior).
    language = models.CharField(max_length=16)
    # The same text per base language, machine-translated when it was sent: {"en": "…"}.
    translations = models.JSONField(default=dict, blank=True)
    # Kept between the family and the school: not on the list other families see.
    private = models.BooleanField(default=False)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.APP)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    owner = models.ForeignKey(
        "people.StaffMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_suggestions",
    )
    # The school's latest answer (English, as staff write), and per family language.
    answer = models.TextField(blank=True, max_length=SUGGESTION_ANSWER_MAX_CHARS)
    answer_translations = models.JSONField(default=dict, blank=True)
    # When the school first answered (a status change with its answer): the overdue list is
    # the suggestions still without one.
    answered_at = models.DateTimeField(null=True, blank=True)
    supporters = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["school", "-created_at"], name="voice_sugg_school_recent"),
            models.Index(fields=["school", "status"], name="voice_sugg_school_status"),
            models.Index(fields=["school", "answered_at"], name="voice_sugg_school_answered"),
        ]

    def __str__(self):
        return f"suggestion {self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.DECLINED)


class SuggestionEvent(models.Model):
    """One change in a suggestion's life, as families and staff read it in its history."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    # The status it moved to ("" when only the owner changed).
    status = models.CharField(max_length=12, choices=Suggestion.Status.choices, blank=True)
    answer = models.TextField(blank=True, max_length=SUGGESTION_ANSWER_MAX_CHARS)
    answer_translations = models.JSONField(default=dict, blank=True)
    owner = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.status or 'owner'} on suggestion {self.suggestion_id}"


class Support(models.Model):
    """A family backs a suggestion: once per family (`family` is the smallest guardian id of
    the guardian's family, as `people.households` joins them), and once per guardian."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="supports")
    guardian = models.ForeignKey(
        "people.Guardian", on_delete=models.CASCADE, related_name="suggestion_supports"
    )
    family = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "family"], name="voice_one_support"),
            models.UniqueConstraint(
                fields=["suggestion", "guardian"], name="voice_one_support_per_guardian"
            ),
        ]

    def __str__(self):
        return f"support for suggestion {self.suggestion_id}"


# ---- Decisions put to families -----------------------------------------------------------
# A question with options and a deadline; one vote per family (see `voice.decisions.services`
# for what a family is and how the one vote holds); when it closes, what the school decided
# and why.

DECISION_MIN_OPTIONS = 2
DECISION_MAX_OPTIONS = 12
DECISION_TEXT_MAX_CHARS = 2000


class Decision(models.Model):
    school = models.ForeignKey("people.School", on_delete=models.CASCADE, related_name="decisions")
    created_by = models.ForeignKey(
        "people.StaffMember", on_delete=models.RESTRICT, related_name="decisions"
    )
    question = models.CharField(max_length=QUESTION_MAX_CHARS)
    intro = models.TextField(blank=True, max_length=INTRO_MAX_CHARS)
    # As a survey's: `messaging.audiences.check_audience`'s description, and its columns.
    audience = models.JSONField(default=dict)
    section = models.ForeignKey(
        "people.Section", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grade = models.CharField(max_length=20, blank=True)
    closes_at = models.DateTimeField()
    ranked = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    reached = models.PositiveIntegerField(default=0)
    # Per base language, as staff checked them: {"es": {"question": …, "intro": …, "o<id>": …}}.
    translations = models.JSONField(default=dict, blank=True)
    # What the school decided, once it closed: one of the options, and why.
    outcome = models.ForeignKey(
        "DecisionOption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, max_length=DECISION_TEXT_MAX_CHARS)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.question

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None

    def is_open(self, now=None) -> bool:
        return self.is_sent and (now or timezone.now()) < self.closes_at

    def is_closed(self, now=None) -> bool:
        return self.is_sent and (now or timezone.now()) >= self.closes_at


class DecisionOption(models.Model):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=OPTION_MAX_CHARS)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "position"], name="voice_decision_option_position"
            )
        ]

    def __str__(self):
        return self.text


class Ballot(models.Model):
    """A family's vote: `ranking` lists option ids, most preferred first (one id when the
    decision is not ranked). `cast_by` is the guardian who voted; only they may change it."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="ballots")
    cast_by = models.ForeignKey(
        "people.Guardian", on_delete=models.CASCADE, related_name="decision_ballots"
    )
    ranking = models.JSONField(default=list)
    cast_at = models.DateTimeField()
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decision", "cast_by"], name="voice_one_ballot_each")
        ]

    def __str__(self):
        return f"ballot {self.pk} on decision {self.decision_id}"


class FamilySeat(models.Model):
    """Each guardian of the voting family, claimed by its ballot: the unique constraint is
    what keeps one vote per family, also when two of its guardians vote at the same moment."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="seats")
    guardian = models.ForeignKey("people.Guardian", on_delete=models.CASCADE, related_name="+")
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="seats")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decision", "guardian"], name="voice_one_seat_each")
        ]

    def __str__(self):
        return f"seat of guardian {self.guardian_id} on decision {self.decision_id}"
