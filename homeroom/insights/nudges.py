"""A teacher's classes and the nudges beside them: each class's ratio against its school's
target, the students who heard only needs-work, and those whose family never heard good news.
Reads moments; writes nothing."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from homeroom.behavior import access as behavior_access
from homeroom.behavior import feeds
from homeroom.behavior.models import SchoolBehaviorSettings
from homeroom.people import access
from homeroom.people.models import Enrollment, Section, StaffMember, Student

from .recognition import Tally, section_tallies

NUDGE_LIST_SIZE = 20


@dataclass
class ClassRatios:
    """A teacher's classes (each with `tally`, `target` and `meets`), their students with this
    period's counts, and the two nudge lists (each student with the `section_id` of their
    first class)."""

    sections: list[Section]
    target: int
    students: QuerySet[Student]
    only_needs_work: list[Student]
    never_good: list[Student]


def class_ratios(user, staff: StaffMember, since: datetime) -> ClassRatios:
    """The ratios and nudges of the classes `staff` teaches, counted from `since`."""
    sections = list(
        behavior_access.taught_sections(user, staff)
        .select_related("school")
        .order_by("title", "pk")
    )
    targets = {
        s.school_id: s.ratio_target
        for s in SchoolBehaviorSettings.objects.filter(
            school_id__in={x.school_id for x in sections}
        )
    }
    default_target = SchoolBehaviorSettings._meta.get_field("ratio_target").default
    tallies = section_tallies([s.pk for s in sections], since)
    for section in sections:
        section.tally = tallies.get(section.pk, Tally())
        section.target = targets.get(section.school_id, default_target)
        section.meets = section.tally.meets(section.target)
    # The classes' students by id first: a handful of rows, so the queries below start from
    # them instead of testing every student of the district.
    in_sections = set(
        Enrollment.objects.filter(is_active=True, section__in=[s.pk for s in sections]).values_list(
            "student_id", flat=True
        )
    )
    recent = Q(moments__created_at__gte=since, moments__withdrawn_at__isnull=True)
    students = (
        behavior_access.recordable_students(staff)
        .filter(pk__in=in_sections)
        .annotate(
            positive_count=Count("moments", filter=recent & Q(moments__positive=True)),
            needs_work_count=Count("moments", filter=recent & Q(moments__positive=False)),
        )
    )
    first_section = Subquery(
        Enrollment.objects.filter(
            student=OuterRef("pk"), is_active=True, section__in=[s.pk for s in sections]
        )
        .order_by("section__title", "section_id")
        .values("section_id")[:1]
    )
    only_needs_work = list(
        students.filter(positive_count=0, needs_work_count__gt=0)
        .annotate(section_id=first_section)
        .order_by("-needs_work_count", "family_name", "pk")[:NUDGE_LIST_SIZE]
    )
    good_news = feeds.kept_moments().filter(
        student=OuterRef("pk"), positive=True, category__visible_to_families=True
    )
    contactable = access.contactable_links(about_the_child=True).filter(student=OuterRef("pk"))
    never_good = list(
        behavior_access.recordable_students(staff)
        .filter(Exists(contactable), pk__in=in_sections)
        .exclude(Exists(good_news))
        .annotate(section_id=first_section)
        .order_by("family_name", "given_name", "pk")[:NUDGE_LIST_SIZE]
    )
    target = targets.get(sections[0].school_id, default_target) if sections else default_target
    return ClassRatios(sections, target, students, only_needs_work, never_good)
