"""The figures pages of recognition: a teacher's ratios and nudges, and the leaders' view.
Each asks behavior's access module whom it may show and the figures modules what to show."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from homeroom.behavior import access as behavior_access
from homeroom.behavior import feeds
from homeroom.behavior.forms import LeadersQuery
from homeroom.forms import page_number
from homeroom.people import access
from homeroom.routines.views.common import staff_or_404

from . import first_contacts, nudges, recognition

TABLE_PAGE_SIZE = 50
PERIODS = (("7", "Last 7 days"), ("30", "Last 30 days"), ("year", "This school year"))


def _staff(request):
    return behavior_access.staff_or_404(request.user)


def _period(request) -> tuple[str, list[tuple[str, str]]]:
    period = LeadersQuery(request.GET).value("period")
    if period not in {key for key, _label in PERIODS}:
        period = "30"
    labels = {"7": _("Last 7 days"), "30": _("Last 30 days"), "year": _("This school year")}
    return period, [(key, labels[key]) for key, _label in PERIODS]


# ---- ratios and nudges ---------------------------------------------------------------------------


@login_required
def ratios(request):
    staff = _staff(request)
    period, periods = _period(request)
    since = recognition.period_start(period)
    ratios_ = nudges.class_ratios(request.user, staff, since)
    points = Paginator(
        ratios_.students.annotate(
            points_total=recognition.tally_aggregates("moments__")["points_total"]
        ).order_by("family_name", "given_name", "pk"),
        TABLE_PAGE_SIZE,
    ).get_page(page_number(request))
    mine = recognition.staff_tallies([staff.pk], since).get(staff.pk, recognition.Tally())
    reviews = behavior_access.review_school_ids(staff).exists()
    return render(
        request,
        "behavior/ratios.html",
        {
            "period": period,
            "periods": periods,
            "sections": ratios_.sections,
            "only_needs_work": ratios_.only_needs_work,
            "never_good": ratios_.never_good,
            "points": points,
            "mine": mine,
            "reviews": reviews,
            "awaiting_review": feeds.moments_awaiting_review(staff).count() if reviews else 0,
            "target": ratios_.target,
        },
    )


# ---- leaders' view -----------------------------------------------------------------------------


@login_required
def insights(request):
    _staff(request)
    query = LeadersQuery(request.GET)
    schools, school = behavior_access.leader_school(request.user, query.value("school"))
    scope = Q(school=school) if school else Q(school__in=schools)
    period, periods = _period(request)
    by = query.value("by")
    if by not in recognition.BREAKDOWNS:
        by = "kind"
    since = recognition.period_start(period)
    moments = feeds.kept_moments().filter(scope, created_at__gte=since)
    tables = recognition.leader_tables(moments)
    breakdown = recognition.weekly_breakdown(moments, by, since)
    participation = recognition.school_participation(
        request.user, schools.filter(pk=school.pk) if school else schools, since
    )
    staff_rows = Paginator(participation.recognisers, TABLE_PAGE_SIZE).get_page(
        page_number(request)
    )
    breakdowns = {
        "kind": _("Good news and needs work"),
        "category": _("Category"),
        "grade": _("Grade"),
        "language": _("Family language"),
        "program": _("Program"),
    }
    chart = {
        **breakdown.as_chart(),
        "categories": [row["category__name"] for row in tables.by_category],
        "category_counts": [row["n"] for row in tables.by_category],
        "category_positive": [row["positive"] for row in tables.by_category],
        "labels": {"moments": _("Moments")},
    }
    return render(
        request,
        "behavior/insights.html",
        {
            "schools": schools.order_by("name"),
            "school": school,
            "period": period,
            "periods": periods,
            "by": by,
            "breakdowns": list(breakdowns.items()),
            "breakdown_label": breakdowns[by],
            "breakdown": breakdown,
            "by_category": tables.by_category,
            "by_grade": tables.by_grade,
            "by_language": tables.by_language,
            "by_program": tables.by_program,
            "staff_rows": staff_rows,
            "participation": participation,
            "chart": chart,
        },
    )


POSITIVE_FIRST_PAGE_SIZE = 50


@login_required
def positive_first(request):
    """Positive first: the families whose first contact this year is still to come."""
    staff_or_404(request)
    figures = first_contacts.positive_first(access.students_for(request.user))
    page = Paginator(figures["waiting"], POSITIVE_FIRST_PAGE_SIZE).get_page(page_number(request))
    sections = first_contacts.class_to_write_from(request.user, page.object_list)
    for student in page.object_list:
        student.section_id_for_news = sections.get(student.pk)
    return render(
        request,
        "routines/positive_first.html",
        {
            "figures": figures,
            "page": page,
            "schools": (
                list(figures["by_school"].values())
                if access.viewer_for(request.user).is_admin
                else []
            ),
        },
    )
