"""Event pages: the organisers' list, the new-event page, the organiser's page (edit,
co-organisers, candidate times and their counts, fixing, inviting), the barriers board; the
family's page (times, RSVP, calendar file)."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from homeroom.languages import language_name
from homeroom.messaging import audiences
from homeroom.people import access
from homeroom.people.models import Guardian
from homeroom.voice import access as voice_access
from homeroom.voice.models import AcademySession

from . import access as gatherings_access
from . import preferences, services
from .forms import (
    AcademySessionForm,
    CoOrganiserForm,
    EditForm,
    EventForm,
    FamilySearchForm,
    FixForm,
    GroupEventForm,
    MetForm,
    RsvpForm,
    TimesForm,
)


def _staff_or_404(request):
    viewer = access.viewer_for(request.user)
    if not viewer.is_staff_member:
        raise Http404
    return viewer.staff


def _guardian_or_404(request):
    guardian = access.viewer_for(request.user).guardian
    if guardian is None:
        raise Http404
    return guardian


def _choices(user):
    # A class, a grade, a school, or — for a district's admins — the whole district.
    return audiences.audience_choices(user)


def _label_of(event):
    zone = ZoneInfo(event.school.time_zone)

    def label(candidate):
        start = timezone.localtime(candidate.starts_at, zone)
        end = timezone.localtime(candidate.ends_at, zone)
        return f"{formats.date_format(start, 'SHORT_DATETIME_FORMAT')}–{formats.time_format(end)}"

    return label


@login_required
def event_list(request):
    viewer = access.viewer_for(request.user)
    if not (viewer.is_staff_member or viewer.is_guardian):
        raise Http404
    events = list(
        gatherings_access.events_for_staff(request.user)
        .select_related("school")
        .order_by("-created_at", "-pk")[:100]
    )
    co = list(gatherings_access.events_co_organised_by(request.user).select_related("school"))
    return render(
        request,
        "gatherings/list.html",
        {
            "events": events,
            "co_organised": co,
            "may_create": viewer.is_staff_member and bool(_choices(request.user)),
        },
    )


@login_required
def event_new(request):
    staff = _staff_or_404(request)
    choices = _choices(request.user)
    if not choices:
        raise PermissionDenied(_("You have no families to invite."))
    school = access.first_school_of(staff)
    zone = school.time_zone if school else "UTC"
    form = EventForm(
        request.POST or None,
        choices=choices,
        time_zone=zone,
        hosts=gatherings_access.schools_to_host(request.user),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = services.create_event(
                    staff,
                    title=data["title"].strip(),
                    description=data["description"].strip(),
                    place=data["place"].strip(),
                    audience=form.choices[data["audience"]].audience,
                    capacity=data["capacity"],
                    when=data["when"],
                    candidates=data["candidates"],
                    host=data.get("host"),
                )
            except services.EventRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                return redirect("gatherings:organise", event.pk)
        status = 400
    return render(request, "gatherings/new.html", {"form": form}, status=status)


@login_required
def group_event_new(request, group_pk):
    """A parent leader plans an event with the members of their group."""
    group = voice_access.get_group_for(request.user, group_pk)
    leader = access.viewer_for(request.user).guardian
    if leader is None or not voice_access.is_parent_leader(request.user, group):
        raise Http404
    form = GroupEventForm(
        request.POST if request.method == "POST" else None, time_zone=group.school.time_zone
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = services.create_group_event(
                    leader,
                    group,
                    title=data["title"].strip(),
                    description=data["description"].strip(),
                    place=data["place"].strip(),
                    capacity=data["capacity"],
                    when=data["when"],
                    candidates=data["candidates"],
                )
            except services.EventRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                return redirect("gatherings:organise", event.pk)
        status = 400
    return render(request, "gatherings/new.html", {"form": form, "group": group}, status=status)


RUN_ACTIONS = ("ask", "fix", "invite")


@login_required
def event_organise(request, pk):
    """The organisers' page: staff of the school, or a co-organiser family (words only)."""
    event = gatherings_access.get_event_to_edit(request.user, pk)
    viewer = access.viewer_for(request.user)
    is_staff = viewer.is_staff_member
    candidates = list(event.candidates.all())
    label = _label_of(event)
    edit = EditForm(
        request.POST if request.POST.get("action") == "edit" else None,
        initial={"title": event.title, "description": event.description, "place": event.place},
    )
    families = services.audience_families(event) if is_staff else Guardian.objects.none()
    search = FamilySearchForm(request.GET)
    wanted = search.cleaned_data["family"].strip() if search.is_valid() else ""
    offered = families.exclude(pk__in=event.co_organisers.values("pk"))
    shown = services.families_to_offer(offered, wanted) if is_staff else []
    co_form = CoOrganiserForm(
        request.POST if request.POST.get("action") == "co" else None,
        guardians=families,
        shown=shown,
    )
    fix_form = FixForm(
        request.POST if request.POST.get("action") == "fix" else None,
        candidates=candidates,
        label_of=label,
    )
    session_form = AcademySessionForm(
        request.POST if request.POST.get("action") == "link" else None,
        sessions=gatherings_access.sessions_to_link(request.user, event)
        if is_staff
        else AcademySession.objects.none(),
        time_zone=event.school.time_zone,
    )
    # Who puts the times, fixes one and invites: the school's staff, or — for a parent-led
    # group's event — a leader of the group (its messages are the group's posts).
    leads = gatherings_access.leads_event(request.user, event)
    runs = gatherings_access.runs_event(request.user, event)
    sender = viewer.guardian if event.group_id else viewer.staff
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action != "edit" and not is_staff and not (leads and action in RUN_ACTIONS):
            raise Http404
        try:
            if action == "edit" and edit.is_valid():
                services.update_event(
                    event,
                    title=edit.cleaned_data["title"].strip(),
                    description=edit.cleaned_data["description"].strip(),
                    place=edit.cleaned_data["place"].strip(),
                )
                messages.success(request, _("Saved."))
                return redirect("gatherings:organise", event.pk)
            if action == "co" and co_form.is_valid():
                services.add_co_organiser(event, co_form.cleaned_data["guardian"])
                messages.success(request, _("They can now edit the event with you."))
                return redirect("gatherings:organise", event.pk)
            if action == "ask":
                services.ask_for_times(event, sender)
                messages.success(request, _("The times have been put to the families."))
                return redirect("gatherings:organise", event.pk)
            if action == "fix" and fix_form.is_valid():
                services.fix_time(event, int(fix_form.cleaned_data["candidate"]))
                messages.success(request, _("The time is fixed."))
                return redirect("gatherings:organise", event.pk)
            if action == "invite":
                services.invite(event, sender)
                messages.success(request, _("The families have been invited."))
                return redirect("gatherings:organise", event.pk)
            if action == "link" and session_form.is_valid():
                services.link_academy_session(event, session_form.cleaned_data["session"])
                messages.success(
                    request, _("The session is linked: its members answer on this event's page.")
                )
                return redirect("gatherings:organise", event.pk)
            if action == "unlink":
                services.unlink_academy_session(event)
                messages.success(request, _("The session is no longer linked to this event."))
                return redirect("gatherings:organise", event.pk)
        except services.EventRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("gatherings:organise", event.pk)
        status = 400
    tally = services.time_counts(event) if candidates else None
    suits = preferences.suiting(event, candidates) if tally and is_staff else None
    if tally:
        for row in tally.times:
            row.label = label(row.candidate)
            row.suits = suits.by_candidate.get(row.candidate.pk, 0) if suits else None
            row.languages = [
                (language_name(lang), row.by_language.get(lang, 0)) for lang, _n in tally.languages
            ]
    return render(
        request,
        "gatherings/organise.html",
        {
            "event": event,
            "is_staff": is_staff,
            "runs": runs,
            "edit": edit,
            "co_form": co_form,
            "search": search,
            "searched": wanted,
            "co_organisers": list(event.co_organisers.all()) if is_staff else [],
            "fix_form": fix_form,
            "tally": tally,
            "tally_languages": [(language_name(lang), n) for lang, n in tally.languages]
            if tally
            else [],
            "smallest_group": services.SMALLEST_GROUP,
            "suits": suits,
            "counts": services.counts(event),
            "when": _when(event),
            "session_form": session_form,
            "academy_group": gatherings_access.group_of_event_for(request.user, event),
        },
        status=status,
    )


def _when(event):
    if not event.is_fixed:
        return ""
    # In the reader's language and its way of writing dates ("miércoles 16 de diciembre de
    # 2026, 6:00 p.m.–7:30 p.m."), in the school's time zone.
    zone = ZoneInfo(event.school.time_zone)
    start = timezone.localtime(event.starts_at, zone)
    end = timezone.localtime(event.ends_at, zone)
    return f"{formats.date_format(start, 'DATETIME_FORMAT')}–{formats.time_format(end)}"


@login_required
def event_board(request, pk):
    """The barriers board: staff only (it names families)."""
    _staff_or_404(request)
    event = gatherings_access.get_event_for_staff(request.user, pk)
    form = MetForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return HttpResponse(status=400)
        try:
            services.mark_met(
                event,
                form.cleaned_data["rsvp"],
                form.cleaned_data["need"],
                form.cleaned_data["met"],
            )
        except services.EventRefused:
            raise Http404 from None
        return redirect("gatherings:board", event.pk)
    board = services.barriers(event)
    interpreters = [(language_name(code), n) for code, n in board.interpreters]
    needs = [
        ("childcare", _("Childcare")),
        ("interpreter", _("Interpreter")),
        ("ride", _("Ride")),
        ("meal", _("Meal")),
        ("accessibility", _("Accessibility")),
    ]
    rows = [
        {
            "key": key,
            "label": label,
            "total": board.total[key],
            "met": board.met[key],
            "open": board.open_needs[key],
        }
        for key, label in needs
    ]
    return render(
        request,
        "gatherings/board.html",
        {
            "event": event,
            "board": board,
            "interpreters": interpreters,
            "rows": rows,
            "when": _when(event),
        },
    )


@login_required
def event_family(request, pk):
    """The family's page: which times it can make, then the RSVP with its needs."""
    guardian = _guardian_or_404(request)
    event = gatherings_access.get_event_for_family(request.user, pk)
    candidates = list(event.candidates.all())
    label = _label_of(event)
    rsvp = services.rsvp_of(event, guardian)
    availability = event.availabilities.filter(guardian=guardian).first()
    chosen = (
        [str(pk) for pk in availability.times.values_list("pk", flat=True)] if availability else []
    )
    action = request.POST.get("action")
    times_form = TimesForm(
        request.POST if action == "times" else None,
        candidates=candidates,
        label_of=label,
        initial={"times": chosen},
    )
    initial = {"coming": "yes", "adults": 1, "children": 0}
    if rsvp:
        initial = {
            "coming": "yes" if rsvp.status != rsvp.Status.NOT_GOING else "no",
            "adults": rsvp.adults,
            "children": rsvp.children,
            "childcare": rsvp.childcare,
            "childcare_ages": rsvp.childcare_ages,
            "interpreter": rsvp.interpreter_language,
            "ride": rsvp.ride,
            "meal": rsvp.meal,
            "dietary_note": rsvp.dietary_note,
            "accessibility": rsvp.accessibility,
            "accessibility_note": rsvp.accessibility_note,
        }
    rsvp_form = RsvpForm(request.POST if action == "rsvp" else None, initial=initial)
    status = 200
    if request.method == "POST":
        try:
            if action == "times" and times_form.is_valid():
                services.answer_times(event, guardian, times_form.chosen())
                messages.success(request, _("Thank you: your answer has been saved."))
                return redirect("gatherings:family", event.pk)
            if action == "rsvp" and rsvp_form.is_valid():
                data = rsvp_form.cleaned_data
                done = services.respond(
                    event,
                    guardian,
                    coming=data["coming"],
                    adults=data["adults"],
                    children=data["children"],
                    needs=rsvp_form.needs(),
                )
                messages.success(request, _status_message(done))
                return redirect("gatherings:family", event.pk)
            if action == "cancel":
                services.cancel(event, guardian)
                messages.success(request, _("Thank you for telling us. We hope to see you soon."))
                return redirect("gatherings:family", event.pk)
        except services.EventRefused as refusal:
            target = rsvp_form if action == "rsvp" else times_form
            target.add_error(None, str(refusal))
        status = 400
    return render(
        request,
        "gatherings/family.html",
        {
            "event": event,
            "when": _when(event),
            "times_form": times_form,
            "answered_times": availability is not None,
            "rsvp_form": rsvp_form,
            "rsvp": rsvp,
            "open_for_rsvp": event.is_fixed and event.invited_at is not None,
            "co_organises": event.co_organisers.filter(pk=guardian.pk).exists(),
            "academy_group": gatherings_access.group_of_event_for(request.user, event),
        },
        status=status,
    )


def _status_message(rsvp):
    if rsvp.status == rsvp.Status.GOING:
        return _("Thank you: we look forward to seeing you.")
    if rsvp.status == rsvp.Status.WAITLISTED:
        return _(
            "The event is full: you are on the waiting list, and we will tell you if a place opens."
        )
    return _("Thank you for telling us.")


@login_required
def event_ics(request, pk):
    viewer = access.viewer_for(request.user)
    if viewer.is_staff_member:
        event = gatherings_access.get_event_for_staff(request.user, pk)
    else:
        event = gatherings_access.get_event_for_family(request.user, pk)
    if not event.is_fixed:
        raise Http404
    response = HttpResponse(services.calendar_file(event), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response
