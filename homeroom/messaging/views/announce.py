"""An announcement: the audiences the sender may pick (messaging/audiences.py), how many
families each reaches per language, a preview, and sending.
"""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from homeroom.people import access as people_access

from .. import audiences, previews, services
from ..forms import AnnouncementForm
from .common import ask_an_interpreter, holding, is_htmx, sent_text


@login_required
def announce(request):
    viewer = people_access.viewer_for(request.user)
    if not viewer.is_staff_member:
        raise Http404
    choices = audiences.audience_choices(request.user)
    by_key = {choice.key: choice for choice in choices}
    asked = request.POST.get("audience") or request.GET.get("audience")
    if asked and asked not in by_key:
        raise Http404
    chosen = by_key.get(asked) or (choices[0] if choices else None)
    initial = {"audience": chosen.key} if chosen else {}
    district = viewer.staff.district_id
    count = previews.audience_count(chosen) if chosen else None
    groups = (
        previews.language_groups(count, school=chosen.school, district=district) if chosen else []
    )
    untranslatable = [g for g in groups if not g.available]
    form = AnnouncementForm(
        request.POST or None, audiences=choices, initial=initial, untranslatable=untranslatable
    )
    copies = None
    summary = {
        "chosen": chosen,
        "groups": groups,
        "total": count.families if count else 0,
        "untranslatable": untranslatable,
        "untranslated_value": request.POST.get("untranslated")
        or previews.suggested_untranslated(untranslatable),
    }
    if request.method == "GET" and is_htmx(request):
        return render(request, "messaging/partials/audience.html", summary)
    if request.method == "POST":
        if "preview" in request.POST:
            if form.is_valid():
                copies = previews.copies_of(
                    form.cleaned_data["text"], groups, chosen.school, [], district=district
                )
            if is_htmx(request):
                return render(
                    request,
                    "messaging/partials/preview.html",
                    {"form": form, "copies": copies, **summary},
                )
        elif form.is_valid():
            try:
                with holding(form):
                    conversation = services.send_announcement(
                        by_staff=viewer.staff,
                        audience=form.chosen.audience,
                        text=form.cleaned_data["text"],
                        subject=form.cleaned_data["subject"],
                        urgent_reason=form.reason,
                    )
                    ask_an_interpreter(form, conversation.messages.get(), viewer)
            except PermissionDenied as refused:
                form.add_error("audience", str(refused) or _("You cannot announce to them."))
            else:
                flash.success(request, sent_text(form))
                return redirect("conversation", conversation.pk)
    summary["untranslated_errors"] = form.errors.get("untranslated", []) if form.is_bound else []
    return render(
        request,
        "messaging/announce.html",
        {"form": form, "copies": copies, "choices": choices, **summary},
    )
