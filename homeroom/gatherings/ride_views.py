"""Ride pages: the organisers' rides page (areas, drivers to approve, proposing matches, every
ride and its state) and the family's ride page (offer seats or ask for a ride, accept or
decline what is proposed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeroom.people import access

from . import access as gatherings_access
from . import rides
from .ride_forms import (
    AreaForm,
    AreasFileForm,
    MatchForm,
    OfferChoiceForm,
    OfferForm,
    RequestForm,
    RidePolicyForm,
)
from .services import EventRefused, rsvp_of
from .views import _when


def _posted(request, action, wanted):
    return request.POST if action == wanted else None


@login_required
def event_rides(request, pk):
    """The organisers' rides page: staff of the school act on it; a co-organiser family reads
    the counts and the agreed rides by name."""
    event = gatherings_access.get_event_to_edit(request.user, pk)
    viewer = access.viewer_for(request.user)
    is_staff = viewer.is_staff_member
    may_set_policy = is_staff and access.can_manage_school(request.user, event.school)
    action = request.POST.get("action")
    area_form = AreaForm(_posted(request, action, "area"))
    file_form = AreasFileForm(
        _posted(request, action, "areas"), request.FILES if action == "areas" else None
    )
    policy = rides.ride_settings(event.school)
    policy_form = RidePolicyForm(
        _posted(request, action, "policy"),
        initial={"drivers_need_approval": policy.drivers_need_approval},
    )
    approve_form = OfferChoiceForm(_posted(request, action, "approve"))
    refusal = ""
    status = 200
    if request.method == "POST":
        if not is_staff:
            raise Http404
        if action == "policy" and not may_set_policy:
            raise PermissionDenied(_("Only the school's admins set its rides policy."))
        try:
            if action == "area" and area_form.is_valid():
                rides.save_areas(event.school, area_form.rows())
                messages.success(request, _("The area is saved."))
                return redirect("gatherings:rides", event.pk)
            if action == "areas" and file_form.is_valid():
                saved = rides.save_areas(
                    event.school, rides.read_areas_csv(file_form.cleaned_data["text"])
                )
                messages.success(
                    request,
                    ngettext("%(count)s area saved.", "%(count)s areas saved.", len(saved))
                    % {"count": len(saved)},
                )
                return redirect("gatherings:rides", event.pk)
            if action == "policy" and policy_form.is_valid():
                rides.set_drivers_need_approval(
                    event.school, policy_form.cleaned_data["drivers_need_approval"]
                )
                messages.success(request, _("Saved."))
                return redirect("gatherings:rides", event.pk)
            if action == "approve" and approve_form.is_valid():
                if not event.ride_offers.filter(pk=approve_form.cleaned_data["offer"]).exists():
                    raise Http404
                rides.approve_driver(event, viewer.staff, approve_form.cleaned_data["offer"])
                messages.success(request, _("The driver is approved."))
                return redirect("gatherings:rides", event.pk)
            if action == "propose":
                proposed = rides.propose_matches(event)
                if proposed:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s ride proposed: both families are asked to accept.",
                            "%(count)s rides proposed: both families are asked to accept.",
                            len(proposed),
                        )
                        % {"count": len(proposed)},
                    )
                else:
                    messages.info(
                        request, _("No new ride could be proposed: no free seats fit a family.")
                    )
                return redirect("gatherings:rides", event.pk)
        except EventRefused as error:
            refusal = str(error)
        status = 400
    return render(
        request,
        "gatherings/rides.html",
        {
            "event": event,
            "when": _when(event),
            "is_staff": is_staff,
            "may_set_policy": may_set_policy,
            "board": rides.organiser_rides(event, policy),
            "area_form": area_form,
            "file_form": file_form,
            "policy_form": policy_form,
            "refusal": refusal,
        },
        status=status,
    )


@login_required
def event_ride(request, pk):
    """The family's ride page for an event it may see: offer seats or ask for a ride, and
    accept or decline a ride proposed."""
    guardian = access.viewer_for(request.user).guardian
    if guardian is None:
        raise Http404
    event = gatherings_access.get_event_for_family(request.user, pk)
    rsvp = rsvp_of(event, guardian)
    mine = rides.family_rides(event, guardian, rsvp)
    areas = list(rides.areas_of(event.school))
    action = request.POST.get("action")
    offer_initial = (
        {"seats": mine.offer.seats, "area": str(mine.offer.area_id)} if mine.offer else {}
    )
    if mine.request:
        request_initial = {
            "area": str(mine.request.area_id),
            "adults": mine.request.adults,
            "children": mine.request.children,
            "children_consent": mine.request.children_consent,
        }
    else:
        request_initial = {"adults": rsvp.adults, "children": rsvp.children} if rsvp else {}
    # Both forms have an area: their own ids keep each label on its own form's choice.
    offer_form = OfferForm(
        _posted(request, action, "offer"), areas=areas, initial=offer_initial, auto_id="offer_%s"
    )
    request_form = RequestForm(
        _posted(request, action, "request"),
        areas=areas,
        initial=request_initial,
        auto_id="request_%s",
    )
    match_form = MatchForm(request.POST if action in ("accept", "decline") else None)
    refusal = ""
    status = 200
    if request.method == "POST":
        try:
            if action == "offer" and offer_form.is_valid():
                rides.offer_seats(
                    event,
                    guardian,
                    area_id=int(offer_form.cleaned_data["area"]),
                    seats=offer_form.cleaned_data["seats"],
                )
                messages.success(
                    request, _("Thank you: your seats are offered. We will tell you of a match.")
                )
                return redirect("gatherings:ride", event.pk)
            if action == "request" and request_form.is_valid():
                data = request_form.cleaned_data
                rides.ask_for_ride(
                    event,
                    guardian,
                    area_id=int(data["area"]),
                    adults=data["adults"],
                    children=data["children"],
                    children_consent=data["children_consent"],
                )
                messages.success(request, _("Thank you: we will tell you when a ride is proposed."))
                return redirect("gatherings:ride", event.pk)
            if action == "withdraw_offer":
                rides.withdraw_offer(event, guardian)
                messages.success(request, _("Your seats are no longer offered."))
                return redirect("gatherings:ride", event.pk)
            if action == "withdraw_request":
                rides.withdraw_request(event, guardian)
                messages.success(request, _("You no longer ask for a ride."))
                return redirect("gatherings:ride", event.pk)
            if action in ("accept", "decline") and match_form.is_valid():
                match_id = match_form.cleaned_data["match"]
                if not rides.matches_of(event, guardian).filter(pk=match_id).exists():
                    raise Http404
                if action == "accept":
                    done = rides.accept(event, guardian, match_id)
                    messages.success(
                        request,
                        _("The ride is agreed: you can now see who you ride with.")
                        if done.status == done.Status.ACCEPTED
                        else _("Thank you: we are waiting for the other family to accept."),
                    )
                else:
                    rides.decline(event, guardian, match_id)
                    messages.success(request, _("The ride is declined."))
                return redirect("gatherings:ride", event.pk)
        except EventRefused as error:
            refusal = str(error)
        status = 400
    return render(
        request,
        "gatherings/ride.html",
        {
            "event": event,
            "when": _when(event),
            "mine": mine,
            "has_areas": bool(areas),
            "offer_form": offer_form,
            "request_form": request_form,
            "match_form": match_form,
            "refusal": refusal,
        },
        status=status,
    )
