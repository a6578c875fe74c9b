"""Who sees which event, built on `people.access` only.

- Staff see the events of their schools (`schools_for`) and organise them.
- A co-organiser family (a guardian staff added) edits the event's words with them, and sees
  the counts; never other families' names, needs or contact details.
- A family sees an event once its times were asked or it was invited, when one of its own
  children's links (`own_children_links`) through which the school may write
  (`contactable_links`) is in the audience: the class, the grade or the school.

Anything else is a 404.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from homeroom.people import access
from homeroom.people.models import Enrollment

from .models import Event


def events_for_staff(user) -> QuerySet[Event]:
    if not access.viewer_for(user).is_staff_member:
        return Event.objects.none()
    return Event.objects.filter(school__in=access.schools_worked_at(user))


def get_event_for_staff(user, pk) -> Event:
    return _get_or_404(events_for_staff(user).select_related("school", "created_by"), pk)


def family_links(user):
    return access.own_children_links(user) & access.contactable_links()


def events_for_family(user) -> QuerySet[Event]:
    """The events put to families whose audience holds one of this guardian's children."""
    if not access.viewer_for(user).is_guardian:
        return Event.objects.none()
    links = family_links(user)
    sections = Enrollment.objects.filter(
        is_active=True, student__in=links.values("student")
    ).values("section")
    in_grade = links.filter(student__school=OuterRef("school"), student__grade=OuterRef("grade"))
    put = Q(times_asked_at__isnull=False) | Q(invited_at__isnull=False)
    return Event.objects.filter(put, school__is_active=True).filter(
        Q(audience__kind="school", school__in=links.values("student__school"))
        | Q(audience__kind="section", section__in=sections)
        | Q(Exists(in_grade), audience__kind="grade")
    )


def get_event_for_family(user, pk) -> Event:
    return _get_or_404(events_for_family(user).select_related("school"), pk)


def events_co_organised_by(user) -> QuerySet[Event]:
    """The events this guardian co-organises, while a child of theirs is still in the
    school (a family that left stops editing)."""
    guardian = access.viewer_for(user).guardian
    if guardian is None:
        return Event.objects.none()
    return Event.objects.filter(
        co_organisers=guardian,
        school__is_active=True,
        school__in=family_links(user).values("student__school"),
    )


def get_event_to_edit(user, pk) -> Event:
    """Staff of the school, or a co-organiser family."""
    viewer = access.viewer_for(user)
    if viewer.is_staff_member:
        return get_event_for_staff(user, pk)
    return _get_or_404(events_co_organised_by(user).select_related("school", "created_by"), pk)


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
