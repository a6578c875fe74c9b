"""Who sees which survey, built on `people.access` only.

Staff see the surveys of their schools (`schools_worked_at`), and a district's admins its
surveys of the whole district. A family sees a survey once it is sent when one of its own
children's links (`own_children_links`: records allowed) through which the school may write
(`contactable_links`) is in the survey's audience: the class, the grade, the school, the
district, or — for a list of families — a link at the survey's school of a guardian on the
list. Anything else is a 404.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from homeroom.people import access
from homeroom.people.models import Enrollment, Guardian, Guardianship, School

from .models import Group, GroupLeader, GroupMember, Response, Suggestion, Survey


def surveys_for_staff(user) -> QuerySet[Survey]:
    viewer = access.viewer_for(user)
    if not viewer.is_staff_member:
        return Survey.objects.none()
    mine = Q(school__in=access.schools_worked_at(user))
    if viewer.is_district_admin:
        mine |= Q(school__isnull=True, district_id=viewer.staff.district_id)
    return Survey.objects.filter(mine)


def get_survey_for_staff(user, pk) -> Survey:
    return _get_or_404(
        surveys_for_staff(user).select_related("school", "district", "created_by"), pk
    )


def family_links(user):
    """The signed-in guardian's links a survey may reach them through."""
    return access.own_children_links(user) & access.contactable_links()


def surveys_for_family(user) -> QuerySet[Survey]:
    """The sent surveys whose audience holds one of this guardian's children."""
    viewer = access.viewer_for(user)
    if not viewer.is_guardian:
        return Survey.objects.none()
    return _surveys_through(family_links(user), viewer.guardian)


def surveys_for_guardian(guardian) -> QuerySet[Survey]:
    """The same surveys for a guardian known by their number rather than signed in (a text
    answering a survey): their own children's links, records allowed, the school may write
    through."""
    if guardian is None or not guardian.is_active:
        return Survey.objects.none()
    return _surveys_through(
        access.records_links_of(guardian) & access.contactable_links(), guardian
    )


def _surveys_through(links, guardian: Guardian) -> QuerySet[Survey]:
    sections = Enrollment.objects.filter(
        is_active=True, student__in=links.values("student")
    ).values("section")
    in_grade = links.filter(student__school=OuterRef("school"), student__grade=OuterRef("grade"))
    on_list = Survey.families.through.objects.filter(survey=OuterRef("pk"), guardian=guardian)
    member_of = GroupMember.objects.filter(guardian=guardian, group__is_active=True)
    active_schools = links.filter(student__school__is_active=True)
    return (
        Survey.objects.filter(sent_at__isnull=False)
        .filter(Q(school__is_active=True) | Q(school__isnull=True))
        .filter(
            Q(audience__kind="school", school__in=links.values("student__school"))
            | Q(audience__kind="section", section__in=sections)
            | Q(Exists(in_grade), audience__kind="grade")
            | Q(
                audience__kind="district",
                district__in=active_schools.values("student__school__district"),
            )
            | Q(
                Exists(on_list),
                audience__kind="families",
                school__in=links.values("student__school"),
            )
            | Q(
                audience__kind="group",
                group__in=member_of.values("group"),
                school__in=links.values("student__school"),
            )
        )
    )


def families_to_list(user, schools) -> dict[int, list[tuple[int, str]]]:
    """The families a staff member may put on a survey's list, per school: the guardians they
    may write to there (`contactable_links_for`), each with their children at the school —
    "Rosa Garcia (Ana Garcia)" — in one query. A district's admin lists families only at the
    schools they also hold a role at: a list of the district's every family is a district
    survey."""
    viewer = access.viewer_for(user)
    if viewer.is_district_admin:
        schools = [school for school in schools if school in viewer.roles_by_school]
    links = (
        access.contactable_links_for(user)
        .filter(student__school__in=schools)
        .values_list(
            "student__school_id",
            "guardian_id",
            "guardian__given_name",
            "guardian__family_name",
            "student__given_name",
            "student__family_name",
        )
        .order_by("guardian__family_name", "guardian__given_name", "guardian_id", "student_id")
    )
    found: dict[int, dict[int, tuple[str, list[str]]]] = {}
    for school_id, guardian_id, given, family, child_given, child_family in links:
        _name, children = found.setdefault(school_id, {}).setdefault(
            guardian_id, (f"{given} {family}".strip(), [])
        )
        child = f"{child_given} {child_family}".strip()
        if child not in children:
            children.append(child)
    return {
        school_id: [
            (guardian_id, f"{name} ({', '.join(children)})")
            for guardian_id, (name, children) in guardians.items()
        ]
        for school_id, guardians in found.items()
    }


def get_survey_for_family(user, pk) -> Survey:
    return _get_or_404(surveys_for_family(user).select_related("school", "district"), pk)


def open_unanswered_for_family(user, now) -> list[Survey]:
    """What waits for this family's answer: open surveys it has not answered (two queries)."""
    from .services import respondent_key

    guardian = access.viewer_for(user).guardian
    if guardian is None:
        return []
    surveys = list(
        surveys_for_family(user)
        .filter(closes_at__gt=now)
        .select_related("school", "district")
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
    if kind == "district":
        return links.filter(
            student__school__district=survey.district_id, student__school__is_active=True
        )
    if kind == "families":
        on_list = Survey.families.through.objects.filter(survey=survey).values("guardian")
        return links.filter(student__school=survey.school_id, guardian__in=on_list)
    if kind == "group":
        members = GroupMember.objects.filter(group=survey.group_id).values("guardian")
        return links.filter(student__school=survey.school_id, guardian__in=members)
    return links.filter(student__school=survey.school_id)


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


def _guardian_schools(user):
    return access.schools_a_guardian_may_hear_of(access.viewer_for(user).guardian)


def groups_for_staff(user) -> QuerySet[Group]:
    if not access.viewer_for(user).is_staff_member:
        return Group.objects.none()
    return Group.objects.filter(school__in=access.schools_worked_at(user), is_active=True)


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


def surveys_led_by(user) -> QuerySet[Survey]:
    """The surveys of the groups this guardian leads now, whichever of its leaders wrote
    them: a leader who stops leading stops seeing them."""
    return Survey.objects.filter(group__in=groups_led_by(user))


def get_survey_for_leader(user, pk) -> Survey:
    return _get_or_404(
        surveys_led_by(user).select_related("school", "district", "group", "created_by"), pk
    )


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


# ---- suggestions ----------------------------------------------------------------------------
# A family sends a suggestion to a school of one of its own children (records allowed) that
# may write to it (contact allowed): a court order on every child at a school keeps that
# school out. Families of a school (the same links) see its public suggestions and their own;
# staff see their schools' (`schools_for`). Anything else is a 404.


def suggestion_schools_for_family(user):
    """The schools this guardian may send a suggestion to, and read the suggestions of."""
    if not access.viewer_for(user).is_guardian:
        return School.objects.none()
    links = family_links(user).filter(student__school=OuterRef("pk"))
    return School.objects.filter(Exists(links), is_active=True).order_by("name", "pk")


def suggestions_for_family(user):
    """The public suggestions of this family's schools, and its own."""
    viewer = access.viewer_for(user)
    if not viewer.is_guardian:
        return Suggestion.objects.none()
    return Suggestion.objects.filter(school__in=suggestion_schools_for_family(user)).filter(
        Q(private=False) | Q(guardian=viewer.guardian)
    )


def get_suggestion_for_family(user, pk):
    return access._get_or_404(suggestions_for_family(user).select_related("school"), pk)


def suggestions_for_staff(user):
    if not access.viewer_for(user).is_staff_member:
        return Suggestion.objects.none()
    return Suggestion.objects.filter(school__in=access.schools_worked_at(user))


def get_suggestion_for_staff(user, pk):
    return access._get_or_404(
        suggestions_for_staff(user).select_related("school", "owner", "guardian"), pk
    )


def suggestion_school_for(user, pk):
    """A school whose "you said, we did" page this user may read: a family's or a staff
    member's own school."""
    viewer = access.viewer_for(user)
    q = Q(pk__in=[])
    if viewer.is_staff_member:
        q |= Q(pk__in=access.schools_worked_at(user).values("pk"))
    if viewer.is_guardian:
        q |= Q(pk__in=suggestion_schools_for_family(user).values("pk"))
    return access._get_or_404(School.objects.filter(q, is_active=True), pk)


def suggestion_owners_at(school):
    """Who may own a suggestion at `school`: its active staff."""
    from homeroom.people.models import StaffMember

    return StaffMember.objects.filter(
        pk__in=StaffMember.objects.filter(assignments__school=school).values("pk"),
        is_active=True,
    ).order_by("family_name", "given_name", "pk")


def suggestion_readers_at(school, guardian_ids):
    """Of `guardian_ids`, the guardians the school may still write to about its suggestions:
    an active link to an active child of the school, contact allowed."""
    from homeroom.people.models import Guardian

    links = access.contactable_links().filter(student__school=school, guardian=OuterRef("pk"))
    return Guardian.objects.filter(Exists(links), pk__in=guardian_ids, is_active=True)


def family_languages_at(school) -> set[str]:
    """The languages the school's families read, to translate its suggestions into."""
    from homeroom.languages import base_language

    rows = (
        access.contactable_links()
        .filter(student__school=school, guardian__is_active=True)
        .values_list("guardian__language", flat=True)
        .distinct()
    )
    return {base_language(code) for code in rows if code}


def family_links_around(guardian):
    """The links that decide which family `guardian` belongs to (people.households): their
    children's links, and those of the children of every guardian reached so, a few steps
    out (a family is rarely wider than that)."""
    from homeroom.people.models import Guardianship

    guardians = {guardian.pk}
    rows: set = set()
    for _step in range(3):
        students = Guardianship.objects.filter(guardian_id__in=guardians, is_active=True).values(
            "student"
        )
        found = set(
            Guardianship.objects.filter(student__in=students, is_active=True).values_list(
                "guardian_id", "student_id", "household", "lives_with"
            )
        )
        rows |= found
        more = {row[0] for row in found}
        if more <= guardians:
            break
        guardians |= more
    return rows


def suggestion_schools_for_staff(user):
    """The schools whose suggestions a staff member handles, with their answering promise."""
    if not access.viewer_for(user).is_staff_member:
        return access.schools_worked_at(user).none()
    return (
        access.schools_worked_at(user).select_related("suggestion_settings").order_by("name", "pk")
    )


# ---- Decisions put to families --------------------------------------------------------------
# The same rule as surveys: staff see their schools' decisions; a family sees one once it is
# put to families when one of its own children's contactable links is in the audience.


def decisions_for_staff(user):
    from .models import Decision

    viewer = access.viewer_for(user)
    if not viewer.is_staff_member:
        return Decision.objects.none()
    return Decision.objects.filter(school__in=access.schools_worked_at(user))


def get_decision_for_staff(user, pk):
    from .models import Decision

    return _get_decision_or_404(
        decisions_for_staff(user).select_related("school", "created_by", "outcome"), pk, Decision
    )


def decisions_for_family(user):
    from .models import Decision

    links = family_links(user)
    if not access.viewer_for(user).is_guardian:
        return Decision.objects.none()
    sections = Enrollment.objects.filter(
        is_active=True, student__in=links.values("student")
    ).values("section")
    in_grade = links.filter(student__school=OuterRef("school"), student__grade=OuterRef("grade"))
    return Decision.objects.filter(sent_at__isnull=False, school__is_active=True).filter(
        Q(audience__kind="school", school__in=links.values("student__school"))
        | Q(audience__kind="section", section__in=sections)
        | Q(Exists(in_grade), audience__kind="grade")
    )


def get_decision_for_family(user, pk):
    from .models import Decision

    return _get_decision_or_404(
        decisions_for_family(user).select_related("school", "outcome", "decided_by"),
        pk,
        Decision,
    )


def open_unvoted_decisions_for_family(user, now) -> list:
    """Open decisions this family has not voted on (one query)."""
    from .models import FamilySeat

    guardian = access.viewer_for(user).guardian
    if guardian is None:
        return []
    voted = FamilySeat.objects.filter(decision=OuterRef("pk"), guardian=guardian)
    return list(
        decisions_for_family(user)
        .filter(closes_at__gt=now)
        .exclude(Exists(voted))
        .select_related("school")
        .order_by("closes_at", "pk")
    )


def _get_decision_or_404(queryset, pk, model):
    try:
        return queryset.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
