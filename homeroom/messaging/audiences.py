"""Who may announce to whom: the one place messaging says it.

- a teacher: the families of the classes they teach now (`people.access.sections_taught_by`:
  the assignment, the class and its school active);
- a school's admins: the whole school, one of its grades, or any of its classes;
- a district's admins: the whole district, or any school, grade or class of it;
- anyone on a school's staff: a list of the families they may write to there
  (`people.access.contactable_links_for`), chosen one by one.

`audience_choices` is what the announce page offers: a teacher's classes, the district, and
each school an admin runs with its grades. It does not list every class of an admin's schools
(there may be hundreds); an admin may still address one (`check_audience`, which
`send_announcement` calls). Writing into an announcement already sent follows the same rule
(`addressable`, which `messaging.access.staff_write_access` uses): what goes in reaches every
family of its audience.

An announcement names no child: it reaches the active guardians with an active link, contact
allowed, to an active student of its audience (`recipient_links`).
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from homeroom.people import access
from homeroom.people.access import NOTHING, Viewer
from homeroom.people.models import Enrollment, Guardianship, School, Section, StaffMember, Student


@dataclass(frozen=True)
class Audience:
    """Who an announcement goes to: one section, a school, a grade of a school, the district,
    or a list of a school's families (its guardians' ids)."""

    kind: Literal["section", "school", "grade", "district", "families"]
    section_id: int | None = None
    school_id: int | None = None
    grade: str = ""
    guardian_ids: tuple[int, ...] = ()

    @classmethod
    def section(cls, section: Section | int) -> "Audience":
        return cls("section", section_id=getattr(section, "pk", section))

    @classmethod
    def school(cls, school: School | int) -> "Audience":
        return cls("school", school_id=getattr(school, "pk", school))

    @classmethod
    def of_grade(cls, school: School | int, grade: str) -> "Audience":
        return cls("grade", school_id=getattr(school, "pk", school), grade=grade)

    @classmethod
    def district(cls) -> "Audience":
        return cls("district")

    @classmethod
    def families(cls, school: School | int, guardians) -> "Audience":
        ids = tuple(sorted({getattr(guardian, "pk", guardian) for guardian in guardians}))
        return cls("families", school_id=getattr(school, "pk", school), guardian_ids=ids)


@dataclass
class AudienceChoice:
    key: str
    label: str
    audience: Audience
    school: School | None
    scope: Q  # over guardianships


def _enrolled_in(section) -> Q:
    """Over Guardianship: links to a student actively enrolled in `section` (or its id)."""
    enrolled = Enrollment.objects.filter(
        section=section, is_active=True, student=OuterRef("student")
    )
    return Q(Exists(enrolled))


def recipient_links(scope: Q) -> QuerySet[Guardianship]:
    """The links an announcement to `scope` (over guardianships) reaches: contact allowed,
    the link, the student and the guardian active."""
    return access.contactable_links().filter(scope, guardian__is_active=True)


# ---- what the announce page offers ----------------------------------------------------------


def audience_choices(user) -> list[AudienceChoice]:
    """Who this person may pick to announce to: a teacher their classes, a school admin their
    school or one of its grades, a district admin the district and each of its schools."""
    viewer = access.viewer_for(user)
    choices = []
    if not viewer.staff:
        return choices
    sections = (
        access.sections_taught_by(viewer.staff)
        .select_related("school")
        .order_by("school__name", "title", "pk")
    )
    for section in sections:
        choices.append(
            AudienceChoice(
                key=f"section:{section.pk}",
                label=_("Families of %(section)s, %(school)s")
                % {"section": section.title, "school": section.school.name},
                audience=Audience.section(section),
                school=section.school,
                scope=_enrolled_in(section),
            )
        )
    managed = list(access.schools_managed_by(viewer).order_by("name", "pk"))
    grades = defaultdict(list)
    if managed:
        rows = (
            Student.objects.filter(school__in=managed, is_active=True)
            .exclude(grade="")
            .values_list("school_id", "grade")
            .distinct()
            .order_by("school_id", "grade")
        )
        for school_id, grade in rows:
            grades[school_id].append(grade)
    if viewer.is_district_admin:
        choices.append(
            AudienceChoice(
                key="district",
                label=_("Every family in the district"),
                audience=Audience.district(),
                school=managed[0] if managed else None,
                scope=_whole_district(viewer.staff.district_id),
            )
        )
    for school in managed:
        choices.append(
            AudienceChoice(
                key=f"school:{school.pk}",
                label=_("Every family at %(school)s") % {"school": school.name},
                audience=Audience.school(school),
                school=school,
                scope=Q(student__school=school),
            )
        )
        for grade in sorted(grades[school.pk], key=_grade_order):
            choices.append(
                AudienceChoice(
                    key=f"grade:{school.pk}:{grade}",
                    label=_("Families of grade %(grade)s, %(school)s")
                    % {"grade": grade, "school": school.name},
                    audience=Audience.of_grade(school, grade),
                    school=school,
                    scope=Q(student__school=school, student__grade=grade),
                )
            )
    return choices


def _grade_order(grade: str):
    return (0, int(grade), "") if grade.isdigit() else (1, 0, grade)


def _whole_district(district_id: int) -> Q:
    return Q(student__school__district_id=district_id, student__school__is_active=True)


# ---- the check when sending -----------------------------------------------------------------


def check_audience(
    by_staff: StaffMember, audience: Audience
) -> tuple[School | None, Section | None, Q, dict]:
    """Check that `by_staff` may announce to `audience`, and say where the announcement is
    filed (school, section), which guardianships it covers, and how it is described.

    Raises Http404 for a section or school outside the sender's scope and PermissionDenied
    for one they may see but not announce to.
    """
    user = by_staff.user
    if audience.kind == "section":
        section = access.get_section_for(user, audience.section_id)
        teaches = access.sections_taught_by(by_staff).filter(pk=section.pk).exists()
        if not (teaches or access.can_manage_school(user, section.school)):
            raise PermissionDenied(_("You can only send announcements to your own classes."))
        description = {"kind": "section", "section": section.pk, "school": section.school_id}
        return section.school, section, _enrolled_in(section), description
    if audience.kind in ("school", "grade"):
        school = access.get_school_for(user, audience.school_id)
        if not access.can_manage_school(user, school):
            raise PermissionDenied(_("Only the school's admins can announce to the whole school."))
        if audience.kind == "school":
            return school, None, Q(student__school=school), {"kind": "school", "school": school.pk}
        if not audience.grade:
            raise ValueError("a grade announcement needs a grade")
        scope = Q(student__school=school, student__grade=audience.grade)
        description = {"kind": "grade", "school": school.pk, "grade": audience.grade}
        return school, None, scope, description
    if audience.kind == "district":
        if not access.viewer_for(user).is_district_admin:
            raise PermissionDenied(_("Only district admins can announce to the whole district."))
        district_id = by_staff.district_id
        # The district's own announcement: filed under no school, so no school's staff have it.
        return (
            None,
            None,
            _whole_district(district_id),
            {"kind": "district", "district": district_id},
        )
    if audience.kind == "families":
        school = access.get_school_for(user, audience.school_id)
        if not audience.guardian_ids:
            raise ValueError("a list of families needs at least one guardian")
        reachable = set(
            access.contactable_links_for(user)
            .filter(student__school=school, guardian_id__in=audience.guardian_ids)
            .values_list("guardian_id", flat=True)
        )
        if reachable != set(audience.guardian_ids):
            # A guardian the sender may not write to at this school: as an unknown id.
            raise Http404
        ids = sorted(reachable)
        scope = Q(student__school=school, guardian_id__in=ids)
        return school, None, scope, {"kind": "families", "school": school.pk, "guardians": ids}
    raise ValueError(f"unknown audience {audience.kind!r}")


def audience_filter(description: dict, school_id: int | None) -> Q:
    """Over Guardianship: the links an announcement's stored `description` covers (a family
    answering it is answering about the child of one of them)."""
    kind = description.get("kind")
    if kind == "section":
        return _enrolled_in(description.get("section"))
    if kind == "grade":
        return Q(
            student__school_id=description.get("school"), student__grade=description.get("grade")
        )
    if kind == "school":
        return Q(student__school_id=description.get("school"))
    if kind == "district":
        return Q(student__school__district_id=description.get("district"))
    if kind == "families":
        return Q(
            student__school_id=description.get("school"),
            guardian_id__in=description.get("guardians") or [],
        )
    return Q(student__school_id=school_id)


# ---- writing into an announcement already sent ----------------------------------------------


def addressable(viewer: Viewer) -> Q:
    """Over Conversation: the announcements whose audience a staff member may speak to, as when
    sending one: a district's admins the district's, a school's admins their schools', a
    teacher those of the classes they teach now. An announcement to the whole district has no
    school and no section: only its district's admins match it."""
    q = NOTHING
    if viewer.is_district_admin:
        q |= Q(district_id=viewer.staff.district_id)
    elif viewer.is_admin:
        q |= Q(school__in=access.schools_managed_by(viewer))
    taught = access.sections_taught_by(viewer.staff).filter(pk=OuterRef("section_id"))
    q |= Q(Exists(taught), audience__kind="section", school__isnull=False)
    return q
