"""Lists and detail pages of people; each one scoped through people/access.py."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render

from homeroom.forms import SearchForm, page_number, refused

from .. import access
from ..forms import LanguageSuggestionForm
from ..models import Enrollment

PAGE_SIZE = 50


def _visible_links(user):
    return (
        access.guardianships_for(user)
        .select_related("guardian")
        .order_by("-is_primary", "guardian__family_name", "guardian__given_name")
    )


@login_required
def student_list(request):
    query = SearchForm(request.GET).value("q")
    students = access.find_students(request.user, query)
    page = Paginator(students, PAGE_SIZE).get_page(page_number(request))
    # Two students of one name on a page are told apart by their student ID.
    names = Counter(student.full_name.casefold() for student in page)
    for student in page:
        student.namesake = names[student.full_name.casefold()] > 1
    return render(request, "people/student_list.html", {"page": page, "query": query})


@login_required
def student_detail(request, pk):
    student = access.get_student_for(request.user, pk)
    links = _visible_links(request.user).filter(student=student)
    sections = (
        access.sections_for(request.user)
        .filter(enrollments__student=student, enrollments__is_active=True)
        .prefetch_related(
            Prefetch(
                "teaching",
                queryset=access.active_teaching().select_related("staff"),
            )
        )
        .order_by("title")
    )
    return render(
        request,
        "people/student_detail.html",
        {
            "student": student,
            "links": links,
            "sections": sections,
            "programs": student.programs.all(),
        },
    )


@login_required
def section_detail(request, pk):
    section = access.get_section_for(request.user, pk)
    enrollments = (
        Enrollment.objects.filter(section=section, is_active=True, student__is_active=True)
        .filter(student__in=access.students_for(request.user))
        .select_related("student")
        .prefetch_related(Prefetch("student__guardianships", queryset=_visible_links(request.user)))
        .order_by("student__family_name", "student__given_name", "pk")
    )
    page = Paginator(enrollments, PAGE_SIZE).get_page(page_number(request))
    teachers = access.teachers_of_section(section).select_related("staff")
    return render(
        request,
        "people/section_detail.html",
        {
            "section": section,
            "page": page,
            "teachers": teachers,
            "can_invite": access.can_invite(request.user, section.school),
        },
    )


@login_required
def guardian_detail(request, pk):
    # Imported here so this screen's one write (the language suggestion) stays in one place.
    from django.contrib import messages as flash
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from homeroom.languages import language_name

    guardian = access.get_guardian_for(request.user, pk)
    suggestion = (
        {
            "language": guardian.suggested_language,
            "message_id": guardian.suggested_language_message_id,
        }
        if guardian.suggested_language
        else None
    )
    if request.method == "POST":
        # Staff who may see the family act on a reply written in another language.
        if not access.viewer_for(request.user).is_staff_member or suggestion is None:
            return redirect("guardian_detail", guardian.pk)
        form = LanguageSuggestionForm(request.POST)
        if not form.is_valid():
            return refused(form)
        guardian.suggested_language, guardian.suggested_language_message_id = "", None
        fields = ["suggested_language", "suggested_language_message_id"]
        if form.cleaned_data["action"] == "accept" and suggestion.get("language"):
            guardian.language = suggestion["language"]
            fields.append("language")
            flash.success(
                request,
                _("Language updated to %(language)s.")
                % {"language": language_name(guardian.language)},
            )
        guardian.save(update_fields=fields)
        return redirect("guardian_detail", guardian.pk)
    links = (
        access.guardianships_for(request.user)
        .filter(guardian=guardian)
        .select_related("student", "student__school")
        .order_by("student__family_name", "student__given_name")
    )
    viewer = access.viewer_for(request.user)
    can_invite = (
        viewer.is_staff_member
        and not guardian.has_joined
        and any(access.can_invite(request.user, link.student.school) for link in links)
    )
    return render(
        request,
        "people/guardian_detail.html",
        {
            "guardian": guardian,
            "links": links,
            "can_invite": can_invite,
            "language_suggestion": suggestion if viewer.is_staff_member else None,
        },
    )


@login_required
def school_detail(request, pk):
    school = access.get_school_for(request.user, pk)
    viewer = access.viewer_for(request.user)
    context = {"school": school, "is_staff_view": viewer.is_staff_member}
    if viewer.is_staff_member:
        students = access.students_for(request.user).filter(school=school)
        context["student_count"] = students.count()
        context["section_count"] = access.sections_for(request.user).filter(school=school).count()
        context["can_invite"] = access.can_invite_school(request.user, school)
    return render(request, "people/school_detail.html", context)
