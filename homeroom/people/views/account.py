"""A staff member's own settings: the language they read families in, how they hear that
a family wrote, and their office hours."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import access, services
from ..forms import StaffPreferencesForm


@login_required
def staff_preferences(request):
    staff = access.viewer_for(request.user).staff
    if staff is None:
        raise Http404
    form = StaffPreferencesForm(request.POST or None, staff=staff)
    if request.method == "POST":
        if form.is_valid():
            services.update_staff_preferences(
                staff,
                language=form.cleaned_data["language"],
                family_alerts=form.cleaned_data["family_alerts"],
                office_hours=form.office_hours(),
            )
            messages.success(request, _("Your settings are saved."))
            return redirect("staff_preferences")
        return render(request, "people/staff_preferences.html", {"form": form}, status=400)
    return render(request, "people/staff_preferences.html", {"form": form})
