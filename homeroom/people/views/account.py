"""A person's own account: who they are signed in as and how (`my_account`), and a staff
member's settings: the language they read families in, how they hear that a family wrote,
and their office hours."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import access, services
from ..forms import StaffPreferencesForm


@login_required
def my_account(request):
    """Who is signed in, with what, and where to change the password, the two-step sign-in
    and the settings. The lightest page with the whole layout: the benchmarks' signed-in
    floor."""
    viewer = access.viewer_for(request.user)
    if viewer.staff is None and viewer.guardian is None:
        raise Http404
    person = viewer.staff or viewer.guardian
    return render(request, "people/my_account.html", {"person": person})


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
