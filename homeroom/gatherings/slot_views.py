"""Sign-up slot pages: a teacher's conference hours and her schedule (publish, move a day,
book for a family who called), the family's booking page, and an event's volunteer shifts
(its organisers' page and the family's)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from homeroom.languages import language_name
from homeroom.people import access

from . import access as gatherings_access
from . import slots as services
from .forms import INTERPRETER_LANGUAGES
from .models import SlotBlock, VolunteerSignup
from .slot_forms import (
    BlockForm,
    FamilyBookingForm,
    MoveForm,
    ShiftForm,
    SiblingBookingForm,
    SlotChoiceForm,
    StaffBookingForm,
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


def _slot_label(zone: ZoneInfo):
    def label(slot):
        start = timezone.localtime(slot.starts_at, zone)
        end = timezone.localtime(slot.ends_at, zone)
        return f"{dateformat.format(start, 'D j M, H:i')}–{end:%H:%M}"

    return label


def _block_label(block: SlotBlock) -> str:
    return f"{dateformat.format(block.date, 'D j M Y')}, {block.starts:%H:%M}–{block.ends:%H:%M}"


# ---- staff: conference hours ----------------------------------------------------------------


@login_required
def conferences(request):
    """Her conference hours (and, for the school's office, everyone's), and publishing more."""
    staff = _staff_or_404(request)
    schools = list(gatherings_access.schools_to_publish_at(request.user).order_by("name", "pk"))
    form = BlockForm(request.POST or None, schools=schools)
    status = 200
    if request.method == "POST":
        if not schools:
            raise PermissionDenied(_("Only a teacher publishes conference hours."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                block = services.publish_block(
                    staff,
                    form.schools[data["school"]],
                    day=data["day"],
                    starts=data["starts"],
                    ends=data["ends"],
                    slot_minutes=data["slot_minutes"],
                    buffer_minutes=data["buffer_minutes"],
                    place=data["place"].strip(),
                )
            except services.SlotRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Your conference hours are published."))
                return redirect("gatherings:slots_block", block.pk)
        status = 400
    blocks = list(_with_counts(gatherings_access.blocks_for_staff(request.user)))
    return render(
        request,
        "gatherings/slots_list.html",
        {"form": form, "may_publish": bool(schools), "blocks": blocks},
        status=status,
    )


def _with_counts(blocks):
    """Coming hours (and last week's), each with its slots and bookings counted, in one query."""
    since = timezone.localdate() - timedelta(days=7)
    return (
        blocks.filter(date__gte=since)
        .select_related("school", "teacher")
        .annotate(
            slot_count=Count("slots", distinct=True),
            booked_count=Count("slots__booking", distinct=True),
        )
        .order_by("date", "starts", "pk")[:200]
    )


@login_required
def conference_block(request, pk):
    """One day's schedule: who comes when, about which child, with which interpreter; moving
    the day, booking for a family who called, taking down hours nobody booked."""
    staff = _staff_or_404(request)
    block = gatherings_access.get_block_for_staff(request.user, pk)
    zone = ZoneInfo(block.school.time_zone)
    label = _slot_label(zone)
    may_change = gatherings_access.may_change_block(request.user, block)
    action = request.POST.get("action")
    move_form = MoveForm(
        request.POST if action == "move" else None,
        initial={"day": block.date, "starts": block.starts},
    )
    now = timezone.now()
    rows = services.schedule(block)
    free = [slot for slot in rows if not hasattr(slot, "booking") and slot.starts_at > now]
    links = list(gatherings_access.families_to_book_for(request.user, block))
    book_form = StaffBookingForm(
        request.POST if action == "book" else None, links=links, slots=free, label_of=label
    )
    status = 200
    if request.method == "POST":
        if action in ("move", "delete") and not may_change:
            raise PermissionDenied(_("Only the teacher or the school's admins change these hours."))
        try:
            if action == "move" and move_form.is_valid():
                moved = services.move_block(
                    block,
                    day=move_form.cleaned_data["day"],
                    starts=move_form.cleaned_data["starts"],
                )
                messages.success(
                    request,
                    _("The hours have moved; %(count)s booked families are being told.")
                    % {"count": len(moved)},
                )
                return redirect("gatherings:slots_block", block.pk)
            if action == "book" and book_form.is_valid():
                link = book_form.links[book_form.cleaned_data["family"]]
                services.book(
                    book_form.slots[book_form.cleaned_data["slot"]],
                    link.guardian,
                    link.student,
                    interpreter_language=book_form.cleaned_data["interpreter"],
                    by_staff=staff,
                )
                messages.success(request, _("The meeting is booked."))
                return redirect("gatherings:slots_block", block.pk)
            if action == "delete":
                services.delete_block(block)
                messages.success(request, _("The conference hours are taken down."))
                return redirect("gatherings:slots")
        except services.SlotRefused as refusal:
            target = move_form if action == "move" else book_form
            target.add_error(None, str(refusal))
        status = 400
    schedule = [
        {
            "slot": slot,
            "label": label(slot),
            "booking": getattr(slot, "booking", None),
            "interpreter": language_name(slot.booking.interpreter_language)
            if hasattr(slot, "booking") and slot.booking.interpreter_language
            else "",
        }
        for slot in rows
    ]
    return render(
        request,
        "gatherings/slots_block.html",
        {
            # Not "block": inside {% block %} that name is the template's own.
            "hours": block,
            "when": _block_label(block),
            "schedule": schedule,
            "interpreters": sorted({row["interpreter"] for row in schedule if row["interpreter"]}),
            "may_change": may_change,
            "move_form": move_form,
            "book_form": book_form,
            "may_book": bool(links and free),
        },
        status=status,
    )


# ---- families: booking ----------------------------------------------------------------------


@login_required
def conferences_book(request):
    """Per child and teacher: the meeting booked, or the free times; for two children with one
    teacher, back-to-back times booked together."""
    guardian = _guardian_or_404(request)
    action = request.POST.get("action")
    error = ""
    if request.method == "POST":
        try:
            done = _family_post(request, guardian, action)
        except services.SlotRefused as refusal:
            error = str(refusal)
        else:
            if done is not None:
                messages.success(request, done)
                return redirect("gatherings:slots_book")
            error = _("Choose a time.")
    groups = _offers(request.user)
    return render(
        request,
        "gatherings/slots_book.html",
        {
            "groups": groups,
            "error": error,
            "interpreter_choices": [("", _("No interpreter needed"))]
            + [(code, language_name(code)) for code in INTERPRETER_LANGUAGES],
        },
        status=400 if error else 200,
    )


def _family_post(request, guardian, action) -> str | None:
    if action == "book":
        form = FamilyBookingForm(request.POST)
        if not form.is_valid():
            return None
        student = gatherings_access.get_child_to_book_for(
            request.user, form.cleaned_data["student"]
        )
        slot = _visible_slot(student, form.cleaned_data["slot"])
        services.book(
            slot, guardian, student, interpreter_language=form.cleaned_data["interpreter"]
        )
        return _("Your meeting is booked. You will find it on this page.")
    if action == "siblings":
        form = SiblingBookingForm(request.POST)
        if not form.is_valid():
            return None
        student = gatherings_access.get_child_to_book_for(
            request.user, form.cleaned_data["student"]
        )
        sibling = gatherings_access.get_child_to_book_for(
            request.user, form.cleaned_data["sibling"]
        )
        first, second = form.slot_ids()
        services.book_siblings(
            [(_visible_slot(student, first), student), (_visible_slot(sibling, second), sibling)],
            guardian,
            interpreter_language=form.cleaned_data["interpreter"],
        )
        return _("Your meetings are booked, one after the other.")
    if action == "cancel":
        form = SlotChoiceForm(request.POST)
        if not form.is_valid():
            raise Http404
        booking = (
            gatherings_access.bookings_for_family(request.user)
            .select_related("slot")
            .filter(pk=form.cleaned_data["pk"])
            .first()
        )
        if booking is None:
            raise Http404
        services.cancel_booking(booking)
        return _("The meeting is cancelled. You can choose another time.")
    raise Http404


def _visible_slot(student, pk):
    slot = gatherings_access.slots_open_to(student).select_related("block").filter(pk=pk).first()
    if slot is None:
        raise Http404
    return slot


def _offers(user) -> list[dict]:
    """One entry per teacher of the family's children: each child's booking or free times,
    and back-to-back pairs when two children with that teacher have none yet."""
    now = timezone.now()
    booked = {
        (b.student_id, b.slot.block.teacher_id): b
        for b in gatherings_access.bookings_for_family(user)
        .filter(slot__starts_at__gt=now)
        .select_related("slot__block")
    }
    groups: dict[int, dict] = {}
    for student in gatherings_access.children_to_book_for(user).order_by("given_name", "pk"):
        label = _slot_label(ZoneInfo(student.school.time_zone))
        free = list(services.free_slots(student, now).select_related("block__teacher"))
        for teacher in gatherings_access.teachers_of(student):
            group = groups.setdefault(
                teacher.pk, {"teacher": teacher, "children": [], "pairs": [], "label": label}
            )
            mine = [slot for slot in free if slot.block.teacher_id == teacher.pk]
            group["children"].append(
                {
                    "student": student,
                    "booking": booked.get((student.pk, teacher.pk)),
                    "free": [(slot, label(slot)) for slot in mine],
                    "slots": mine,
                }
            )
    for group in groups.values():
        waiting = [c for c in group["children"] if c["booking"] is None]
        if len(waiting) >= 2 and waiting[0]["student"].school_id == waiting[1]["student"].school_id:
            first, second = waiting[0], waiting[1]
            group["sibling_pair"] = (first["student"], second["student"])
            group["pairs"] = [
                (
                    f"{p.first.pk}:{p.second.pk}",
                    f"{group['label'](p.first)} + {group['label'](p.second)}",
                )
                for p in services.back_to_back(first["slots"])
            ]
        for child in group["children"]:
            if child["booking"]:
                child["booking_label"] = group["label"](child["booking"].slot)
    return [g for g in groups.values() if any(c["free"] or c["booking"] for c in g["children"])]


# ---- volunteer shifts -----------------------------------------------------------------------


@login_required
def shifts(request, pk):
    """The organisers' view of an event's shifts: who helps, who waits; adding a shift."""
    _staff_or_404(request)
    event = gatherings_access.get_event_for_staff(request.user, pk)
    form = ShiftForm(request.POST or None, time_zone=event.school.time_zone)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_shift(
                    event,
                    title=data["title"],
                    starts_at=data["starts"],
                    ends_at=data["ends"],
                    headcount=data["headcount"],
                )
            except services.SlotRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("The shift is added: families can sign up for it."))
                return redirect("gatherings:shifts", event.pk)
        status = 400
    label = _slot_label(ZoneInfo(event.school.time_zone))
    rows = list(event.shifts.prefetch_related("signups__guardian").order_by("starts_at", "pk"))
    return render(
        request,
        "gatherings/volunteer_shifts.html",
        {
            "event": event,
            "form": form,
            "shifts": [
                {
                    "shift": shift,
                    "label": label(shift),
                    "going": [s for s in shift.signups.all() if s.status == "going"],
                    "waiting": [s for s in shift.signups.all() if s.status == "waitlisted"],
                }
                for shift in rows
            ],
        },
        status=status,
    )


@login_required
def volunteer(request, pk):
    """A family signs up for an event's shifts (or waits for a place), and withdraws."""
    guardian = _guardian_or_404(request)
    event = gatherings_access.get_event_for_family(request.user, pk)
    status = 200
    error = ""
    if request.method == "POST":
        form = SlotChoiceForm(request.POST)
        if not form.is_valid():
            raise Http404
        shift = event.shifts.filter(pk=form.cleaned_data["pk"]).first()
        if shift is None:
            raise Http404
        try:
            if request.POST.get("action") == "withdraw":
                services.withdraw(shift, guardian)
                messages.success(request, _("Thank you for telling us."))
                return redirect("gatherings:volunteer", event.pk)
            signup = services.sign_up(shift, guardian)
        except services.SlotRefused as refusal:
            error, status = str(refusal), 400
        else:
            if signup.status == VolunteerSignup.Status.GOING:
                messages.success(
                    request, _("Thank you for helping! We will remind you the day before.")
                )
            else:
                messages.success(
                    request,
                    _(
                        "This shift is full: you are on the waiting list, and we will tell you "
                        "if a place opens."
                    ),
                )
            return redirect("gatherings:volunteer", event.pk)
    label = _slot_label(ZoneInfo(event.school.time_zone))
    mine = {
        s.shift_id: s for s in VolunteerSignup.objects.filter(shift__event=event, guardian=guardian)
    }
    rows = [
        {
            "shift": shift,
            "label": label(shift),
            "left": max(shift.headcount - shift.going, 0),
            "signup": mine.get(shift.pk),
        }
        for shift in services.shifts_with_counts(event)
    ]
    return render(
        request,
        "gatherings/volunteer.html",
        {"event": event, "shifts": rows, "error": error},
        status=status,
    )
