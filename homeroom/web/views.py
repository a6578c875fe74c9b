"""Home pages, one per role: what each person needs first when they sign in."""

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from homeroom.behavior.forms import FamilyMessageForm
from homeroom.behavior.models import FamilyResponse
from homeroom.forms import QueryForm
from homeroom.insights import facts, families
from homeroom.people import access
from homeroom.people.models import Enrollment, Section
from homeroom.web.templatetags.homeroom import tell_arrivals

from . import stream


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
    """A teacher's sections, each with its number of students; a section's students and their
    families are loaded when it is opened (`section_roster`), not with the page."""
    students = Count(
        "enrollments",
        filter=Q(enrollments__is_active=True, enrollments__student__is_active=True),
        distinct=True,
    )
    sections = (
        access.sections_taught_by(viewer.staff)
        .select_related("school")
        .annotate(student_count=students)
        .order_by("school__name", "period", "title")
    )
    schools = access.school_wide_schools_for(request.user)
    return render(request, "web/staff_home.html", {"sections": sections, "wide_schools": schools})


# A section opened on the teacher home lists this many students; the section's own page
# (paginated) has the rest.
ROSTER_SIZE = 50
# What web/_guardian_chips.html reads of a guardianship and its guardian.
CHIP_FIELDS = (
    "student_id",
    "relationship",
    "household",
    "may_contact",
    "is_primary",
    "guardian__given_name",
    "guardian__family_name",
    "guardian__language",
    "guardian__channel",
    "guardian__joined_at",
    "guardian__district_id",
)


@login_required
def section_roster(request, pk):
    """The students of one of the teacher's sections, each with the guardians the teacher may
    contact (language, channel, joined): the part of the teacher home loaded on opening."""
    section = access.get_section_taught_by(access.viewer_for(request.user).staff, pk)
    if request.headers.get("HX-Request") != "true":
        # Without htmx the section's own page is the place for its roster.
        response = redirect("section_detail", pk=section.pk)
        patch_vary_headers(response, ["HX-Request"])
        return response
    # Only what the chips show: no phone numbers to parse, no imported metadata to decode.
    links = (
        access.guardianships_for(request.user)
        .select_related("guardian")
        .only(*CHIP_FIELDS)
        .order_by("-is_primary", "guardian__family_name", "guardian__given_name")
    )
    enrollments = (
        Enrollment.objects.filter(section=section, is_active=True, student__is_active=True)
        .select_related("student")
        .only("student__given_name", "student__preferred_name", "student__family_name")
        .prefetch_related(
            Prefetch("student__guardianships", queryset=links, to_attr="visible_links")
        )
        .order_by("student__family_name", "student__given_name", "pk")
    )
    roster = list(enrollments[: ROSTER_SIZE + 1])
    tell_arrivals(link.guardian for e in roster for link in e.student.visible_links)
    response = render(
        request,
        "web/partials/section_roster.html",
        {"section": section, "roster": roster[:ROSTER_SIZE], "more": len(roster) > ROSTER_SIZE},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def admin_home(request, viewer):
    """Schools, the last roster import, and how many families have joined — by school and
    by language, so the families still outside show. Read from the last daily roll-up of
    insights when it covers every school; else counted from the links."""
    schools = list(access.schools_managed_by(viewer))
    rolled_up = facts.admin_home(schools, viewer.staff.district_id, viewer.is_district_admin)
    if rolled_up:
        schools, by_language, day = rolled_up
    else:
        (schools, by_language), day = families.joined(schools), None
    last_import = access.roster_imports_for(request.user).first()
    return render(
        request,
        "web/admin_home.html",
        {"schools": schools, "by_language": by_language, "last_import": last_import, "day": day},
    )


class StreamQuery(QueryForm):
    """Where the older part of the family home starts: a moment in time, or the newest."""

    before = forms.DateTimeField(required=False)


@login_required
def family_home(request):
    """What is new across a guardian's children: what waits for them, then the days."""
    viewer = access.viewer_for(request.user)
    if not viewer.is_guardian:
        raise Http404
    before = StreamQuery(request.GET).value("before")
    today = timezone.localdate()
    return render(
        request,
        "web/family_home.html",
        {
            "guardian": viewer.guardian,
            "stream": stream.family_stream(request.user, before=before),
            "before": before,
            "today": today,
            "yesterday": today - timedelta(days=1),
            "kinds": FamilyResponse.Kind,
            "message_form": FamilyMessageForm(),
        },
    )


@login_required
def family_school(request):
    """A guardian's children, their teachers, and how to reach each school."""
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
    return render(request, "web/family_school.html", {"guardian": viewer.guardian, "links": links})
