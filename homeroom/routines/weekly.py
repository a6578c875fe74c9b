"""The weekly one-sentence update: a sentence per student, sent to each family on their own
channel, its coverage week by week, and the teacher's reminder."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from homeroom.languages import STAFF_LANGUAGE
from homeroom.messaging.models import Message
from homeroom.messaging.services import catalogue_versions, send_about_child
from homeroom.people import access
from homeroom.people.models import Section, StaffMember, Student

from . import access as routines_access
from .common import RoutineRefused, week_start_of
from .models import SENTENCE_MAX_CHARS, Framing, UpdateSentence, WeeklyUpdate

MIN_SPECIFIC_WORDS = 5
VAGUE_PHRASES = ("doing fine", "good job", "is great", "doing well", "great job", "is fine")


def weekly_update_for(section: Section, staff: StaffMember, week_start: date) -> WeeklyUpdate:
    update, _created = WeeklyUpdate.objects.get_or_create(
        section=section, week_start=week_start, defaults={"created_by": staff}
    )
    return update


def is_vague(text: str) -> bool:
    """A sentence too short or too general to tell a family what happened or what to do."""
    text = " ".join(text.split())
    if not text:
        return False
    if len(text.split()) < MIN_SPECIFIC_WORDS:
        return True
    lowered = text.lower()
    if any(phrase in lowered for phrase in VAGUE_PHRASES):
        # "is doing well in fractions: she solved all five word problems" names a detail.
        return len(text.split()) < 10
    return False


def save_sentence(
    update: WeeklyUpdate, student: Student, text: str, framing: str = Framing.POSITIVE
) -> UpdateSentence:
    """Keep what the teacher wrote for one student. An empty sentence is a skip."""
    text = " ".join((text or "").split())
    if len(text) > SENTENCE_MAX_CHARS:
        raise RoutineRefused(
            _("Keep it to one sentence of at most %(max)d characters (this one has %(count)d).")
            % {"max": SENTENCE_MAX_CHARS, "count": len(text)}
        )
    if framing not in Framing.values:
        framing = Framing.POSITIVE
    sentence, _created = UpdateSentence.objects.get_or_create(update=update, student=student)
    if sentence.message_id:
        raise RoutineRefused(_("This sentence has been sent already."))
    sentence.text = text
    sentence.framing = framing
    sentence.skipped = not text
    sentence.saved_at = timezone.now()
    sentence.save()
    return sentence


def skip_student(update: WeeklyUpdate, student: Student) -> UpdateSentence:
    return save_sentence(update, student, "")


@dataclass
class Tally:
    praise: int = 0
    next_steps: int = 0
    skipped: int = 0


def tally(sentences) -> Tally:
    counts = Tally()
    for sentence in sentences:
        if sentence.skipped or not sentence.text:
            counts.skipped += sentence.skipped
        elif sentence.framing == Framing.NEXT_STEP:
            counts.next_steps += 1
        else:
            counts.praise += 1
    return counts


@dataclass
class SendResult:
    sent: int = 0
    no_family: list = field(default_factory=list)


def send_weekly_update(update: WeeklyUpdate, staff: StaffMember) -> SendResult:
    """Every written sentence goes to its student's families, each on their own channel, as
    the next message of the one conversation the teacher keeps with the family about the
    child (week after week the same thread)."""
    result = SendResult()
    sentences = list(
        update.sentences.filter(skipped=False, message__isnull=True)
        .exclude(text="")
        .select_related("student")
        .annotate(families=routines_access.families_reached())
    )
    with override(STAFF_LANGUAGE):
        subject = _("Weekly update")
    subjects = catalogue_versions(lambda: _("Weekly update"))
    for sentence in sentences:
        if not sentence.families:
            result.no_family.append(sentence.student)
            continue
        sentence.message = send_about_child(
            student=sentence.student,
            staff=staff,
            text=sentence.text,
            subject=subject,
            subject_prepared=subjects,
        )
        sentence.save(update_fields=["message"])
        result.sent += 1
    update.sent_at = timezone.now()
    update.save(update_fields=["sent_at"])
    return result


def _replied():
    """A family replied: a guardian wrote in the thread after the sentence was sent and
    before the next week's sentence came (the thread is the same week after week, so a
    reply counts for the sentence it follows). An answer to a moment, which quotes the
    moment, is not a reply to the sentence."""
    next_sentence = UpdateSentence.objects.filter(
        message__conversation_id=OuterRef(OuterRef("message__conversation_id")),
        message__created_at__gt=OuterRef(OuterRef("message__created_at")),
        message__created_at__lt=OuterRef("created_at"),
    )
    return Exists(
        Message.objects.filter(
            conversation_id=OuterRef("message__conversation_id"),
            author_guardian__isnull=False,
            created_at__gt=OuterRef("message__created_at"),
            quote="",
        ).filter(~Exists(next_sentence))
    )


def weekly_coverage(section: Section) -> list[dict]:
    """Per week, newest first: sentences sent, students skipped, families who replied."""
    rows = (
        UpdateSentence.objects.filter(update__section=section)
        .annotate(replied=_replied())
        .values("update__week_start", "update__sent_at")
        .annotate(
            sent=Count("pk", filter=Q(message__isnull=False)),
            skipped=Count("pk", filter=Q(skipped=True)),
            replied_count=Count("pk", filter=Q(replied=True, message__isnull=False)),
        )
        .order_by("-update__week_start")
    )
    return [
        {
            "week_start": row["update__week_start"],
            "sent_at": row["update__sent_at"],
            "sent": row["sent"],
            "skipped": row["skipped"],
            "replied": row["replied_count"],
        }
        for row in rows
    ]


def set_reminder_day(staff: StaffMember, day: int | None) -> None:
    if day is not None and not 0 <= day <= 6:
        raise RoutineRefused(_("Choose a day of the week."))
    staff.weekly_update_day = day
    staff.save(update_fields=["weekly_update_day"])


def remind_weekly_updates(today: date | None = None) -> int:
    """Email each teacher who chose a reminder day, has reached it, and has a class whose
    update for this week is not sent yet. Once a week at most. Returns emails sent."""
    today = today or timezone.localdate()
    week = week_start_of(today)
    teachers = StaffMember.objects.filter(is_active=True, weekly_update_day__isnull=False).exclude(
        email=""
    )
    sent = 0
    for staff in teachers:
        if today.weekday() < staff.weekly_update_day:
            continue
        if staff.weekly_update_reminded == week:
            continue
        pending = list(
            access.sections_taught_by(staff)
            .exclude(weekly_updates__week_start=week, weekly_updates__sent_at__isnull=False)
            .order_by("title")
        )
        if not pending:
            continue
        with override(staff.language or settings.LANGUAGE_CODE):
            lines = [
                f"- {section.title}: "
                + settings.PUBLIC_BASE_URL.rstrip("/")
                + reverse("routines:weekly", args=[section.pk])
                for section in pending
            ]
            body = _(
                "Hello %(name)s,\n\nYour one-sentence update to families is not sent yet "
                "this week:\n%(classes)s\n\nA sentence per student, praise or one next step: "
                "a few minutes that help students succeed."
            ) % {"name": staff.given_name, "classes": "\n".join(lines)}
            send_mail(_("Your weekly update to families"), body, None, [staff.email])
        staff.weekly_update_reminded = week
        staff.save(update_fields=["weekly_update_reminded"])
        sent += 1
    return sent


# The daily sweep: teachers who chose a reminder day hear by email when a class's weekly
# update is not sent by then.
@task()
def send_weekly_reminders() -> int:
    return remind_weekly_updates()
