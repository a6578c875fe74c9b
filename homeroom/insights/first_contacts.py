"""Positive first: was the first contact of the school year with each family good news?"""

from datetime import date, datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from homeroom.behavior.models import Moment
from homeroom.messaging.models import Message
from homeroom.people import access
from homeroom.people.models import Enrollment, Student
from homeroom.routines.common import school_year_start
from homeroom.routines.models import ContactLog, Framing, Tone, UpdateSentence


def _first(queryset, field_name: str, ordering: str):
    return Subquery(queryset.order_by(ordering).values(field_name)[:1])


def positive_first(students: QuerySet[Student], today: date | None = None) -> dict:
    """For each student's family: was the first contact of this school year good news?

    A logged contact counts by its tone, a recognition moment by whether it is good news, and
    a message from school is neutral unless it was a weekly-update sentence of praise."""
    start = school_year_start(today or timezone.localdate())
    since = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    logs = ContactLog.objects.filter(student=OuterRef("pk"), at__gte=since)
    messages = Message.objects.filter(
        conversation__student=OuterRef("pk"), author_staff__isnull=False, created_at__gte=since
    )
    annotations = {
        "first_log_at": _first(logs, "at", "at"),
        "first_log_tone": _first(logs, "tone", "at"),
        "first_message_at": _first(messages, "created_at", "created_at"),
        "first_message_id": _first(messages, "pk", "created_at"),
    }
    moments = Moment.objects.filter(
        student=OuterRef("pk"), withdrawn_at__isnull=True, created_at__gte=since
    )
    annotations["first_moment_at"] = _first(moments, "created_at", "created_at")
    annotations["first_moment_positive"] = _first(moments, "positive", "created_at")
    praise = UpdateSentence.objects.filter(
        message_id=OuterRef("first_message_id"), framing=Framing.POSITIVE
    )
    rows = (
        students.annotate(**annotations)
        .annotate(first_message_praise=Exists(praise))
        .select_related("school")
        .order_by("family_name", "given_name", "pk")
    )
    result = {"positive": 0, "contacted": 0, "waiting": [], "by_school": {}, "start": start}
    for student in rows:
        firsts = []
        if student.first_log_at:
            firsts.append((student.first_log_at, student.first_log_tone == Tone.POSITIVE))
        if student.first_message_at:
            firsts.append((student.first_message_at, bool(student.first_message_praise)))
        if getattr(student, "first_moment_at", None):
            firsts.append((student.first_moment_at, bool(student.first_moment_positive)))
        school = result["by_school"].setdefault(
            student.school_id, {"school": student.school, "positive": 0, "contacted": 0}
        )
        if not firsts:
            result["waiting"].append(student)
            continue
        good = min(firsts, key=lambda pair: pair[0])[1]
        result["contacted"] += 1
        school["contacted"] += 1
        if good:
            result["positive"] += 1
            school["positive"] += 1
    result["rate"] = rate(result["positive"], result["contacted"])
    for school in result["by_school"].values():
        school["rate"] = rate(school["positive"], school["contacted"])
    return result


def rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def class_to_write_from(user, students) -> dict[int, int]:
    """For each of these students, one class the user may see them in (the first by title):
    where "send good news" on the page leads."""
    sections: dict[int, int] = {}
    for enrollment in Enrollment.objects.filter(
        student__in=[s.pk for s in students],
        is_active=True,
        section__in=access.sections_for(user),
    ).order_by("section__title"):
        sections.setdefault(enrollment.student_id, enrollment.section_id)
    return sections
