"""What the routines share: the refusal they raise, the school's today and week, a class's
roster and the school year."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from homeroom.people.models import Enrollment, Section, Student

SCHOOL_YEAR_START = (8, 1)  # 1 August


class RoutineRefused(ValueError):
    """Input a routine cannot take; the message says what to fix."""


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_today(school=None) -> date:
    zone = ZoneInfo(school.time_zone) if school else timezone.get_current_timezone()
    return timezone.now().astimezone(zone).date()


def roster(section: Section) -> QuerySet[Student]:
    """The class's active students, in roster order."""
    enrolled = Enrollment.objects.filter(section=section, is_active=True).values("student_id")
    return Student.objects.filter(pk__in=enrolled, is_active=True).order_by(
        "family_name", "given_name", "pk"
    )


def school_year_start(today: date) -> date:
    month, day = SCHOOL_YEAR_START
    year = today.year if (today.month, today.day) >= (month, day) else today.year - 1
    return date(year, month, day)


def school_year_of(day: date) -> int:
    """The school year a day belongs to, named by the year it starts (1 August)."""
    return school_year_start(day).year
