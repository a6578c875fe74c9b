"""Around an event's day: the reminder the day before to the families coming, and after it a
light attendance record and "how was it?" asked of those who came.

Both messages go through the outbox as one announcement per event to exactly the families
concerned (`messaging.writing.open_conversation`, as a group's posts do), each on its channel
and in its language — the wording from the catalogue where the language has it, else a
machine's — and the outbox holds a text that would land in a family's quiet hours until
morning. Each run claims the rows it writes to with a conditional update first, so two runs
never send twice. `follow_up_task` runs hourly from `manage.py periodic`.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from django_tasks import task

from homeroom.languages import STAFF_LANGUAGE
from homeroom.messaging.models import Conversation
from homeroom.messaging.services import catalogue_versions, with_opt_out
from homeroom.messaging.writing import open_conversation
from homeroom.people.models import Guardian

from . import access as gatherings_access
from .models import Event, FeedbackRating, Rsvp
from .services import EventRefused, _local, event_link

# The reminder goes out once the event is less than this far away.
REMIND_BEFORE = timedelta(hours=24)
# "How was it?" is asked this long after the end, and not for an event older than a week.
ASK_AFTER = timedelta(hours=2)
ASK_WITHIN = timedelta(days=7)

REMINDER = gettext_noop(
    "A reminder: %(title)s is tomorrow, %(when)s, at %(place)s. We look forward to seeing "
    "you. If you can't come after all, reply NO or tell us here: %(link)s"
)
HOW_WAS_IT = gettext_noop(
    "Thank you for coming to %(title)s. How was it? Tell us in one tap, so the next one is "
    "better: %(link)s"
)


# ---- sending --------------------------------------------------------------------------------


def _values(event: Event) -> dict[str, str]:
    return {
        "title": event.title,
        "when": _local(event.starts_at, event),
        "place": event.place or event.school.name,
        "link": event_link(event),
    }


def _send(event: Event, guardian_ids: list[int], msgid: str) -> Conversation | None:
    guardians = list(
        with_opt_out(Guardian.objects.filter(pk__in=guardian_ids, is_active=True)).order_by("pk")
    )
    if not guardians:
        return None
    values = _values(event)

    def render() -> str:
        return _(msgid) % values

    with override(STAFF_LANGUAGE):
        text = render()
    conversation = Conversation(
        kind=Conversation.Kind.ANNOUNCEMENT,
        district_id=event.school.district_id,
        school=event.school,
        audience={"kind": "event", "event": event.pk, "school": event.school_id},
        subject=event.title,
        started_by=Conversation.StartedBy.SCHOOL,
    )
    return open_conversation(
        conversation,
        staff=[event.created_by],
        guardians=guardians,
        text=text,
        by_staff=event.created_by,
        channel="app",
        protect=[event.title, event.school.name, event.place],
        prepared=catalogue_versions(render),
    )


def send_reminders(now: datetime | None = None) -> int:
    """The day before: every family coming (not waiting, not declined) to an event that starts
    within `REMIND_BEFORE`, reminded once, while a family of the audience may still hear of
    it. Returns how many families were reminded."""
    now = now or timezone.now()
    due = (
        Event.objects.filter(
            invited_at__isnull=False,
            starts_at__gt=now,
            starts_at__lte=now + REMIND_BEFORE,
            rsvps__status=Rsvp.Status.GOING,
            rsvps__reminded_at__isnull=True,
        )
        .select_related("school", "created_by")
        .distinct()
    )
    reminded = 0
    for event in due:
        with transaction.atomic():
            rows = Rsvp.objects.select_for_update().filter(
                event=event, status=Rsvp.Status.GOING, reminded_at__isnull=True
            )
            ids = list(rows.values_list("pk", flat=True))
            claimed = Rsvp.objects.filter(pk__in=ids, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            guardians = gatherings_access.reachable_guardians(
                event, Rsvp.objects.filter(pk__in=ids).values("guardian")
            )
            _send(event, guardians, REMINDER)
            reminded += len(guardians)
    return reminded


def ask_how_it_was(now: datetime | None = None) -> int:
    """After an event: "how was it?" to the families who came — those an organiser marked
    present, or, when nobody was marked, those who said they were coming. Once per event."""
    now = now or timezone.now()
    due = Event.objects.filter(
        invited_at__isnull=False,
        followup_sent_at__isnull=True,
        ends_at__lte=now - ASK_AFTER,
        ends_at__gt=now - ASK_WITHIN,
    ).select_related("school", "created_by")
    asked = 0
    for event in due:
        with transaction.atomic():
            if not Event.objects.filter(pk=event.pk, followup_sent_at__isnull=True).update(
                followup_sent_at=now
            ):
                continue
            guardians = gatherings_access.reachable_guardians(
                event, who_came(event).values("guardian")
            )
            _send(event, guardians, HOW_WAS_IT)
            asked += len(guardians)
    return asked


def follow_up(now: datetime | None = None) -> tuple[int, int]:
    return send_reminders(now), ask_how_it_was(now)


# The hourly sweep (`manage.py periodic`).
@task()
def follow_up_task() -> list[int]:
    return list(follow_up())


# ---- attendance and "how was it?" -----------------------------------------------------------


def who_came(event: Event):
    """The RSVPs of the families who came: marked present, or — nobody marked — coming."""
    marked = event.rsvps.filter(attended__isnull=False)
    if marked.exists():
        return event.rsvps.filter(attended=True)
    return event.rsvps.filter(status=Rsvp.Status.GOING)


def mark_attendance(event: Event, present: set[int], now: datetime | None = None) -> int:
    """An organiser's record of who came, after the start: the RSVPs in `present` came, the
    other families who said they would did not. Returns how many came."""
    now = now or timezone.now()
    if not event.is_past(now):
        raise EventRefused(_("Attendance is kept once the event has started."))
    answered = event.rsvps.exclude(status=Rsvp.Status.NOT_GOING)
    unknown = set(present) - set(answered.values_list("pk", flat=True))
    if unknown:
        raise EventRefused(_("Choose families who answered the invitation."))
    with transaction.atomic():
        answered.filter(pk__in=present).update(attended=True)
        answered.exclude(pk__in=present).update(attended=False)
    return len(present)


def answer_how_it_was(
    event: Event, guardian: Guardian, rating: int, comment: str = "", now=None
) -> Rsvp:
    """A family that came says how it was: one labelled answer and a few words, changeable."""
    now = now or timezone.now()
    if rating not in FeedbackRating.values:
        raise EventRefused(_("Choose one of the answers."))
    if not event.is_past(now):
        raise EventRefused(_("Tell us how it was once the event has taken place."))
    rsvp = who_came(event).filter(guardian=guardian).first()
    if rsvp is None:
        raise EventRefused(_("Only the families who came are asked how it was."))
    rsvp.feedback_rating, rsvp.feedback_comment, rsvp.feedback_at = rating, comment, now
    rsvp.save(update_fields=["feedback_rating", "feedback_comment", "feedback_at", "updated_at"])
    return rsvp


def feedback_summary(event: Event) -> dict:
    """For organisers: how many answered and the count of each answer; the few words, with
    no name (one fact among others about the event, not its measure)."""
    answered = event.rsvps.filter(feedback_rating__isnull=False)
    counts = dict.fromkeys(FeedbackRating.values, 0)
    for rating in answered.values_list("feedback_rating", flat=True):
        counts[rating] += 1
    came = who_came(event).count()
    return {
        "came": came,
        "answered": sum(counts.values()),
        "counts": [(FeedbackRating(value).label, n) for value, n in counts.items()],
        "comments": list(
            answered.exclude(feedback_comment="")
            .order_by("-feedback_at")
            .values_list("feedback_comment", flat=True)[:50]
        ),
        "marked": event.rsvps.filter(attended__isnull=False).exists(),
    }
