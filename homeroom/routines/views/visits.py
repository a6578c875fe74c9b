"""Home visits: offering times, the family's answer, and what they shared."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homeroom.forms import first_error
from homeroom.people import access

from .. import access as routines_access
from .. import common
from .. import visits as home_visits
from ..forms import VisitAnswerForm, VisitNotesForm, VisitProposalForm
from ..models import HomeVisit
from .common import first_name, staff_or_404


@login_required
def visits(request, pk):
    staff = staff_or_404(request)
    student = access.get_student_for(request.user, pk)
    guardians = list(
        access.guardians_for(request.user)
        .filter(
            Exists(
                access.contactable_links(about_the_child=True).filter(
                    guardian=OuterRef("pk"), student=student
                )
            )
        )
        .distinct()
        .order_by("family_name", "given_name")
    )
    form = VisitProposalForm(request.POST or None, guardians=guardians)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            guardian = next((g for g in guardians if g.pk == data["guardian"]), None)
            if guardian is None:
                raise Http404
            try:
                home_visits.propose_home_visit(
                    staff, student, guardian, [data["slot_1"], data["slot_2"], data["slot_3"]]
                )
            except common.RoutineRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("The family has been sent the times to choose from."))
                return redirect("routines:visits", student.pk)
        status = 400
    return render(
        request,
        "routines/visits.html",
        {
            "student": student,
            "form": form,
            "visits": home_visits.visits_for_staff(request.user, student),
            "notes_form": VisitNotesForm(),
        },
        status=status,
    )


@login_required
@require_POST
def visit_notes(request, pk):
    staff = staff_or_404(request)
    try:
        visit = HomeVisit.objects.select_related("student").get(
            pk=pk, staff=staff, student__in=access.students_for(request.user)
        )
    except (HomeVisit.DoesNotExist, ValueError):
        raise Http404 from None
    form = VisitNotesForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            home_visits.record_home_visit(
                visit,
                hopes=data["notes_hopes"],
                worries=data["notes_worries"],
                learning=data["notes_learning"],
                share_with_teachers=data["share_with_teachers"],
            )
        except common.RoutineRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("What the family shared is saved."))
    return redirect("routines:visits", visit.student_id)


@login_required
def visit(request, pk):
    """The family's page: pick one of the times offered, propose another, or decline."""
    viewer = access.viewer_for(request.user)
    if not viewer.is_guardian:
        raise Http404
    try:
        home_visit = (
            routines_access.family_visits_for(request.user)
            .select_related("student", "staff")
            .get(pk=pk)
        )
    except (HomeVisit.DoesNotExist, ValueError):
        raise Http404 from None
    error = None
    if request.method == "POST":
        form = VisitAnswerForm(request.POST)
        try:
            if not form.is_valid():
                raise common.RoutineRefused(first_error(form))
            home_visits.answer_home_visit(
                home_visit,
                slot=form.cleaned_data["slot"],
                proposal=form.cleaned_data["proposal"],
                decline=bool(form.cleaned_data["decline"]),
            )
        except common.RoutineRefused as refusal:
            error = str(refusal)
        else:
            messages.success(request, _("Thank you. Your answer is saved."))
            return redirect("routines:visit", home_visit.pk)
    return render(
        request,
        "routines/visit_family.html",
        {
            "visit": home_visit,
            "slots": [
                {"value": slot.isoformat(), "at": slot}
                for slot in home_visits.visit_slots(home_visit)
            ],
            "first_name": first_name(home_visit.student),
            "error": error,
        },
        status=400 if error else 200,
    )
