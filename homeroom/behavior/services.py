"""Recognition and behaviour: every write that matters, named in the product's words.

- ensure_default_categories(school) -> list[Category]
- record_moments(staff, students, category, note="") -> list[Moment]
- correct_moment(staff, moment, *, category=None, note=None) -> Moment
- withdraw_moment(staff, moment) -> Moment
- review_moment(staff, moment) -> Moment
- respond(guardian, moment, kind, text="") -> FamilyResponse
- set_notification_choice(guardian, choice, daily_time) / notification_choice(guardian)
- notify_at_once(moment_ids) and send_moment_digests(now=None): families hear of moments
  through the messaging outbox, each family by its own choice (docs/behavior.md)
- purge_old_moments(now=None) -> int
- figures: kept_moments(), family_feed(), student_tallies(), section_tallies(), staff_tallies(),
  weekly_breakdown(), staff_participation(), moments_awaiting_review()
"""

import logging
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from homeroom.messaging import services as messaging
from homeroom.messaging.limits import MessageTooLong, check_length
from homeroom.messaging.models import Conversation
from homeroom.people import access
from homeroom.people.languages import language_name
from homeroom.people.models import (
    Guardian,
    School,
    StaffMember,
    Student,
)
from homeroom.translation.services import Translation, TranslationUnavailable, translate

from . import access as behavior_access
from .access import may_change, may_review, recordable_students, review_school_ids
from .models import (
    NOTE_MAX_CHARS,
    Category,
    FamilyResponse,
    Kind,
    Moment,
    MomentAudit,
    MomentNotice,
    MomentThread,
    SchoolBehaviorSettings,
)

logger = logging.getLogger(__name__)

NOTIFICATION_CHOICES = ("each", "daily", "weekly")
DEFAULT_CHOICE = "daily"
DEFAULT_DAILY_TIME = "18:00"
# Weekly digests go out on Fridays (Monday is 0).
WEEKLY_DIGEST_WEEKDAY = 4
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

DEFAULT_CATEGORIES = (
    # name, kind, points, icon (symbols that ordinary fonts carry, so no phone shows a box)
    ("Helping others", Kind.POSITIVE, 1, "☺"),
    ("Perseverance", Kind.POSITIVE, 1, "⚑"),
    ("Participation", Kind.POSITIVE, 1, "☝"),
    ("Kindness", Kind.POSITIVE, 1, "♥"),
    ("Great work", Kind.POSITIVE, 1, "★"),
    ("Leadership", Kind.POSITIVE, 1, "☀"),
    ("Unprepared", Kind.NEEDS_WORK, -1, "✎"),
    ("Off task", Kind.NEEDS_WORK, -1, "↺"),
    ("Disrupting others", Kind.NEEDS_WORK, -1, "♫"),
    ("Late to class", Kind.NEEDS_WORK, 0, "◷"),
)


class MomentRefused(ValueError):
    """A moment cannot be recorded or changed as asked; the message says what to fix."""


# -- categories and settings ------------------------------------------------------------------


def ensure_default_categories(school: School) -> list[Category]:
    """The school's categories, seeding the defaults the first time the school records."""
    existing = list(Category.objects.filter(school=school))
    if existing:
        return existing
    Category.objects.bulk_create(
        [
            Category(school=school, name=name, kind=kind, points=points, icon=icon, position=i)
            for i, (name, kind, points, icon) in enumerate(DEFAULT_CATEGORIES)
        ],
        ignore_conflicts=True,
    )
    return list(Category.objects.filter(school=school))


def active_categories(school: School) -> list[Category]:
    """Categories staff choose from: positive first, in the school's order."""
    ensure_default_categories(school)
    return list(Category.objects.filter(school=school, is_active=True).order_by(*CATEGORY_ORDER))


CATEGORY_ORDER = ("-kind", "position", "name")


def settings_for(school: School | int) -> SchoolBehaviorSettings:
    """The school's policy (its defaults until an admin changes them; nothing is written)."""
    school_id = getattr(school, "pk", school)
    found = SchoolBehaviorSettings.objects.filter(school_id=school_id).first()
    return found or SchoolBehaviorSettings(school_id=school_id)


# -- writing ----------------------------------------------------------------------------------


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise MomentRefused(
            _("The note is %(count)d characters long; keep it to %(max)d.")
            % {"count": len(note), "max": NOTE_MAX_CHARS}
        )
    return note


def _check_message(text: str) -> None:
    """A family's written answer has the limit of every message."""
    try:
        check_length(text)
    except MessageTooLong as too_long:
        raise MomentRefused(str(too_long)) from None


def _check_category(category: Category, school_ids: Iterable[int]) -> None:
    if not category.is_active:
        raise MomentRefused(_("The category “%(name)s” is no longer in use.") % {"name": category})
    if any(school_id != category.school_id for school_id in school_ids):
        raise MomentRefused(
            _("The category “%(name)s” belongs to another school: choose one of this school's.")
            % {"name": category}
        )


def record_moments(
    staff: StaffMember, students: Sequence[Student | int], category: Category, note: str = ""
) -> list[Moment]:
    """One moment per student, in one transaction. Raises Http404 when a student is outside
    the staff member's scope and MomentRefused for a category they may not use."""
    note = _check_note(note)
    ids = list(dict.fromkeys(getattr(s, "pk", s) for s in students))
    if not ids:
        raise MomentRefused(_("Choose at least one student."))
    found = dict(recordable_students(staff).filter(pk__in=ids).values_list("pk", "school_id"))
    if len(found) != len(ids):
        raise Http404
    _check_category(category, found.values())
    now = timezone.now()
    moments = [
        Moment(
            student_id=student_id,
            school_id=found[student_id],
            category=category,
            recorded_by=staff,
            note=note,
            positive=category.is_positive,
            points=category.points,
            created_at=now,
        )
        for student_id in ids
    ]
    with transaction.atomic():
        Moment.objects.bulk_create(moments)
        if category.is_positive and category.visible_to_families:
            created = [moment.pk for moment in moments]
            transaction.on_commit(lambda: _enqueue_at_once(created))
    return moments


def _enqueue_at_once(moment_ids: list[int]) -> None:
    from .tasks import notify_moments

    notify_moments.enqueue(moment_ids)


def correct_moment(
    staff: StaffMember,
    moment: Moment,
    *,
    category: Category | None = None,
    note: str | None = None,
) -> Moment:
    if not may_change(staff, moment):
        raise PermissionDenied(
            _("Only the author (within a day) or a school admin may change this.")
        )
    if moment.is_withdrawn:
        raise MomentRefused(_("This moment was withdrawn; record a new one instead."))
    changes = {}
    if category is not None and category.pk != moment.category_id:
        _check_category(category, [moment.school_id])
        changes["category"] = [moment.category_id, category.pk]
        moment.category = category
        moment.positive = category.is_positive
        moment.points = category.points
    if note is not None:
        note = _check_note(note)
        if note != moment.note:
            changes["note"] = [moment.note, note]
            moment.note = note
    if not changes:
        return moment
    now = timezone.now()
    moment.corrected_at = now
    with transaction.atomic():
        moment.save(update_fields=["category", "positive", "points", "note", "corrected_at"])
        MomentAudit.objects.create(
            moment=moment, action=MomentAudit.Action.CORRECTED, by=staff, at=now, changes=changes
        )
    return moment


def withdraw_moment(staff: StaffMember, moment: Moment) -> Moment:
    """The moment leaves families' feeds and every notification not yet sent."""
    if not may_change(staff, moment):
        raise PermissionDenied(
            _("Only the author (within a day) or a school admin may change this.")
        )
    if moment.is_withdrawn:
        return moment
    now = timezone.now()
    with transaction.atomic():
        Moment.objects.filter(pk=moment.pk).update(withdrawn_at=now, withdrawn_by=staff)
        MomentAudit.objects.create(
            moment=moment, action=MomentAudit.Action.WITHDRAWN, by=staff, at=now
        )
    moment.withdrawn_at, moment.withdrawn_by = now, staff
    return moment


def review_moment(staff: StaffMember, moment: Moment) -> Moment:
    """A counselor, liaison or admin has looked at a needs-work moment: families may hear."""
    if not may_review(staff, moment.school):
        raise PermissionDenied(_("Only school-wide staff and admins review moments."))
    if moment.reviewed_at is None:
        now = timezone.now()
        with transaction.atomic():
            Moment.objects.filter(pk=moment.pk).update(reviewed_at=now, reviewed_by=staff)
            MomentAudit.objects.create(
                moment=moment, action=MomentAudit.Action.REVIEWED, by=staff, at=now
            )
        moment.reviewed_at, moment.reviewed_by = now, staff
    return moment


def respond(guardian: Guardian, moment: Moment, kind: str, text: str = "") -> FamilyResponse:
    """A family answers a moment. A written answer opens (or continues) a private
    conversation with the moment's author."""
    _check_message(text)
    if not family_feed(guardian, moment.student).filter(pk=moment.pk).exists():
        raise Http404
    if kind not in FamilyResponse.Kind.values:
        raise MomentRefused(_("Choose how to answer."))
    conversation = None
    if kind == FamilyResponse.Kind.MESSAGE:
        text = (text or "").strip()
        if not text:
            raise MomentRefused(_("Write a few words to send."))
        earlier = (
            FamilyResponse.objects.filter(
                guardian=guardian,
                moment__student_id=moment.student_id,
                moment__recorded_by_id=moment.recorded_by_id,
                conversation__isnull=False,
            )
            .select_related("conversation")
            .order_by("-created_at", "-pk")
            .first()
        )
        if earlier is not None:
            conversation = earlier.conversation
            messaging.send_message(conversation, text=text, by_guardian=guardian)
        else:
            author = moment.recorded_by
            staff = [author] if author is not None and author.is_active else []
            conversation = messaging.start_conversation(
                student=moment.student, by_guardian=guardian, staff=staff, text=text
            )
    return FamilyResponse.objects.create(
        moment=moment, guardian=guardian, kind=kind, conversation=conversation
    )


# -- reading ----------------------------------------------------------------------------------


def kept_moments() -> QuerySet[Moment]:
    """Every moment not withdrawn."""
    return Moment.objects.filter(withdrawn_at__isnull=True)


def _family_visible() -> Q:
    """Moments a family may see: visible categories; needs-work only once reviewed where the
    school asks for review."""
    review_required = SchoolBehaviorSettings.objects.filter(
        school_id=OuterRef("school_id"), needs_work_review_required=True
    )
    return Q(category__visible_to_families=True) & (
        Q(positive=True) | Q(reviewed_at__isnull=False) | ~Q(Exists(review_required))
    )


def family_feed(guardian: Guardian, student: Student, *, zone=None) -> QuerySet[Moment]:
    """A guardian's view of one child's moments: newest day first, good news first within
    each day. Empty unless the guardian may see the child's records."""
    allowed = behavior_access.family_may_see(guardian, student)
    zone = zone or timezone.get_current_timezone()
    return (
        kept_moments()
        .filter(_family_visible(), Exists(allowed), student=student)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .order_by("-day", "-positive", "-created_at", "-pk")
    )


# -- figures ----------------------------------------------------------------------------------


@dataclass
class Tally:
    positive: int = 0
    needs_work: int = 0
    points: int = 0

    @property
    def total(self) -> int:
        return self.positive + self.needs_work

    @property
    def ratio(self) -> float | None:
        """Positive moments per needs-work moment; None without any needs-work moment."""
        return self.positive / self.needs_work if self.needs_work else None

    @property
    def ratio_label(self) -> str:
        if not self.needs_work:
            return f"{self.positive}:0"
        return f"{self.positive / self.needs_work:.1f}:1".replace(".0:", ":")

    def meets(self, target: int) -> bool:
        if self.needs_work == 0:
            return True
        return self.positive >= target * self.needs_work

    @property
    def only_needs_work(self) -> bool:
        return self.positive == 0 and self.needs_work > 0


def tally_aggregates(prefix: str = "") -> dict:
    """Conditional aggregates of kept moments: one query, whatever the number of moments."""
    kept = Q(**{f"{prefix}withdrawn_at__isnull": True})
    return {
        "positive_count": Count(
            f"{prefix}pk" if prefix else "pk", filter=kept & Q(**{f"{prefix}positive": True})
        ),
        "needs_work_count": Count(
            f"{prefix}pk" if prefix else "pk", filter=kept & Q(**{f"{prefix}positive": False})
        ),
        "points_total": Coalesce(
            Sum(f"{prefix}points", filter=kept), 0, output_field=IntegerField()
        ),
    }


def _tally(row) -> Tally:
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    return Tally(get("positive_count") or 0, get("needs_work_count") or 0, get("points_total") or 0)


def student_tallies(students: QuerySet[Student], since: datetime) -> dict[int, Tally]:
    rows = (
        kept_moments()
        .filter(student__in=students, created_at__gte=since)
        .values("student_id")
        .annotate(**tally_aggregates())
        .order_by()
    )
    return {row["student_id"]: _tally(row) for row in rows}


def section_tallies(section_ids: Iterable[int], since: datetime) -> dict[int, Tally]:
    rows = (
        kept_moments()
        .filter(
            created_at__gte=since,
            student__enrollments__section_id__in=list(section_ids),
            student__enrollments__is_active=True,
        )
        .values("student__enrollments__section_id")
        .annotate(**tally_aggregates())
        .order_by()
    )
    return {row["student__enrollments__section_id"]: _tally(row) for row in rows}


def staff_tallies(staff_ids: Iterable[int], since: datetime) -> dict[int, Tally]:
    rows = (
        kept_moments()
        .filter(recorded_by_id__in=list(staff_ids), created_at__gte=since)
        .values("recorded_by_id")
        .annotate(**tally_aggregates())
        .order_by()
    )
    return {row["recorded_by_id"]: _tally(row) for row in rows}


def school_year_start(now: datetime | None = None) -> datetime:
    """Terms have no dates in the roster: the school year (from 1 August) stands in."""
    now = timezone.localtime(now or timezone.now())
    year = now.year if now.month >= 8 else now.year - 1
    return now.replace(year=year, month=8, day=1, hour=0, minute=0, second=0, microsecond=0)


def period_start(period: str, now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    if period == "7":
        return now - timedelta(days=7)
    if period == "year":
        return school_year_start(now)
    return now - timedelta(days=30)


# -- the leaders' view ------------------------------------------------------------------------

# What the weekly chart can be broken down by, with the field each moment is grouped on.
BREAKDOWNS = {
    "kind": "positive",
    "category": "category__name",
    "grade": "student__grade",
    "language": "family_language",
    "program": "student__programs__name",
}
# Groups drawn as their own series; smaller ones are added up as "Other" so a chart stays
# readable with forty programs or languages.
MAX_SERIES = 7


@dataclass
class Series:
    label: str
    counts: list[int]
    tone: str = ""  # "positive" or "needs_work" for the kind breakdown

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class WeeklyBreakdown:
    by: str
    weeks: list[date]
    series: list[Series]

    def rows(self) -> list[tuple[date, list[int], int]]:
        """One row a week for the table beside the chart: the week, each group, the total."""
        rows = []
        for i, week in enumerate(self.weeks):
            counts = [s.counts[i] for s in self.series]
            rows.append((week, counts, sum(counts)))
        return rows

    def as_chart(self) -> dict:
        return {
            "weeks": [week.isoformat() for week in self.weeks],
            "week_labels": [formats.date_format(week, "SHORT_DATE_FORMAT") for week in self.weeks],
            "series": [{"label": s.label, "counts": s.counts, "tone": s.tone} for s in self.series],
        }


def primary_family_language() -> Subquery:
    """The language of a moment's student's primary (else first) active guardian."""
    return Subquery(
        access.active_links_of_child(OuterRef("student_id")).values("guardian__language")[:1]
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _group_label(by: str, value) -> str:
    if by == "kind":
        return _("Good news") if value else _("Needs work")
    if by == "grade":
        return _("Grade %(grade)s") % {"grade": value} if value else _("No grade")
    if by == "language":
        return language_name(value) if value else _("No family language")
    if by == "program":
        return value or _("No program")
    return value or "—"


def _grade_key(label_and_value):
    value = label_and_value[1]
    text = str(value or "")
    return (not text, not text.isdigit(), int(text) if text.isdigit() else 0, text)


def weekly_breakdown(
    moments: QuerySet[Moment], by: str, since: datetime, now: datetime | None = None
) -> WeeklyBreakdown:
    """Moments per week and per group (kind, category, grade, family language or program) in
    one grouped query, whatever the number of moments. Every week of the period is present,
    with zeros, so a quiet week shows as one. A moment of a student in two programs counts
    in both."""
    field = BREAKDOWNS[by]
    if by == "language":
        moments = moments.annotate(family_language=primary_family_language())
    rows = (
        moments.annotate(week=TruncWeek("created_at"))
        .values("week", field)
        .annotate(n=Count("pk"))
        .order_by()
    )
    now = now or timezone.now()
    per_group: dict[str, dict[date, int]] = {}
    values: dict[str, object] = {}
    last = _monday(timezone.localdate(now))
    for row in rows:
        week = _monday(timezone.localtime(row["week"]).date())
        last = max(last, week)
        label = _group_label(by, row[field])
        values.setdefault(label, row[field])
        counts = per_group.setdefault(label, {})
        counts[week] = counts.get(week, 0) + row["n"]
    weeks = []
    week = _monday(timezone.localtime(since).date())
    while week <= last:
        weeks.append(week)
        week += timedelta(days=7)
    groups = [
        (label, values[label], [counts.get(w, 0) for w in weeks])
        for label, counts in per_group.items()
    ]
    if by == "kind":
        groups.sort(key=lambda g: not g[1])  # good news first
    elif by == "grade":
        groups.sort(key=_grade_key)
    else:
        groups.sort(key=lambda g: (-sum(g[2]), g[0]))
    if len(groups) > MAX_SERIES:
        kept, rest = groups[: MAX_SERIES - 1], groups[MAX_SERIES - 1 :]
        other = [sum(g[2][i] for g in rest) for i in range(len(weeks))]
        groups = [*kept, (_("Other"), None, other)]
    series = [
        Series(
            label,
            counts,
            tone=("positive" if value else "needs_work") if by == "kind" else "",
        )
        for label, value, counts in groups
    ]
    return WeeklyBreakdown(by=by, weeks=weeks, series=series)


@dataclass
class Participation:
    """Who recorded good news in a period: the recognisers (annotated with their counts, most
    first) and how many staff members recorded none."""

    recognisers: QuerySet[StaffMember]
    total: int
    recognising: int

    @property
    def none(self) -> int:
        return self.total - self.recognising


def staff_participation(
    staff_members: QuerySet[StaffMember], schools: QuerySet[School], since: datetime
) -> Participation:
    """Staff participation in recognition: three queries, whatever the number of moments."""
    recorded = Q(
        moments_recorded__created_at__gte=since,
        moments_recorded__withdrawn_at__isnull=True,
        moments_recorded__school__in=schools,
    )
    good_news = kept_moments().filter(
        recorded_by=OuterRef("pk"), positive=True, created_at__gte=since, school__in=schools
    )
    recognisers = (
        staff_members.filter(Exists(good_news))
        .annotate(
            positive_count=Count(
                "moments_recorded", filter=recorded & Q(moments_recorded__positive=True)
            ),
            needs_work_count=Count(
                "moments_recorded", filter=recorded & Q(moments_recorded__positive=False)
            ),
        )
        .order_by("-positive_count", "family_name", "given_name", "pk")
    )
    total = staff_members.count()
    return Participation(recognisers, total, recognisers.count())


# -- review -----------------------------------------------------------------------------------


def moments_awaiting_review(staff: StaffMember) -> QuerySet[Moment]:
    """Needs-work moments families would see once reviewed, oldest first."""
    return (
        kept_moments()
        .filter(
            school_id__in=review_school_ids(staff),
            positive=False,
            reviewed_at__isnull=True,
            category__visible_to_families=True,
            student__in=access.students_for(staff.user),
        )
        .order_by("created_at", "pk")
    )


# -- families hear of moments -----------------------------------------------------------------


def notification_choice(guardian: Guardian) -> tuple[str, str]:
    meta = guardian.metadata or {}
    choice = meta.get("moment_notifications")
    daily_time = meta.get("daily_time")
    if choice not in NOTIFICATION_CHOICES:
        choice = DEFAULT_CHOICE
    if not isinstance(daily_time, str) or not _TIME.match(daily_time):
        daily_time = DEFAULT_DAILY_TIME
    return choice, daily_time


def set_notification_choice(guardian: Guardian, choice: str, daily_time: str) -> None:
    if choice not in NOTIFICATION_CHOICES:
        raise MomentRefused(_("Choose when to hear about moments."))
    if not _TIME.match(daily_time or ""):
        raise MomentRefused(_("Give a time as hours and minutes, such as 18:00."))
    with transaction.atomic():
        fresh = Guardian.objects.select_for_update().get(pk=guardian.pk)
        metadata = dict(fresh.metadata or {})
        metadata.update({"moment_notifications": choice, "daily_time": daily_time})
        Guardian.objects.filter(pk=guardian.pk).update(metadata=metadata)
    guardian.metadata = metadata


def _sendable() -> QuerySet[Moment]:
    return kept_moments().filter(_family_visible())


def notify_at_once(moment_ids: Sequence[int]) -> int:
    """Families who chose "each" hear of good news as soon as it is recorded. Needs-work
    moments never go out at once: they wait for the end-of-day digest."""
    moments = list(
        _sendable()
        .filter(pk__in=list(moment_ids), positive=True)
        .select_related("category", "recorded_by", "student", "school")
    )
    if not moments:
        return 0
    by_student: dict[int, list[Moment]] = {}
    for moment in moments:
        by_student.setdefault(moment.student_id, []).append(moment)
    sent = 0
    for link in behavior_access.contactable_links_of(by_student):
        if notification_choice(link.guardian)[0] != "each":
            continue
        noticed = set(
            MomentNotice.objects.filter(
                guardian=link.guardian, moment__in=by_student[link.student_id]
            ).values_list("moment_id", flat=True)
        )
        fresh = [m for m in by_student[link.student_id] if m.pk not in noticed]
        if fresh:
            _send(link.guardian, link.student, fresh, now=timezone.now(), digest=False)
            sent += 1
    return sent


def _zone(guardian: Guardian, school: School):
    try:
        return zoneinfo.ZoneInfo(guardian.time_zone or school.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def digest_boundary(guardian: Guardian, school: School, now: datetime) -> datetime:
    """The latest moment a digest for this guardian was due, at or before `now`."""
    choice, daily_time = notification_choice(guardian)
    hour, minute = (int(part) for part in daily_time.split(":"))
    local = now.astimezone(_zone(guardian, school))
    boundary = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if boundary > local:
        boundary -= timedelta(days=1)
    if choice == "weekly":
        boundary -= timedelta(days=(boundary.weekday() - WEEKLY_DIGEST_WEEKDAY) % 7)
    return boundary


def send_moment_digests(now: datetime | None = None) -> int:
    """Send every digest that is due. Run it from the periodic sweep (every few minutes).

    A family's digest gathers the moments recorded before its due time that it has not heard
    of yet (good news first); moments recorded later wait for the next one."""
    now = now or timezone.now()
    horizon = now - timedelta(days=8)
    students = (
        _sendable()
        .filter(created_at__gte=horizon, created_at__lte=now)
        .values_list("student_id", flat=True)
        .distinct()
    )
    threads = {
        (t.guardian_id, t.student_id): t
        for t in MomentThread.objects.filter(student_id__in=students)
    }
    sent = 0
    for link in behavior_access.contactable_links_of(students):
        guardian, student = link.guardian, link.student
        boundary = digest_boundary(guardian, student.school, now)
        thread = threads.get((guardian.pk, student.pk))
        if thread is not None and thread.last_digest_at and thread.last_digest_at >= boundary:
            continue
        noticed = MomentNotice.objects.filter(guardian=guardian, moment=OuterRef("pk"))
        pending = list(
            _sendable()
            .filter(student=student, created_at__gte=horizon, created_at__lt=boundary)
            .exclude(Exists(noticed))
            .select_related("category", "recorded_by", "student", "school")
            .order_by("-positive", "created_at", "pk")
        )
        if pending:
            _send(guardian, student, pending, now=now, digest=True)
            sent += 1
    return sent


def _digest_text(
    student: Student,
    moments: Sequence[Moment],
    digest: bool,
    words: dict[str, str] | None = None,
) -> str:
    """The message in the active language. `words` maps the staff-written words (category
    names, notes) to that language; without it they stay as written."""
    words = words or {}
    good = [m for m in moments if m.positive]
    work = [m for m in moments if not m.positive]
    lines = [
        (_("News from school about %(name)s:") if digest else _("Good news about %(name)s:"))
        % {"name": student.full_name}
    ]
    for title, group in ((_("Good news"), good), (_("To work on"), work)):
        if not group:
            continue
        if digest:
            lines += ["", title + ":"]
        for moment in group:
            name = moment.category.name
            line = f"• {words.get(name, name)}"
            if moment.note:
                line += f": {words.get(moment.note, moment.note)}"
            if moment.recorded_by:
                line += f" ({moment.recorded_by.full_name})"
            lines.append(line)
    link = settings.PUBLIC_BASE_URL + reverse("behavior:child_feed", args=[student.pk])
    lines += ["", _("See and answer: %(link)s") % {"link": link}]
    return "\n".join(lines)


def _digest_versions(
    student: Student, moments: Sequence[Moment], digest: bool, reader_language: str
) -> dict[str, Translation]:
    """The family's copy, when we ship their language: the frame from the reviewed catalogue,
    the staff-written words through the translation pipeline (so it is marked as machine-
    translated when any of them are)."""
    target = reader_language.split("-")[0].lower()
    shipped = {code for code, _name in settings.LANGUAGES}
    if target not in shipped or target == settings.LANGUAGE_CODE:
        return {}
    originals = sorted({m.category.name for m in moments} | {m.note for m in moments if m.note})
    protect = [student.given_name, student.family_name]
    protect += [part for m in moments if m.recorded_by for part in m.recorded_by.full_name.split()]
    try:
        translated = translate(
            originals, settings.LANGUAGE_CODE, target, school=student.school, protect=protect
        )
    except TranslationUnavailable:
        return {}
    words = {original: t.text for original, t in zip(originals, translated, strict=True)}
    machine = any(t.machine for t in translated)
    with translation.override(target):
        text = _digest_text(student, moments, digest, words)
    return {
        target: Translation(
            text=text,
            source=settings.LANGUAGE_CODE,
            target=target,
            provider="catalogue+machine" if machine else "catalogue",
            human_checked=not machine,
            machine=machine,
        )
    }


def _send(
    guardian: Guardian, student: Student, moments: Sequence[Moment], *, now, digest: bool
) -> None:
    authors = [m.recorded_by for m in moments if m.recorded_by and m.recorded_by.is_active]
    author = authors[-1] if authors else _any_staff(student.school)
    with translation.override(settings.LANGUAGE_CODE):
        text = _digest_text(student, moments, digest)
    prepared = _digest_versions(student, moments, digest, guardian.language)
    thread = MomentThread.objects.filter(guardian=guardian, student=student).first()
    if thread is None:
        conversation = Conversation(
            kind=Conversation.Kind.PRIVATE,
            school=student.school,
            student=student,
            started_by=Conversation.StartedBy.SCHOOL,
        )
        # One conversation per family about the child, so each household's choice holds.
        recipient = list(messaging._with_opt_out(Guardian.objects.filter(pk=guardian.pk)))
        messaging._open(
            conversation,
            staff=[author],
            guardians=recipient,
            text=text,
            by_staff=author,
            protect=messaging._names(student, guardian, *authors),
            prepared=prepared,
        )
        thread, _created = MomentThread.objects.get_or_create(
            guardian=guardian, student=student, defaults={"conversation": conversation}
        )
    else:
        messaging.send_message(
            thread.conversation, text=text, by_staff=author, automatic=True, prepared=prepared
        )
    MomentNotice.objects.bulk_create(
        [MomentNotice(moment=m, guardian=guardian, sent_at=now) for m in moments],
        ignore_conflicts=True,
    )
    if digest:
        MomentThread.objects.filter(pk=thread.pk).update(last_digest_at=now)


def _any_staff(school: School) -> StaffMember:
    return messaging._school_office(school)[0]


# -- retention --------------------------------------------------------------------------------


def purge_old_moments(now: datetime | None = None) -> int:
    """Delete moments older than each school's retention (default 12 months)."""
    now = now or timezone.now()
    default_months = SchoolBehaviorSettings._meta.get_field("retention_months").default
    custom = dict(SchoolBehaviorSettings.objects.values_list("school_id", "retention_months"))
    deleted = 0
    for months in {default_months, *custom.values()}:
        cutoff = now - timedelta(days=round(months * 365.25 / 12))
        schools_with = [sid for sid, m in custom.items() if m == months]
        scope = Q(school_id__in=schools_with)
        if months == default_months:
            scope |= ~Q(school_id__in=list(custom))
        count, _by_model = Moment.objects.filter(scope, created_at__lt=cutoff).delete()
        deleted += count
    return deleted
