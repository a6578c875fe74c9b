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
    school = models.ForeignKey("people.School", on_delete=models.CASCADE, related_name="surveys")
    created_by = models.ForeignKey(
        "people.StaffMember", on_delete=models.RESTRICT, related_name="surveys"
    )
    title = models.CharField(max_length=TITLE_MAX_CHARS)
    intro = models.TextField(blank=True, max_length=INTRO_MAX_CHARS)
    # Who is asked, as `messaging.audiences.check_audience` describes it:
    # {"kind": "section", "section": 3, "school": 1} or {"kind": "school", "school": 1}.
    audience = models.JSONField(default=dict)
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
