"""Who sees which survey, built on `people.access` only.

Staff see the surveys of their schools (`schools_for`). A family sees a survey once it is
sent when one of its own children's links (`own_children_links`: records allowed) through
which the school may write (`contactable_links`) is in the survey's audience: the class,
the grade or the school. Anything else is a 404.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from homeroom.people import access
from homeroom.people.models import Enrollment

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
    links = family_links(user)
    if not access.viewer_for(user).is_guardian:
        return Survey.objects.none()
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


# ---- The engagement-preferences survey (voice.engagement) -----------------------------------


def engagement_responses_for(user) -> QuerySet[Response]:
    """Answers to the built-in engagement survey of the staff member's schools, from the
    families they may see (an admin: every family of the school; a teacher: their classes')."""
    if not access.viewer_for(user).is_staff_member:
        return Response.objects.none()
    return Response.objects.filter(
        survey__in=surveys_for_staff(user),
        survey__builtin__isnull=False,
        guardian__in=access.guardians_for(user),
    )


def engagement_links_for(user):
    """The family links the staff member may see: a family's grades at each school."""
    return access.guardianships_for(user)


def sees_by_school_only(user) -> bool:
    """A district admin reads the district's figures by school, not family by family."""
    viewer = access.viewer_for(user)
    return viewer.is_district_admin and not viewer.admin_school_ids


# ---- Parent-led groups ----------------------------------------------------------------------
# Who sees which group, on `people.access` only.
#
# - Staff see the groups of their schools (`schools_for`); a school's admins (and the
#   district's, `can_manage_school`) create groups and make parent leaders; any staff member
#   of the school may hide a post.
# - A guardian sees the groups of the schools they may hear of
#   (`schools_a_guardian_may_hear_of`: an active link to an active child, contact and records
#   allowed); a court order on every child keeps them out of every group. They join and
#   leave for themselves; members read the posts, topics and sessions.
# - `is_parent_leader(user, group)` / `groups_led_by(user)`: what other modules (surveys,
#   gatherings) ask before letting a parent create something for a group. A leader is a
#   guardian an admin appointed who still may hear of the group's school.
# Anything else is a 404.

from homeroom.people.models import Guardian  # noqa: E402

from .models import Group, GroupLeader, GroupMember  # noqa: E402


def _guardian_schools(user):
    return access.schools_a_guardian_may_hear_of(access.viewer_for(user).guardian)


def groups_for_staff(user) -> QuerySet[Group]:
    if not access.viewer_for(user).is_staff_member:
        return Group.objects.none()
    return Group.objects.filter(school__in=access.schools_for(user), is_active=True)


def groups_for_family(user) -> QuerySet[Group]:
    if not access.viewer_for(user).is_guardian:
        return Group.objects.none()
    return Group.objects.filter(school__in=_guardian_schools(user), is_active=True)


def groups_for(user) -> QuerySet[Group]:
    """Every group the user may open: their schools' as staff, their children's as family."""
    return Group.objects.filter(
        Q(pk__in=groups_for_staff(user).values("pk"))
        | Q(pk__in=groups_for_family(user).values("pk"))
    )


def get_group_for(user, pk) -> Group:
    try:
        return groups_for(user).select_related("school").get(pk=pk)
    except (Group.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_staff_of_group(user, group: Group) -> bool:
    return groups_for_staff(user).filter(pk=group.pk).exists()


def may_manage_group(user, group: Group) -> bool:
    """Create the group, make and unmake its leaders: the school's admins."""
    return access.viewer_for(user).is_staff_member and access.can_manage_school(user, group.school)


def groups_led_by(user) -> QuerySet[Group]:
    """The active groups this user leads as a parent, at schools they may still hear of."""
    guardian = access.viewer_for(user).guardian
    if guardian is None:
        return Group.objects.none()
    return groups_for_family(user).filter(leaders__guardian=guardian).distinct()


def is_parent_leader(user, group: Group) -> bool:
    return groups_led_by(user).filter(pk=group.pk).exists()


def is_member(user, group: Group) -> bool:
    guardian = access.viewer_for(user).guardian
    if guardian is None:
        return False
    return groups_for_family(user).filter(pk=group.pk, memberships__guardian=guardian).exists()


def guardians_of_school(school) -> QuerySet[Guardian]:
    """The guardians who may hear of `school`: whom a group there may hold."""
    links = access.contactable_links().filter(
        student__school=school, may_see_records=True, guardian__is_active=True
    )
    return Guardian.objects.filter(pk__in=links.values("guardian_id"), is_active=True)


def leader_candidates(user, group: Group) -> QuerySet[Guardian]:
    """Whom an admin may make a parent leader of `group`: a guardian they see
    (`guardians_for`) who may hear of the group's school."""
    if not may_manage_group(user, group):
        return Guardian.objects.none()
    return access.guardians_for(user).filter(pk__in=guardians_of_school(group.school).values("pk"))


def members_of(group: Group) -> QuerySet[GroupMember]:
    """The group's members who still may hear of its school: who posts reach and who is
    listed."""
    return GroupMember.objects.filter(group=group, guardian__in=guardians_of_school(group.school))


def members_of_guardian(guardian, groups) -> QuerySet[GroupMember]:
    """This guardian's own memberships among `groups`."""
    return GroupMember.objects.filter(guardian=guardian, group__in=groups)


def leaders_of(group: Group) -> QuerySet[GroupLeader]:
    return GroupLeader.objects.filter(group=group, guardian__in=guardians_of_school(group.school))


def links_at_school(school):
    """The school's active family links, as `people.households` counts families over them."""
    return access.family_links_at([school.pk])


def child_names_at(school) -> QuerySet:
    """(given name, family name) of the school's active children, to keep them out of posts."""
    return (
        access.family_links_at([school.pk])
        .values_list("student__given_name", "student__family_name")
        .distinct()
    )
