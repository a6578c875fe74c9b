"""The engagement survey's pages: staff start it and read the barriers; a family answers it in
its language and then confirms (or not) the preference changes its answers suggest."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from homeroom.languages import STAFF_LANGUAGE, base_language, language_name
from homeroom.messaging import audiences
from homeroom.people import access
from homeroom.people.forms import FamilyPreferencesForm
from homeroom.people.services import update_preferences

from .. import services as survey_services
from ..forms import AnswerForm, initial_answers
from . import services
from .forms import ConfirmForm, StartForm


def _staff_or_404(request):
    viewer = access.viewer_for(request.user)
    if not viewer.is_staff_member:
        raise Http404
    return viewer.staff


def _choices(user):
    return [c for c in audiences.audience_choices(user) if c.audience.kind != "district"]


@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    """One click from the surveys page starts the survey for the widest audience the person
    may ask; the page lets them pick another audience or closing date."""
    staff = _staff_or_404(request)
    choices = _choices(request.user)
    if not choices:
        raise PermissionDenied(_("You have no families to ask."))
    form = StartForm(request.POST if request.method == "POST" else None, choices=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                survey = services.start_engagement_survey(
                    staff, form.chosen_audience, closes_at=form.closes_at
                )
            except survey_services.SurveyRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    _("The start-of-year survey is ready: check it, then send it."),
                )
                return redirect("voice:preview", survey.pk)
        status = 400
    return render(
        request,
        "voice/engagement/start.html",
        {"form": form, "smallest_group": services.SMALLEST_GROUP},
        status=status,
    )


@login_required
def barriers(request):
    _staff_or_404(request)
    report = services.barrier_report(request.user)
    groupings = []
    for grouping in report.groupings:
        columns = [group.rows(report.barriers) for group in grouping.groups]
        rows = [
            (label, [column[index] for column in columns])
            for index, (_key, label) in enumerate(report.barriers)
        ]
        groupings.append(
            {
                "title": grouping.title,
                "hidden": grouping.hidden,
                "groups": grouping.groups,
                "rows": rows,
            }
        )
    return render(
        request,
        "voice/engagement/barriers.html",
        {
            "report": report,
            "groupings": groupings,
            "smallest_group": services.SMALLEST_GROUP,
        },
    )


def answer_builtin(request, survey, guardian):
    """The family's answer page for a built-in survey (the survey link leads here through
    `voice.views.survey_answer`): its texts from the catalogue of the family's language; once
    answered, the preference changes the answers suggest are offered to confirm."""
    questions = services.keyed_questions(survey)
    language = base_language(guardian.language) or STAFF_LANGUAGE
    show_original = request.GET.get("original") == "1"
    texts, translated = services.texts_for_reader(survey, questions, language)
    if show_original:
        texts = {}
    response = survey_services.response_of(survey, guardian)
    is_open = survey.is_open(timezone.now())
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        texts=texts,
        initial=initial_answers(response, questions),
    )
    status = 200
    if request.method == "POST":
        if not is_open:
            form.add_error(None, _("This survey is closed."))
        elif form.is_valid():
            try:
                saved = survey_services.answer_survey(survey, guardian, form.answers())
            except survey_services.SurveyRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Thank you: your answers have been saved."))
                changes = services.preference_changes(guardian, services.keys_of_response(saved))
                if changes:
                    return redirect("voice:engagement:confirm", survey.pk)
                return redirect("voice:answer", survey.pk)
        status = 400
    return render(
        request,
        "voice/answer.html",
        {
            "survey": survey,
            "title": texts.get("title") or survey.title,
            "intro": texts.get("intro", survey.intro) if texts else survey.intro,
            "form": form,
            "is_open": is_open,
            "answered": response is not None,
            "translated": translated and bool(texts) and not show_original,
            "untranslated": not translated,
            "show_original": show_original,
            "language_name": language_name(language),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request, pk):
    """The changes to how the school reaches the family that its answers suggest, each taken
    only when the family confirms it, through the family settings form and service."""
    guardian = access.viewer_for(request.user).guardian
    if guardian is None:
        raise Http404
    survey = services.get_builtin_for_family(request.user, pk)
    response = survey_services.response_of(survey, guardian)
    changes = services.preference_changes(guardian, services.keys_of_response(response))
    form = ConfirmForm(request.POST if request.method == "POST" else None, changes=changes)
    errors = []
    status = 200
    if request.method == "POST" and form.is_valid():
        if not form.any_taken:
            messages.info(request, _("Nothing was changed."))
            return redirect("voice:answer", survey.pk)
        preferences = FamilyPreferencesForm(form.preferences_data(guardian), guardian=guardian)
        preferences.is_valid()
        # Only what the family takes is checked: what is on file stays as it is, even a value
        # the settings form would not take as typed (no quiet hours at all, 0:00 to 0:00).
        taken = form.taken_fields()
        errors = [error for name in taken for error in preferences.errors.get(name, [])]
        if not errors:
            values = {
                name: preferences.cleaned_data[name] if name in taken else getattr(guardian, name)
                for name in ("language", "channel", "quiet_start", "quiet_end")
            }
            update_preferences(guardian, **values)
            messages.success(request, _("Your settings have been updated."))
            return redirect("voice:answer", survey.pk)
        status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "voice/engagement/confirm.html",
        {"survey": survey, "form": form, "changes": changes, "errors": errors},
        status=status,
    )
