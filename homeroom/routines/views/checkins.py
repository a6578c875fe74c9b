"""Today's check-ins: the plan, the calls due and what each call gave."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from homeroom.forms import first_error, page_number
from homeroom.languages import STAFF_LANGUAGE, base_language, language_name
from homeroom.people import access

from .. import checkins as plans
from .. import common
from ..forms import CheckinLogForm, PlanForm
from ..models import ContactPlan, Outcome, PlannedContact, Tone
from .common import staff_or_404

# A teacher makes a few calls an evening: a page of them, the rest one tap away.
CHECKIN_PAGE_SIZE = 20


def _my_sections(staff):
    return access.sections_taught_by(staff).order_by("title")


@login_required
def checkins(request):
    staff = staff_or_404(request)
    sections = list(_my_sections(staff))
    form = PlanForm(request.POST or None, sections=sections)
    status = 200
    load = None  # a plan too busy for one day, shown to confirm or spread before it is saved
    if request.method == "POST":
        if form.is_valid():
            section = None
            if form.cleaned_data["section"]:
                section = next((s for s in sections if s.pk == form.cleaned_data["section"]), None)
                if section is None:
                    raise Http404
            try:
                plan = plans.create_plan(
                    staff,
                    cycle_days=form.cleaned_data["cycle_days"],
                    call_days=form.cleaned_data["call_days"],
                    section=section,
                    busy_confirmed=form.cleaned_data["busy_confirmed"],
                )
            except plans.PlanTooHeavy as refusal:
                load = refusal.load
            except common.RoutineRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Planned %(count)d check-in.",
                        "Planned %(count)d check-ins.",
                        plan.contacts.count(),
                    )
                    % {"count": plan.contacts.count()},
                )
                return redirect("routines:checkins")
        if load is None:
            status = 400
    today = common.local_today(sections[0].school if sections else None)
    due = plans.todays_checkins(staff, today)
    page = Paginator(due, CHECKIN_PAGE_SIZE).get_page(page_number(request))
    # What every card repeats is worked out once per page, not once per card: the links
    # (reversed once, the id put in), the language names, the choices' translated labels.
    log_url = reverse("routines:checkin_log", args=[0]).replace("/0/", "/{}/")
    timeline_url = reverse("routines:timeline", args=[0]).replace("/0/", "/{}/")
    names: dict[str, str] = {}
    for planned in page:
        language = planned.guardian.language
        if language not in names:
            names[language] = language_name(language)
        planned.needs_interpreter = base_language(language) != STAFF_LANGUAGE
        planned.language = names[language]
        planned.log_url = log_url.format(planned.pk)
        planned.timeline_url = timeline_url.format(planned.student_id)
    return render(
        request,
        "routines/checkins.html",
        {
            "page": page,
            "today": today,
            "form": form,
            "load": load,
            "max_calls": plans.MAX_CALLS_PER_DAY,
            "plans": ContactPlan.objects.filter(staff=staff).select_related("section")[:5],
            "interpreters": list(access.interpreters_for(request.user)),
            "outcomes": [(value, str(label)) for value, label in Outcome.choices],
            "tones": [(value, str(label)) for value, label in Tone.choices],
        },
        status=status,
    )


@login_required
@require_POST
def checkin_log(request, pk):
    staff = staff_or_404(request)
    try:
        planned = PlannedContact.objects.select_related("student", "guardian").get(
            pk=pk, plan__staff=staff, student__in=access.students_for(request.user)
        )
    except (PlannedContact.DoesNotExist, ValueError):
        raise Http404 from None
    form = CheckinLogForm(request.POST)
    try:
        if not form.is_valid():
            raise common.RoutineRefused(first_error(form))
        plans.log_contact(
            staff,
            planned.student,
            kind="call",
            guardian=planned.guardian,
            outcome=form.cleaned_data["outcome"],
            tone=form.cleaned_data["tone"] or Tone.POSITIVE,
            note=form.cleaned_data["note"],
            planned=planned,
        )
    except common.RoutineRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Logged: %(name)s.") % {"name": planned.guardian.full_name})
    return redirect("routines:checkins")
