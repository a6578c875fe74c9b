"""Who may do what in recognition: record for a student, change a moment, review one, see a
child's moments as family, and which schools a leader's figures cover.

Built on `homeroom.people.access`; the views and services of recognition ask here.
"""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from homeroom.people import access
from homeroom.people.models import Enrollment, Guardian, Guardianship, School, StaffMember, Student

from .models import Moment, SchoolBehaviorSettings

# A moment's author may correct or withdraw it this long after recording it.
AUTHOR_GRACE = timedelta(hours=24)


def recordable_students(staff: StaffMember) -> QuerySet[Student]:
    """Students `staff` may record moments for: the students they may see as staff (a
    teacher's sections, a school-wide role's schools, a district admin's district), and every
    active student of a school that lets anyone recognise anyone."""
    viewer = access.viewer_for(staff.user)
    q = access.NOTHING
    if viewer.is_district_admin:
        q |= Q(school__district_id=staff.district_id)
    if viewer.school_wide_ids:
        q |= Q(school_id__in=viewer.school_wide_ids)
    if viewer.is_teacher:
        taught = Enrollment.objects.filter(
            student=OuterRef("pk"),
            is_active=True,
            section__is_active=True,
            section__teaching__staff=staff,
            section__teaching__is_active=True,
        )
        q |= Q(Exists(taught))
    if viewer.roles_by_school:
        open_schools = SchoolBehaviorSettings.objects.filter(
            anyone_may_recognise=True, school_id__in=viewer.roles_by_school.keys()
        ).values("school_id")
        q |= Q(school_id__in=open_schools)
    return Student.objects.filter(q, is_active=True, school__is_active=True)


def may_change(staff: StaffMember, moment: Moment, *, now: datetime | None = None) -> bool:
    """The author within a day of recording; a school admin (or district admin) any time."""
    now = now or timezone.now()
    if moment.recorded_by_id == staff.pk and now - moment.created_at <= AUTHOR_GRACE:
        return True
    return access.can_manage_school(staff.user, moment.school)


def may_review(staff: StaffMember, school: School) -> bool:
    """School-wide roles (counselor, liaison…) and admins of the school review its moments."""
    viewer = access.viewer_for(staff.user)
    return school.pk in viewer.school_wide_ids or access.can_manage_school(staff.user, school)


def review_school_ids(staff: StaffMember) -> QuerySet:
    """Schools that review needs-work moments before families hear of them and in which
    `staff` may review (school-wide roles and admins; a district admin, the district's)."""
    viewer = access.viewer_for(staff.user)
    q = Q(school_id__in=viewer.school_wide_ids)
    if viewer.is_district_admin:
        q |= Q(school__district_id=staff.district_id)
    return SchoolBehaviorSettings.objects.filter(
        q, needs_work_review_required=True, school__is_active=True
    ).values("school_id")


def family_may_see(guardian: Guardian, student: Student) -> QuerySet[Guardianship]:
    """The link through which a guardian sees a child's moments: their own, active, records
    allowed, guardian and child active (empty otherwise)."""
    return access.records_links_of(guardian).filter(student=student, guardian__is_active=True)


def own_child(user, pk) -> tuple[Guardian, Student]:
    """A signed-in guardian and one of the children whose records they may see, or 404."""
    viewer = access.viewer_for(user)
    if not viewer.is_guardian:
        raise Http404
    links = access.own_children_links(user)
    try:
        student = Student.objects.select_related("school").get(
            pk=pk, is_active=True, guardianships__in=links
        )
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return viewer.guardian, student


def contactable_links_of(student_ids) -> QuerySet[Guardianship]:
    """The links through which families hear of these children's moments (contact and records
    allowed, guardian, link and child active), with guardian and school at hand."""
    return (
        access.contactable_links(about_the_child=True)
        .filter(student_id__in=list(student_ids))
        .select_related("guardian", "student__school")
    )


def leader_schools(user) -> QuerySet[School]:
    """The schools whose figures a leader sees: a district admin, the district's active
    schools; a school admin, their own. 404 for anyone else."""
    if not access.viewer_for(user).is_admin:
        raise Http404
    return access.schools_managed_by(access.viewer_for(user))


def taught_sections(user, staff: StaffMember):
    """The sections a teacher's ratios are counted for: those they may see and teach now."""
    return access.sections_for(user).filter(pk__in=access.sections_taught_by(staff).values("pk"))


def staff_or_404(user) -> StaffMember:
    """Recognition's staff pages are for active staff members; anyone else gets a 404."""
    viewer = access.viewer_for(user)
    if not viewer.is_staff_member:
        raise Http404
    return viewer.staff


def leader_school(user, raw) -> tuple[QuerySet[School], School | None]:
    """A leader's schools and the one they asked for by id (none asked: all of them). A school
    outside them, or an id that is not one, is a 404."""
    schools = leader_schools(user)
    if not raw:
        return schools, None
    try:
        school_id = int(raw)
    except (TypeError, ValueError):
        school_id = None
    school = schools.filter(pk=school_id).first()
    if school is None:
        raise Http404
    return schools, school


def children_seen_by(guardian: Guardian) -> QuerySet:
    """The ids of the children whose moments a guardian sees (`family_may_see` for every
    child at once), for `student_id__in`."""
    return access.records_links_of(guardian).filter(guardian__is_active=True).values("student_id")
