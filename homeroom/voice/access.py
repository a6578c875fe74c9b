"""Who sees which survey, built on `people.access` only.

Staff see the surveys of their schools (`schools_for`). A family sees a survey once it is
sent when one of its own children's links (`own_children_links`: records allowed) through
which the school may write (`contactable_links`) is in the survey's audience: the class,
the grade or the school. Anything else is a 404.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from homeroom.people import access
from homeroom.people.models import Enrollment, Guardianship

from .models import Response, Survey


def surveys_for_staff(user) -> QuerySet[Survey]:
    viewer = access.viewer_for(user)
    if not viewer.is_staff_member:
        return Survey.objects.none()
    return Survey.objects.filter(school__in=access.schools_for(user))


def get_survey_for_staff(user, pk) -> Survey:
    return _get_or_404(surveys_for_staff(user).select_related("school", "created_by"), pk)


def family_links(user):
    """The signed-in guardian's links a survey may reach them through."""
    return access.own_children_links(user) & access.contactable_links()


def surveys_for_family(user) -> QuerySet[Survey]:
    """The sent surveys whose audience holds one of this guardian's children."""
    if not access.viewer_for(user).is_guardian:
        return Survey.objects.none()
    return _surveys_through(family_links(user))


def surveys_for_guardian(guardian) -> QuerySet[Survey]:
    """The same surveys for a guardian known by their number rather than signed in (a text
    answering a survey): their own children's links, records allowed, the school may write
    through."""
    if guardian is None or not guardian.is_active:
        return Survey.objects.none()
    return _surveys_through(access.records_links_of(guardian) & access.contactable_links())


def _surveys_through(links) -> QuerySet[Survey]:
    sections = Enrollment.objects.filter(
        is_active=True, student__in=links.values("student")
    ).values("section")
    in_grade = links.filter(student__school=OuterRef("school"), student__grade=OuterRef("grade"))
    return Survey.objects.filter(sent_at__isnull=False, school__is_active=True).filter(
        Q(audience__kind="school", school__in=links.values("student__school"))
        | Q(audience__kind="section", section__in=sections)
        | Q(Exists(in_grade), audience__kind="grade")
    )


def get_survey_for_family(user, pk) -> Survey:
    return _get_or_404(surveys_for_family(user).select_related("school"), pk)


def open_unanswered_for_family(user, now) -> list[Survey]:
    """What waits for this family's answer: open surveys it has not answered (two queries)."""
    from .services import respondent_key

    guardian = access.viewer_for(user).guardian
    if guardian is None:
        return []
    surveys = list(
        surveys_for_family(user)
        .filter(closes_at__gt=now)
        .select_related("school")
        .order_by("closes_at", "pk")
    )
    if not surveys:
        return []
    keys = {respondent_key(survey, guardian): survey for survey in surveys}
    answered = set(
        Response.objects.filter(respondent_key__in=keys).values_list("respondent_key", flat=True)
    )
    return [survey for key, survey in keys.items() if key not in answered]


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- figures by group --


def audience_links(survey: Survey) -> QuerySet[Guardianship]:
    """The links through which the survey's audience was asked (the class, the grade or the
    school; the school may write through them): whose grade, programs and school a family's
    answer is counted under in the figures by group."""
    links = access.contactable_links()
    kind = survey.audience.get("kind")
    if kind == "section":
        return links.filter(
            student__enrollments__section=survey.section_id, student__enrollments__is_active=True
        )
    if kind == "grade":
        return links.filter(student__school=survey.school_id, student__grade=survey.grade)
    return links.filter(student__school=survey.school_id)
