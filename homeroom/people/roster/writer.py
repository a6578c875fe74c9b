"""Applying a checked bundle to the database in batches keyed by sourcedId, and deactivating
whatever the SIS no longer lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import phonenumbers
from django.db import models

from ..models import (
    Assignment,
    Channel,
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
    searchable,
)
from .bundle import BATCH_SIZE, STUDENT, Bundle, UserRow
from .contacts import Contact, _Contacts
from .report import COUNT_KINDS, STAGE_CLASS_LISTS, STAGE_FAMILIES, STAGE_PEOPLE, STAGE_SCHOOLS
from .scope import Existing, _chunks, _is_district_admin_row

M = TypeVar("M", bound=models.Model)


# ---- writing ----------------------------------------------------------------------------------


class _Tally:
    def __init__(self) -> None:
        self.counts = {
            outcome: dict.fromkeys(COUNT_KINDS, 0)
            for outcome in ("created", "updated", "deactivated")
        }

    def add(self, outcome: str, kind: str, number: int) -> None:
        self.counts[outcome][kind] += number


def _plain(value: Any) -> Any:
    # A phone number compares by its E.164 text, whatever object the field handed back.
    if isinstance(value, phonenumbers.PhoneNumber):
        return str(value)
    return value


def _assign(instance: models.Model, values: dict[str, Any]) -> set[str]:
    """Set the values that differ; the names of those changed."""
    changed = set()
    for name, value in values.items():
        if _plain(getattr(instance, name)) != _plain(value):
            setattr(instance, name, value)
            changed.add(name)
    return changed


def _merged_metadata(current: dict | None, user: UserRow) -> dict:
    merged = {
        key: value for key, value in (current or {}).items() if key not in user.cleared_metadata
    }
    merged.update(user.metadata)
    return merged


def _save(model: type[M], to_create: list[M], to_update: list[M], fields: set[str]) -> None:
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update and fields:
        model.objects.bulk_update(to_update, sorted(fields), batch_size=BATCH_SIZE)


def _sync_by_sourced_id(
    model: type[M],
    kind: str,
    existing: dict[str, M],
    wanted: Iterable[str],
    values_for: Callable[[str, M | None], dict[str, Any]],
    tally: _Tally,
    kept: set[str] | frozenset[str] = frozenset(),
) -> dict[str, M]:
    """Create, update and reactivate what is wanted; deactivate the rest (but `kept`)."""
    to_create: list[M] = []
    to_update: list[M] = []
    fields: set[str] = set()
    result: dict[str, M] = {}
    for sourced_id in wanted:
        current = existing.get(sourced_id)
        if current is None:
            result[sourced_id] = model(sourced_id=sourced_id, **values_for(sourced_id, None))
            to_create.append(result[sourced_id])
            continue
        changed = _assign(current, {**values_for(sourced_id, current), "is_active": True})
        if changed:
            to_update.append(current)
            fields |= changed
        result[sourced_id] = current
    deactivated = 0
    for sourced_id, current in existing.items():
        if sourced_id not in result and sourced_id not in kept and current.is_active:
            current.is_active = False
            to_update.append(current)
            fields.add("is_active")
            deactivated += 1
    _save(model, to_create, to_update, fields)
    tally.add("created", kind, len(to_create))
    tally.add("updated", kind, len(to_update) - deactivated)
    tally.add("deactivated", kind, deactivated)
    return result


def _sync_links(
    model: type[M],
    kind: str,
    existing: list[M],
    pair_fields: tuple[str, str],
    wanted: dict[str, tuple[tuple[int, int], dict[str, Any]]],
    tally: _Tally,
) -> None:
    """Class-list rows: matched by their (section, person) pair, which is unique.

    The sourcedId is kept on the row; when the SIS gives a pair a new sourcedId, a row that
    held it first lets go of it, so no statement ever sees two rows with one sourcedId.
    """

    def pair_of(row: M) -> tuple[int, int]:
        return (getattr(row, pair_fields[0]), getattr(row, pair_fields[1]))

    by_pair = {pair_of(row): row for row in existing}
    pair_of_id = {sourced_id: pair for sourced_id, (pair, _values) in wanted.items()}
    released = [
        row
        for row in existing
        if row.sourced_id in pair_of_id and pair_of_id[row.sourced_id] != pair_of(row)
    ]
    for row in released:
        row.sourced_id = None
    if released:
        model.objects.bulk_update(released, ["sourced_id"], batch_size=BATCH_SIZE)
    was_managed = {row.pk for row in released}

    to_create: list[M] = []
    to_update: list[M] = []
    fields: set[str] = set()
    kept: set[int] = set()
    for sourced_id, (pair, values) in wanted.items():
        row = by_pair.get(pair)
        if row is None:
            to_create.append(
                model(
                    sourced_id=sourced_id,
                    **{pair_fields[0]: pair[0], pair_fields[1]: pair[1]},
                    **values,
                )
            )
            continue
        kept.add(row.pk)
        changed = _assign(row, {**values, "sourced_id": sourced_id, "is_active": True})
        if changed:
            to_update.append(row)
            fields |= changed
    deactivated = 0
    for row in existing:
        # Rows made by hand (no sourcedId) are not the SIS's to withdraw.
        managed = row.sourced_id is not None or row.pk in was_managed
        if row.pk not in kept and managed and row.is_active:
            row.is_active = False
            to_update.append(row)
            fields.add("is_active")
            deactivated += 1
    _save(model, to_create, to_update, fields or {"sourced_id"})
    tally.add("created", kind, len(to_create))
    tally.add("updated", kind, len(to_update) - deactivated)
    tally.add("deactivated", kind, deactivated)


@dataclass
class _Writer:
    district: District
    bundle: Bundle
    existing: Existing
    contacts: _Contacts
    tally: _Tally
    step: Callable[[int, str], None]
    schools: dict[str, School] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    students: dict[str, Student] = field(default_factory=dict)
    staff: dict[str, StaffMember] = field(default_factory=dict)
    guardians: dict[str, Guardian] = field(default_factory=dict)

    def write(self) -> None:
        self.save_district()
        self.step(40, STAGE_SCHOOLS)
        self.save_schools()
        self.save_sections()
        self.step(50, STAGE_PEOPLE)
        self.save_students()
        self.save_staff()
        self.save_assignments()
        self.step(65, STAGE_FAMILIES)
        self.save_guardians()
        self.save_guardianships()
        self.step(80, STAGE_CLASS_LISTS)
        self.save_class_lists()

    def save_district(self) -> None:
        org = self.bundle.district_org
        if self.district.pk is None:
            self.district.save()
            self.tally.add("created", "districts", 1)
        elif org and self.district.sourced_id is None and not self.existing.scoped:
            self.district.sourced_id = org.sourced_id
            self.district.save(update_fields=["sourced_id"])
            self.tally.add("updated", "districts", 1)

    def save_schools(self) -> None:
        def values(sid: str, current: School | None) -> dict[str, Any]:
            name = {"name": self.bundle.orgs[sid].name}
            return name if current else {**name, "district": self.district}

        self.schools = _sync_by_sourced_id(
            School, "schools", self.existing.schools, self.bundle.schools, values, self.tally
        )

    def save_sections(self) -> None:
        bundle = self.bundle

        def values(sid: str, current: Section | None) -> dict[str, Any]:
            section = bundle.classes[sid]
            return {
                "school_id": self.schools[section.school].pk,
                "title": section.title,
                "course_title": bundle.courses[section.course],
                "period": section.period,
                "term": bundle.section_terms.get(sid, ""),
            }

        self.sections = _sync_by_sourced_id(
            Section, "sections", self.existing.sections, bundle.classes, values, self.tally
        )

    def save_students(self) -> None:
        bundle = self.bundle

        def values(sid: str, current: Student | None) -> dict[str, Any]:
            user = bundle.students[sid]
            return {
                "school_id": self.schools[bundle.student_school[sid]].pk,
                "given_name": user.given_name,
                "family_name": user.family_name,
                "search_name": searchable(
                    user.given_name, current.preferred_name if current else "", user.family_name
                ),
                "grade": user.grade,
                "metadata": _merged_metadata(current.metadata if current else None, user),
            }

        self.students = _sync_by_sourced_id(
            Student, "students", self.existing.students, bundle.students, values, self.tally
        )

    def save_staff(self) -> None:
        bundle = self.bundle

        def values(sid: str, current: StaffMember | None) -> dict[str, Any]:
            user = bundle.staff[sid]
            contact = self.contacts.staff[sid]
            district_admin = _is_district_admin_row(bundle, user)
            result = {
                "given_name": user.given_name,
                "family_name": user.family_name,
                "email": contact.email_or(current.email) if current else contact.email,
                "phone": contact.phone_or(current.phone) if current else contact.phone,
                "is_district_admin": district_admin,
                "metadata": _merged_metadata(current.metadata if current else None, user),
            }
            if current and sid in self.existing.kept_staff:
                # Where an admin, or someone of another school, is reached: a school admin's
                # import does not move their sign-in email or phone somewhere else.
                result.update(email=current.email, phone=current.phone)
            return result if current else {**result, "district": self.district}

        self.staff = _sync_by_sourced_id(
            StaffMember,
            "staff",
            self.existing.staff,
            bundle.staff,
            values,
            self.tally,
            kept=self.existing.kept_staff,
        )

    def save_assignments(self) -> None:
        """Roles the SIS grants: teacher (and aide) and school admin, at each school org.

        Counselor, liaison and interpreter roles are Homeroom's own and never touched. A
        teacher or school-admin role at an SIS school the person is no longer listed at is
        withdrawn, so someone who moved schools stops seeing the old one.
        """
        wanted: set[tuple[int, int, str]] = set()
        schools_of: dict[int, set[int]] = {}
        for sid, user in self.bundle.staff.items():
            staff_pk = self.staff[sid].pk
            schools = {self.schools[org].pk for org in user.orgs if org in self.schools}
            schools_of[staff_pk] = schools
            role = Role.SCHOOL_ADMIN if user.role == "administrator" else Role.TEACHER
            wanted |= {(staff_pk, school, role) for school in schools}
        sis_schools = {school.pk for school in self.schools.values()}
        have = {(a.staff_id, a.school_id, a.role): a for a in self.existing.assignments}
        new = [
            Assignment(staff_id=staff, school_id=school, role=role)
            for staff, school, role in sorted(wanted - set(have))
        ]
        Assignment.objects.bulk_create(new, batch_size=BATCH_SIZE)
        stale = [
            assignment.pk
            for (staff, school, role), assignment in have.items()
            if staff in schools_of
            and role in (Role.TEACHER, Role.SCHOOL_ADMIN)
            and school in sis_schools
            and school not in schools_of[staff]
        ]
        for chunk in _chunks(stale):
            Assignment.objects.filter(pk__in=chunk).delete()
        self.tally.add("created", "assignments", len(new))
        self.tally.add("deactivated", "assignments", len(stale))

    def save_guardians(self) -> None:
        bundle = self.bundle

        def values(sid: str, current: Guardian | None) -> dict[str, Any]:
            user = bundle.guardians[sid]
            contact = self.contacts.guardians[sid]
            result = {
                "given_name": user.given_name,
                "family_name": user.family_name,
                "metadata": _merged_metadata(current.metadata if current else None, user),
            }
            if current is None:
                return {
                    **result,
                    "district": self.district,
                    "phone": contact.phone,
                    "email": contact.email,
                    "channel": self.first_channel(contact),
                    "language": contact.language or "en",
                }
            if current.joined_at is not None or sid in self.existing.kept_guardians:
                # Once a family has joined, their own choices win over the SIS; and a school
                # admin's import does not redirect a family another school has too.
                return result
            return {
                **result,
                "phone": contact.phone_or(current.phone),
                "email": contact.email_or(current.email),
                "language": contact.language or current.language,
            }

        self.guardians = _sync_by_sourced_id(
            Guardian,
            "guardians",
            self.existing.guardians,
            bundle.guardians,
            values,
            self.tally,
            kept=self.existing.kept_guardians,
        )

    @staticmethod
    def first_channel(contact: Contact) -> str:
        if contact.phone and contact.can_text:
            return Channel.SMS
        if contact.email:
            return Channel.EMAIL
        return Channel.APP

    def save_guardianships(self) -> None:
        managed_guardians = {g.pk for g in self.guardians.values()} | {
            g.pk for g in self.existing.guardians.values()
        }
        managed_students = {s.pk for s in self.students.values()} | {
            s.pk for s in self.existing.students.values()
        }
        wanted = {
            (self.guardians[g].pk, self.students[s].pk): relationship
            for (g, s), relationship in self.bundle.links.items()
        }
        by_pair = {(row.guardian_id, row.student_id): row for row in self.existing.guardianships}
        to_create, to_update = [], []
        for (guardian, student), relationship in wanted.items():
            row = by_pair.get((guardian, student))
            if row is None:
                to_create.append(
                    Guardianship(
                        guardian_id=guardian, student_id=student, relationship=relationship
                    )
                )
            elif _assign(row, {"relationship": relationship, "is_active": True}):
                to_update.append(row)
        deactivated = 0
        for pair, row in by_pair.items():
            sis_link = row.guardian_id in managed_guardians and row.student_id in managed_students
            if pair not in wanted and sis_link and row.is_active:
                row.is_active = False
                to_update.append(row)
                deactivated += 1
        _save(Guardianship, to_create, to_update, {"relationship", "is_active"})
        self.tally.add("created", "guardianships", len(to_create))
        self.tally.add("updated", "guardianships", len(to_update) - deactivated)
        self.tally.add("deactivated", "guardianships", deactivated)

    def save_class_lists(self) -> None:
        enrolled: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
        taught: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
        for sid, row in self.bundle.enrollments.items():
            section = self.sections[row.section].pk
            if row.role == STUDENT:
                enrolled[sid] = ((section, self.students[row.user].pk), {})
            else:
                taught[sid] = ((section, self.staff[row.user].pk), {"is_primary": row.primary})
        _sync_links(
            Enrollment,
            "enrollments",
            self.existing.enrollments,
            ("section_id", "student_id"),
            enrolled,
            self.tally,
        )
        _sync_links(
            TeachingAssignment,
            "teaching_assignments",
            self.existing.teaching,
            ("section_id", "staff_id"),
            taught,
            self.tally,
        )
