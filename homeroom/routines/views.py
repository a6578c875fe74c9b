"""The weekly update composer, coverage, today's check-ins, the contact timeline and the
positive-first view. Each view asks people/access.py for what the user may see and calls
one service."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from homeroom.forms import first_error, page_number, refused
from homeroom.people import access
from homeroom.people.languages import language_name
from homeroom.people.models import Enrollment, Section, StaffMember
from homeroom.translation.codes import base_language
from homeroom.translation.phrasebook import starters
from homeroom.translation.services import TranslationUnavailable, translate

from . import checkins as plans
from . import common, first_contacts
from . import stories as family_stories
from . import timeline as timelines
from . import visits as home_visits
from . import weekly as weekly_updates
from .forms import (
    CheckinLogForm,
    ContactForm,
    PlanForm,
    ReminderForm,
    StoryForm,
    VisitAnswerForm,
    VisitNotesForm,
    VisitProposalForm,
    WeeklyForm,
)
from .models import STORY_MAX_CHARS, ContactPlan, Framing, HomeVisit, Outcome, PlannedContact, Tone

TIMELINE_PAGE_SIZE = 25
CHECKIN_PAGE_SIZE = 50
WAITING_PAGE_SIZE = 50
STAFF_LANGUAGE = "en"
STARTERS_SHOWN = 8
OTHER_SLOT = re.compile(r"\{(?!name\})\w+\}")


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _staff(request) -> StaffMember:
    viewer = access.viewer_for(request.user)
    if not viewer.is_staff_member:
        raise Http404
    return viewer.staff


def _section(request, pk) -> tuple[StaffMember, Section]:
    staff = _staff(request)
    return staff, access.get_section_for(request.user, pk)


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


def _first_name(student) -> str:
    return student.preferred_name or student.given_name


# ---- the weekly update -------------------------------------------------------------------------


@login_required
def weekly(request, pk):
    staff, section = _section(request, pk)
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
                "first_name": _first_name(student),
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
            "reminder_form": ReminderForm(initial={"day": staff.metadata.get("weekly_update_day")}),
            "framings": Framing,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def save_one(request, pk, student_pk):
    staff, section = _section(request, pk)
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
    if not _htmx(request):
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
    rendered: dict[tuple[str, str], str | None] = {}
    for language, texts in wanted.items():
        try:
            done = translate(texts, STAFF_LANGUAGE, language, school=section.school, protect=names)
        except TranslationUnavailable:
            done = [None] * len(texts)
        for text, translation in zip(texts, done, strict=True):
            rendered[(language, text)] = translation.text if translation else None
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
    staff, section = _section(request, pk)
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
    staff, section = _section(request, pk)
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
    staff, section = _section(request, pk)
    form = ReminderForm(request.POST)
    if form.is_valid():
        weekly_updates.set_reminder_day(staff, form.cleaned_data["day"])
        messages.success(request, _("Reminder saved."))
    else:
        messages.error(request, _("Choose a day of the week."))
    return redirect("routines:weekly", section.pk)


@login_required
def coverage(request, pk):
    _staff_member, section = _section(request, pk)
    weeks = weekly_updates.weekly_coverage(section)
    page = Paginator(weeks, 20).get_page(page_number(request))
    return render(
        request,
        "routines/coverage.html",
        {"section": section, "page": page, "roster_size": common.roster(section).count()},
    )


# ---- today's check-ins --------------------------------------------------------------------------


def _my_sections(staff):
    return access.sections_taught_by(staff).order_by("title")


@login_required
def checkins(request):
    staff = _staff(request)
    sections = list(_my_sections(staff))
    form = PlanForm(request.POST or None, sections=sections)
    status = 200
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
                )
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
        status = 400
    today = common.local_today(sections[0].school if sections else None)
    due = plans.todays_checkins(staff, today)
    page = Paginator(due, CHECKIN_PAGE_SIZE).get_page(page_number(request))
    for planned in page:
        planned.needs_interpreter = base_language(planned.guardian.language) != STAFF_LANGUAGE
        planned.language = language_name(planned.guardian.language)
    return render(
        request,
        "routines/checkins.html",
        {
            "page": page,
            "today": today,
            "form": form,
            "plans": ContactPlan.objects.filter(staff=staff).select_related("section")[:5],
            "interpreters": list(access.interpreters_for(request.user)),
            "outcomes": Outcome,
            "tones": Tone,
        },
        status=status,
    )


@login_required
@require_POST
def checkin_log(request, pk):
    staff = _staff(request)
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


# ---- the contact timeline -----------------------------------------------------------------------


@login_required
def timeline(request, pk):
    staff = _staff(request)
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
            "items": timelines.timeline_items(list(page), request.user),
            "form": form,
        },
        status=status,
    )


# ---- positive first -----------------------------------------------------------------------------


@login_required
def positive_first(request):
    _staff(request)
    viewer = access.viewer_for(request.user)
    figures = first_contacts.positive_first(access.students_for(request.user))
    page = Paginator(figures["waiting"], WAITING_PAGE_SIZE).get_page(page_number(request))
    sections = {}
    if page.object_list:
        for enrollment in Enrollment.objects.filter(
            student__in=[s.pk for s in page.object_list],
            is_active=True,
            section__in=access.sections_for(request.user),
        ).order_by("section__title"):
            sections.setdefault(enrollment.student_id, enrollment.section_id)
    for student in page.object_list:
        student.section_id_for_news = sections.get(student.pk)
    return render(
        request,
        "routines/positive_first.html",
        {
            "figures": figures,
            "page": page,
            "schools": list(figures["by_school"].values()) if viewer.is_admin else [],
        },
    )


# ---- "tell me about your child" -----------------------------------------------------------------


def _own_child(request, student_pk):
    """The signed-in guardian's own child (records allowed), or 404 for anyone else."""
    viewer = access.viewer_for(request.user)
    if not viewer.is_guardian:
        raise Http404
    link = (
        access.own_children_links(request.user)
        .filter(student_id=student_pk)
        .select_related("student__school")
        .first()
    )
    if link is None:
        raise Http404
    return viewer.guardian, link.student


@login_required
def story(request, student_pk):
    guardian, student = _own_child(request, student_pk)
    saved = family_stories.story_for(student, guardian)
    text = saved.text if saved else ""
    error = None
    if request.method == "POST":
        form = StoryForm(request.POST)
        text = form.data.get("text", "")
        try:
            if not form.is_valid():
                raise common.RoutineRefused(first_error(form))
            family_stories.save_story(student, guardian, form.cleaned_data["text"])
        except common.RoutineRefused as refusal:
            error = str(refusal)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your story is saved; you can come back and change it "
                    "this school year."
                ),
            )
            return redirect("routines:story", student.pk)
    return render(
        request,
        "routines/story.html",
        {
            "student": student,
            "first_name": _first_name(student),
            "story": saved,
            "text": text,
            "error": error,
            "max_chars": STORY_MAX_CHARS,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def invite_stories(request, pk):
    staff, section = _section(request, pk)
    result = family_stories.invite_family_stories(section, staff)
    messages.success(
        request,
        ngettext(
            "Invited the families of %(count)d student to tell us about their child.",
            "Invited the families of %(count)d students to tell us about their child.",
            result.sent,
        )
        % {"count": result.sent},
    )
    if result.already:
        messages.info(
            request,
            ngettext(
                "%(count)d family was invited already this school year.",
                "%(count)d families were invited already this school year.",
                result.already,
            )
            % {"count": result.already},
        )
    return redirect("routines:weekly", section.pk)


# ---- home visits --------------------------------------------------------------------------------


@login_required
def visits(request, pk):
    staff = _staff(request)
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
    staff = _staff(request)
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
        reachable = access.contactable_links().filter(
            guardian=viewer.guardian, student=OuterRef("student")
        )
        home_visit = HomeVisit.objects.select_related("student", "staff").get(
            Exists(reachable),
            pk=pk,
            guardian=viewer.guardian,
            student__in=access.students_for(request.user),
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
            "first_name": _first_name(home_visit.student),
            "error": error,
        },
        status=400 if error else 200,
    )
