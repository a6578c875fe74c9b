"""A school's insights page and its CSV: the communication figures of the last rolled-up
day, for the school and by home language. School admins see their schools, the district
admin every school; anyone else, or another school's id, gets a 404."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from homeroom.people import access

from . import facts


def _school_or_404(request, pk):
    viewer = access.viewer_for(request.user)
    if not viewer.is_admin:
        raise Http404
    return get_object_or_404(access.schools_managed_by(viewer), pk=pk)


def _figures(school):
    day, found = facts.latest(school.district_id, [school.pk], [school.pk])
    rows = found.get(school.pk, {})
    overall = rows.get("")
    languages = [row for language, row in sorted(rows.items()) if language]
    languages.sort(key=lambda row: (-row.families, row.language))
    return day, overall, languages


@login_required
def school_insights(request, pk):
    school = _school_or_404(request, pk)
    day, overall, languages = _figures(school)
    return render(
        request,
        "insights/school.html",
        {
            "school": school,
            "day": day,
            "table": facts.figure_table(overall) if overall else [],
            "language_rows": languages,
        },
    )


@login_required
def school_insights_csv(request, pk):
    school = _school_or_404(request, pk)
    day, overall, languages = _figures(school)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="insights-school-{school.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["day", "language", "figure", "value"])
    if overall:
        for key, _label, value in facts.figure_table(overall):
            writer.writerow([day.isoformat(), "", key, value])
    for row in languages:
        for key in ("families", "reachable", "reached_30", "two_way_14", "two_way_30"):
            writer.writerow([day.isoformat(), row.language, key, getattr(row, key)])
    return response
