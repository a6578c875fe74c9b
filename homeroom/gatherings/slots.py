"""Sign-up slots: a teacher's conference hours cut into slots, families booking one per child
per teacher (back-to-back slots for siblings together), staff booking for a family who
called, moving a whole day and telling every booked family; volunteer shifts at an event with
a headcount, a waitlist and a reminder the day before. Who sees what is `gatherings.access`.

Two families taking the last slot (or seat) at once: the slot's row (the shift's) is locked
while it is checked, and a booking's slot is one-to-one in the database, so one of them gets
it and the other is told so; nothing is stored for them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from homeroom.languages import STAFF_LANGUAGE
from homeroom.messaging.services import catalogue_versions, send_about_child, start_conversation
from homeroom.people.models import Guardian, School, StaffMember, Student

from . import access as gatherings_access
from .models import (
    MAX_BUFFER_MINUTES,
    MAX_SLOT_MINUTES,
    MIN_SLOT_MINUTES,
    Booking,
    ConferenceSlot,
    Event,
    SlotBlock,
    VolunteerShift,
    VolunteerSignup,
)

MAX_SLOTS_PER_BLOCK = 60


class SlotRefused(Exception):
    """What is wrong with a block, a booking or a sign-up, in words for whoever asked."""


# ---- conference hours -----------------------------------------------------------------------


def _zone(school: School) -> ZoneInfo:
    return ZoneInfo(school.time_zone)


def slot_times(
    day: date, starts: time, ends: time, slot_minutes: int, buffer_minutes: int, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The slots that fit whole between `starts` and `ends` on `day`, a buffer between each."""
    moment = datetime.combine(day, starts, zone)
    last = datetime.combine(day, ends, zone)
    length, gap = timedelta(minutes=slot_minutes), timedelta(minutes=buffer_minutes)
    times = []
    while moment + length <= last and len(times) < MAX_SLOTS_PER_BLOCK:
        times.append((moment, moment + length))
        moment += length + gap
    return times


def _check_hours(
    teacher: StaffMember,
    school: School,
    day: date,
    starts: time,
    ends: time,
    slot_minutes: int,
    buffer_minutes: int,
    now: datetime,
    moving: SlotBlock | None = None,
) -> list[tuple[datetime, datetime]]:
    if not MIN_SLOT_MINUTES <= slot_minutes <= MAX_SLOT_MINUTES:
        raise SlotRefused(
            _("A meeting lasts between %(low)s and %(high)s minutes.")
            % {"low": MIN_SLOT_MINUTES, "high": MAX_SLOT_MINUTES}
        )
    if not 0 <= buffer_minutes <= MAX_BUFFER_MINUTES:
        raise SlotRefused(
            _("The time between meetings is at most %(high)s minutes.")
            % {"high": MAX_BUFFER_MINUTES}
        )
    if ends <= starts:
        raise SlotRefused(_("The end must come after the start."))
    times = slot_times(day, starts, ends, slot_minutes, buffer_minutes, _zone(school))
    if not times:
        raise SlotRefused(_("Not even one meeting fits between the start and the end."))
    if times[0][0] <= now:
        raise SlotRefused(_("Choose a start in the future."))
    overlapping = SlotBlock.objects.filter(
        teacher=teacher, date=day, starts__lt=ends, ends__gt=starts
    )
    if moving is not None:
        overlapping = overlapping.exclude(pk=moving.pk)
    if overlapping.exists():
        raise SlotRefused(_("You already have conference hours at that time on that day."))
    return times


def publish_block(
    teacher: StaffMember,
    school: School,
    *,
    day: date,
    starts: time,
    ends: time,
    slot_minutes: int,
    buffer_minutes: int = 0,
    place: str = "",
    now: datetime | None = None,
) -> SlotBlock:
    """A teacher's conference hours for one day at a school where she teaches, cut into
    slots. Refused, with nothing stored: a meeting under 5 or over 60 minutes, a buffer over
    30, hours that have started, hours that overlap her other hours that day."""
    now = now or timezone.now()
    if teacher.user_id is None or not (
        gatherings_access.schools_to_publish_at(teacher.user).filter(pk=school.pk).exists()
    ):
        raise SlotRefused(_("You publish conference hours at a school where you teach."))
    with transaction.atomic():
        # One teacher's blocks are checked for overlaps one at a time.
        StaffMember.objects.select_for_update().filter(pk=teacher.pk).first()
        times = _check_hours(teacher, school, day, starts, ends, slot_minutes, buffer_minutes, now)
        block = SlotBlock.objects.create(
            teacher=teacher,
            school=school,
            date=day,
            starts=starts,
            ends=ends,
            slot_minutes=slot_minutes,
            buffer_minutes=buffer_minutes,
            place=place,
        )
        ConferenceSlot.objects.bulk_create(
            ConferenceSlot(block=block, starts_at=start, ends_at=end) for start, end in times
        )
    return block


def delete_block(block: SlotBlock) -> None:
    """Hours with no booking may be taken down; a booked family is never dropped silently."""
    with transaction.atomic():
        SlotBlock.objects.select_for_update().filter(pk=block.pk).first()
        if Booking.objects.filter(slot__block=block).exists():
            raise SlotRefused(_("Families have booked these hours: move them instead."))
        block.delete()


def schedule(block: SlotBlock) -> list[ConferenceSlot]:
    """The block's slots with their bookings (family, child, interpreter), in one query."""
    return list(
        block.slots.select_related(
            "booking__guardian", "booking__student", "booking__booked_by_staff"
        ).order_by("starts_at", "pk")
    )


# ---- booking --------------------------------------------------------------------------------


def free_slots(student: Student, now: datetime | None = None):
    """The slots still free with this child's teachers, coming ones only."""
    now = now or timezone.now()
    return (
        gatherings_access.slots_open_to(student)
        .filter(booking__isnull=True, starts_at__gt=now)
        .select_related("block")
        .order_by("starts_at", "pk")
    )


def booking_with(student: Student, teacher: StaffMember, now: datetime | None = None):
    """This child's coming meeting with this teacher, if any."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(
            student=student, slot__block__teacher=teacher, slot__starts_at__gt=now
        )
        .select_related("slot__block")
        .first()
    )


def _taken() -> str:
    return _("Someone has just booked this time. Please choose another one.")


def book(
    slot: ConferenceSlot,
    guardian: Guardian,
    student: Student,
    *,
    interpreter_language: str = "",
    by_staff: StaffMember | None = None,
    now: datetime | None = None,
) -> Booking:
    """One meeting about one child with one of the child's teachers."""
    return _book_together([(slot, student)], guardian, interpreter_language, by_staff, now)[0]


def book_siblings(
    pairs: list[tuple[ConferenceSlot, Student]],
    guardian: Guardian,
    *,
    interpreter_language: str = "",
    by_staff: StaffMember | None = None,
    now: datetime | None = None,
) -> list[Booking]:
    """Back-to-back meetings for two or more children with the same teacher, all or none."""
    slots = sorted((slot for slot, _student in pairs), key=lambda s: s.starts_at)
    if (
        len(pairs) < 2
        or len({st.pk for _s, st in pairs}) != len(pairs)
        or len(back_to_back(slots)) != len(slots) - 1
    ):
        raise SlotRefused(_("Choose back-to-back times with one teacher, one for each child."))
    return _book_together(pairs, guardian, interpreter_language, by_staff, now)


def _book_together(pairs, guardian, interpreter_language, by_staff, now) -> list[Booking]:
    now = now or timezone.now()
    with transaction.atomic():
        # Slots, then children, each in id order: two bookings never wait on each other.
        locked = {
            s.pk: s
            for s in ConferenceSlot.objects.select_for_update(of=("self",))
            .filter(pk__in=[slot.pk for slot, _st in pairs])
            .select_related("block__teacher", "block__school")
            .order_by("pk")
        }
        list(
            Student.objects.select_for_update()
            .filter(pk__in=[st.pk for _s, st in pairs])
            .order_by("pk")
        )
        bookings = []
        for slot, student in pairs:
            slot = locked.get(slot.pk)
            if slot is None:
                raise SlotRefused(_taken())
            _check_booking(slot, guardian, student, now)
            bookings.append(
                Booking(
                    slot=slot,
                    guardian=guardian,
                    student=student,
                    interpreter_language=interpreter_language,
                    booked_by_staff=by_staff,
                )
            )
        try:
            with transaction.atomic():
                for booking in bookings:
                    booking.save()
        except IntegrityError:
            raise SlotRefused(_taken()) from None
    return bookings


def _check_booking(slot: ConferenceSlot, guardian: Guardian, student: Student, now) -> None:
    teacher = slot.block.teacher
    if slot.block.school_id != student.school_id or not gatherings_access.teaches_now(
        teacher, student
    ):
        raise SlotRefused(_("Choose a time with one of this child's teachers."))
    if not gatherings_access.may_book_for(guardian, student):
        raise SlotRefused(_("Choose one of the child's family members."))
    if slot.starts_at <= now:
        raise SlotRefused(_("That time has passed. Please choose another one."))
    if Booking.objects.filter(slot=slot).exists():
        raise SlotRefused(_taken())
    if booking_with(student, teacher, now) is not None:
        raise SlotRefused(
            _("%(name)s already has a meeting with this teacher: cancel it to choose another time.")
            % {"name": student.given_name}
        )


def cancel_booking(booking: Booking, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if booking.slot.starts_at <= now:
        raise SlotRefused(_("That meeting has already started."))
    booking.delete()


@dataclass
class SiblingPair:
    first: ConferenceSlot
    second: ConferenceSlot


def back_to_back(slots: list[ConferenceSlot]) -> list[SiblingPair]:
    """Free slots that follow each other in one block (the buffer between them only)."""
    pairs = []
    for first, second in pairwise(slots):
        gap = timedelta(minutes=first.block.buffer_minutes)
        if first.block_id == second.block_id and second.starts_at == first.ends_at + gap:
            pairs.append(SiblingPair(first, second))
    return pairs


# ---- moving a day ---------------------------------------------------------------------------


def move_block(
    block: SlotBlock, *, day: date, starts: time, now: datetime | None = None
) -> list[Booking]:
    """A snow day: every slot of the block moves with it (the same lengths and buffers), and
    each booked family is told through the outbox, in its language, after the commit."""
    now = now or timezone.now()
    zone = _zone(block.school)
    old_start = datetime.combine(block.date, block.starts, zone)
    new_start = datetime.combine(day, starts, zone)
    old_end = datetime.combine(block.date, block.ends, zone)
    new_end = new_start + (old_end - old_start)
    if new_end.date() != day:
        raise SlotRefused(_("The hours must end on the same day."))
    with transaction.atomic():
        StaffMember.objects.select_for_update().filter(pk=block.teacher_id).first()
        locked = SlotBlock.objects.select_for_update().get(pk=block.pk)
        _check_hours(
            block.teacher,
            block.school,
            day,
            starts,
            new_end.time(),
            locked.slot_minutes,
            locked.buffer_minutes,
            now,
            moving=locked,
        )
        shift = new_start - old_start
        slots = list(ConferenceSlot.objects.select_for_update().filter(block=locked))
        for slot in slots:
            slot.starts_at = timezone.localtime(slot.starts_at, zone) + shift
            slot.ends_at = timezone.localtime(slot.ends_at, zone) + shift
        ConferenceSlot.objects.bulk_update(slots, ["starts_at", "ends_at"])
        locked.date, locked.starts = day, starts
        locked.ends = new_end.time()
        locked.moved_at = now
        locked.save(update_fields=["date", "starts", "ends", "moved_at"])
        bookings = list(Booking.objects.filter(slot__block=locked))
        for booking in bookings:
            transaction.on_commit(lambda pk=booking.pk: tell_moved(pk))
    block.date, block.starts, block.ends, block.moved_at = (
        locked.date,
        locked.starts,
        locked.ends,
        locked.moved_at,
    )
    return bookings


def local_time(moment: datetime, school: School) -> str:
    return timezone.localtime(moment, _zone(school)).strftime("%Y-%m-%d %H:%M")


def conferences_link() -> str:
    return settings.PUBLIC_BASE_URL + reverse("gatherings:slots_book")


def tell_moved(booking_pk: int) -> None:
    """The family's meeting moved: in the thread with the teacher about the child."""
    booking = (
        Booking.objects.filter(pk=booking_pk)
        .select_related("slot__block__school", "slot__block__teacher", "student")
        .first()
    )
    if booking is None:
        return
    block = booking.slot.block

    def render():
        return _(
            "Your conference about %(name)s has moved to %(when)s. If that time does not "
            "work for you, choose another one here: %(link)s"
        ) % {
            "name": booking.student.given_name,
            "when": local_time(booking.slot.starts_at, block.school),
            "link": conferences_link(),
        }

    with override(STAFF_LANGUAGE):
        text, subject = render(), _("Your conference has moved")
    send_about_child(
        student=booking.student,
        staff=block.teacher,
        text=text,
        subject=subject,
        prepared=catalogue_versions(render),
        subject_prepared=catalogue_versions(lambda: _("Your conference has moved")),
    )


# ---- volunteer shifts -----------------------------------------------------------------------


def add_shift(
    event: Event,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    headcount: int,
    now: datetime | None = None,
) -> VolunteerShift:
    now = now or timezone.now()
    if not title.strip():
        raise SlotRefused(_("Say what the volunteers will do."))
    if headcount < 1:
        raise SlotRefused(_("A shift needs at least one volunteer."))
    if starts_at <= now:
        raise SlotRefused(_("Choose a start in the future."))
    if ends_at <= starts_at:
        raise SlotRefused(_("The end must come after the start."))
    return VolunteerShift.objects.create(
        event=event, title=title.strip(), starts_at=starts_at, ends_at=ends_at, headcount=headcount
    )


def shifts_with_counts(event: Event):
    return event.shifts.annotate(
        going=Count("signups", filter=Q(signups__status=VolunteerSignup.Status.GOING)),
        waiting=Count("signups", filter=Q(signups__status=VolunteerSignup.Status.WAITLISTED)),
    ).order_by("starts_at", "pk")


def sign_up(
    shift: VolunteerShift, guardian: Guardian, now: datetime | None = None
) -> VolunteerSignup:
    """A family volunteers: going while there is room, else on the waitlist in the order
    families asked. The shift's row is locked while places are counted."""
    now = now or timezone.now()
    if shift.starts_at <= now:
        raise SlotRefused(_("This shift has already started."))
    with transaction.atomic():
        VolunteerShift.objects.select_for_update().filter(pk=shift.pk).first()
        existing = VolunteerSignup.objects.filter(shift=shift, guardian=guardian).first()
        if existing is not None:
            return existing
        going = VolunteerSignup.objects.filter(
            shift=shift, status=VolunteerSignup.Status.GOING
        ).count()
        status = (
            VolunteerSignup.Status.GOING
            if going < shift.headcount
            else VolunteerSignup.Status.WAITLISTED
        )
        try:
            with transaction.atomic():
                return VolunteerSignup.objects.create(
                    shift=shift, guardian=guardian, status=status, asked_at=now
                )
        except IntegrityError:
            return VolunteerSignup.objects.get(shift=shift, guardian=guardian)


def withdraw(shift: VolunteerShift, guardian: Guardian) -> VolunteerSignup | None:
    """ "We can't help after all": frees the place; whoever waits first takes it and is told."""
    with transaction.atomic():
        VolunteerShift.objects.select_for_update().filter(pk=shift.pk).first()
        signup = VolunteerSignup.objects.filter(shift=shift, guardian=guardian).first()
        if signup is None:
            return None
        freed = signup.status == VolunteerSignup.Status.GOING
        signup.delete()
        if freed:
            first = (
                VolunteerSignup.objects.filter(
                    shift=shift, status=VolunteerSignup.Status.WAITLISTED
                )
                .order_by("asked_at", "pk")
                .first()
            )
            if first is not None:
                first.status = VolunteerSignup.Status.GOING
                first.save(update_fields=["status"])
                transaction.on_commit(lambda pk=first.pk: tell_volunteer(pk, promoted=True))
    return signup


def volunteers_link(event: Event) -> str:
    return settings.PUBLIC_BASE_URL + reverse("gatherings:volunteer", args=[event.pk])


def tell_volunteer(signup_pk: int, *, promoted: bool) -> bool:
    """A private message about the shift, in the family's language, from the event's
    organiser, filed under a child of the family in the event's audience (none: not sent)."""
    signup = (
        VolunteerSignup.objects.filter(pk=signup_pk)
        .select_related("shift__event__school", "shift__event__created_by", "guardian")
        .first()
    )
    if signup is None:
        return False
    shift, event = signup.shift, signup.shift.event
    student = gatherings_access.child_to_tell(event, signup.guardian)
    if student is None:
        return False

    def render():
        values = {
            "shift": shift.title,
            "event": event.title,
            "when": local_time(shift.starts_at, event.school),
            "link": volunteers_link(event),
        }
        if promoted:
            return (
                _(
                    "A place opened up: you are now helping with %(shift)s at %(event)s on "
                    "%(when)s. If you can't help after all, tell us here: %(link)s"
                )
                % values
            )
        return (
            _(
                "A reminder: you are helping with %(shift)s at %(event)s on %(when)s. Thank you! "
                "If you can't help after all, tell us here: %(link)s"
            )
            % values
        )

    with override(STAFF_LANGUAGE):
        text = render()
    start_conversation(
        student=student,
        by_staff=event.created_by,
        text=text,
        subject=event.title,
        prepared=catalogue_versions(render),
    )
    return True


def remind_volunteers(now: datetime | None = None) -> int:
    """Every volunteer going to a shift that starts within a day is reminded once; a row is
    claimed with a conditional update, so two runs never remind twice. The outbox holds a
    delivery that falls in the family's quiet hours until they end."""
    now = now or timezone.now()
    due = VolunteerSignup.objects.filter(
        status=VolunteerSignup.Status.GOING,
        reminded_at__isnull=True,
        shift__starts_at__gt=now,
        shift__starts_at__lte=now + timedelta(days=1),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        claimed = VolunteerSignup.objects.filter(pk=pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if claimed:
            with transaction.atomic():
                sent += tell_volunteer(pk, promoted=False)
    return sent


# The hourly sweep (`manage.py periodic`).
@task()
def remind_volunteers_task() -> int:
    return remind_volunteers()
