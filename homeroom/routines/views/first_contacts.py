"""Positive first: the families whose first contact this year is still to come."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from homeroom.forms import page_number
from homeroom.people import access
from homeroom.people.models import Enrollment

from .. import first_contacts
from .common import staff_or_404

WAITING_PAGE_SIZE = 50


@login_required
def positive_first(request):
    staff_or_404(request)
    viewer = access.viewer_for(request.user)
    figures = first_contacts.positive_first(access.students_for(request.user))
    page = Paginator(figures["waiting"], WAITING_PAGE_SIZE).get_page(page_number(request))
    sections = {}
    if page.object_list:
        for enrollment in Enrollment.objects.filter(
            student__in=[s.pk for s in page.object_list],
            is_active=True,
            section__in=access.sections_for(request.user),
        ).order_by("section__title"):
            sections.setdefault(enrollment.student_id, enrollment.section_id)
    for student in page.object_list:
        student.section_id_for_news = sections.get(student.pk)
    return render(
        request,
        "routines/positive_first.html",
        {
            "figures": figures,
            "page": page,
            "schools": list(figures["by_school"].values()) if viewer.is_admin else [],
        },
    )
