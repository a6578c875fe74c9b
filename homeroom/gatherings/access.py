"""Who sees which event, built on `people.access` only.

- Staff see the events of their schools (`schools_for`) and organise them.
- A co-organiser family (a guardian staff added) edits the event's words with them, and sees
  the counts and, once two families agreed a ride, who rides with whom (organisers see every
  agreed ride); never other families' needs or contact details.
- A family sees an event once its times were asked or it was invited, when one of its own
  children's links (`own_children_links`) through which the school may write
  (`contactable_links`) is in the audience: the class, the grade or the school.
- An event may gather a parent-academy session's RSVPs: its staff link one of the coming
  sessions of an academy of the event's school that they see (`voice.access`); the group's
  pages show the event only to whom gatherings shows it, and the event names the group only to
  whom `voice.access` shows the group.

Anything else is a 404.
"""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from homeroom.messaging.audiences import audience_filter
from homeroom.people import access
from homeroom.people.models import Enrollment, Guardianship, Role, School, StaffMember, Student
from homeroom.voice import access as voice_access
from homeroom.voice.models import AcademySession, Group, GroupMember

from .models import Booking, ConferenceSlot, Event, SlotBlock


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
    member_of = GroupMember.objects.filter(
        guardian=access.viewer_for(user).guardian, group__is_active=True
    )
    return Event.objects.filter(put, school__is_active=True).filter(
        Q(audience__kind="school", school__in=links.values("student__school"))
        | Q(audience__kind="section", section__in=sections)
        | Q(Exists(in_grade), audience__kind="grade")
        | Q(
            audience__kind="group",
            group__in=member_of.values("group"),
            school__in=links.values("student__school"),
        )
        | Q(
            audience__kind="district",
            school__district__in=links.filter(student__school__is_active=True).values(
                "student__school__district"
            ),
        )
    )


def audience_links(event: Event) -> QuerySet:
    """The links the event's messages reach, as its invitation: an active link in its
    audience (the class, grade or school; for a parent-led group's event, its members'
    links at the school), contact allowed, the guardian active."""
    links = access.contactable_links().filter(guardian__is_active=True)
    if event.audience.get("kind") == "group":
        members = voice_access.members_of(event.group).values("guardian_id")
        return links.filter(student__school=event.school_id, guardian__in=members)
    return links.filter(audience_filter(event.audience, event.school_id))


def reachable_guardians(event: Event, guardians=None) -> list[int]:
    """Of `guardians` (ids, or a subquery of them; None: every one), those the school may
    still write to about this event, as its invitation (`audience_links`)."""
    links = audience_links(event)
    if guardians is not None:
        links = links.filter(guardian__in=guardians)
    return sorted(set(links.values_list("guardian_id", flat=True)))


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


def schools_to_host(user) -> QuerySet[School]:
    """Where a district's admin may hold an event of the whole district: its active schools."""
    viewer = access.viewer_for(user)
    if not viewer.is_district_admin:
        return School.objects.none()
    return access.schools_of_district(viewer.staff.district_id).order_by("name", "pk")


def runs_event(user, event: Event) -> bool:
    """Who puts the times, fixes one and invites: a parent leader of a group's event, the
    district's admins for an event of the district, the school's staff for the others."""
    if event.group_id is not None:
        return leads_event(user, event)
    viewer = access.viewer_for(user)
    if event.audience.get("kind") == "district":
        return viewer.is_district_admin and viewer.staff.district_id == event.school.district_id
    return viewer.is_staff_member


def leads_event(user, event: Event) -> bool:
    """A parent leader of the group a group's event is for, while leading it."""
    return event.group_id is not None and voice_access.is_parent_leader(user, event.group)


def get_event_to_edit(user, pk) -> Event:
    """Staff of the school, or a co-organiser family."""
    viewer = access.viewer_for(user)
    if viewer.is_staff_member:
        return get_event_for_staff(user, pk)
    return _get_or_404(events_co_organised_by(user).select_related("school", "created_by"), pk)


def sessions_to_link(user, event: Event, now: datetime | None = None) -> QuerySet[AcademySession]:
    """What an organiser may link `event` to: the coming sessions of the academies of the
    event's school this staff member sees, not already gathered by another event."""
    academies = voice_access.groups_for_staff(user).filter(school=event.school_id, is_academy=True)
    return (
        AcademySession.objects.filter(group__in=academies, starts_at__gt=now or timezone.now())
        .filter(Q(event__isnull=True) | Q(event=event))
        .select_related("group")
        .order_by("starts_at", "pk")
    )


def with_events_for(
    user, sessions: QuerySet[AcademySession], *, as_staff: bool
) -> QuerySet[AcademySession]:
    """`sessions`, each with `event_pk`: the event gathering it when the user may open that
    event (as the school's staff, or as a family of its audience), else None. No query of its
    own: the sessions' query carries it."""
    events = events_for_staff(user) if as_staff else events_for_family(user)
    gathering = events.filter(academy_session=OuterRef("pk")).values("pk")[:1]
    return sessions.annotate(event_pk=Subquery(gathering))


def group_of_event_for(user, event: Event) -> Group | None:
    """The academy group of the session `event` gathers, when the user may open that group."""
    if event.academy_session_id is None:
        return None
    return voice_access.groups_for(user).filter(sessions=event.academy_session_id).first()


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# ---- sign-up slots: conferences and volunteer shifts ------------------------------------------
#
# - A teacher publishes conference hours for herself at a school where she teaches.
# - Staff see a block's schedule when it is theirs, or at a school where they hold a
#   school-wide role or which they run (the office books for a family who called, the
#   interpreters see who needs them); only the teacher and the school's admins move or
#   delete it.
# - A family books for its own children through links that allow records and contact, with
#   the teachers who teach that child now, at the child's school. Ray (a court order) books
#   nothing and sees no slot.
# - Volunteer shifts hang on an event: its organisers see who signed up, the families who see
#   the event sign up.


def schools_to_publish_at(user) -> QuerySet[School]:
    """The schools where this staff member teaches: where she publishes conference hours."""
    viewer = access.viewer_for(user)
    if not viewer.is_staff_member:
        return School.objects.none()
    return School.objects.filter(pk__in=viewer.school_ids_with(Role.TEACHER), is_active=True)


def blocks_for_staff(user) -> QuerySet[SlotBlock]:
    viewer = access.viewer_for(user)
    if not viewer.is_staff_member:
        return SlotBlock.objects.none()
    return SlotBlock.objects.filter(
        Q(teacher=viewer.staff)
        | Q(school__in=access.school_wide_schools_for(user))
        | Q(school__in=access.schools_managed_by(viewer)),
        school__in=access.schools_worked_at(user),
    )


def get_block_for_staff(user, pk) -> SlotBlock:
    try:
        return blocks_for_staff(user).select_related("school", "teacher").get(pk=pk)
    except (SlotBlock.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_change_block(user, block: SlotBlock) -> bool:
    """Moving a day or taking it down: the teacher herself, or an admin of the school."""
    viewer = access.viewer_for(user)
    return (viewer.staff is not None and block.teacher_id == viewer.staff.pk) or (
        access.can_manage_school(user, block.school)
    )


def _taught_by(teacher) -> Q:
    return Q(Exists(access.teachers_of_student(OuterRef("pk")).filter(staff=teacher)))


def families_to_book_for(user, block: SlotBlock) -> QuerySet[Guardianship]:
    """The family links staff may book one of `block`'s slots for: a child the block's teacher
    teaches now at its school, whom the staff member sees, through a link the school may write
    through about the child."""
    taught = Student.objects.filter(_taught_by(block.teacher), school=block.school_id)
    return (
        access.contactable_links_for(user, about_the_child=True)
        .filter(guardian__is_active=True, student__in=taught)
        .select_related("guardian", "student")
        .order_by("student__family_name", "student__given_name", "guardian__family_name", "pk")
    )


def booking_links_for_family(user) -> QuerySet[Guardianship]:
    """A guardian's links to the children they book conferences for: records and contact
    allowed."""
    return access.own_children_links(user) & access.contactable_links(about_the_child=True)


def children_to_book_for(user) -> QuerySet[Student]:
    return Student.objects.filter(
        pk__in=booking_links_for_family(user).values("student"), is_active=True
    ).select_related("school")


def get_child_to_book_for(user, pk) -> Student:
    try:
        return children_to_book_for(user).get(pk=pk)
    except (Student.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def teachers_of(student: Student) -> QuerySet[StaffMember]:
    """The staff who teach this child now (one row each)."""
    return StaffMember.objects.filter(
        pk__in=access.teachers_of_student(student).values("staff")
    ).order_by("family_name", "given_name", "pk")


def slots_open_to(student: Student) -> QuerySet[ConferenceSlot]:
    """Every slot of the conference hours of the teachers of this child, at the child's
    school (booked or not, past or not: the service decides what may still be booked)."""
    return ConferenceSlot.objects.filter(
        block__teacher__in=access.teachers_of_student(student).values("staff"),
        block__school=student.school_id,
        block__school__is_active=True,
    )


def bookings_for_family(user) -> QuerySet[Booking]:
    """The bookings about this guardian's children (whoever of the family made them)."""
    return Booking.objects.filter(student__in=booking_links_for_family(user).values("student"))


def may_book_for(guardian, student: Student) -> bool:
    """A conference about this child may be booked for this guardian (by them or by staff):
    the school may write to them about the child."""
    return (
        access.contactable_links(about_the_child=True)
        .filter(guardian=guardian, student=student)
        .exists()
    )


def teaches_now(teacher, student: Student) -> bool:
    return access.teachers_of_student(student).filter(staff=teacher).exists()


def child_to_tell(event: Event, guardian) -> Student | None:
    """A child of this guardian in the event's audience the school may write about: what a
    private message about the event to one family (a place opened, a ride, a volunteer
    shift) is filed under."""
    link = (
        (audience_links(event) & access.contactable_links(about_the_child=True))
        .filter(guardian=guardian)
        .select_related("student")
        .order_by("-is_primary", "pk")
        .first()
    )
    return link.student if link else None
