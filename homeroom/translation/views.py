"""The district admin's translation settings: a route per language, providers, usage."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from homeroom.people import access, households

from . import services
from .forms import LanguageRoutesForm, route_languages
from .models import ProviderUsage

USAGE_MONTHS = 12


@login_required
def district_routes(request):
    district = access.get_district_administered_by(request.user)
    current = services.district_routes(district.pk)
    form = LanguageRoutesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.set_language_routes(district, form.routes(), by=request.user)
        flash.success(request, _("Translation routes saved."))
        return redirect("translation_routes")
    count = households.count_families(access.guardianships_for(request.user))
    families = {code: tally.families for code, tally in count.languages.items()}
    languages = sorted(route_languages(), key=lambda code: (-families.get(code, 0), code))
    lines = [
        {
            "field": form[code],
            "families": families.get(code, 0),
            "support": services.language_support(code, district=district),
        }
        for code in languages
    ]
    usage = ProviderUsage.objects.order_by("-month", "provider")[: USAGE_MONTHS * 8]
    return render(
        request,
        "translation/routes.html",
        {
            "district": district,
            "form": form,
            "lines": lines,
            "providers": services.provider_status(languages),
            "usage": [
                {"row": row, "label": services.provider_label(row.provider)} for row in usage
            ],
        },
        status=400 if form.is_bound else 200,
    )
