"""A new conversation: staff pick a student and see who receives it, how and in which
language; a family picks a child and writes to its teachers or the school office.
"""

from collections import defaultdict

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from homeroom.forms import page_number
from homeroom.people import access as people_access
from homeroom.people.models import StaffMember, Student
from homeroom.translation.protection import names_of

from .. import previews, services
from ..forms import ComposeQuery, FamilyComposeForm, StaffComposeForm
from ..models import SmsOptOut
from .common import PAGE_SIZE, ask_an_interpreter, holding, is_htmx, refusal_text, sent_text


@login_required
def compose(request):
    viewer = people_access.viewer_for(request.user)
    if viewer.is_staff_member:
        return _staff_compose(request, viewer)
    if viewer.is_guardian:
        return _family_compose(request, viewer)
    raise Http404


def _staff_compose(request, viewer):
    chosen = ComposeQuery(request.GET).value("student")
    if not chosen:
        return _pick_student(request)
    student = people_access.get_student_for(request.user, chosen)
    links = list(
        people_access.contactable_links_for(request.user, about_the_child=True)
        .filter(student=student)
        .select_related("guardian")
        .annotate(sms_off=Exists(SmsOptOut.objects.filter(phone=OuterRef("guardian__phone"))))
        .order_by("-is_primary", "guardian__family_name", "guardian__given_name", "pk")
    )
    recipients = [previews.recipient_plan(link) for link in links]
    groups = previews.language_groups(previews.recipients_count(recipients), school=student.school)
    untranslatable = [g for g in groups if not g.available]
    form = StaffComposeForm(
        request.POST or None,
        request.FILES or None,
        untranslatable=untranslatable,
        initial={"untranslated": previews.suggested_untranslated(untranslatable)},
    )
    protect = names_of(student, viewer.staff, *(r.guardian for r in recipients))
    copies = None
    if request.method == "POST":
        if "preview" in request.POST:
            if form.is_valid():
                copies = previews.copies_of(
                    form.cleaned_data["text"], groups, student.school, protect
                )
            if is_htmx(request):
                return render(
                    request, "messaging/partials/preview.html", {"form": form, "copies": copies}
                )
        elif form.is_valid():
            if not recipients:
                form.add_error(None, _("No one in this family can be contacted by the school."))
            else:
                with holding(form):
                    conversation = services.start_conversation(
                        student=student,
                        by_staff=viewer.staff,
                        text=form.cleaned_data["text"],
                        subject=form.cleaned_data["subject"],
                        urgent_reason=form.reason,
                        media=form.media_items(),
                    )
                    ask_an_interpreter(form, conversation.messages.get(), viewer)
                flash.success(request, sent_text(form))
                return redirect("conversation", conversation.pk)
    return render(
        request,
        "messaging/compose_staff.html",
        {
            "student": student,
            "recipients": recipients,
            "groups": groups,
            "untranslatable": untranslatable,
            "form": form,
            "copies": copies,
        },
    )


def _pick_student(request):
    query = ComposeQuery(request.GET).value("q")
    students = people_access.find_students(request.user, query)
    page = Paginator(students, PAGE_SIZE).get_page(page_number(request))
    return render(request, "messaging/compose_pick_student.html", {"page": page, "query": query})


def _family_compose(request, viewer):
    links = list(
        people_access.contactable_links_for(request.user)
        .filter(guardian=viewer.guardian)
        .select_related("student", "student__school")
        .order_by("student__given_name", "student__family_name", "pk")
    )
    chosen = ComposeQuery(request.GET).value("student")
    if not chosen and len(links) == 1:
        chosen = links[0].student_id
    if not chosen:
        return render(request, "messaging/compose_pick_child.html", {"links": links})
    student = people_access.get_student_for(request.user, chosen)
    if student.pk not in {link.student_id for link in links}:
        raise Http404
    teachers = _teachers_of(student)
    form = FamilyComposeForm(request.POST or None, teachers=teachers)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.start_conversation(
                student=student,
                by_guardian=viewer.guardian,
                staff=form.recipients,
                text=form.cleaned_data["text"],
            )
        except ValueError:
            form.add_error(None, refusal_text("unavailable"))
        else:
            flash.success(request, _("Your message was sent to the school."))
            return redirect("conversation", conversation.pk)
    return render(
        request,
        "messaging/compose_family.html",
        {"student": student, "form": form, "several_children": len(links) > 1},
    )


def _teachers_of(student: Student) -> list[StaffMember]:
    """The child's current teachers, each labelled with the classes they teach the child."""
    teaching = (
        people_access.teachers_of_student(student)
        .select_related("staff", "section")
        .order_by("staff__family_name", "staff__given_name", "section__title")
    )
    teachers: dict[int, StaffMember] = {}
    classes: dict[int, list[str]] = defaultdict(list)
    for assignment in teaching:
        teachers.setdefault(assignment.staff_id, assignment.staff)
        if assignment.section.title not in classes[assignment.staff_id]:
            classes[assignment.staff_id].append(assignment.section.title)
    for pk, teacher in teachers.items():
        teacher.choice_label = _("%(name)s — %(classes)s") % {
            "name": teacher.full_name,
            "classes": ", ".join(classes[pk]),
        }
    return list(teachers.values())
