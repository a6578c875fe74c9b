"""The contact timeline of a student, and logging a contact."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from homeroom.languages import reading_language
from homeroom.people import access

from .. import checkins as plans
from .. import common
from .. import timeline as timelines
from ..forms import ContactForm
from .common import staff_or_404

TIMELINE_PAGE_SIZE = 25


@login_required
def timeline(request, pk):
    staff = staff_or_404(request)
    student = access.get_student_for(request.user, pk)
    guardians = list(
        access.guardians_for(request.user)
        .filter(guardianships__student=student)
        .order_by("family_name", "given_name")
    )
    form = ContactForm(request.POST or None, guardians=guardians)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            guardian = next((g for g in guardians if g.pk == data["guardian"]), None)
            try:
                plans.log_contact(
                    staff,
                    student,
                    kind=data["kind"],
                    tone=data["tone"],
                    direction=data["direction"],
                    note=data["note"],
                    guardian=guardian,
                )
            except common.RoutineRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Contact logged."))
                return redirect("routines:timeline", student.pk)
        status = 400
    page = Paginator(
        timelines.contact_timeline(student, request.user), TIMELINE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "routines/timeline.html",
        {
            "student": student,
            "page": page,
            "items": timelines.timeline_items(
                list(page), request.user, reader=reading_language(staff)
            ),
            "form": form,
        },
        status=status,
    )
