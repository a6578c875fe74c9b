"""What the routines' pages share: who the staff member is, the class they opened."""

from django.http import Http404

from homeroom.people import access
from homeroom.people.models import Section, StaffMember


def htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def staff_or_404(request) -> StaffMember:
    viewer = access.viewer_for(request.user)
    if not viewer.is_staff_member:
        raise Http404
    return viewer.staff


def section_or_404(request, pk) -> tuple[StaffMember, Section]:
    staff = staff_or_404(request)
    return staff, access.get_section_for(request.user, pk)


def first_name(student) -> str:
    return student.preferred_name or student.given_name
