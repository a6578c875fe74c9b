"""Importing the Lakeside district from its SIS's OneRoster 1.1 CSV export."""

import pytest
from django.utils import timezone

from homeroom.people.models import (
    Assignment,
    Channel,
    District,
    Enrollment,
    Guardian,
    Guardianship,
    Role,
    RosterImport,
    School,
    Section,
    StaffMember,
    Student,
    TeachingAssignment,
)
from homeroom.testing.oneroster_factory import (
    find,
    story_bundle,
)

from .rosters import line_of, nothing_changed, row_counts, where

pytestmark = pytest.mark.django_db

# ---- a good bundle -----------------------------------------------------------------------


def test_a_good_bundle_imports_people_links_and_classes(lakeside):
    record = lakeside
    assert record.pk is not None
    assert record.errors == [] and record.warnings == []
    assert record.progress == 100 and record.stage == "Done" and record.finished_at
    district = District.objects.get(sourced_id="d1")
    assert district.name == "Lakeside District" and record.district == district
    elementary = School.objects.get(sourced_id="s1", district=district)
    middle = School.objects.get(sourced_id="s2", district=district)
    assert elementary.name == "Lakeside Elementary"

    ana = Student.objects.get(sourced_id="st-ana")
    assert (ana.school, ana.grade, ana.given_name, ana.family_name) == (
        elementary,
        "06",
        "Ana",
        "Lopez",
    )
    assert ana.metadata == {"homeLanguage": "Spanish", "lunch": "A"}
    assert ana.search_name == "ana lopez"  # imported students are found by search too
    assert Student.objects.get(sourced_id="st-ben").school == middle

    maria = StaffMember.objects.get(sourced_id="te-maria")
    assert maria.district == district and maria.email == "maria.rivera@lakeside.example"
    assert str(maria.phone) == "+16125550100"
    assert set(maria.assignments.values_list("school__sourced_id", "role")) == {
        ("s1", Role.TEACHER),
        ("s2", Role.TEACHER),
    }
    paula = StaffMember.objects.get(sourced_id="ad-paula")
    assert list(paula.assignments.values_list("school__sourced_id", "role")) == [
        ("s1", Role.SCHOOL_ADMIN)
    ]
    assert not paula.is_district_admin
    dana = StaffMember.objects.get(sourced_id="ad-dana")
    assert dana.is_district_admin and not dana.assignments.exists()
    aide = StaffMember.objects.get(sourced_id="ai-art")
    assert list(aide.assignments.values_list("school__sourced_id", "role")) == [
        ("s2", Role.TEACHER)
    ]

    rosa = Guardian.objects.get(sourced_id="pa-rosa")
    assert (str(rosa.phone), rosa.channel, rosa.email) == (
        "+16125550111",
        Channel.SMS,
        "rosa@family.example",
    )
    assert rosa.language == "es"  # from Ana's home language: Rosa's own row names none
    marco = Guardian.objects.get(sourced_id="pa-marco")
    assert (str(marco.phone), marco.language) == ("+16125550112", "en")
    assert marco.metadata == {"homeLanguage": "English"}
    gina = Guardian.objects.get(sourced_id="pa-gina")
    assert (gina.language, gina.channel, str(gina.phone or "")) == ("ar", Channel.EMAIL, "")
    noor = Guardian.objects.get(sourced_id="pa-noor")
    assert noor.channel == Channel.APP and noor.district == district

    links = set(
        Guardianship.objects.values_list(
            "guardian__sourced_id", "student__sourced_id", "relationship", "is_active"
        )
    )
    assert links == {
        ("pa-rosa", "st-ana", "parent", True),
        ("pa-marco", "st-ana", "guardian", True),
        ("pa-gina", "st-ben", "relative", True),  # named from the relative's side
        ("pa-noor", "st-ben", "parent", True),
    }

    math = Section.objects.get(sourced_id="cl-math")
    assert (math.school, math.title, math.course_title, math.period, math.term) == (
        elementary,
        "Math 6 A",
        "Mathematics 6",
        "1",
        "Fall 2026",
    )
    science = Section.objects.get(sourced_id="cl-sci")
    assert (science.period, science.term) == ("2, 3", "Fall 2026, Spring 2027")
    assert set(Enrollment.objects.values_list("section__sourced_id", "student__sourced_id")) == {
        ("cl-math", "st-ana"),
        ("cl-sci", "st-ben"),
    }
    assert set(
        TeachingAssignment.objects.values_list(
            "section__sourced_id", "staff__sourced_id", "is_primary"
        )
    ) == {("cl-math", "te-maria", True), ("cl-sci", "te-maria", True), ("cl-sci", "ai-art", False)}

    assert record.counts["created"] == {
        "districts": 1,
        "schools": 2,
        "sections": 2,
        "students": 2,
        "staff": 4,
        "assignments": 4,
        "guardians": 4,
        "guardianships": 4,
        "enrollments": 2,
        "teaching_assignments": 3,
    }


def test_importing_the_same_bundle_again_changes_nothing(lakeside, run):
    before = row_counts()
    again = run(story_bundle())
    assert again.status == RosterImport.Status.SUCCEEDED
    assert set(again.counts) == {"created", "updated", "deactivated"}
    assert nothing_changed(again), again.counts
    assert row_counts() == before


def test_a_changed_bundle_updates_in_place(lakeside, run):
    bundle = story_bundle()
    ana = find(bundle["users.csv"], "st-ana")
    ana.update(familyName="López", grades="07")
    find(bundle["classes.csv"], "cl-math")["title"] = "Math 7 A"
    find(bundle["users.csv"], "pa-rosa")["sms"] = "612 555 0199"
    find(bundle["enrollments.csv"], "e-art-sci")["primary"] = "true"
    before = row_counts()

    record = run(bundle)

    assert record.counts["created"] == dict.fromkeys(record.counts["created"], 0)
    updated = {kind: n for kind, n in record.counts["updated"].items() if n}
    assert updated == {"students": 1, "sections": 1, "guardians": 1, "teaching_assignments": 1}
    assert row_counts() == before
    ana = Student.objects.get(sourced_id="st-ana")
    assert (ana.family_name, ana.grade) == ("López", "07")
    assert Section.objects.get(sourced_id="cl-math").title == "Math 7 A"
    assert str(Guardian.objects.get(sourced_id="pa-rosa").phone) == "+16125550199"
    assert TeachingAssignment.objects.get(sourced_id="e-art-sci").is_primary


def test_people_absent_from_a_later_bundle_are_deactivated_not_deleted(lakeside, run):
    bundle = story_bundle()
    bundle["users.csv"] = [
        row for row in bundle["users.csv"] if row["sourcedId"] not in {"st-ben", "pa-noor"}
    ]
    find(bundle["users.csv"], "pa-gina")["agentSourcedIds"] = ""
    bundle["enrollments.csv"] = [
        row for row in bundle["enrollments.csv"] if row["sourcedId"] != "e-ben-sci"
    ]
    before = row_counts()

    record = run(bundle)

    deactivated = {kind: n for kind, n in record.counts["deactivated"].items() if n}
    assert deactivated == {"students": 1, "guardians": 1, "guardianships": 2, "enrollments": 1}
    assert row_counts() == before  # nothing deleted
    assert not Student.objects.get(sourced_id="st-ben").is_active
    assert not Guardian.objects.get(sourced_id="pa-noor").is_active
    assert Guardian.objects.get(sourced_id="pa-gina").is_active
    assert not Enrollment.objects.get(sourced_id="e-ben-sci").is_active
    assert not Guardianship.objects.filter(student__sourced_id="st-ben", is_active=True).exists()

    back = run(story_bundle())
    assert Student.objects.get(sourced_id="st-ben").is_active
    assert Guardianship.objects.filter(student__sourced_id="st-ben", is_active=True).count() == 2
    assert back.counts["updated"]["students"] == 1 and back.counts["created"]["students"] == 0


def test_rows_marked_tobedeleted_are_deactivated(lakeside, run):
    bundle = story_bundle()
    find(bundle["users.csv"], "st-ana")["status"] = "tobedeleted"
    find(bundle["classes.csv"], "cl-sci")["status"] = "tobedeleted"
    for sourced_id in ("e-ana-math", "e-ben-sci", "e-maria-sci", "e-art-sci"):
        find(bundle["enrollments.csv"], sourced_id)["status"] = "tobedeleted"
    find(bundle["users.csv"], "pa-rosa")["status"] = "TOBEDELETED"

    record = run(bundle)

    assert record.status == RosterImport.Status.SUCCEEDED, record.errors
    assert not Student.objects.get(sourced_id="st-ana").is_active
    assert not Section.objects.get(sourced_id="cl-sci").is_active
    assert not Enrollment.objects.get(sourced_id="e-ana-math").is_active
    assert not TeachingAssignment.objects.get(sourced_id="e-art-sci").is_active
    assert not Guardian.objects.get(sourced_id="pa-rosa").is_active
    assert not Guardianship.objects.get(guardian__sourced_id="pa-marco").is_active
    assert Student.objects.filter(sourced_id="st-ana").exists()


def test_a_link_to_a_row_marked_tobedeleted_is_skipped_with_a_warning(lakeside, run):
    bundle = story_bundle()
    find(bundle["users.csv"], "pa-rosa")["status"] = "tobedeleted"  # Ana still names her
    find(bundle["users.csv"], "te-maria")["status"] = "tobedeleted"  # still in two class lists

    record = run(bundle)

    assert record.status == RosterImport.Status.SUCCEEDED, record.errors
    assert {(w["file"], w["line"], w["column"]) for w in record.warnings} == {
        ("users.csv", line_of(bundle, "users.csv", "st-ana"), "agentSourcedIds"),
        ("enrollments.csv", line_of(bundle, "enrollments.csv", "e-maria-math"), "userSourcedId"),
        ("enrollments.csv", line_of(bundle, "enrollments.csv", "e-maria-sci"), "userSourcedId"),
    }
    assert not Guardianship.objects.get(guardian__sourced_id="pa-rosa").is_active
    assert Guardianship.objects.get(guardian__sourced_id="pa-marco").is_active
    assert not TeachingAssignment.objects.filter(staff__sourced_id="te-maria", is_active=True)


# ---- a bad bundle ------------------------------------------------------------------------


def test_a_bundle_with_errors_writes_nothing_and_reports_every_problem(lakeside, run):
    bundle = story_bundle()
    users = bundle["users.csv"]
    find(users, "st-ana")["familyName"] = "Changed"  # would be an update, if anything were written
    users.append(
        {
            "sourcedId": "x-wizard",
            "role": "wizard",
            "givenName": "Merlin",
            "familyName": "Ambrosius",
            "orgSourcedIds": "s1",
        }
    )
    users.append(
        {
            "sourcedId": "x-nameless",
            "role": "student",
            "familyName": "Nobody",
            "orgSourcedIds": "s1",
        }
    )
    users.append(
        {
            "sourcedId": "st-ana",
            "role": "student",
            "givenName": "Ana",
            "familyName": "Again",
            "orgSourcedIds": "s1",
        }
    )
    users.append(
        {
            "sourcedId": "x-lost",
            "role": "teacher",
            "givenName": "Lost",
            "familyName": "Teacher",
            "orgSourcedIds": "s-nope",
        }
    )
    find(users, "pa-noor")["agentSourcedIds"] = "st-ben,pa-nobody"
    find(users, "pa-gina")["sms"] = "not a number"  # only a warning, listed all the same
    far = School.objects.create(district=District.objects.create(name="Far"), name="Far School")
    Student.objects.create(school=far, sourced_id="st-far", given_name="Zed", family_name="Far")
    users.append(
        {
            "sourcedId": "st-far",
            "role": "student",
            "givenName": "Zed",
            "familyName": "Far",
            "orgSourcedIds": "s1",
        }
    )
    find(bundle["orgs.csv"], "s2")["status"] = "archived"
    find(bundle["classes.csv"], "cl-sci")["courseSourcedId"] = "c-nope"
    find(bundle["courses.csv"], "c-math")["orgSourcedId"] = "s-gone"
    bundle["enrollments.csv"].append(
        {
            "sourcedId": "e-ghost",
            "classSourcedId": "cl-nope",
            "userSourcedId": "st-ana",
            "role": "student",
        }
    )
    bundle["enrollments.csv"].append(
        {
            "sourcedId": "e-mixup",
            "classSourcedId": "cl-math",
            "userSourcedId": "te-maria",
            "role": "student",
        }
    )
    next(r for r in bundle["manifest.csv"] if r["propertyName"] == "file.users")["value"] = "delta"
    before = row_counts()

    record = run(bundle)

    assert record.status == RosterImport.Status.FAILED
    assert record.counts == {} and record.finished_at
    users_line = len(story_bundle()["users.csv"]) + 2  # first appended row
    enrollments_line = len(story_bundle()["enrollments.csv"]) + 2
    manifest_line = [r["propertyName"] for r in bundle["manifest.csv"]].index("file.users") + 2
    assert where(record) == {
        ("manifest.csv", manifest_line, "value"),
        ("users.csv", users_line, "role"),
        ("users.csv", users_line + 1, "givenName"),
        ("users.csv", users_line + 2, "sourcedId"),
        ("users.csv", users_line + 3, "orgSourcedIds"),
        ("users.csv", users_line + 4, "sourcedId"),  # held by the other district
        ("users.csv", line_of(bundle, "users.csv", "pa-noor"), "agentSourcedIds"),
        ("orgs.csv", line_of(bundle, "orgs.csv", "s2"), "status"),
        ("classes.csv", line_of(bundle, "classes.csv", "cl-sci"), "courseSourcedId"),
        ("courses.csv", line_of(bundle, "courses.csv", "c-math"), "orgSourcedId"),
        ("enrollments.csv", enrollments_line, "classSourcedId"),
        ("enrollments.csv", enrollments_line + 1, "userSourcedId"),
    }
    assert all(problem["message"] for problem in record.errors)
    assert [(w["line"], w["column"]) for w in record.warnings] == [
        (line_of(bundle, "users.csv", "pa-gina"), "sms")
    ]
    assert row_counts() == before
    assert Student.objects.get(sourced_id="st-ana").family_name == "Lopez"


def test_a_missing_file_and_a_missing_column_are_reported_and_nothing_is_made(run):
    bundle = story_bundle()
    bundle["academicSessions.csv"] = None

    record = run(bundle, drop_columns={"enrollments.csv": ("role",)})

    assert record.status == RosterImport.Status.FAILED
    assert where(record) == {("academicSessions.csv", 0, ""), ("enrollments.csv", 1, "role")}
    assert row_counts() == dict.fromkeys(row_counts(), 0)
    assert record.pk is None  # no district to file it under: none was made


def test_a_bundle_without_a_district_org_makes_a_district_named_district(run):
    bundle = story_bundle()
    bundle["orgs.csv"] = [row for row in bundle["orgs.csv"] if row["type"] != "district"]
    for row in bundle["orgs.csv"]:
        row["parentSourcedId"] = ""
    find(bundle["users.csv"], "ad-dana")["orgSourcedIds"] = "s1"

    record = run(bundle)

    assert record.status == RosterImport.Status.SUCCEEDED, record.errors
    district = District.objects.get()
    assert (district.name, district.sourced_id) == ("District", None)
    assert School.objects.filter(district=district).count() == 2
    assert nothing_changed(run(bundle))


def test_a_bundle_for_another_district_is_refused(world, run):
    world.district.sourced_id = "riverside"
    world.district.save()

    record = run(story_bundle(), district=world.district)

    assert where(record) == {("orgs.csv", 2, "sourcedId")}
    assert not School.objects.filter(sourced_id="s1").exists()


def test_a_sourced_id_held_by_another_district_is_refused(world, run):
    world.zed.sourced_id = "st-ana"
    world.zed.save()

    record = run(story_bundle(), district=world.district)

    assert where(record) == {("users.csv", 2, "sourcedId")}
    world.zed.refresh_from_db()
    assert world.zed.school.district != world.district and world.zed.given_name == "Zed"


def test_without_a_district_and_several_to_choose_from_the_import_asks(world, run):
    record = run(story_bundle())

    assert record.status == RosterImport.Status.FAILED
    assert where(record) == {("orgs.csv", 2, "sourcedId")}


# ---- what the import leaves alone --------------------------------------------------------


def test_a_family_that_joined_keeps_their_own_choices(lakeside, run):
    rosa = Guardian.objects.get(sourced_id="pa-rosa")
    rosa.joined_at = timezone.now()
    rosa.language, rosa.channel, rosa.phone, rosa.email = (
        "en",
        Channel.EMAIL,
        "+16125559999",
        "r@x.example",
    )
    rosa.save()
    bundle = story_bundle()
    find(bundle["users.csv"], "pa-rosa").update(
        givenName="Rosalia",
        sms="612-555-0123",
        email="new@family.example",
        **{"metadata.homeLanguage": "Vietnamese"},
    )

    run(bundle)

    rosa.refresh_from_db()
    assert rosa.given_name == "Rosalia"
    assert (rosa.language, rosa.channel, str(rosa.phone), rosa.email) == (
        "en",
        Channel.EMAIL,
        "+16125559999",
        "r@x.example",
    )


def test_people_made_in_homeroom_are_left_alone(world, run):
    hand_made = {
        "students": Student.objects.filter(sourced_id=None, is_active=True).count(),
        "enrollments": Enrollment.objects.filter(sourced_id=None, is_active=True).count(),
        "guardianships": Guardianship.objects.filter(is_active=True).count(),
        "assignments": Assignment.objects.count(),
    }
    record = run(story_bundle(), district=world.district)
    assert record.status == RosterImport.Status.SUCCEEDED, record.errors
    assert world.district.imports.get() == record
    world.district.refresh_from_db()
    assert world.district.sourced_id == "d1" and world.district.name == "Riverside Unified"

    bundle = story_bundle()
    bundle["users.csv"] = [r for r in bundle["users.csv"] if r["sourcedId"] != "st-ben"]
    find(bundle["users.csv"], "pa-gina")["agentSourcedIds"] = ""
    find(bundle["users.csv"], "pa-noor")["agentSourcedIds"] = ""
    bundle["enrollments.csv"] = [
        r for r in bundle["enrollments.csv"] if r["userSourcedId"] != "st-ben"
    ]
    run(bundle, district=world.district)

    assert not Student.objects.get(sourced_id="st-ben").is_active
    assert {
        "students": Student.objects.filter(sourced_id=None, is_active=True).count(),
        "enrollments": Enrollment.objects.filter(sourced_id=None, is_active=True).count(),
        "guardianships": Guardianship.objects.filter(
            is_active=True, guardian__sourced_id=None
        ).count(),
        "assignments": Assignment.objects.filter(staff__sourced_id=None).count(),
    } == hand_made


def test_someone_who_moves_school_loses_the_old_school_role_but_keeps_roles_given_by_hand(
    lakeside, run
):
    maria = StaffMember.objects.get(sourced_id="te-maria")
    north = School.objects.get(sourced_id="s1")
    Assignment.objects.create(
        staff=maria, school=School.objects.get(sourced_id="s2"), role=Role.COUNSELOR
    )
    bundle = story_bundle()
    find(bundle["users.csv"], "te-maria")["orgSourcedIds"] = "s1"

    record = run(bundle)

    assert set(maria.assignments.values_list("school__sourced_id", "role")) == {
        ("s1", Role.TEACHER),
        ("s2", Role.COUNSELOR),
    }
    assert record.counts["deactivated"]["assignments"] == 1
    assert maria.assignments.filter(school=north).count() == 1


def test_progress_is_reported_as_the_import_goes(run):
    seen: list[tuple[int, str]] = []

    record = run(story_bundle(), progress=lambda percent, stage: seen.append((percent, stage)))

    percents = [percent for percent, _stage in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    assert {"Reading and checking the files", "Saving families", "Saving class lists", "Done"} <= {
        stage for _percent, stage in seen
    }
    assert record.progress == 100
