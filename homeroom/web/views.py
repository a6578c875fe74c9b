"""Home pages, one per role: what each person needs first when they sign in."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import render

from homeroom.insights import families
from homeroom.people import access
from homeroom.people.models import Enrollment, Section, Student


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    viewer = access.viewer_for(request.user)
    if viewer.is_admin:
        return admin_home(request, viewer)
    if viewer.is_staff_member:
        return staff_home(request, viewer)
    if viewer.is_guardian:
        return family_home(request)
    return render(request, "web/no_role.html", status=403)


def staff_home(request, viewer):
    """A teacher's sections, each student with guardians, language, channel and joined."""
    links = (
        access.guardianships_for(request.user)
        .select_related("guardian")
        .order_by("-is_primary", "guardian__family_name")
    )
    students = Student.objects.filter(is_active=True).prefetch_related(
        Prefetch("guardianships", queryset=links, to_attr="visible_links")
    )
    enrollments = (
        Enrollment.objects.filter(is_active=True, student__is_active=True)
        .prefetch_related(Prefetch("student", queryset=students))
        .order_by("student__family_name", "student__given_name")
    )
    sections = (
        access.sections_taught_by(viewer.staff)
        .select_related("school")
        .prefetch_related(Prefetch("enrollments", queryset=enrollments, to_attr="roster"))
        .order_by("school__name", "period", "title")
    )
    schools = access.school_wide_schools_for(request.user)
    return render(request, "web/staff_home.html", {"sections": sections, "wide_schools": schools})


def admin_home(request, viewer):
    """Schools, the last roster import, and how many families have joined — by school and
    by language, so the families still outside show."""
    schools, by_language = families.joined(list(access.schools_managed_by(viewer)))
    last_import = access.roster_imports_for(request.user).first()
    return render(
        request,
        "web/admin_home.html",
        {"schools": schools, "by_language": by_language, "last_import": last_import},
    )


@login_required
def family_home(request):
    """A guardian's children, their teachers, and how to reach the school."""
    viewer = access.viewer_for(request.user)
    if not viewer.is_guardian:
        raise Http404
    teaching = access.active_teaching().select_related("staff")
    # The enrollments below are of active sections already.
    sections = Section.objects.prefetch_related(
        Prefetch("teaching", queryset=teaching, to_attr="active_teaching")
    )
    enrollments = Enrollment.objects.filter(
        is_active=True, section__is_active=True
    ).prefetch_related(Prefetch("section", queryset=sections))
    links = (
        access.own_children_links(request.user)
        .select_related("student", "student__school")
        .prefetch_related(
            Prefetch("student__enrollments", queryset=enrollments, to_attr="active_enrollments")
        )
        .order_by("student__given_name")
    )
    return render(request, "web/family_home.html", {"guardian": viewer.guardian, "links": links})
