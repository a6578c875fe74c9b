"""The communication figures, each computed once, here, from the rows messaging and routines
record: reachable, reached, two-way, family-initiated, the staff's median first response
(school hours only) and staff participation by role. docs/insights.md defines each one.

Every figure is counted "as of" a moment `end` (the end of a school's day in its own time
zone, for the daily roll-up) over a window that closes at `end`: [end - N days, end). A family
is a household (people/households.py); a family has a figure when one of its guardians has.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q

from homeroom.messaging.inbound.office_hours import OfficeHours, school_zone
from homeroom.messaging.models import Conversation, Delivery, Message, SmsOptOut
from homeroom.people import access, households
from homeroom.people.models import Assignment, Channel
from homeroom.routines.models import ContactLog, Direction, Outcome

WINDOWS = (14, 30)
# The window of the response time and of staff participation.
STAFF_WINDOW = 30
# School hours, in each school's own time zone: the hours a first response is counted in.
SCHOOL_HOURS = OfficeHours(days=frozenset(range(5)), start=time(8, 0), end=time(16, 0))

SENT = (Delivery.Status.SENT, Delivery.Status.DELIVERED, Delivery.Status.READ)
FINISHED = (*SENT, Delivery.Status.FAILED)

# The family marks of the roll-up, in the order of their columns.
FAMILY_MARKS = (
    "joined",
    "reachable",
    "reached_14",
    "reached_30",
    "two_way_14",
    "two_way_30",
    "initiated_14",
    "initiated_30",
)


def day_end(day: date, school) -> datetime:
    """The end of `day` in the school's time zone: local midnight after it."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=school_zone(school))


def _broken(channel: str, end: datetime):
    """The guardian's last finished delivery on `channel` before `end` failed."""
    later_success = Delivery.objects.filter(
        guardian_id=OuterRef("guardian_id"),
        channel=channel,
        status__in=SENT,
        created_at__gt=OuterRef("created_at"),
        created_at__lt=end,
    )
    return Exists(
        Delivery.objects.filter(
            guardian_id=OuterRef("guardian_id"),
            channel=channel,
            status=Delivery.Status.FAILED,
            created_at__lt=end,
        ).exclude(Exists(later_success))
    )


def reachable(end: datetime) -> Q:
    """A guardian with a working channel at `end`: signed in to Homeroom (the app reaches
    them), or a phone not opted out of texts whose last finished text did not fail, or an
    email whose last finished email did not fail (messaging.routing's own rules of
    which channel may be used, and the outbox's record of what failed)."""
    opted_out = Exists(
        SmsOptOut.objects.filter(phone=OuterRef("guardian__phone"), opted_out_at__lt=end)
    )
    sms = ~Q(guardian__phone="") & ~Q(opted_out) & ~Q(_broken(Channel.SMS, end))
    email = ~Q(guardian__email="") & ~Q(_broken(Channel.EMAIL, end))
    return Q(guardian__joined_at__lt=end) | sms | email


def _of_the_school(prefix: str = "conversation__") -> Q:
    return Q(**{f"{prefix}school_id": OuterRef("student__school_id")})


def reached(start: datetime, end: datetime) -> Q:
    """A delivery to the guardian of a staff message of the child's school (or of the whole
    district) was sent or delivered in [start, end): a delivery, not a send."""
    when = Q(sent_at__gte=start, sent_at__lt=end) | Q(
        sent_at__isnull=True, delivered_at__gte=start, delivered_at__lt=end
    )
    school = _of_the_school("message__conversation__") | Q(
        message__conversation__school__isnull=True
    )
    return Q(
        Exists(
            Delivery.objects.filter(
                when,
                school,
                guardian_id=OuterRef("guardian_id"),
                status__in=SENT,
                message__author_staff__isnull=False,
            )
        )
    )


def _family_contact(start: datetime, end: datetime, *, initiated: bool) -> Q:
    logs = ContactLog.objects.filter(
        guardian_id=OuterRef("guardian_id"),
        school_id=OuterRef("student__school_id"),
        at__gte=start,
        at__lt=end,
    )
    if initiated:
        logs = logs.filter(direction=Direction.FAMILY)
    else:
        logs = logs.filter(Q(direction=Direction.FAMILY) | Q(outcome=Outcome.REACHED))
    return Q(Exists(logs))


def two_way(start: datetime, end: datetime) -> Q:
    """The guardian wrote to the child's school in [start, end) (a reply, or a conversation
    they began), or a contact with them was logged there that they began or answered."""
    wrote = Message.objects.filter(
        _of_the_school(),
        author_guardian_id=OuterRef("guardian_id"),
        created_at__gte=start,
        created_at__lt=end,
    )
    return Q(Exists(wrote)) | _family_contact(start, end, initiated=False)


def initiated(start: datetime, end: datetime) -> Q:
    """The guardian began a conversation with the child's school in [start, end), or a
    contact logged there was theirs."""
    began = Conversation.objects.filter(
        school_id=OuterRef("student__school_id"),
        started_by=Conversation.StartedBy.FAMILY,
        created_at__gte=start,
        created_at__lt=end,
        messages__author_guardian_id=OuterRef("guardian_id"),
    )
    return Q(Exists(began)) | _family_contact(start, end, initiated=True)


def family_marks(end: datetime) -> dict[str, Q]:
    marks = {"joined": Q(guardian__joined_at__lt=end), "reachable": reachable(end)}
    for days in WINDOWS:
        start = end - timedelta(days=days)
        marks[f"reached_{days}"] = reached(start, end)
        marks[f"two_way_{days}"] = two_way(start, end)
        marks[f"initiated_{days}"] = initiated(start, end)
    return marks


def family_counts(schools: list, end: datetime) -> dict:
    """One `households.FamilyCount` per school id (and under `households.ALL`, over them all,
    a family at two schools counted once), each with the marks of FAMILY_MARKS."""
    return households.count_families(
        access.family_links_at(schools), marks=family_marks(end), per="student__school"
    )


# -- staff ------------------------------------------------------------------------------------


def school_minutes_between(start: datetime, end: datetime, zone, hours=SCHOOL_HOURS) -> int:
    """Whole minutes of school hours between two moments, read in the school's time zone."""
    if end <= start:
        return 0
    first, last = start.astimezone(zone), end.astimezone(zone)
    total = 0.0
    day = first.date()
    while day <= last.date():
        if day.weekday() in hours.days:
            opens = datetime.combine(day, hours.start, tzinfo=zone)
            closes = datetime.combine(day, hours.end, tzinfo=zone)
            overlap = min(closes, last) - max(opens, first)
            total += max(overlap.total_seconds(), 0)
        day += timedelta(days=1)
    return int(total // 60)


@dataclass
class StaffFigures:
    # Minutes of school hours each answered family message waited for its first answer.
    waits: list[int] = field(default_factory=list)
    # role → (staff with the role at the school, of them with a two-way exchange)
    by_role: dict[str, list[int]] = field(default_factory=dict)

    @property
    def median_minutes(self) -> int | None:
        return round(statistics.median(self.waits)) if self.waits else None


def staff_figures(schools: list, end: datetime) -> dict[int, StaffFigures]:
    """Per school: the first-response waits and staff participation over STAFF_WINDOW days.

    A family message opens a wait unless one is already open in its conversation; the next
    message a staff member writes there (not an automatic reply) closes it. Waits opened in
    the window and answered before `end` count, in school minutes. A staff member had a
    two-way exchange when they wrote in a conversation of the school in which a family also
    wrote in the window, or logged a contact there that the family began or answered."""
    start = end - timedelta(days=STAFF_WINDOW)
    ids = [school.pk for school in schools]
    zones = {school.pk: school_zone(school) for school in schools}
    figures = {pk: StaffFigures() for pk in ids}
    rows = (
        Message.objects.filter(
            conversation__school_id__in=ids,
            conversation__kind=Conversation.Kind.PRIVATE,
            created_at__gte=start,
            created_at__lt=end,
        )
        .order_by("conversation_id", "created_at", "pk")
        .values_list(
            "conversation_id",
            "conversation__school_id",
            "author_staff_id",
            "author_guardian_id",
            "is_automatic",
            "created_at",
        )
    )
    talkers: dict[int, set[int]] = defaultdict(set)  # school → staff with an exchange
    conversation, school, opened, writers, family_wrote = None, None, None, set(), False

    def close():
        if family_wrote:
            talkers[school].update(writers)

    for conv, school_id, staff_id, guardian_id, automatic, at in rows:
        if conv != conversation:
            close()
            conversation, school, opened, writers, family_wrote = (
                conv,
                school_id,
                None,
                set(),
                False,
            )
        if guardian_id:
            family_wrote = True
            if opened is None:
                opened = at
        elif staff_id and not automatic:
            writers.add(staff_id)
            if opened is not None:
                figures[school_id].waits.append(
                    school_minutes_between(opened, at, zones[school_id])
                )
                opened = None
    close()
    logs = ContactLog.objects.filter(
        Q(direction=Direction.FAMILY) | Q(outcome=Outcome.REACHED),
        school_id__in=ids,
        staff__isnull=False,
        at__gte=start,
        at__lt=end,
    ).values_list("school_id", "staff_id")
    for school_id, staff_id in logs:
        talkers[school_id].add(staff_id)
    assignments = Assignment.objects.filter(school_id__in=ids, staff__is_active=True).values_list(
        "school_id", "role", "staff_id"
    )
    for school_id, role, staff_id in assignments:
        counts = figures[school_id].by_role.setdefault(role, [0, 0])
        counts[0] += 1
        counts[1] += staff_id in talkers[school_id]
    return figures


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None
