"""Survey pages: the staff's list, builder, preview per language, results and export; the
family's answer page."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from homeroom.languages import STAFF_LANGUAGE, base_language, language_name, reading_language
from homeroom.messaging import audiences
from homeroom.people import access

from . import access as voice_access
from . import services
from .engagement import services as engagement
from .engagement import views as engagement_views
from .forms import (
    AnswerForm,
    FamilyList,
    GroupSurveyForm,
    SurveyForm,
    TranslationsForm,
    initial_answers,
    question_forms,
)

# A cell a spreadsheet would read as a formula starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _staff_or_404(request):
    viewer = access.viewer_for(request.user)
    if not viewer.is_staff_member:
        raise Http404
    return viewer.staff


def _survey_choices(user):
    # Surveys go where announcements may: a class, a grade, a school, the district.
    return audiences.audience_choices(user)


def _family_lists(user, choices) -> list[FamilyList]:
    """A list of families at each school the person may ask a class or more of (a district's
    admins: the schools they also work at)."""
    schools = {
        choice.school.pk: choice.school
        for choice in choices
        if choice.school is not None and choice.audience.kind != "district"
    }
    families = voice_access.families_to_list(user, list(schools))
    return [
        FamilyList(
            school_id=pk,
            label=_("Families I choose, %(school)s") % {"school": school.name},
            families=families[pk],
        )
        for pk, school in schools.items()
        if families.get(pk)
    ]


@login_required
def survey_list(request):
    _staff_or_404(request)
    surveys = list(
        voice_access.surveys_for_staff(request.user)
        .select_related("school", "district", "created_by")
        .annotate(answered=Count("responses", distinct=True))
        .order_by("-created_at", "-pk")[:100]
    )
    for survey in surveys:
        survey.rate = services.response_rate(survey, survey.answered)
    return render(
        request,
        "voice/list.html",
        {
            "surveys": surveys,
            "may_create": bool(_survey_choices(request.user)),
            "now": timezone.now(),
        },
    )


@login_required
def survey_new(request):
    staff = _staff_or_404(request)
    choices = _survey_choices(request.user)
    if not choices:
        raise PermissionDenied(_("You have no families to ask."))
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, choices=choices, lists=_family_lists(request.user, choices))
    questions = question_forms(data)
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        valid = all([q.is_valid() for q in questions]) and valid
        if valid:
            drafts = [draft for q in questions if (draft := q.draft()) is not None]
            try:
                survey = services.create_survey(
                    staff,
                    title=form.cleaned_data["title"].strip(),
                    intro=form.cleaned_data["intro"].strip(),
                    closes_at=form.closes_at,
                    anonymous=form.cleaned_data["anonymous"],
                    audience=form.chosen_audience,
                    questions=drafts,
                )
            except services.SurveyRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                return redirect("voice:preview", survey.pk)
        status = 400
    return render(request, "voice/new.html", {"form": form, "questions": questions}, status=status)


def _for_author(request, pk):
    """The survey and who reads it as its author's side: a staff member of its school
    (`staff`), or a parent leader of its group (`leader`); anyone else gets a 404."""
    viewer = access.viewer_for(request.user)
    if viewer.is_staff_member:
        try:
            return voice_access.get_survey_for_staff(request.user, pk), viewer.staff, None
        except Http404:
            if viewer.guardian is None:
                raise
    if viewer.guardian is None:
        raise Http404
    return voice_access.get_survey_for_leader(request.user, pk), None, viewer.guardian


@login_required
def group_survey_new(request, group_pk):
    """A parent leader builds a survey for the members of their group."""
    group = voice_access.get_group_for(request.user, group_pk)
    leader = access.viewer_for(request.user).guardian
    if leader is None or not voice_access.is_parent_leader(request.user, group):
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = GroupSurveyForm(data)
    questions = question_forms(data)
    status = 200
    if request.method == "POST":
        valid = form.is_valid()
        valid = all([q.is_valid() for q in questions]) and valid
        if valid:
            drafts = [draft for q in questions if (draft := q.draft()) is not None]
            try:
                survey = services.create_group_survey(
                    leader,
                    group,
                    title=form.cleaned_data["title"].strip(),
                    intro=form.cleaned_data["intro"].strip(),
                    closes_at=form.closes_at,
                    anonymous=form.cleaned_data["anonymous"],
                    questions=drafts,
                )
            except services.SurveyRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                return redirect("voice:preview", survey.pk)
        status = 400
    return render(
        request,
        "voice/new.html",
        {"form": form, "questions": questions, "group": group},
        status=status,
    )


@login_required
def survey_preview(request, pk):
    survey, staff, leader = _for_author(request, pk)
    if survey.is_sent:
        return redirect("voice:results", survey.pk)
    questions = services.questions_of(survey)
    groups = services.language_groups(survey)
    versions = services.draft_translations(survey, questions, groups)
    texts = services.source_texts(survey, questions)
    option_sets = [
        [f"o{option.pk}" for option in question.options.all()]
        for question in questions
        if question.has_options
    ]
    form = TranslationsForm(
        request.POST or None, versions=versions, labels=texts, option_sets=option_sets
    )
    status = 200
    if request.method == "POST":
        # Only someone who may ask these families sends (or changes) the survey: a group's
        # survey, only a leader of the group.
        if survey.group_id is not None:
            if leader is None:
                raise PermissionDenied(_("Only the group's parent leaders send its surveys."))
        else:
            audiences.check_audience(staff, services.audience_of(survey))
        if form.is_valid():
            services.save_translations(survey, form.checked())
            try:
                if leader is not None:
                    services.send_group_survey(survey, leader)
                else:
                    services.send_survey(survey, staff)
            except services.SurveyRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    _("The survey has been sent to %(count)s families.")
                    % {"count": survey.reached},
                )
                return redirect("voice:results", survey.pk)
        status = 400
    languages = []
    for group in groups:
        if group.is_source:
            continue
        languages.append(
            {
                "group": group,
                "fields": form.fields_of(group.language),
                "untranslated": versions.get(group.language) is None,
            }
        )
    return render(
        request,
        "voice/preview.html",
        {
            "survey": survey,
            "questions": questions,
            "groups": groups,
            "families": sum(group.families for group in groups),
            "survey_languages": languages,
            "form": form,
            "for_staff": staff is not None,
        },
        status=status,
    )


@login_required
def survey_results(request, pk):
    survey, staff, leader = _for_author(request, pk)
    questions = services.questions_of(survey)
    reader = reading_language(staff) if staff else base_language(leader.language)
    responses, results = services.results(survey, questions, reader or STAFF_LANGUAGE)
    breakdown = services.by_language(survey)
    if breakdown and breakdown.languages:
        for result in results:
            for row in result.options:
                row.by_language = [
                    (language_name(language), breakdown.shares.get((row.option.pk, language), 0))
                    for language, _n in breakdown.languages
                ]
    group_breakdowns = _group_breakdowns(survey, results)
    return render(
        request,
        "voice/results.html",
        {
            "survey": survey,
            "responses": responses,
            "rate": services.response_rate(survey, responses),
            "results": results,
            "breakdown": breakdown,
            "breakdown_languages": [
                (language_name(language), n) for language, n in breakdown.languages
            ]
            if breakdown
            else [],
            "language_rates": [
                (language_name(language), n, breakdown.rates.get(language))
                for language, n in breakdown.languages
            ]
            if breakdown
            else [],
            "group_breakdowns": group_breakdowns,
            "smallest_group": services.SMALLEST_GROUP,
            "for_staff": staff is not None,
        },
    )


# -- figures by grade, program and school --


def _group_title(dimension: str) -> str:
    return {"grade": _("By grade"), "program": _("By program"), "school": _("By school")}[dimension]


def _group_label(dimension: str, key: str) -> str:
    if dimension == "grade":
        return _("Grade %(grade)s") % {"grade": key} if key else _("No grade")
    if dimension == "program":
        return key or _("No program")
    return key


def _group_breakdowns(survey, results) -> list:
    """Each dimension's groups, labelled, and per question each option's share in each."""
    breakdowns = []
    for dimension in services.GROUP_FIELDS:
        breakdown = services.by_group(survey, dimension)
        if breakdown is None:
            continue
        breakdown.title = _group_title(dimension)
        for group in breakdown.groups:
            group.label = _group_label(dimension, group.key)
        breakdowns.append(breakdown)
    for result in results:
        result.by_group = [
            (
                breakdown,
                [
                    (
                        row.option,
                        [
                            breakdown.shares.get((row.option.pk, group.key), 0)
                            for group in breakdown.groups
                        ],
                    )
                    for row in result.options
                ],
            )
            for breakdown in breakdowns
            if breakdown.groups
        ]
    return breakdowns


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@login_required
def survey_csv(request, pk):
    _staff_or_404(request)
    survey = voice_access.get_survey_for_staff(request.user, pk)
    questions = services.questions_of(survey)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.csv"'
    writer = csv.writer(response)
    for row in services.csv_rows(survey, questions):
        writer.writerow([_cell(value) for value in row])
    return response


@login_required
def survey_answer(request, pk):
    """The family's page: the survey in its language (the original one tap away)."""
    guardian = access.viewer_for(request.user).guardian
    if guardian is None:
        raise Http404
    survey = voice_access.get_survey_for_family(request.user, pk)
    if engagement.is_builtin(survey):  # its texts come from the catalogues
        return engagement_views.answer_builtin(request, survey, guardian)
    questions = services.questions_of(survey)
    language = base_language(guardian.language) or STAFF_LANGUAGE
    show_original = request.GET.get("original") == "1"
    texts, translated = services.texts_in(survey, language)
    if show_original:
        texts = {}
    response = services.response_of(survey, guardian)
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
                services.answer_survey(survey, guardian, form.answers())
            except services.SurveyRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Thank you: your answers have been saved."))
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
            "translated": translated and not show_original,
            "untranslated": not translated,
            "show_original": show_original,
            "language_name": language_name(language),
        },
        status=status,
    )
