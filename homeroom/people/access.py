"""Who may see what: the one place that answers it.

Every view asks here for the objects it lists or opens. An object outside a user's scope
is a 404 (`get_*_for`), never a 403 that would confirm it exists.

Scopes, per role:
- teacher: the active students of their active sections, and those students' contactable
  guardians;
- counselor, family liaison, interpreter: their schools' students and contactable guardians;
- school admin: their schools' students and all their guardians (restricted ones included,
  so the admin can keep the records right);
- district admin: everything in the district, likewise;
- guardian: their own children, through guardianships that are active and allow records.
Roster imports: a district admin imports the whole district; a school admin only their own
schools, never anyone's admin role (`roster_import_scope`).
A user may hold several of these at once (a teacher who is also a parent): scopes add up.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from .models import (
    SCHOOL_WIDE_ROLES,
    District,
    Enrollment,
    Guardian,
    Guardianship,
    Role,
    RosterImport,
    School,
    Section,
    StaffMember,
    Student,
    TeachingAssignment,
    searchable,
)

NOTHING = Q(pk__in=[])


@dataclass
class Viewer:
    """What one signed-in user is, resolved once per request."""

    user_id: int | None
    staff: StaffMember | None = None
    guardian: Guardian | None = None
    roles_by_school: dict[int, set[str]] = field(default_factory=dict)
    # The zone times are shown in; None means the reader's school decides (looked up lazily).
    time_zone: str | None = None

    @property
    def is_staff_member(self) -> bool:
        return self.staff is not None

    @property
    def is_guardian(self) -> bool:
        return self.guardian is not None

    @property
    def is_district_admin(self) -> bool:
        return bool(self.staff and self.staff.is_district_admin)

    def school_ids_with(self, *roles: str) -> set[int]:
        return {sid for sid, held in self.roles_by_school.items() if held & set(roles)}

    @cached_property
    def admin_school_ids(self) -> set[int]:
        return self.school_ids_with(Role.SCHOOL_ADMIN)

    @cached_property
    def school_wide_ids(self) -> set[int]:
        return self.school_ids_with(*SCHOOL_WIDE_ROLES)

    @property
    def is_admin(self) -> bool:
        return self.is_district_admin or bool(self.admin_school_ids)

    @property
    def works_on_translations(self) -> bool:
        """Interpreters, family liaisons and school admins keep the interpreters' queue."""
        return bool(self.school_ids_with(Role.INTERPRETER, Role.FAMILY_LIAISON, Role.SCHOOL_ADMIN))

    @property
    def is_teacher(self) -> bool:
        return bool(self.school_ids_with(Role.TEACHER))


def viewer_for(user) -> Viewer:
    """Resolve (and cache on the user object) who this user is."""
    if user is None or not user.is_authenticated:
        return Viewer(user_id=None)
    cached = getattr(user, "_homeroom_viewer", None)
    if cached is not None:
        return cached
    staff = StaffMember.objects.filter(user=user, is_active=True).first()
    guardian = Guardian.objects.filter(user=user, is_active=True).first()
    # `staff.user` is this user: asking `viewer_for(staff.user)` again finds the cache, not
    # a fresh copy of the user and four more queries.
    for person in (staff, guardian):
        if person is not None:
            person.user = user
    roles: dict[int, set[str]] = {}
    time_zone = None
    if staff:
        rows = (
            staff.assignments.filter(school__is_active=True)
            .order_by("school_id")
            .values_list("school_id", "role", "school__time_zone")
        )
        for school_id, role, zone in rows:
            roles.setdefault(school_id, set()).add(role)
            time_zone = time_zone or zone
    if guardian and guardian.time_zone:
        time_zone = guardian.time_zone
    viewer = Viewer(
        user_id=user.pk,
        staff=staff,
        guardian=guardian,
        roles_by_school=roles,
        time_zone=time_zone,
    )
    user._homeroom_viewer = viewer
    return viewer


def _teacher_enrollments(staff: StaffMember):
    return Enrollment.objects.filter(
        is_active=True,
        section__is_active=True,
        section__teaching__staff=staff,
        section__teaching__is_active=True,
    )


def _visible_guardianships(viewer: Viewer) -> Q:
    """Guardianships a guardian may see through: their own, active, with records allowed."""
    if not viewer.guardian:
        return NOTHING
    return _records_of(viewer.guardian)


def _records_of(guardian: Guardian) -> Q:
    return Q(guardian=guardian, is_active=True, may_see_records=True, student__is_active=True)


# ---- scoped querysets -------------------------------------------------------------------


def schools_for(user) -> QuerySet[School]:
    viewer = viewer_for(user)
    q = NOTHING
    if viewer.is_district_admin:
        q |= Q(district_id=viewer.staff.district_id)
    if viewer.roles_by_school:
        q |= Q(pk__in=viewer.roles_by_school.keys())
    if viewer.guardian:
        q |= Q(
            Exists(
                Guardianship.objects.filter(
                    _visible_guardianships(viewer), student__school=OuterRef("pk")
                )
            )
        )
    return School.objects.filter(q, is_active=True)


def schools_worked_at(user) -> QuerySet[School]:
    """The schools a staff member works at: `schools_for` without the ones they see only as a
    parent. What a staff page lists (a school's surveys, groups, events) is read through this,
    so a teacher who is also a parent at another school sees that school as a parent does."""
    viewer = viewer_for(user)
    q = NOTHING
    if viewer.is_district_admin:
        q |= Q(district_id=viewer.staff.district_id)
    if viewer.roles_by_school:
        q |= Q(pk__in=viewer.roles_by_school.keys())
    return School.objects.filter(q, is_active=True)


def students_for(user) -> QuerySet[Student]:
    viewer = viewer_for(user)
    q = NOTHING
    if viewer.is_district_admin:
        q |= Q(school__district_id=viewer.staff.district_id)
    if viewer.school_wide_ids:
        q |= Q(school_id__in=viewer.school_wide_ids)
    if viewer.is_teacher:
        q |= Q(Exists(_teacher_enrollments(viewer.staff).filter(student=OuterRef("pk"))))
    if viewer.guardian:
        q |= Q(
            Exists(
                Guardianship.objects.filter(_visible_guardianships(viewer), student=OuterRef("pk"))
            )
        )
    return Student.objects.filter(q, is_active=True)


def find_students(user, query: str = "") -> QuerySet[Student]:
    """The user's students whose names hold every word of `query` ("sofia nun" finds Sofía
    Núñez), in name order."""
    students = students_for(user).select_related("school")
    for word in searchable(query).split():  # every word, accents and case aside
        students = students.filter(search_name__contains=word)
    return students.order_by("family_name", "given_name", "pk")


def sections_for(user) -> QuerySet[Section]:
    viewer = viewer_for(user)
    q = NOTHING
    if viewer.is_district_admin:
        q |= Q(school__district_id=viewer.staff.district_id)
    if viewer.school_wide_ids:
        q |= Q(school_id__in=viewer.school_wide_ids)
    if viewer.is_teacher:
        q |= Q(
            Exists(
                TeachingAssignment.objects.filter(
                    section=OuterRef("pk"), staff=viewer.staff, is_active=True
                )
            )
        )
    if viewer.guardian:
        children = Guardianship.objects.filter(_visible_guardianships(viewer)).values("student")
        q |= Q(
            Exists(
                Enrollment.objects.filter(
                    section=OuterRef("pk"), is_active=True, student__in=children
                )
            )
        )
    return Section.objects.filter(q, is_active=True)


def guardianships_for(user) -> QuerySet[Guardianship]:
    """Guardian–student links the user may see (staff: contactable ones, admins: all)."""
    viewer = viewer_for(user)
    q = NOTHING
    admin_q = NOTHING
    if viewer.is_district_admin:
        admin_q |= Q(student__school__district_id=viewer.staff.district_id)
    if viewer.admin_school_ids:
        admin_q |= Q(student__school_id__in=viewer.admin_school_ids)
    q |= admin_q
    contactable = Q(may_contact=True)
    other_wide = viewer.school_wide_ids - viewer.admin_school_ids
    if other_wide:
        q |= contactable & Q(student__school_id__in=other_wide)
    if viewer.is_teacher:
        q |= contactable & Q(
            Exists(_teacher_enrollments(viewer.staff).filter(student=OuterRef("student")))
        )
    if viewer.guardian:
        q |= _visible_guardianships(viewer)
    return Guardianship.objects.filter(
        q, is_active=True, student__is_active=True, guardian__is_active=True
    )


def guardians_for(user) -> QuerySet[Guardian]:
    visible = guardianships_for(user).filter(guardian=OuterRef("pk"))
    return Guardian.objects.filter(Exists(visible), is_active=True)


def staff_for(user) -> QuerySet[StaffMember]:
    """Staff a user may look up: colleagues in their schools; a guardian, their children's."""
    viewer = viewer_for(user)
    q = NOTHING
    if viewer.is_district_admin:
        q |= Q(district_id=viewer.staff.district_id)
    if viewer.roles_by_school:
        q |= Q(assignments__school_id__in=viewer.roles_by_school.keys())
    if viewer.guardian:
        q |= Q(
            Exists(
                TeachingAssignment.objects.filter(
                    staff=OuterRef("pk"), is_active=True, section__in=sections_for(user)
                )
            )
        )
    return StaffMember.objects.filter(
        pk__in=StaffMember.objects.filter(q).values("pk"), is_active=True
    )


def schools_a_guardian_may_hear_of(guardian: Guardian | None) -> QuerySet[School]:
    """The schools a guardian may be told of, by name and with how to reach them, where no
    one has signed in (an answer to a text): their children's, through links that are
    active and allow both contact and records. A court order on a child keeps that child's
    school out of it; a number with no such link hears of no school. The school of a primary
    link comes first."""
    if guardian is None:
        return School.objects.none()
    links = Guardianship.objects.filter(
        guardian=guardian,
        is_active=True,
        may_contact=True,
        may_see_records=True,
        student__is_active=True,
        student__school=OuterRef("pk"),
    )
    return (
        School.objects.filter(Exists(links), is_active=True)
        .annotate(through_primary=Exists(links.filter(is_primary=True)))
        .order_by("-through_primary", "pk")
    )


def can_manage_school(user, school: School) -> bool:
    viewer = viewer_for(user)
    if viewer.is_district_admin and viewer.staff.district_id == school.district_id:
        return True
    return school.pk in viewer.admin_school_ids


# ---- one object or 404 --------------------------------------------------------------------


def _get_or_404(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_school_for(user, pk) -> School:
    return _get_or_404(schools_for(user), pk)


def get_student_for(user, pk) -> Student:
    return _get_or_404(students_for(user).select_related("school"), pk)


def get_section_for(user, pk) -> Section:
    return _get_or_404(sections_for(user).select_related("school"), pk)


def get_guardian_for(user, pk) -> Guardian:
    return _get_or_404(guardians_for(user), pk)


def get_staff_for(user, pk) -> StaffMember:
    return _get_or_404(staff_for(user), pk)


def get_district_administered_by(user) -> District:
    """The district whose settings this user keeps (a district admin's own), or 404."""
    viewer = viewer_for(user)
    if not viewer.is_district_admin:
        raise Http404
    return viewer.staff.district


# ---- the family's own children ------------------------------------------------------------


def records_links_of(guardian: Guardian) -> QuerySet[Guardianship]:
    """A guardian's links to the children whose records they may see, for pages a guardian
    reaches before signing in (accepting an invitation)."""
    return Guardianship.objects.filter(_records_of(guardian))


# ---- classes a teacher teaches, schools of a district ----------------------------------------


def teaches(staff: StaffMember, section: Section) -> bool:
    return TeachingAssignment.objects.filter(section=section, staff=staff, is_active=True).exists()


def can_invite_section(user, section: Section) -> bool:
    """A section's families are invited by its teachers, the school's school-wide roles and
    its admins."""
    viewer = viewer_for(user)
    if viewer.staff is not None and teaches(viewer.staff, section):
        return True
    return section.school_id in viewer.school_wide_ids or can_manage_school(user, section.school)


def teachers_of_section(section: Section) -> QuerySet[TeachingAssignment]:
    """Who teaches a section now, one row per active assignment."""
    return TeachingAssignment.objects.filter(section=section, is_active=True)


def active_teaching() -> QuerySet[TeachingAssignment]:
    """Active teaching assignments, to prefetch the teachers of sections already scoped."""
    return TeachingAssignment.objects.filter(is_active=True)


def schools_of_district(district_id: int) -> QuerySet[School]:
    """A district's active schools, first-created first (its first school lends the district a
    time zone and an interpreters' queue)."""
    return School.objects.filter(district_id=district_id, is_active=True).order_by("pk")


def first_school_of(staff: StaffMember) -> School | None:
    """The school a staff member's day is counted in when nothing names one: the first school
    they hold a role at (any role, active or not, as their office hours were set there)."""
    return School.objects.filter(assignments__staff=staff).order_by("pk").first()


# ---- links the school may write through -----------------------------------------------------


def contactable_links(*, about_the_child: bool = False) -> QuerySet[Guardianship]:
    """Guardian–student links through which the school may write to the guardian: the link and
    the child active and contact allowed. `about_the_child` — anything that names the child, a
    private thread, a moment, a weekly update — also needs the records allowed and the guardian
    active (a court order barring either means nothing is sent). Announcements, which name no
    child, need contact only."""
    if about_the_child:
        return Guardianship.objects.about_the_child()
    return Guardianship.objects.filter(is_active=True, may_contact=True, student__is_active=True)


def can_invite(user, school: School) -> bool:
    """Teachers invite their own sections' families; school-wide roles and admins, the school's."""
    viewer = viewer_for(user)
    if can_manage_school(user, school):
        return True
    return school.pk in viewer.school_ids_with(Role.TEACHER, *SCHOOL_WIDE_ROLES)


def can_invite_school(user, school: School) -> bool:
    """Inviting a whole school is for school-wide roles and admins, not single teachers."""
    return can_manage_school(user, school) or school.pk in viewer_for(user).school_wide_ids


# ---- roster imports -------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterScope:
    """What one roster import may touch: a district, and in it all schools or only some."""

    district_id: int
    # None: the whole district, admin roles included (a district admin's import).
    school_ids: frozenset[int] | None = None

    @property
    def is_district_wide(self) -> bool:
        return self.school_ids is None

    def as_json(self) -> dict:
        """Plain ids, for a task argument."""
        schools = None if self.school_ids is None else sorted(self.school_ids)
        return {"district_id": self.district_id, "school_ids": schools}

    @classmethod
    def from_json(cls, data: dict) -> "RosterScope":
        schools = data.get("school_ids")
        return cls(
            district_id=int(data["district_id"]),
            school_ids=None if schools is None else frozenset(int(pk) for pk in schools),
        )

    def narrowed_to(self, other: "RosterScope | None") -> "RosterScope | None":
        """What both scopes allow: an import re-checked when it runs never gains anything."""
        if other is None or other.district_id != self.district_id:
            return None
        if self.school_ids is None:
            return other
        if other.school_ids is None:
            return self
        common = self.school_ids & other.school_ids
        return RosterScope(self.district_id, frozenset(common)) if common else None


def roster_import_scope(user) -> RosterScope | None:
    """Where this user may import a roster: a district admin, their district; a school admin,
    their own schools; anyone else, nowhere (None)."""
    viewer = viewer_for(user)
    if not viewer.staff:
        return None
    district_id = viewer.staff.district_id
    if viewer.is_district_admin:
        return RosterScope(district_id)
    schools = School.objects.filter(
        pk__in=viewer.admin_school_ids, district_id=district_id, is_active=True
    ).values_list("pk", flat=True)
    ids = frozenset(schools)
    return RosterScope(district_id, ids) if ids else None


def can_import_roster(user) -> bool:
    return roster_import_scope(user) is not None


def roster_imports_for(user) -> QuerySet[RosterImport]:
    """Imports a user may follow: a district admin, the district's; a school admin, those
    started by an admin of one of their schools (never a district admin's district-wide run)."""
    scope = roster_import_scope(user)
    if scope is None:
        return RosterImport.objects.none()
    imports = RosterImport.objects.filter(district_id=scope.district_id)
    if scope.is_district_wide:
        return imports
    admins = StaffMember.objects.filter(
        is_district_admin=False,
        assignments__role=Role.SCHOOL_ADMIN,
        assignments__school_id__in=scope.school_ids,
    )
    return imports.filter(started_by__in=admins.values("pk"))


def get_roster_import_for(user, pk) -> RosterImport:
    return _get_or_404(roster_imports_for(user).select_related("started_by"), pk)


def roster_scope_of(staff: StaffMember | None, carried: dict | None) -> RosterScope | None:
    """The scope an import runs with: what it was uploaded for, narrowed to what whoever
    uploaded it may still import now (a role taken away meanwhile takes the import with it)."""
    if staff is None or not staff.is_active or staff.user_id is None:
        return None
    now = roster_import_scope(staff.user)
    if now is None:
        return None
    return now if carried is None else RosterScope.from_json(carried).narrowed_to(now)


# ---- the home pages: a teacher's own classes, an admin's schools, a family's children -------


def school_wide_schools_for(user) -> QuerySet[School]:
    """The schools where the user holds a school-wide role (counselor, liaison…), whose every
    family they see."""
    return schools_for(user).filter(pk__in=viewer_for(user).school_wide_ids)


def family_links_at(schools) -> QuerySet[Guardianship]:
    """Every active family link at these schools (guardian, child and link active), whatever
    the contact and records choices: what an admin counts when asking who has joined."""
    return Guardianship.objects.filter(
        is_active=True,
        student__is_active=True,
        guardian__is_active=True,
        student__school__in=schools,
    )


def own_children_links(user) -> QuerySet[Guardianship]:
    """A signed-in guardian's links to the children whose records they may see; none for
    anyone else."""
    viewer = viewer_for(user)
    if viewer.guardian is None:
        return Guardianship.objects.none()
    return records_links_of(viewer.guardian)


# ---- a child's families, whatever they may see ----------------------------------------------


def active_links_of_child(student) -> QuerySet[Guardianship]:
    """A child's active links (whatever the contact and records choices), the primary guardian
    first, then the first linked: whose language counts as the family's in figures. `student`
    may be an `OuterRef`."""
    return Guardianship.objects.filter(student=student, is_active=True).order_by(
        "-is_primary", "pk"
    )


# ---- messaging: whom staff announce to, whom a family writes to ------------------------------


def sections_taught_by(staff: StaffMember | None) -> QuerySet[Section]:
    """The classes a staff member teaches now: their assignment, the section and its school
    all active (not the ones they may see school-wide: that is `sections_for`). A teacher
    announces to these families, and to no other class."""
    if staff is None:
        return Section.objects.none()
    return Section.objects.filter(
        teaching__staff=staff,
        teaching__is_active=True,
        is_active=True,
        school__is_active=True,
    )


def get_section_taught_by(staff: StaffMember | None, pk) -> Section:
    """One of the classes a staff member teaches now (with its school), or 404: a class they
    only see school-wide, or do not see at all, is not theirs to open from their home."""
    return _get_or_404(sections_taught_by(staff).select_related("school"), pk)


def schools_managed_by(viewer: Viewer) -> QuerySet[School]:
    """The active schools a staff member runs, by name: a district admin every school of their
    district, a school admin their own schools."""
    if viewer.is_district_admin:
        return schools_of_district(viewer.staff.district_id).order_by("name", "pk")
    return School.objects.filter(pk__in=viewer.admin_school_ids, is_active=True).order_by(
        "name", "pk"
    )


def teachers_of_student(student: Student) -> QuerySet[TeachingAssignment]:
    """Who teaches a child now, one row per assignment: the assignment, the staff member, the
    section and the child's enrolment in it all active."""
    return TeachingAssignment.objects.filter(
        section__enrollments__student=student,
        section__enrollments__is_active=True,
        section__is_active=True,
        is_active=True,
        staff__is_active=True,
    )


def contactable_links_for(user, *, about_the_child: bool = False) -> QuerySet[Guardianship]:
    """The links a user may see (`guardianships_for`) through which the school may write:
    contact allowed; `about_the_child` (a private thread about one student) also needs the
    records allowed. A family writes to the school about the children of these links."""
    links = guardianships_for(user).filter(may_contact=True)
    if about_the_child:
        links = links.filter(may_see_records=True)
    return links


# ---- the interpreters a staff member may call on ----------------------------------------------


def interpreters_for(user) -> QuerySet[StaffMember]:
    """The interpreters a staff member may call on: active staff holding the interpreter role
    at a school where the user holds any role (their active schools); none for a user with no
    role at a school."""
    viewer = viewer_for(user)
    return StaffMember.objects.filter(
        is_active=True,
        assignments__school_id__in=list(viewer.roles_by_school),
        assignments__role=Role.INTERPRETER,
    ).distinct()
