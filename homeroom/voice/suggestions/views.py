"""Suggestion pages. Families: the school's public list, sending one, one suggestion with its
history, supporting it. Staff: the school's list, the overdue list, one suggestion with its
owner and status. Both: a school's "you said, we did"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homeroom.languages import STAFF_LANGUAGE, base_language, language_name, reading_language
from homeroom.people import access

from .. import access as voice_access
from ..models import Suggestion, SuggestionEvent, Support
from . import services
from .forms import (
    AnswerWithinForm,
    OwnerForm,
    PageForm,
    StaffFilterForm,
    StatusForm,
    SuggestionForm,
    VisibilityForm,
)

PER_PAGE = 25
STAFF_BASE = base_language(STAFF_LANGUAGE)


def _guardian_or_404(request):
    guardian = access.viewer_for(request.user).guardian
    if guardian is None:
        raise Http404
    return guardian


def _staff_or_404(request):
    staff = access.viewer_for(request.user).staff
    if staff is None:
        raise Http404
    return staff


def _page(request, queryset):
    form = PageForm(request.GET)
    number = form.cleaned_data.get("page") if form.is_valid() else None
    return Paginator(queryset, PER_PAGE).get_page(number or 1)


def _events():
    return Prefetch(
        "events",
        queryset=SuggestionEvent.objects.exclude(status="").order_by("at", "pk"),
        to_attr="history",
    )


def _present(suggestion, reader: str, *, as_family: bool) -> None:
    """What the page shows of a suggestion, in the reader's language."""
    suggestion.shown = services.shown_in(
        suggestion.text, suggestion.language, suggestion.translations, reader
    )
    suggestion.answer_shown = services.shown_in(
        suggestion.answer, STAFF_BASE, suggestion.answer_translations, reader
    )
    for event in getattr(suggestion, "history", []):
        event.answer_shown = services.shown_in(
            event.answer, STAFF_BASE, event.answer_translations, reader
        )


# ---- families -------------------------------------------------------------------------------


def _family_supports(guardian):
    _key, members = services.family_of(guardian)
    return Support.objects.filter(suggestion=OuterRef("pk"), guardian_id__in=sorted(members))


@login_required
def family_list(request):
    guardian = _guardian_or_404(request)
    schools = list(voice_access.suggestion_schools_for_family(request.user))
    suggestions = (
        voice_access.suggestions_for_family(request.user)
        .select_related("school")
        .annotate(supported=Exists(_family_supports(guardian)))
        .prefetch_related(_events())
        .order_by("-created_at", "-pk")
    )
    page = _page(request, suggestions)
    language = base_language(guardian.language) or STAFF_BASE
    for suggestion in page:
        _present(suggestion, language, as_family=True)
        suggestion.mine = suggestion.guardian_id == guardian.pk
    return render(
        request,
        "voice/suggestions/family_list.html",
        {"page": page, "schools": schools, "reader": language},
    )


@login_required
def new(request):
    guardian = _guardian_or_404(request)
    allowed = voice_access.suggestion_schools_for_family(request.user)
    schools = list(allowed)
    if not schools:
        raise Http404
    form = SuggestionForm(
        request.POST or None, schools=allowed, only=schools[0] if len(schools) == 1 else None
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                suggestion = services.send_suggestion(
                    guardian,
                    form.cleaned_data["school"],
                    form.cleaned_data["text"],
                    private=form.cleaned_data["private"],
                )
            except services.SuggestionRefused as refusal:
                form.add_error("text", str(refusal))
            else:
                messages.success(request, _("Thank you: the school has your suggestion."))
                return redirect("suggestions:detail", suggestion.pk)
        status = 400
    return render(
        request, "voice/suggestions/new.html", {"form": form, "schools": schools}, status=status
    )


@login_required
def detail(request, pk):
    guardian = _guardian_or_404(request)
    suggestion = voice_access.get_suggestion_for_family(request.user, pk)
    suggestion.history = list(suggestion.events.exclude(status="").order_by("at", "pk"))
    language = base_language(guardian.language) or STAFF_BASE
    _present(suggestion, language, as_family=True)
    mine = suggestion.guardian_id == guardian.pk
    supported = Support.objects.filter(
        suggestion=suggestion, guardian_id__in=sorted(services.family_of(guardian)[1])
    ).exists()
    return render(
        request,
        "voice/suggestions/detail.html",
        {
            "suggestion": suggestion,
            "mine": mine,
            "supported": supported,
            "may_support": not mine
            and not supported
            and not suggestion.private
            and not suggestion.is_closed,
            "reader": language,
        },
    )


@login_required
@require_POST
def support(request, pk):
    guardian = _guardian_or_404(request)
    suggestion = voice_access.get_suggestion_for_family(request.user, pk)
    try:
        services.support(suggestion, guardian)
    except services.SuggestionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, _("Thank you: your family supports it. We will tell you what becomes of it.")
        )
    return redirect("suggestions:detail", suggestion.pk)


@login_required
@require_POST
def visibility(request, pk):
    guardian = _guardian_or_404(request)
    suggestion = voice_access.get_suggestion_for_family(request.user, pk)
    form = VisibilityForm(request.POST)
    if form.is_valid():
        try:
            services.set_private(suggestion, guardian, form.cleaned_data["private"])
        except services.SuggestionRefused as refusal:
            messages.error(request, str(refusal))
    else:
        messages.error(request, _("Choose from the list."))
    return redirect("suggestions:detail", suggestion.pk)


# ---- staff ----------------------------------------------------------------------------------


@login_required
def staff_list(request):
    staff = _staff_or_404(request)
    filters = StaffFilterForm(request.GET)
    chosen = filters.cleaned_data.get("status", "") if filters.is_valid() else ""
    suggestions = (
        voice_access.suggestions_for_staff(request.user)
        .select_related("school", "owner", "guardian")
        .order_by("-created_at", "-pk")
    )
    if chosen:
        suggestions = suggestions.filter(status=chosen)
    page = _page(request, suggestions)
    reader = reading_language(staff)
    for suggestion in page:
        _present(suggestion, reader, as_family=False)
    return render(
        request,
        "voice/suggestions/staff_list.html",
        {
            "page": page,
            "filters": filters,
            "overdue": services.overdue_for_staff(request.user).count(),
            "reader": reader,
        },
    )


@login_required
def overdue(request):
    staff = _staff_or_404(request)
    schools = list(voice_access.suggestion_schools_for_staff(request.user))
    managed = [school for school in schools if access.can_manage_school(request.user, school)]
    form = None
    if managed:
        school = managed[0]
        row = getattr(school, "suggestion_settings", None)
        initial = {"answer_within_days": row.answer_within_days if row else 5}
        form = AnswerWithinForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            days = form.cleaned_data["answer_within_days"]
            for school in managed:
                services.set_answer_within_days(school, days)
            messages.success(request, _("Saved."))
            return redirect("suggestions:overdue")
    elif request.method == "POST":
        raise Http404
    suggestions = (
        services.overdue_for_staff(request.user)
        .select_related("school", "owner", "guardian")
        .order_by("created_at", "pk")
    )
    page = _page(request, suggestions)
    reader = reading_language(staff)
    for suggestion in page:
        _present(suggestion, reader, as_family=False)
    return render(
        request,
        "voice/suggestions/overdue.html",
        {"page": page, "schools": schools, "form": form, "reader": reader},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def staff_detail(request, pk):
    staff = _staff_or_404(request)
    suggestion = voice_access.get_suggestion_for_staff(request.user, pk)
    owners = voice_access.suggestion_owners_at(suggestion.school)
    action = request.POST.get("action") if request.method == "POST" else None
    owner_form = OwnerForm(
        request.POST if action == "owner" else None,
        owners=owners,
        initial={"owner": suggestion.owner_id},
    )
    status_form = StatusForm(request.POST if action == "status" else None, suggestion=suggestion)
    status = 200
    if action == "owner":
        if owner_form.is_valid():
            services.assign_owner(suggestion, owner_form.cleaned_data["owner"], staff)
            messages.success(request, _("The owner is set."))
            return redirect("suggestions:staff_detail", suggestion.pk)
        status = 400
    elif action == "status":
        if status_form.is_valid():
            try:
                services.change_status(
                    suggestion,
                    status_form.cleaned_data["status"],
                    status_form.cleaned_data["answer"],
                    staff,
                )
            except services.SuggestionRefused as refusal:
                status_form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Saved: the family and its supporters are told."))
                return redirect("suggestions:staff_detail", suggestion.pk)
        status = 400
    elif request.method == "POST":
        raise Http404
    suggestion.history = list(suggestion.events.select_related("by", "owner").order_by("at", "pk"))
    reader = reading_language(staff)
    _present(suggestion, reader, as_family=False)
    return render(
        request,
        "voice/suggestions/staff_detail.html",
        {
            "suggestion": suggestion,
            "owner_form": owner_form,
            "status_form": status_form,
            "reader": reader,
            "written_in": language_name(suggestion.language),
            "now": timezone.now(),
        },
        status=status,
    )


# ---- both -----------------------------------------------------------------------------------


@login_required
def said_and_done(request, school_pk):
    school = voice_access.suggestion_school_for(request.user, school_pk)
    viewer = access.viewer_for(request.user)
    if viewer.is_guardian and not viewer.is_staff_member:
        reader = base_language(viewer.guardian.language) or STAFF_BASE
    else:
        reader = reading_language(viewer.staff) if viewer.staff else STAFF_BASE
    suggestions = (
        Suggestion.objects.filter(school=school, private=False, status__in=services.SAID_AND_DONE)
        .prefetch_related(_events())
        .order_by("-updated_at", "-pk")
    )
    page = _page(request, suggestions)
    for suggestion in page:
        _present(suggestion, reader, as_family=True)
    return render(
        request,
        "voice/suggestions/said_and_done.html",
        {"school": school, "page": page, "reader": reader},
    )
