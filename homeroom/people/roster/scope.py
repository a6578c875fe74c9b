"""What the district already holds, and the checks against it that refuse a bundle whole:
the district chosen, the schools an import may reach, sourcedIds owned elsewhere, staff and
admin roles out of scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from ..access import RosterScope
from ..models import (
    Assignment,
    District,
    Enrollment,
    Guardian,
    Guardianship,
    Role,
    School,
    Section,
    StaffMember,
    Student,
    TeachingAssignment,
)
from .bundle import DEFAULT_COUNTRY, LOOKUP_CHUNK, STUDENT, Bundle, UserRow
from .report import _Report

M = TypeVar("M", bound=models.Model)


# ---- what the district holds ---------------------------------------------------------------


def _chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Existing:
    """The district's rows the bundle may touch, keyed the way the import matches them."""

    schools: dict[str, School] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    staff: dict[str, StaffMember] = field(default_factory=dict)
    guardians: dict[str, Guardian] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    guardianships: list[Guardianship] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)
    teaching: list[TeachingAssignment] = field(default_factory=list)
    first_school_country: str = DEFAULT_COUNTRY
    # A school admin's import: the sourcedIds of staff and families it may update but never
    # deactivate (admins, and whoever also belongs to a school outside the import).
    kept_staff: set[str] = field(default_factory=set)
    kept_guardians: set[str] = field(default_factory=set)
    scoped: bool = False


def _by_sourced_id(queryset: models.QuerySet[M]) -> dict[str, M]:
    return {row.sourced_id: row for row in queryset.filter(sourced_id__isnull=False)}


def _load_existing(district: District | None, school_ids: set[int] | None = None) -> Existing:
    """The district's rows; for a school admin's import, only those of `school_ids`."""
    if district is None or district.pk is None:
        return Existing()
    if school_ids is not None:
        return _load_schools(district, school_ids)
    schools = list(School.objects.filter(district=district).order_by("pk"))
    return Existing(
        schools={school.sourced_id: school for school in schools if school.sourced_id},
        sections=_by_sourced_id(Section.objects.filter(school__district=district)),
        students=_by_sourced_id(Student.objects.filter(school__district=district)),
        staff=_by_sourced_id(StaffMember.objects.filter(district=district)),
        guardians=_by_sourced_id(Guardian.objects.filter(district=district)),
        assignments=list(Assignment.objects.filter(school__district=district)),
        guardianships=list(Guardianship.objects.filter(student__school__district=district)),
        enrollments=list(Enrollment.objects.filter(section__school__district=district)),
        teaching=list(TeachingAssignment.objects.filter(section__school__district=district)),
        first_school_country=schools[0].country if schools else DEFAULT_COUNTRY,
    )


def _load_schools(district: District, school_ids: set[int]) -> Existing:
    ids = sorted(school_ids)
    schools = list(School.objects.filter(district=district, pk__in=ids).order_by("pk"))
    staff = StaffMember.objects.filter(
        pk__in=Assignment.objects.filter(school_id__in=ids).values("staff")
    )
    guardians = Guardian.objects.filter(
        pk__in=Guardianship.objects.filter(student__school_id__in=ids).values("guardian")
    )
    admins_or_shared = staff.filter(
        models.Q(is_district_admin=True)
        | models.Q(assignments__role=Role.SCHOOL_ADMIN)
        | models.Q(assignments__school__in=School.objects.exclude(pk__in=ids))
    )
    shared_families = guardians.filter(
        guardianships__student__school__in=School.objects.exclude(pk__in=ids)
    )
    return Existing(
        schools={school.sourced_id: school for school in schools if school.sourced_id},
        sections=_by_sourced_id(Section.objects.filter(school_id__in=ids)),
        students=_by_sourced_id(Student.objects.filter(school_id__in=ids)),
        staff=_by_sourced_id(staff),
        guardians=_by_sourced_id(guardians),
        assignments=list(Assignment.objects.filter(school_id__in=ids)),
        guardianships=list(Guardianship.objects.filter(student__school_id__in=ids)),
        enrollments=list(Enrollment.objects.filter(section__school_id__in=ids)),
        teaching=list(TeachingAssignment.objects.filter(section__school_id__in=ids)),
        first_school_country=schools[0].country if schools else DEFAULT_COUNTRY,
        kept_staff=set(
            admins_or_shared.filter(sourced_id__isnull=False).values_list("sourced_id", flat=True)
        ),
        kept_guardians=set(
            shared_families.filter(sourced_id__isnull=False).values_list("sourced_id", flat=True)
        ),
        scoped=True,
    )


def _schools_in_scope(
    district: District, scope: RosterScope | None, bundle: Bundle, report: _Report
) -> set[int] | None:
    """The schools a school admin's import covers: theirs that the bundle lists. Any other
    school org in the bundle is an error. None: the whole district (a district admin's)."""
    if scope is None or scope.is_district_wide:
        return None
    theirs = {
        school.sourced_id: school.pk
        for school in School.objects.filter(
            district=district, pk__in=sorted(scope.school_ids), sourced_id__in=list(bundle.schools)
        )
    }
    for sourced_id, org in bundle.schools.items():
        if sourced_id not in theirs:
            report.error(
                "orgs.csv",
                org.line,
                "sourcedId",
                _("%(id)s is not one of the schools you may import for.") % {"id": sourced_id},
            )
    return set(theirs.values())


def _is_district_admin_row(bundle: Bundle, user: UserRow) -> bool:
    return user.role == "administrator" and any(
        org in bundle.orgs and bundle.orgs[org].type == "district" for org in user.orgs
    )


def _check_staff_in_scope(bundle: Bundle, existing: Existing, report: _Report) -> None:
    """A school admin's import lists staff of its schools, and grants and withdraws no admin
    role, of anyone."""
    school_admin_at = {
        (a.staff_id, a.school_id) for a in existing.assignments if a.role == Role.SCHOOL_ADMIN
    }
    message = _("Only a district admin's import may grant or withdraw an admin role.")
    for sid, user in bundle.staff.items():
        if user.orgs and not any(org in existing.schools for org in user.orgs):
            # Someone at none of the import's schools (the district only) is not theirs.
            report.error(
                "users.csv",
                user.line,
                "orgSourcedIds",
                _("%(id)s is not one of the schools you may import for.") % {"id": user.orgs[0]},
            )
            continue
        current = existing.staff.get(sid)
        if _is_district_admin_row(bundle, user) != bool(current and current.is_district_admin):
            report.error("users.csv", user.line, "role", message)
            continue
        listed_at = {existing.schools[org].pk for org in user.orgs if org in existing.schools}
        for school in existing.schools.values():
            had = current is not None and (current.pk, school.pk) in school_admin_at
            granted = user.role == "administrator" and school.pk in listed_at and not had
            withdrawn = had and school.pk not in listed_at
            if granted or withdrawn:
                report.error("users.csv", user.line, "role", message)
                break


def _choose_district(district: District | None, bundle: Bundle, report: _Report) -> District:
    """The district to import into: given, matched by sourcedId, the only one, or a new one."""
    org = bundle.district_org
    owner = District.objects.filter(sourced_id=org.sourced_id).first() if org else None
    if district is not None:
        if org and owner and owner.pk != district.pk:
            report.error(
                "orgs.csv",
                org.line,
                "sourcedId",
                _("This bundle is for the district %(name)s, not for %(chosen)s.")
                % {"name": owner.name, "chosen": district.name},
            )
        elif org and district.sourced_id and district.sourced_id != org.sourced_id:
            report.error(
                "orgs.csv",
                org.line,
                "sourcedId",
                _("This bundle is for the district %(id)s, not for %(chosen)s.")
                % {"id": org.sourced_id, "chosen": district.name},
            )
        return district
    if owner is not None:
        return owner
    districts = list(District.objects.order_by("pk")[:2])
    if len(districts) == 1 and (org is None or districts[0].sourced_id is None):
        return districts[0]
    if districts:
        report.error(
            "orgs.csv",
            org.line if org else 0,
            "sourcedId" if org else "",
            _("Other districts exist already; choose the one this bundle is for."),
        )
    return District(
        name=(org.name if org and org.name else "District"),
        sourced_id=org.sourced_id if org else None,
    )


def _check_ownership(bundle: Bundle, existing: Existing, report: _Report) -> None:
    """A sourcedId is unique across all districts: one held elsewhere cannot be taken over.

    For a school admin's import, "elsewhere" is anywhere outside the schools it covers (its
    school orgs are checked by `_schools_in_scope`)."""
    kinds: list[tuple[type[models.Model], str, dict[str, int], set[str]]] = [
        (
            School,
            "orgs.csv",
            {} if existing.scoped else _lines(bundle.schools),
            set(existing.schools),
        ),
        (Section, "classes.csv", _lines(bundle.classes), set(existing.sections)),
        (Student, "users.csv", _lines(bundle.students), set(existing.students)),
        (StaffMember, "users.csv", _lines(bundle.staff), set(existing.staff)),
        (Guardian, "users.csv", _lines(bundle.guardians), set(existing.guardians)),
    ]
    student_rows = {e.sourced_id: e.line for e in bundle.enrollments.values() if e.role == STUDENT}
    teaching_rows = {e.sourced_id: e.line for e in bundle.enrollments.values() if e.role != STUDENT}
    kinds.append(
        (Enrollment, "enrollments.csv", student_rows, {e.sourced_id for e in existing.enrollments})
    )
    kinds.append(
        (
            TeachingAssignment,
            "enrollments.csv",
            teaching_rows,
            {t.sourced_id for t in existing.teaching},
        )
    )
    for model, file, lines, ours in kinds:
        new_ids = sorted(set(lines) - ours)
        for chunk in _chunks(new_ids):
            for taken in model.objects.filter(sourced_id__in=chunk).values_list(
                "sourced_id", flat=True
            ):
                message = (
                    _("%(id)s belongs to a school you may not import for.")
                    if existing.scoped
                    else _("%(id)s already belongs to another district.")
                )
                report.error(file, lines[taken], "sourcedId", message % {"id": taken})


def _lines(records: dict[str, Any]) -> dict[str, int]:
    return {sourced_id: record.line for sourced_id, record in records.items()}
