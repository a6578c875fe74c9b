"""Planned positive check-ins: a rotation of calls to every contactable family of a teacher's
classes, today's list, and the contacts logged."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from homeroom.messaging.models import Delivery, Message
from homeroom.people import access
from homeroom.people.models import Enrollment, Section, StaffMember, Student

from . import access as routines_access
from .common import RoutineRefused
from .models import (
    NOTE_MAX_CHARS,
    ContactKind,
    ContactLog,
    ContactPlan,
    Direction,
    Outcome,
    PlannedContact,
    Tone,
)

# More positive calls in one day than a teacher can make: about four minutes a call (dialling,
# two minutes of good news, the ones who do not answer, logging it) puts 30 calls at two hours
# of an evening. A plan busier than that on any day asks to be confirmed (docs/routines.md).
MAX_CALLS_PER_DAY = 30


@dataclass
class PlanLoad:
    """How many calls a plan would put on each of its days."""

    calls: int
    days: list[date]

    @property
    def busiest(self) -> int:
        return -(-self.calls // len(self.days)) if self.days else 0

    @property
    def too_heavy(self) -> bool:
        return self.busiest > MAX_CALLS_PER_DAY

    @property
    def per_day(self) -> list[tuple[date, int]]:
        """Each day of the first cycle with its calls, spread as `plan_rotation` spreads them."""
        counts = [0] * len(self.days)
        for index in range(self.calls):
            counts[index * len(self.days) // self.calls] += 1
        return list(zip(self.days, counts, strict=True))

    @property
    def days_needed(self) -> int:
        """Call days that would keep every day within the limit."""
        return -(-self.calls // MAX_CALLS_PER_DAY)


class PlanTooHeavy(RoutineRefused):
    def __init__(self, load: PlanLoad):
        self.load = load
        super().__init__(
            _("This plan puts %(count)d calls on one day; confirm it or spread it out.")
            % {"count": load.busiest}
        )


def _checked_days(cycle_days, call_days) -> list[int]:
    if not isinstance(cycle_days, int) or cycle_days < 1:
        raise RoutineRefused(_("A cycle lasts at least one day."))
    days = sorted({int(day) for day in call_days})
    if any(day < 0 or day > 6 for day in days):
        raise RoutineRefused(_("Choose days of the week."))
    return days


def plan_load(
    staff: StaffMember,
    *,
    cycle_days: int,
    call_days: list[int],
    section: Section | None = None,
    start: date | None = None,
) -> PlanLoad:
    """The calls a plan would make per day, before anything is saved: one per contactable
    guardian of its classes, spread over its days of one cycle (as `plan_rotation` does)."""
    days = _checked_days(cycle_days, call_days)
    plan = ContactPlan(staff=staff, section=section, cycle_days=cycle_days, call_days=days)
    calls = _plan_links(plan).values("guardian_id").distinct().count()
    return PlanLoad(calls=calls, days=cycle_days_of(plan, start or timezone.localdate()))


def create_plan(
    staff: StaffMember,
    *,
    cycle_days: int,
    call_days: list[int],
    section: Section | None = None,
    start: date | None = None,
    busy_confirmed: bool = False,
) -> ContactPlan:
    """Save a plan and its first cycle. A plan that puts more than MAX_CALLS_PER_DAY calls on
    a day is refused (PlanTooHeavy, with its load) unless `busy_confirmed`."""
    days = _checked_days(cycle_days, call_days)
    if not busy_confirmed:
        load = plan_load(staff, cycle_days=cycle_days, call_days=days, section=section, start=start)
        if load.too_heavy:
            raise PlanTooHeavy(load)
    with transaction.atomic():
        plan = ContactPlan.objects.create(
            staff=staff, section=section, cycle_days=cycle_days, call_days=days
        )
        plan_rotation(plan, start=start)
    return plan


def _plan_links(plan: ContactPlan):
    sections = routines_access.sections_of_plan(plan)
    students = Enrollment.objects.filter(section__in=sections, is_active=True).values("student_id")
    return access.contactable_links(about_the_child=True).filter(student_id__in=students)


def last_reached():
    """When a guardian was last in touch: a logged contact, a message to or from them."""
    by_log = ContactLog.objects.filter(guardian=OuterRef("guardian_id")).values("guardian")
    by_delivery = Delivery.objects.filter(guardian=OuterRef("guardian_id")).values("guardian")
    by_reply = Message.objects.filter(author_guardian=OuterRef("guardian_id")).values(
        "author_guardian"
    )
    return {
        "last_log": Subquery(by_log.annotate(last=Max("at")).values("last")[:1]),
        "last_delivery": Subquery(by_delivery.annotate(last=Max("created_at")).values("last")[:1]),
        "last_reply": Subquery(by_reply.annotate(last=Max("created_at")).values("last")[:1]),
    }


def cycle_days_of(plan: ContactPlan, start: date) -> list[date]:
    days = [start + timedelta(days=offset) for offset in range(plan.cycle_days)]
    chosen = [day for day in days if day.weekday() in set(plan.call_days or [])]
    return chosen or days


def replan_if_roster_changed(plan: ContactPlan, today: date | None = None) -> bool:
    """Re-plan when the families of the plan's classes are not the ones planned this cycle:
    a family joined or left a class, a court order arrived, or the cycle ran out."""
    today = today or timezone.localdate()
    families = set(_plan_links(plan).values_list("guardian_id", "student_id"))
    planned = plan.contacts.filter(due_date__gt=today - timedelta(days=plan.cycle_days))
    in_cycle = set(planned.values_list("guardian_id", "student_id"))
    still_open = set(planned.filter(done_at__isnull=True).values_list("guardian_id", "student_id"))
    if families - in_cycle or still_open - families:
        plan_rotation(plan, start=today)
        return True
    return False


def plan_rotation(plan: ContactPlan, start: date | None = None) -> list[PlannedContact]:
    """Plan one check-in per contactable guardian of the plan's students over one cycle from
    `start`, spread evenly across the chosen days, longest-unreached first. Calling it again
    (the roster changed) keeps done contacts and replans the open ones."""
    start = start or timezone.localdate()
    links = (
        _plan_links(plan)
        .annotate(**last_reached())
        .values("guardian_id", "student_id", "last_log", "last_delivery", "last_reply")
        .order_by("guardian_id", "student_id")
    )
    cycle_began = start - timedelta(days=plan.cycle_days)
    since = timezone.make_aware(datetime.combine(cycle_began, datetime.min.time()))
    done = set(plan.contacts.filter(done_at__gte=since).values_list("guardian_id", flat=True))
    chosen: dict[int, dict] = {}
    for row in links:
        if row["guardian_id"] in done or row["guardian_id"] in chosen:
            continue
        chosen[row["guardian_id"]] = row
    never = datetime.min.replace(tzinfo=ZoneInfo("UTC"))

    def last(row):
        moments = [row[key] for key in ("last_log", "last_delivery", "last_reply") if row[key]]
        return max(moments) if moments else never

    ordered = sorted(chosen.values(), key=lambda row: (last(row), row["guardian_id"]))
    days = cycle_days_of(plan, start)
    planned = [
        PlannedContact(
            plan=plan,
            guardian_id=row["guardian_id"],
            student_id=row["student_id"],
            due_date=days[index * len(days) // len(ordered)],
        )
        for index, row in enumerate(ordered)
    ]
    with transaction.atomic():
        plan.contacts.filter(done_at__isnull=True).delete()
        PlannedContact.objects.bulk_create(planned, batch_size=1000)
    return planned


def todays_checkins(staff: StaffMember, today: date) -> QuerySet[PlannedContact]:
    """Open check-ins due today or overdue, of the plans of this staff member."""
    return (
        PlannedContact.objects.filter(plan__staff=staff, done_at__isnull=True, due_date__lte=today)
        .select_related("guardian", "student")
        .order_by("due_date", "guardian__family_name", "guardian__given_name", "pk")
    )


def log_contact(
    staff: StaffMember,
    student: Student,
    *,
    kind: str,
    tone: str = Tone.NEUTRAL,
    direction: str = Direction.SCHOOL,
    outcome: str = "",
    note: str = "",
    guardian=None,
    at: datetime | None = None,
    planned: PlannedContact | None = None,
) -> ContactLog:
    if kind not in ContactKind.values:
        raise RoutineRefused(_("Choose call, visit, conference or note."))
    if tone not in Tone.values:
        raise RoutineRefused(_("Choose positive, neutral or concern."))
    if direction not in Direction.values:
        raise RoutineRefused(_("Say who initiated the contact."))
    if outcome and outcome not in Outcome.values:
        raise RoutineRefused(_("Choose how the call went."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise RoutineRefused(
            _("A note is at most %(max)d characters (this one has %(count)d).")
            % {"max": NOTE_MAX_CHARS, "count": len(note)}
        )
    with transaction.atomic():
        log = ContactLog.objects.create(
            school_id=student.school_id,
            student=student,
            guardian=guardian,
            staff=staff,
            kind=kind,
            tone=tone,
            direction=direction,
            outcome=outcome,
            note=note,
            at=at or timezone.now(),
        )
        if planned is not None:
            PlannedContact.objects.filter(pk=planned.pk).update(done_at=log.at, log=log)
    return log


# Nightly: every check-in plan kept in step with the roster (the import changes classes).
@task()
def replan_rotations() -> int:
    plans = ContactPlan.objects.all()
    return sum(replan_if_roster_changed(plan) for plan in plans.iterator())
