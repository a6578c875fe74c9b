"""The goals pages: a user's goals, one child's goals, one goal, and what may be done to it.

Each view asks `access` for the goal (404 outside the user's scope) and for the side the
user takes; someone who only reads (an admin, an interpreter) gets a 403 on a write.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homeroom.forms import page_number
from homeroom.people import access as people_access

from . import access, display, services
from .forms import GoalForm, NoteForm, OutcomeForm, RenewForm, StrategyForm
from .models import Agreement, Goal, GoalEvent, Side, Strategy

PAGE_SIZE = 50
NOTES_SHOWN = 50


def _person(request, student) -> services.Person | None:
    side = access.side_for(request.user, student)
    if side is None:
        return None
    viewer = people_access.viewer_for(request.user)
    if side == Side.FAMILY:
        return services.Person(side=side, guardian=viewer.guardian)
    return services.Person(side=side, staff=viewer.staff)


def _open_first(goals):
    order = Case(
        When(status=Goal.Status.ACTIVE, then=Value(0)),
        When(status=Goal.Status.PROPOSED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return goals.annotate(open_order=order).order_by("open_order", "ends_on", "pk")


@login_required
def goal_list(request):
    """Every goal the user may see, active and waiting ones first, with their child."""
    viewer = people_access.viewer_for(request.user)
    if viewer.user_id is None:
        raise Http404
    goals = _open_first(access.goals_for(request.user)).select_related("student")
    page = Paginator(goals, PAGE_SIZE).get_page(page_number(request))
    reader = display.reader_of(viewer)
    items = list(page.object_list.prefetch_related("strategies"))
    for goal in items:
        display.show_goal(goal, reader)
    return render(request, "goals/list.html", {"page": page, "goals": items})


@login_required
def student_goals(request, pk):
    student = people_access.get_student_for(request.user, pk)
    viewer = people_access.viewer_for(request.user)
    reader = display.reader_of(viewer)
    goals = list(
        _open_first(access.goals_for(request.user, student)).prefetch_related("strategies")
    )
    for goal in goals:
        display.show_goal(goal, reader)
    return render(
        request,
        "goals/student.html",
        {
            "student": student,
            "goals": goals,
            "side": access.side_for(request.user, student),
        },
    )


def _strategies_of(form) -> list:
    return form.cleaned_data["strategies"]


@login_required
def propose(request, pk):
    student = people_access.get_student_for(request.user, pk)
    person = _person(request, student)
    if person is None:
        return HttpResponseForbidden(_("Only the child's family and teachers take part in a goal."))
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goal = services.propose_goal(
                student,
                person,
                what=data["what"],
                measure=data["measure"],
                ends_on=data["ends_on"],
                strategies=_strategies_of(form),
                remind_every_weeks=data["remind_every_weeks"],
            )
        except services.GoalRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Goal proposed. The other side will be asked to agree."))
            return redirect("goals:goal", goal.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "goals/propose.html",
        {"student": student, "form": form, "goal": None},
        status=status,
    )


def _goal_page(request, goal, *, status=200, **forms):
    viewer = people_access.viewer_for(request.user)
    reader = display.reader_of(viewer)
    person = _person(request, goal.student)
    goal = (
        Goal.objects.filter(pk=goal.pk)
        .select_related("student__school", "proposed_by_staff", "proposed_by_guardian")
        .prefetch_related(
            Prefetch("strategies", Strategy.objects.order_by("position", "pk")),
            Prefetch(
                "agreements",
                Agreement.objects.filter(version=goal.version).select_related("staff", "guardian"),
                to_attr="current_agreements",
            ),
            Prefetch(
                "events",
                GoalEvent.objects.select_related("staff", "guardian"),
                to_attr="history",
            ),
        )
        .get()
    )
    display.show_goal(goal, reader)
    notes = list(display.notes_with_copies(goal.notes.all(), reader)[:NOTES_SHOWN])
    for note in notes:
        display.show_note(note, reader)
    agreed_sides = {row.side for row in goal.current_agreements}
    mine = person is not None and any(
        (row.staff_id and person.staff and row.staff_id == person.staff.pk)
        or (row.guardian_id and person.guardian and row.guardian_id == person.guardian.pk)
        for row in goal.current_agreements
    )
    context = {
        "goal": goal,
        "student": goal.student,
        "notes": notes,
        "person": person,
        "agreed_sides": agreed_sides,
        "i_agreed": mine,
        "waiting_for_me": person is not None
        and goal.status == Goal.Status.PROPOSED
        and person.side not in agreed_sides,
        "may_join": person is not None and goal.is_active and not mine,
        "note_form": forms.get("note_form") or NoteForm(),
        "strategy_form": forms.get("strategy_form")
        or StrategyForm(
            initial={
                "where": Strategy.Where.HOME if person and person.side == Side.FAMILY else "school"
            }
        ),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(),
        "renew_form": forms.get("renew_form") or RenewForm(),
        "error": forms.get("error", ""),
    }
    return render(request, "goals/goal.html", context, status=status)


@login_required
def goal(request, pk):
    return _goal_page(request, access.get_goal_for(request.user, pk))


def _acting(request, pk):
    goal = access.get_goal_for(request.user, pk)
    person = _person(request, goal.student)
    return goal, person


def _refused(request, goal, refusal, **forms):
    return _goal_page(request, goal, status=400, error=str(refusal), **forms)


@login_required
@require_POST
def agree(request, pk):
    goal, person = _acting(request, pk)
    if person is None:
        return HttpResponseForbidden(_("Only the child's family and teachers take part in a goal."))
    try:
        goal = services.agree(goal, person)
    except services.GoalRefused as refusal:
        return _refused(request, goal, refusal)
    if goal.is_active:
        messages.success(request, _("Agreed. The goal is active."))
    else:
        messages.success(request, _("Agreed. Waiting for the other side."))
    return redirect("goals:goal", goal.pk)


@login_required
@require_POST
def decline(request, pk):
    goal, person = _acting(request, pk)
    if person is None:
        return HttpResponseForbidden(_("Only the child's family and teachers take part in a goal."))
    try:
        services.decline(goal, person)
    except services.GoalRefused as refusal:
        return _refused(request, goal, refusal)
    messages.success(request, _("Declined. You can propose another goal any time."))
    return redirect("goals:goal", goal.pk)


@login_required
def edit(request, pk):
    goal, person = _acting(request, pk)
    if person is None:
        return HttpResponseForbidden(_("Only the child's family and teachers take part in a goal."))
    form = GoalForm(request.POST or None, initial=GoalForm.initial_for(goal))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_goal(
                goal,
                person,
                what=data["what"],
                measure=data["measure"],
                ends_on=data["ends_on"],
                strategies=_strategies_of(form),
            )
        except services.GoalRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Changed. The other side will be asked to agree again."))
            return redirect("goals:goal", goal.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "goals/propose.html",
        {"student": goal.student, "form": form, "goal": goal},
        status=status,
    )


@login_required
@require_POST
def add_strategy(request, pk):
    goal, person = _acting(request, pk)
    if person is None:
        return HttpResponseForbidden(_("Only the child's family and teachers take part in a goal."))
    form = StrategyForm(request.POST)
    if not form.is_valid():
        return _goal_page(request, goal, status=400, strategy_form=form)
    try:
        services.add_own_strategy(goal, person, form.strategy())
    except services.GoalRefused as refusal:
        return _refused(request, goal, refusal, strategy_form=form)
    messages.success(request, _("Added."))
    return redirect("goals:goal", goal.pk)


@login_required
@require_POST
def add_note(request, pk):
    goal, person = _acting(request, pk)
    if person is None:
        return HttpResponseForbidden(_("Only the child's family and teachers take part in a goal."))
    form = NoteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _goal_page(request, goal, status=400, note_form=form)
    try:
        services.add_note(
            goal,
            person,
            text=form.cleaned_data["text"],
            kind=form.kind,
            photo=form.cleaned_data.get("photo"),
        )
    except services.GoalRefused as refusal:
        return _refused(request, goal, refusal, note_form=form)
    messages.success(request, _("Thank you! Your note is added."))
    return redirect("goals:goal", goal.pk)


@login_required
@require_POST
def outcome(request, pk):
    goal, person = _acting(request, pk)
    if person is None:
        return HttpResponseForbidden(_("Only the child's family and teachers take part in a goal."))
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _goal_page(request, goal, status=400, outcome_form=form)
    try:
        services.record_outcome(goal, person, met=form.cleaned_data["met"])
    except services.GoalRefused as refusal:
        return _refused(request, goal, refusal)
    messages.success(request, _("Saved. You can renew the goal if you like."))
    return redirect("goals:goal", goal.pk)


@login_required
@require_POST
def renew(request, pk):
    goal, person = _acting(request, pk)
    if person is None:
        return HttpResponseForbidden(_("Only the child's family and teachers take part in a goal."))
    form = RenewForm(request.POST)
    if not form.is_valid():
        return _goal_page(request, goal, status=400, renew_form=form)
    try:
        renewed = services.renew(goal, person, ends_on=form.cleaned_data["ends_on"])
    except services.GoalRefused as refusal:
        return _refused(request, goal, refusal)
    messages.success(request, _("Renewed. The other side will be asked to agree."))
    return redirect("goals:goal", renewed.pk)


@login_required
def note_photo(request, pk):
    note = access.get_note_for(request.user, pk)
    if not note.photo:
        raise Http404
    response = FileResponse(note.photo.open("rb"), content_type=note.photo_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
