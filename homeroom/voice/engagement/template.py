"""The built-in "How and when can we reach you?" survey: its questions and options, each with a
stable key. Texts are gettext messages, so each reader gets them from the catalogue of their
language; code reads answers by key ("barrier:childcare", "channel:sms"), never by text.

Changing a text is fine (surveys already sent keep the English they were created with and read
the catalogue for other languages). Never rename a key: answers are read by it.
"""

from dataclasses import dataclass, field
from datetime import time

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homeroom.languages import LANGUAGE_NAMES
from homeroom.people.models import Channel

TEMPLATE = "engagement"

TITLE = _("How and when can we reach you?")
INTRO = _(
    "A few quick questions so the school can reach you in the way that suits you and plan "
    "meetings you can come to. If your answers change how we contact you, we ask you first."
)


@dataclass(frozen=True)
class OptionSpec:
    key: str
    text: Promise | None = None  # None: the label is made per reader (languages)


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    kind: str
    text: Promise
    options: tuple[OptionSpec, ...] = field(default=())
    required: bool = False


DAYS = (
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
)

# The times a family may be reached, with the hours each covers: the family's quiet hours are
# offered as the time outside the earliest start and the latest end they chose.
REACH_TIMES = {
    "reach_time:early": (time(6, 0), time(8, 0)),
    "reach_time:morning": (time(8, 0), time(12, 0)),
    "reach_time:afternoon": (time(12, 0), time(16, 0)),
    "reach_time:evening": (time(16, 0), time(19, 0)),
    "reach_time:late": (time(19, 0), time(21, 0)),
}

BARRIERS = (
    OptionSpec("barrier:transport", _("Getting to school (transport)")),
    OptionSpec("barrier:childcare", _("Childcare for my other children")),
    OptionSpec("barrier:work_hours", _("My work hours")),
    OptionSpec("barrier:meals", _("Meal times (no time to eat or cook)")),
    OptionSpec("barrier:interpreter", _("I need an interpreter")),
    OptionSpec("barrier:disability_access", _("Disability access")),
    OptionSpec("barrier:internet_device", _("No internet or no device")),
    OptionSpec("barrier:none", _("None of these")),
)

CHANNEL_TEXTS = {
    Channel.APP: _("In the Homeroom app or website"),
    Channel.SMS: _("Text message (SMS)"),
    Channel.EMAIL: _("Email"),
}

QUESTIONS = (
    QuestionSpec(
        "reach_days",
        "multiple",
        _("Which days are best for the school to contact you?"),
        tuple(OptionSpec(f"reach_day:{code}", name) for code, name in DAYS),
    ),
    QuestionSpec(
        "reach_times",
        "multiple",
        _("At what times can the school contact you?"),
        (
            OptionSpec("reach_time:early", _("Early morning, before 8:00")),
            OptionSpec("reach_time:morning", _("Morning, 8:00 to 12:00")),
            OptionSpec("reach_time:afternoon", _("Afternoon, 12:00 to 16:00")),
            OptionSpec("reach_time:evening", _("Evening, 16:00 to 19:00")),
            OptionSpec("reach_time:late", _("Late evening, 19:00 to 21:00")),
        ),
    ),
    QuestionSpec(
        "visit_days",
        "multiple",
        _("Which days could you come to school for a meeting or an event?"),
        tuple(OptionSpec(f"visit_day:{code}", name) for code, name in DAYS),
    ),
    QuestionSpec(
        "visit_times",
        "multiple",
        _("At what times could you come to school?"),
        (
            OptionSpec("visit_time:morning", _("Morning, when school starts")),
            OptionSpec("visit_time:midday", _("Around lunchtime")),
            OptionSpec("visit_time:afternoon", _("Afternoon, when school ends")),
            OptionSpec("visit_time:evening", _("Evening")),
        ),
    ),
    QuestionSpec(
        "channel",
        "single",
        _("How would you like the school to send you messages?"),
        tuple(OptionSpec(f"channel:{value}", text) for value, text in CHANNEL_TEXTS.items()),
        required=True,
    ),
    QuestionSpec(
        "language",
        "single",
        _("In which language would you like to read the school's messages?"),
        tuple(OptionSpec(f"language:{code}") for code in LANGUAGE_NAMES),
        required=True,
    ),
    QuestionSpec(
        "barriers",
        "multiple",
        _("Does anything make it hard for you to take part in school life?"),
        BARRIERS,
    ),
    QuestionSpec(
        "topics",
        "multiple",
        _("What would you like to learn more about?"),
        (
            OptionSpec("topic:reading", _("Helping my child read at home")),
            OptionSpec("topic:math", _("Helping my child with math")),
            OptionSpec("topic:homework", _("Homework and study habits")),
            OptionSpec("topic:technology", _("Computers, phones and staying safe online")),
            OptionSpec("topic:health", _("Health and food")),
            OptionSpec("topic:wellbeing", _("Feelings, behaviour and friendships")),
            OptionSpec("topic:school_system", _("How the school works: grades and tests")),
            OptionSpec("topic:special_education", _("Support for children with special needs")),
            OptionSpec("topic:english", _("Classes in English for adults")),
            OptionSpec("topic:college", _("College and careers")),
        ),
    ),
    QuestionSpec(
        "topics_other",
        "short_text",
        _("Anything else you would like to learn about?"),
    ),
    QuestionSpec(
        "organise",
        "single",
        _("Would you help organise something at school, with other families?"),
        (
            OptionSpec("organise:yes", _("Yes")),
            OptionSpec("organise:maybe", _("Maybe, tell me more")),
            OptionSpec("organise:no", _("Not now")),
        ),
    ),
)

QUESTION_KEYS = tuple(question.key for question in QUESTIONS)
OPTION_KEYS = tuple(option.key for question in QUESTIONS for option in question.options)
