"""Figures of recognition: tallies, ratios, weekly breakdowns, staff participation, and the
tables of the leaders' view. Reads moments; writes nothing."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from homeroom.behavior import feeds
from homeroom.behavior.models import (
    Moment,
)
from homeroom.languages import language_name
from homeroom.people import access
from homeroom.people.models import (
    School,
    StaffMember,
    Student,
)
from homeroom.routines.common import school_year_start

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
        feeds.kept_moments()
        .filter(student__in=students, created_at__gte=since)
        .values("student_id")
        .annotate(**tally_aggregates())
        .order_by()
    )
    return {row["student_id"]: _tally(row) for row in rows}


def section_tallies(section_ids: Iterable[int], since: datetime) -> dict[int, Tally]:
    rows = (
        feeds.kept_moments()
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
        feeds.kept_moments()
        .filter(recorded_by_id__in=list(staff_ids), created_at__gte=since)
        .values("recorded_by_id")
        .annotate(**tally_aggregates())
        .order_by()
    )
    return {row["recorded_by_id"]: _tally(row) for row in rows}


def school_year_began(now: datetime | None = None) -> datetime:
    """Terms have no dates in the roster: the school year stands in, from local midnight of
    its first day (`routines.common.school_year_start`, the one rule for when a year starts)."""
    now = timezone.localtime(now or timezone.now())
    first = school_year_start(now.date())
    return now.replace(
        year=first.year, month=first.month, day=first.day, hour=0, minute=0, second=0, microsecond=0
    )


def period_start(period: str, now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    if period == "7":
        return now - timedelta(days=7)
    if period == "year":
        return school_year_began(now)
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
    good_news = feeds.kept_moments().filter(
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


# -- the leaders' tables ----------------------------------------------------------------------


@dataclass
class LeaderTables:
    """Moments of a period counted by category, grade, family language and program."""

    by_category: list[dict]
    by_grade: list[dict]
    by_language: list[dict]
    by_program: list[dict]


def leader_tables(moments: QuerySet[Moment]) -> LeaderTables:
    """The leaders' tables of these moments: categories good news first and biggest first;
    grades in order; languages by good news; programs by name (a moment of a student in two
    programs counts in both)."""
    counts = tally_aggregates()
    by_category = list(
        moments.values("category__name", "positive")
        .annotate(n=Count("pk"))
        .order_by("-positive", "-n", "category__name")
    )
    by_grade = list(moments.values("student__grade").annotate(**counts).order_by("student__grade"))
    by_language = list(
        moments.annotate(language=primary_family_language())
        .values("language")
        .annotate(**counts)
        .order_by("-positive_count", "language")
    )
    for row in by_language:
        row["language_label"] = language_name(row["language"]) if row["language"] else "—"
    by_program = list(
        moments.values("student__programs__name")
        .annotate(**counts)
        .order_by("student__programs__name")
    )
    for row in by_program:
        row["program_label"] = row["student__programs__name"] or _("No program")
    return LeaderTables(by_category, by_grade, by_language, by_program)


def school_participation(user, schools: QuerySet[School], since: datetime) -> Participation:
    """Participation of the active staff the user may look up who work at these schools,
    counting the moments recorded at them."""
    return staff_participation(
        StaffMember.objects.filter(
            is_active=True,
            pk__in=access.staff_for(user).filter(assignments__school__in=schools).values("pk"),
        ),
        schools,
        since,
    )
