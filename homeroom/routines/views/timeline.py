"""The contact timeline of a student, and logging a contact."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from homeroom.languages import reading_language
from homeroom.people import access

from .. import checkins as plans
from .. import common
from .. import timeline as timelines
from ..forms import ContactForm, TimelinePageForm
from .common import staff_or_404

TIMELINE_PAGE_SIZE = 25


@login_required
def timeline(request, pk):
    staff = staff_or_404(request)
    student = access.get_student_for(request.user, pk)
    query = TimelinePageForm(request.GET)
    htmx = request.headers.get("HX-Request") == "true"
    # The log form (and the guardians it lists) only when it is opened or posted: most
    # visits read the timeline.
    form = None
    if request.method == "POST" or query.value("log"):
        guardians = list(
            access.guardians_for(request.user)
            .filter(guardianships__student=student)
            .order_by("family_name", "given_name")
        )
        form = ContactForm(request.POST or None, guardians=guardians)
        if request.method == "GET" and htmx:
            return _vary(render(request, "routines/partials/log_contact.html", {"form": form}))
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
    # No count of the whole history: one row more than a page says whether older ones wait.
    number = query.value("page")
    start = (number - 1) * TIMELINE_PAGE_SIZE
    rows = list(
        timelines.contact_timeline(student, request.user)[start : start + TIMELINE_PAGE_SIZE + 1]
    )
    context = {
        "student": student,
        "items": timelines.timeline_items(
            rows[:TIMELINE_PAGE_SIZE], request.user, reader=reading_language(staff)
        ),
        "older": number + 1 if len(rows) > TIMELINE_PAGE_SIZE else None,
        "newer": number - 1 if number > 1 else None,
        "form": form,
    }
    if request.method == "GET" and htmx:
        # "Show older contacts": only the next items, appended where the button was.
        return _vary(render(request, "routines/partials/timeline_items.html", context))
    return _vary(render(request, "routines/timeline.html", context, status=status))


def _vary(response):
    patch_vary_headers(response, ["HX-Request"])
    return response
