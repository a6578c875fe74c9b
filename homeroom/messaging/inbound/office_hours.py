"""When a staff member answers families, so a family writing at 10 p.m. knows when to expect them.

A staff member's office hours are their own field, set by them or a school admin:

    StaffMember.office_hours = {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "16:00"}

`days` are weekdays, Monday = 0 … Sunday = 6; `start` and `end` are wall-clock times in the
school's time zone, `start` before `end`. A staff member without office hours (or with ones
that do not parse) is treated as always reachable: no automatic reply is sent for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from homeroom.people import access
from homeroom.people.models import School, StaffMember


@dataclass(frozen=True)
class OfficeHours:
    days: frozenset[int]
    start: time
    end: time

    def contains(self, local: datetime) -> bool:
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_start(self, local: datetime) -> datetime:
        """The next time office hours begin after `local` (in `local`'s time zone)."""
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            begins = datetime.combine(day, self.start, tzinfo=local.tzinfo)
            if begins > local:
                return begins
        # `days` is never empty (see office_hours_of), so a week always holds a start.
        raise AssertionError("office hours without a day")


def _parse_time(value) -> time | None:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        return None


def office_hours_of(staff: StaffMember) -> OfficeHours | None:
    """The staff member's office hours, or None when they have none that make sense."""
    raw = staff.office_hours
    if not isinstance(raw, dict):
        return None
    days = raw.get("days")
    if not isinstance(days, list) or not days:
        return None
    if not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days):
        return None
    start, end = _parse_time(raw.get("start")), _parse_time(raw.get("end"))
    if start is None or end is None or start >= end:
        return None
    return OfficeHours(days=frozenset(days), start=start, end=end)


def school_zone(school: School | None) -> ZoneInfo:
    name = school.time_zone if school is not None else settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _zone_for(staff: StaffMember, school: School | None) -> ZoneInfo:
    if school is None:
        school = access.first_school_of(staff)
    return school_zone(school)


def is_within_office_hours(
    staff: StaffMember, at: datetime, *, school: School | None = None
) -> bool:
    """Whether `staff` is within office hours at `at`, read in the school's time zone.

    Without `school`, the first school the staff member is assigned to gives the time zone.
    """
    hours = office_hours_of(staff)
    if hours is None:
        return True
    return hours.contains(at.astimezone(_zone_for(staff, school)))


def back_at(staff: StaffMember, at: datetime, *, school: School | None = None) -> datetime | None:
    """When `staff` is next in office hours after `at` (school time), or None if they are in."""
    hours = office_hours_of(staff)
    if hours is None:
        return None
    local = at.astimezone(_zone_for(staff, school))
    if hours.contains(local):
        return None
    return hours.next_start(local)


def local_day_bounds(at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start and end of `at`'s calendar day in `zone`, as aware datetimes."""
    day: date = at.astimezone(zone).date()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
