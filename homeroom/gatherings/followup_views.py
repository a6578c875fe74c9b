"""After an event: the organisers' attendance record and the answers to "how was it?", and
the family's page to say how it was."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from homeroom.people import access

from . import access as gatherings_access
from . import followups
from .followup_forms import AttendanceForm, HowWasItForm
from .models import Rsvp
from .services import EventRefused


@login_required
def attendance(request, pk):
    """Staff of the school: who came (a light record), and what families said of it."""
    if not access.viewer_for(request.user).is_staff_member:
        raise Http404
    event = gatherings_access.get_event_for_staff(request.user, pk)
    rsvps = list(
        event.rsvps.exclude(status=Rsvp.Status.NOT_GOING)
        .select_related("guardian")
        .order_by("guardian__family_name", "guardian__given_name", "pk")
    )
    initial = {"present": [rsvp.pk for rsvp in rsvps if rsvp.attended]}
    data = request.POST if request.method == "POST" else None
    form = AttendanceForm(data, rsvps=rsvps, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                came = followups.mark_attendance(event, set(form.cleaned_data["present"]))
            except EventRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Saved: %(count)s families came.") % {"count": came})
                return redirect("gatherings:attendance", event.pk)
        status = 400
    return render(
        request,
        "gatherings/attendance.html",
        {
            "event": event,
            "form": form,
            "started": event.is_past(),
            "summary": followups.feedback_summary(event),
        },
        status=status,
    )


@login_required
def how_was_it(request, pk):
    """A family that came says how it was."""
    guardian = access.viewer_for(request.user).guardian
    if guardian is None:
        raise Http404
    event = gatherings_access.get_event_for_family(request.user, pk)
    rsvp = followups.who_came(event).filter(guardian=guardian).first()
    if rsvp is None or not event.is_past():
        raise Http404
    initial = {"rating": rsvp.feedback_rating, "comment": rsvp.feedback_comment}
    data = request.POST if request.method == "POST" else None
    form = HowWasItForm(data, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                followups.answer_how_it_was(
                    event,
                    guardian,
                    form.cleaned_data["rating"],
                    form.cleaned_data["comment"].strip(),
                )
            except EventRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Thank you: your answer has been saved."))
                return redirect("gatherings:family", event.pk)
        status = 400
    return render(
        request, "gatherings/how_was_it.html", {"event": event, "form": form}, status=status
    )
