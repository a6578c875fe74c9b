"""Recording, correcting, withdrawing, reviewing: who may do what, and what is kept."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from homeroom.behavior import errors, notices, recording
from homeroom.behavior.models import Category, Moment, MomentAudit, SchoolBehaviorSettings
from homeroom.insights import recognition


def test_defaults_are_seeded_once_positive_first(world):
    first = recording.active_categories(world.north)
    again = recording.active_categories(world.north)
    assert [c.pk for c in first] == [c.pk for c in again]
    names = [c.name for c in first]
    assert names[:6] == [
        "Helping others",
        "Perseverance",
        "Participation",
        "Kindness",
        "Great work",
        "Leadership",
    ]
    assert set(names[6:]) == {"Unprepared", "Off task", "Disrupting others", "Late to class"}
    assert all(c.points > 0 for c in first[:6]) and all(c.points <= 0 for c in first[6:])


def test_categories_are_per_school(world, cats):
    south = recording.active_categories(world.south)
    assert {c.school_id for c in south} == {world.south.pk}
    assert Category.objects.filter(school=world.north).count() == 10


def test_teacher_records_for_a_whole_section_in_one_go(world, cats):
    moments = recording.record_moments(
        world.rivera, [world.ana, world.cal], cats["Kindness"], "  Helped a new student.  "
    )
    assert len(moments) == 2
    saved = Moment.objects.filter(recorded_by=world.rivera).order_by("student__given_name")
    assert [m.student for m in saved] == [world.ana, world.cal]
    assert all(m.positive and m.points == 1 and m.note == "Helped a new student." for m in saved)
    assert all(m.school_id == world.north.pk for m in saved)


def test_teacher_cannot_record_outside_their_sections(world, cats):
    with pytest.raises(Http404):
        recording.record_moments(world.rivera, [world.ana, world.ben], cats["Kindness"])
    assert not Moment.objects.exists()  # nothing half-written


def test_inactive_students_are_out_of_scope(world, cats):
    with pytest.raises(Http404):
        recording.record_moments(world.rivera, [world.eve], cats["Kindness"])


def test_school_wide_roles_record_for_the_whole_school(world, cats):
    assert recording.record_moments(world.counselor, [world.ben, world.ana], cats["Perseverance"])
    with pytest.raises(Http404):
        recording.record_moments(world.counselor, [world.dee], cats["Perseverance"])


def test_anyone_may_recognise_opens_the_school_to_every_staff_member(world, cats):
    with pytest.raises(Http404):
        recording.record_moments(world.chen, [world.ana], cats["Kindness"])
    SchoolBehaviorSettings.objects.create(school=world.north, anyone_may_recognise=True)
    assert recording.record_moments(world.chen, [world.ana], cats["Kindness"])
    with pytest.raises(Http404):  # still only the school's own students
        recording.record_moments(world.chen, [world.dee], cats["Kindness"])


def test_a_category_of_another_school_is_refused(world, cats, south_cats):
    with pytest.raises(errors.MomentRefused, match="another school"):
        recording.record_moments(world.rivera, [world.ana], south_cats["Kindness"])
    assert not Moment.objects.exists()


def test_an_inactive_category_is_refused(world, cats):
    cats["Kindness"].is_active = False
    cats["Kindness"].save()
    with pytest.raises(errors.MomentRefused, match="no longer in use"):
        recording.record_moments(world.rivera, [world.ana], cats["Kindness"])


def test_a_note_longer_than_500_characters_is_refused(world, cats):
    with pytest.raises(errors.MomentRefused, match="500"):
        recording.record_moments(world.rivera, [world.ana], cats["Kindness"], "x" * 501)


def test_author_corrects_within_a_day_and_it_is_logged(world, cats):
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Off task"], "oops")
    recording.correct_moment(world.rivera, moment, category=cats["Great work"], note="Great essay")
    moment.refresh_from_db()
    assert moment.positive and moment.points == 1 and moment.corrected_at
    audit = MomentAudit.objects.get(moment=moment)
    assert audit.action == "corrected" and audit.by == world.rivera
    assert audit.changes["note"] == ["oops", "Great essay"]
    assert audit.changes["category"] == [cats["Off task"].pk, cats["Great work"].pk]


def test_after_a_day_only_a_school_admin_may_change_a_moment(world, cats):
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Off task"])
    Moment.objects.filter(pk=moment.pk).update(created_at=timezone.now() - timedelta(hours=25))
    moment.refresh_from_db()
    with pytest.raises(PermissionDenied):
        recording.withdraw_moment(world.rivera, moment)
    with pytest.raises(PermissionDenied):
        recording.withdraw_moment(world.chen, moment)
    recording.withdraw_moment(world.principal, moment)
    moment.refresh_from_db()
    assert moment.withdrawn_by == world.principal
    assert MomentAudit.objects.filter(moment=moment, action="withdrawn").count() == 1


def test_review_is_for_school_wide_staff(world, cats):
    (moment,) = recording.record_moments(world.rivera, [world.ana], cats["Off task"])
    with pytest.raises(PermissionDenied):
        recording.review_moment(world.rivera, moment)
    recording.review_moment(world.counselor, moment)
    moment.refresh_from_db()
    assert moment.reviewed_by == world.counselor


def test_tallies_count_kept_moments_per_student_section_and_staff(world, cats):
    recording.record_moments(world.rivera, [world.ana, world.cal], cats["Kindness"])
    recording.record_moments(world.rivera, [world.ana], cats["Great work"])
    (late,) = recording.record_moments(world.rivera, [world.cal], cats["Off task"])
    (gone,) = recording.record_moments(world.rivera, [world.cal], cats["Unprepared"])
    recording.withdraw_moment(world.rivera, gone)
    since = timezone.now() - timedelta(days=7)
    from homeroom.people.models import Student

    students = recognition.student_tallies(Student.objects.all(), since)
    assert (students[world.ana.pk].positive, students[world.ana.pk].needs_work) == (2, 0)
    assert (students[world.cal.pk].positive, students[world.cal.pk].needs_work) == (1, 1)
    assert students[world.cal.pk].points == 0
    sections = recognition.section_tallies([world.math.pk, world.art.pk], since)
    assert (sections[world.math.pk].positive, sections[world.math.pk].needs_work) == (3, 1)
    assert (sections[world.art.pk].positive, sections[world.art.pk].needs_work) == (1, 1)
    assert not sections[world.art.pk].meets(4) and sections[world.math.pk].ratio == 3
    staff = recognition.staff_tallies([world.rivera.pk, world.chen.pk], since)
    assert staff[world.rivera.pk].total == 4 and world.chen.pk not in staff
    assert late.pk  # recorded


def test_purge_keeps_each_school_to_its_retention(world, cats, south_cats):
    now = timezone.now()
    (old_north,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    (new_north,) = recording.record_moments(world.rivera, [world.ana], cats["Kindness"])
    (old_south,) = recording.record_moments(
        world.south_teacher, [world.dee], south_cats["Kindness"]
    )
    Moment.objects.filter(pk=old_north.pk).update(created_at=now - timedelta(days=400))
    Moment.objects.filter(pk=new_north.pk).update(created_at=now - timedelta(days=300))
    Moment.objects.filter(pk=old_south.pk).update(created_at=now - timedelta(days=100))
    SchoolBehaviorSettings.objects.create(school=world.south, retention_months=3)
    notices.purge_old_moments(now)
    assert set(Moment.objects.values_list("pk", flat=True)) == {new_north.pk}


def test_the_data_migration_seeds_schools_without_categories(world, cats):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("homeroom.behavior.migrations.0002_default_categories")
    migration.seed(apps, None)
    assert Category.objects.filter(school=world.south).count() == 10
    assert Category.objects.filter(school=world.north).count() == 10  # not seeded twice
