"""A teacher who is also a parent at another school sees that school as a parent does.

`people.access.schools_for` holds both the schools a user works at and those of their own
children; a staff page (a school's surveys, decisions, groups, events, suggestions) reads
`schools_worked_at`, so Mr South, a South teacher whose child is at North, never reads North's
staff lists — not their results, not their drafts.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from homeroom.gatherings import access as gatherings_access
from homeroom.gatherings.models import Event
from homeroom.people import access
from homeroom.people.models import Guardian, Guardianship
from homeroom.voice import access as voice_access
from homeroom.voice.models import Decision, Group, Suggestion, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent_teacher(world):
    """South's teacher, made a parent of Ana at North with his own account."""
    guardian = Guardian.objects.create(
        district=world.district,
        given_name="Sam",
        family_name="South",
        user=world.south_teacher.user,
    )
    Guardianship.objects.create(guardian=guardian, student=world.ana, is_primary=False)
    return world.south_teacher.user


def test_a_parent_teachers_schools_hold_his_childs_school_but_he_works_at_his_own(
    world, parent_teacher
):
    assert set(access.schools_for(parent_teacher)) == {world.north, world.south}
    assert list(access.schools_worked_at(parent_teacher)) == [world.south]
    admin = world.district_admin.user
    assert set(access.schools_worked_at(admin)) == {world.north, world.south}


def test_north_staff_lists_are_closed_to_a_south_teacher_who_is_a_north_parent(
    world, parent_teacher
):
    later = timezone.now() + timedelta(days=7)
    survey = Survey.objects.create(
        district=world.district,
        school=world.north,
        created_by=world.rivera,
        title="Draft",
        closes_at=later,
    )
    decision = Decision.objects.create(
        school=world.north, created_by=world.rivera, question="Which day?", closes_at=later
    )
    group = Group.objects.create(school=world.north, name="Circle", created_by=world.principal)
    event = Event.objects.create(school=world.north, created_by=world.rivera, title="Picnic")
    suggestion = Suggestion.objects.create(
        school=world.north, guardian=world.rosa, text="More books", language="en"
    )

    assert survey not in voice_access.surveys_for_staff(parent_teacher)
    assert decision not in voice_access.decisions_for_staff(parent_teacher)
    assert group not in voice_access.groups_for_staff(parent_teacher)
    assert event not in gatherings_access.events_for_staff(parent_teacher)
    assert suggestion not in voice_access.suggestions_for_staff(parent_teacher)
    # North's own staff still see them.
    rivera = world.rivera.user
    assert survey in voice_access.surveys_for_staff(rivera)
    assert decision in voice_access.decisions_for_staff(rivera)
    assert event in gatherings_access.events_for_staff(rivera)
    assert group in voice_access.groups_for_staff(world.principal.user)
    assert suggestion in voice_access.suggestions_for_staff(rivera)
