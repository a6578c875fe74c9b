"""The weekly update composer: a sentence per student, the preview in each family's language,
sending, the reminder day and the coverage week by week."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from homeroom.forms import first_error, page_number, refused
from homeroom.languages import STAFF_LANGUAGE, base_language, language_name
from homeroom.messaging.previews import preview_translations
from homeroom.people import access
from homeroom.translation.phrasebook import starters

from .. import common
from .. import weekly as weekly_updates
from ..forms import ReminderForm, WeeklyForm
from ..models import Framing
from .common import first_name, htmx, section_or_404

STARTERS_SHOWN = 8
OTHER_SLOT = re.compile(r"\{(?!name\})\w+\}")


def _update(section, staff):
    week = common.week_start_of(common.local_today(section.school))
    return weekly_updates.weekly_update_for(section, staff, week)


def _starters(kind: str) -> list[dict]:
    """Starters in the staff language, the student slot as {name}, cut before any other slot
    so the teacher finishes the sentence with the specific detail."""
    found = []
    for starter in starters(kind, STAFF_LANGUAGE):
        text = OTHER_SLOT.split(starter.text.replace("{student}", "{name}"), maxsplit=1)[0]
        text = text.rstrip()
        if len(text.split()) >= 2 and text not in found:
            found.append(text)
    return [{"text": text, "label": text.replace("{name}", "…")} for text in found[:STARTERS_SHOWN]]


@login_required
def weekly(request, pk):
    staff, section = section_or_404(request, pk)
    update = _update(section, staff)
    students = list(common.roster(section))
    errors: dict[int, str] = {}
    form = None
    if request.method == "POST":
        if update.sent_at is not None:
            messages.error(request, _("This week's update has been sent already."))
            return redirect("routines:weekly", section.pk)
        form = WeeklyForm(request.POST, students=students)
        if not form.is_valid():
            errors = {s.pk: form.error_for(s) for s in students if form.error_for(s)}
            if not errors:
                return refused(form)
        skip = form.cleaned_data.get("skip")
        for student in students if not errors else ():
            key = f"text-{student.pk}"
            if key not in form.data and str(student.pk) != skip:
                continue
            text = "" if str(student.pk) == skip else form.cleaned_data[key]
            try:
                weekly_updates.save_sentence(
                    update, student, text, form.cleaned_data[f"framing-{student.pk}"]
                )
            except common.RoutineRefused as refusal:
                errors[student.pk] = str(refusal)
        if not errors:
            messages.success(request, _("Saved."))
            if form.cleaned_data["then"] == "preview":
                return redirect("routines:preview", section.pk)
            return redirect("routines:weekly", section.pk)
    sentences = {s.student_id: s for s in update.sentences.all()}
    rows = []
    for student in students:
        sentence = sentences.get(student.pk)
        text = form.data.get(f"text-{student.pk}") if errors else None
        rows.append(
            {
                "student": student,
                "first_name": first_name(student),
                "sentence": sentence,
                "text": text if text is not None else (sentence.text if sentence else ""),
                "framing": sentence.framing if sentence else Framing.POSITIVE,
                "vague": bool(sentence and weekly_updates.is_vague(sentence.text)),
                "error": errors.get(student.pk),
            }
        )
    return render(
        request,
        "routines/weekly.html",
        {
            "section": section,
            "update": update,
            "rows": rows,
            "tally": weekly_updates.tally(sentences.values()),
            "praise_starters": _starters("praise"),
            "next_step_starters": _starters("next_step"),
            "reminder_form": ReminderForm(initial={"day": staff.weekly_update_day}),
            "framings": Framing,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def save_one(request, pk, student_pk):
    staff, section = section_or_404(request, pk)
    student = common.roster(section).filter(pk=student_pk).first()
    if student is None:
        raise Http404
    update = _update(section, staff)
    error = sentence = None
    form = WeeklyForm(request.POST, students=[student])
    try:
        if not form.is_valid():
            raise common.RoutineRefused(first_error(form))
        sentence = weekly_updates.save_sentence(
            update,
            student,
            "" if form.cleaned_data["skip"] else form.cleaned_data[f"text-{student.pk}"],
            form.cleaned_data[f"framing-{student.pk}"],
        )
    except common.RoutineRefused as refusal:
        error = str(refusal)
    if not htmx(request):
        if error:
            messages.error(request, error)
        return redirect(reverse("routines:weekly", args=[section.pk]) + f"#student-{student.pk}")
    return render(
        request,
        "routines/partials/saved.html",
        {
            "student": student,
            "sentence": sentence,
            "error": error,
            "vague": bool(sentence and weekly_updates.is_vague(sentence.text)),
            "tally": weekly_updates.tally(update.sentences.all()),
        },
        status=400 if error else 200,
    )


def _translated_previews(section, update):
    """The sentences still to send, each with its families and the text each will read."""
    links = access.contactable_links(about_the_child=True).select_related("guardian")
    sentences = list(
        update.sentences.filter(skipped=False, message__isnull=True)
        .exclude(text="")
        .select_related("student")
        .prefetch_related(Prefetch("student__guardianships", queryset=links, to_attr="links"))
        .order_by("student__family_name", "student__given_name", "student__pk")
    )
    names = []
    for sentence in sentences:
        student = sentence.student
        names += [student.given_name, student.family_name, student.preferred_name]
    names = [name for name in names if name]
    wanted: dict[str, list[str]] = {}
    for sentence in sentences:
        for link in sentence.student.links:
            language = base_language(link.guardian.language) or STAFF_LANGUAGE
            if language != STAFF_LANGUAGE:
                wanted.setdefault(language, [])
                if sentence.text not in wanted[language]:
                    wanted[language].append(sentence.text)
    rendered = {
        key: translation.text if translation else None
        for key, translation in preview_translations(wanted, section.school, names).items()
    }
    for sentence in sentences:
        sentence.copies = []
        for link in sentence.student.links:
            language = base_language(link.guardian.language) or STAFF_LANGUAGE
            sentence.copies.append(
                {
                    "guardian": link.guardian,
                    "language": language_name(link.guardian.language),
                    "text": sentence.text
                    if language == STAFF_LANGUAGE
                    else rendered.get((language, sentence.text)),
                    "channel": link.guardian.get_channel_display(),
                }
            )
    return sentences


@login_required
def preview(request, pk):
    staff, section = section_or_404(request, pk)
    update = _update(section, staff)
    sentences = _translated_previews(section, update)
    return render(
        request,
        "routines/preview.html",
        {
            "section": section,
            "update": update,
            "sentences": sentences,
            "tally": weekly_updates.tally(update.sentences.all()),
        },
    )


@login_required
@require_POST
def send(request, pk):
    staff, section = section_or_404(request, pk)
    update = _update(section, staff)
    result = weekly_updates.send_weekly_update(update, staff)
    messages.success(
        request,
        ngettext(
            "Sent to the families of %(count)d student.",
            "Sent to the families of %(count)d students.",
            result.sent,
        )
        % {"count": result.sent},
    )
    if result.no_family:
        messages.warning(
            request,
            _("No family can be reached for: %(names)s.")
            % {"names": ", ".join(student.full_name for student in result.no_family)},
        )
    return redirect("routines:coverage", section.pk)


@login_required
@require_POST
def reminder(request, pk):
    staff, section = section_or_404(request, pk)
    form = ReminderForm(request.POST)
    if form.is_valid():
        weekly_updates.set_reminder_day(staff, form.cleaned_data["day"])
        messages.success(request, _("Reminder saved."))
    else:
        messages.error(request, _("Choose a day of the week."))
    return redirect("routines:weekly", section.pk)


@login_required
def coverage(request, pk):
    _staff_member, section = section_or_404(request, pk)
    weeks = weekly_updates.weekly_coverage(section)
    page = Paginator(weeks, 20).get_page(page_number(request))
    return render(
        request,
        "routines/coverage.html",
        {"section": section, "page": page, "roster_size": common.roster(section).count()},
    )
