"""The roster import pages: an admin uploads the SIS export, watches it run, reads the outcome."""

import io
from unittest.mock import patch

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from homeroom.people import access
from homeroom.people.models import Assignment, Guardian, Role, RosterImport, StaffMember, Student
from homeroom.people.roster.report import STAGE_SCHOOLS
from homeroom.people.tasks import roster_upload_name, run_roster_import
from homeroom.people.views import imports
from homeroom.testing.oneroster_factory import (
    find,
    school_bundle,
    story_bundle,
    user,
    zip_bytes,
)
from homeroom.testing.personas import link, make_staff

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def post_bundle(client, data: bytes, name: str = "lakeside.zip"):
    return client.post(reverse("import_upload"), {"bundle": upload(name, data)})


def page_urls(record: RosterImport) -> list[str]:
    return [
        reverse("import_list"),
        reverse("import_upload"),
        reverse("import_detail", args=[record.pk]),
    ]


@pytest.fixture
def finished_import(world):
    return RosterImport.objects.create(
        district=world.district,
        started_by=world.principal,
        file_name="earlier.zip",
        status=RosterImport.Status.SUCCEEDED,
        progress=100,
        stage="Done",
        counts={"created": {"students": 3}, "updated": {}, "deactivated": {"guardians": 1}},
    )


@pytest.mark.parametrize("persona", ["principal", "district_admin"])
def test_admins_open_the_import_pages(world, login, finished_import, persona):
    client = login(getattr(world, persona))

    listing = client.get(reverse("import_list"))
    form = client.get(reverse("import_upload"))
    detail = client.get(reverse("import_detail", args=[finished_import.pk]))

    assert listing.status_code == form.status_code == detail.status_code == 200
    assert "earlier.zip" in listing.content.decode()
    page = form.content.decode()
    assert '<label for="id_bundle">' in page and 'type="file"' in page
    assert 'enctype="multipart/form-data"' in page


@pytest.mark.parametrize("persona", ["rivera", "liaison", "rosa"])
def test_anyone_but_an_admin_gets_404(world, login, finished_import, persona):
    client = login(getattr(world, persona))

    for url in page_urls(finished_import):
        assert client.get(url).status_code == 404, url
    response = post_bundle(client, zip_bytes(story_bundle()))
    assert response.status_code == 404
    assert RosterImport.objects.count() == 1


def test_an_import_of_another_district_is_404(world, login):
    elsewhere = RosterImport.objects.create(
        district=world.elsewhere_admin.district, file_name="far.zip"
    )
    client = login(world.district_admin)

    assert client.get(reverse("import_detail", args=[elsewhere.pk])).status_code == 404
    assert "far.zip" not in client.get(reverse("import_list")).content.decode()


def test_uploading_a_bundle_imports_it_and_shows_the_outcome(
    world, login, django_capture_on_commit_callbacks
):
    # A school admin imports their own school (the SIS knows North as s1, Paula as ad-paula).
    for known, sourced_id in ((world.north, "s1"), (world.principal, "ad-paula")):
        known.sourced_id = sourced_id
        known.save(update_fields=["sourced_id"])
    client = login(world.principal)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_bundle(client, zip_bytes(school_bundle(), bom=True, crlf=True))

    assert len(callbacks) == 1
    record = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_detail", args=[record.pk])
    assert (record.status, record.district, record.started_by) == (
        RosterImport.Status.SUCCEEDED,
        world.district,
        world.principal,
    )
    assert record.file_name == "lakeside.zip"
    assert Student.objects.get(sourced_id="st-ana").school.district == world.district
    # The export names every child: it is not kept once the outcome is recorded.
    assert not default_storage.exists(roster_upload_name(record.pk))

    page = client.get(response["Location"]).content.decode()
    assert "Imported" in page and "What changed" in page
    assert '<th scope="row">Students</th><td>2</td><td>0</td><td>0</td>' in page
    assert 'value="100"' in page
    assert 'hx-trigger="every 1s"' not in page  # finished: no more polling


def test_a_rejected_bundle_lists_each_problem_by_file_line_and_column(
    world, login, django_capture_on_commit_callbacks
):
    bundle = story_bundle()
    find(bundle["users.csv"], "st-ben")["role"] = "wizard"
    find(bundle["enrollments.csv"], "e-ana-math")["classSourcedId"] = "cl-nope"
    client = login(world.district_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_bundle(client, zip_bytes(bundle))

    record = RosterImport.objects.get()
    assert record.status == RosterImport.Status.FAILED
    assert not Student.objects.filter(sourced_id__isnull=False).exists()
    page = client.get(response["Location"]).content.decode()
    assert "2 problems stopped the import" in page
    assert "<td>users.csv</td><td>3</td><td>role</td>" in page
    assert "<td>enrollments.csv</td><td>2</td><td>classSourcedId</td>" in page
    assert "Nothing was changed" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("roster.csv", b"sourcedId,name\n", "Choose a .zip file."),
        ("roster.zip", b"PK\x03\x04 not really a zip", "This file is not a readable .zip archive."),
    ],
)
def test_an_upload_that_is_not_a_zip_gets_a_clear_error(world, login, name, data, message):
    client = login(world.principal)

    response = post_bundle(client, data, name=name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not RosterImport.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(world, login, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 100)
    client = login(world.principal)

    response = post_bundle(client, zip_bytes(story_bundle()))

    assert "This file is larger than 50 MB." in response.content.decode()
    assert not RosterImport.objects.exists()


def test_the_detail_page_polls_its_progress_while_the_import_runs(world, login):
    running = RosterImport.objects.create(
        district=world.district,
        started_by=world.principal,
        file_name="big.zip",
        status=RosterImport.Status.RUNNING,
        progress=40,
        stage=STAGE_SCHOOLS,
    )
    client = login(world.principal)
    url = reverse("import_detail", args=[running.pk])

    page = client.get(url).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert 'aria-live="polite"' in page and "<h1>" in page
    assert f'hx-get="{url}"' in fragment and 'hx-trigger="every 1s"' in fragment
    assert '<progress id="import-progress-bar" max="100" value="40">' in fragment
    assert "Saving schools and sections" in fragment
    assert "<html" not in fragment

    running.status = RosterImport.Status.SUCCEEDED
    running.progress = 100
    running.save()
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' not in done and 'value="100"' in done


def test_the_list_is_paginated(world, login):
    RosterImport.objects.bulk_create(
        RosterImport(district=world.district, file_name=f"export-{n:02d}.zip")
        for n in range(imports.PAGE_SIZE + 3)
    )
    client = login(world.district_admin)

    first = client.get(reverse("import_list")).content.decode()
    second = client.get(reverse("import_list"), {"page": 2}).content.decode()

    assert first.count("export-") == imports.PAGE_SIZE
    assert second.count("export-") == 3
    assert 'rel="next"' in first


def test_a_repeated_task_does_not_import_twice(world, finished_import):
    assert run_roster_import.call(finished_import.pk) == "skipped"
    finished_import.refresh_from_db()
    assert finished_import.status == RosterImport.Status.SUCCEEDED


def test_a_task_whose_upload_is_gone_fails_instead_of_hanging(world):
    record = RosterImport.objects.create(district=world.district, file_name="lost.zip")

    assert run_roster_import.call(record.pk) == RosterImport.Status.FAILED

    record.refresh_from_db()
    assert record.status == RosterImport.Status.FAILED and record.finished_at
    assert record.errors[0]["file"] == "lost.zip"


# ---- what a school admin's import may reach ----------------------------------------------------


@pytest.fixture
def sis_world(world):
    """The world as the SIS knows it: schools, staff and families carry their sourcedIds."""
    for obj, sourced_id in (
        (world.north, "s1"),
        (world.south, "s2"),
        (world.principal, "ad-paula"),
        (world.south_admin, "ad-sara"),
        (world.district_admin, "ad-dana"),
        (world.south_teacher, "te-sam"),
        (world.cal, "st-cal"),
        (world.dee, "st-dee"),
        (world.english, "cl-english"),
        (world.olga, "pa-olga"),
    ):
        obj.sourced_id = sourced_id
        obj.save(update_fields=["sourced_id"])
    return world


def south_untouched(world) -> None:
    """Nothing of South High, its people or the district admin was changed."""
    for obj in (world.south, world.dee, world.english, world.south_teacher, world.olga):
        obj.refresh_from_db()
        assert obj.is_active, obj
    world.district_admin.refresh_from_db()
    assert world.district_admin.is_active and world.district_admin.is_district_admin
    assert world.south_admin.assignments.filter(school=world.south, role=Role.SCHOOL_ADMIN)


def import_as(client, bundle, django_capture_on_commit_callbacks) -> RosterImport:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_bundle(client, zip_bytes(bundle))
    assert response.status_code == 302
    return RosterImport.objects.get()


def attack_bundle():
    """Paula's own school, with Paula listed as administrator of the district itself."""
    bundle = school_bundle()
    find(bundle["users.csv"], "ad-paula")["orgSourcedIds"] = "d1,s1"
    return bundle


def test_a_school_admin_cannot_make_themselves_district_admin(
    sis_world, login, django_capture_on_commit_callbacks
):
    world = sis_world
    record = import_as(login(world.principal), attack_bundle(), django_capture_on_commit_callbacks)

    assert record.status == RosterImport.Status.FAILED
    line = 1 + next(
        n for n, row in enumerate(attack_bundle()["users.csv"], 1) if row["sourcedId"] == "ad-paula"
    )
    assert {"file": "users.csv", "line": line, "column": "role"}.items() <= record.errors[0].items()
    assert "admin role" in record.errors[0]["message"]
    # Refused whole: no role changed, nothing created, no school or person deactivated.
    world.principal.refresh_from_db()
    assert not world.principal.is_district_admin
    assert not Student.objects.filter(sourced_id="st-ana").exists()
    world.cal.refresh_from_db()
    assert world.cal.is_active
    south_untouched(world)


@pytest.mark.parametrize(
    "grant",
    ["new admin", "teacher made admin", "admin withdrawn"],
)
def test_a_school_admin_grants_and_withdraws_no_school_admin_role(
    sis_world, login, django_capture_on_commit_callbacks, grant
):
    world = sis_world
    bundle = school_bundle()
    users = bundle["users.csv"]
    if grant == "new admin":
        users.append(user("ad-new", "administrator", "Nia", "New", "s1"))
    elif grant == "teacher made admin":
        find(users, "te-maria")["role"] = "administrator"
    else:
        # Paula runs South too; the bundle lists South but Paula only at North: her role at
        # South would go.
        Assignment.objects.create(staff=world.principal, school=world.south, role=Role.SCHOOL_ADMIN)
        bundle["orgs.csv"].append(
            {"sourcedId": "s2", "status": "active", "name": "South High", "type": "school"}
        )
    record = import_as(login(world.principal), bundle, django_capture_on_commit_callbacks)

    assert record.status == RosterImport.Status.FAILED
    assert [e["column"] for e in record.errors] == ["role"]
    assert not StaffMember.objects.filter(sourced_id__in=["ad-new", "te-maria"]).exists()
    assert world.principal.assignments.filter(school=world.north, role=Role.SCHOOL_ADMIN)
    south_untouched(world)


@pytest.mark.parametrize("reach", ["other school org", "other school student", "district admin"])
def test_a_school_admin_bundle_touching_another_school_is_refused(
    sis_world, login, django_capture_on_commit_callbacks, reach
):
    world = sis_world
    bundle = school_bundle()
    if reach == "other school org":
        bundle = story_bundle()
        bundle["users.csv"] = [r for r in bundle["users.csv"] if r["sourcedId"] != "ad-dana"]
        expected = ("orgs.csv", "sourcedId")
    elif reach == "other school student":
        bundle["users.csv"].append(user("st-dee", "student", "Dee", "Renamed", "s1"))
        expected = ("users.csv", "sourcedId")
    else:
        # The district admin, listed as a teacher at Paula's school, would lose the role.
        bundle["users.csv"].append(user("ad-dana", "teacher", "Dana", "District", "s1"))
        expected = ("users.csv", "sourcedId")
    record = import_as(login(world.principal), bundle, django_capture_on_commit_callbacks)

    assert record.status == RosterImport.Status.FAILED
    assert expected in {(e["file"], e["column"]) for e in record.errors}
    assert not Student.objects.filter(sourced_id="st-ana").exists()
    world.dee.refresh_from_db()
    assert world.dee.family_name == "Haddad"
    south_untouched(world)


def test_a_school_admin_imports_their_own_school_and_deactivates_only_there(
    sis_world, login, django_capture_on_commit_callbacks
):
    world = sis_world
    record = import_as(login(world.principal), school_bundle(), django_capture_on_commit_callbacks)

    assert record.status == RosterImport.Status.SUCCEEDED, record.errors
    assert Student.objects.get(sourced_id="st-ben").school == world.north
    assert StaffMember.objects.get(sourced_id="te-maria").assignments.get().school == world.north
    # Cal is no longer listed by North's SIS: withdrawn, at North only.
    world.cal.refresh_from_db()
    assert not world.cal.is_active
    deactivated = {kind: n for kind, n in record.counts["deactivated"].items() if n}
    assert deactivated == {"students": 1}
    world.principal.refresh_from_db()
    assert world.principal.is_active and not world.principal.is_district_admin
    south_untouched(world)


def test_a_district_admin_imports_the_whole_district_as_before(
    sis_world, login, django_capture_on_commit_callbacks
):
    world = sis_world
    record = import_as(
        login(world.district_admin), story_bundle(), django_capture_on_commit_callbacks
    )

    assert record.status == RosterImport.Status.SUCCEEDED, record.errors
    # Roles come from the SIS, district-wide; what it no longer lists is withdrawn everywhere.
    assert StaffMember.objects.get(sourced_id="ad-dana").is_district_admin
    assert StaffMember.objects.get(sourced_id="ad-paula").assignments.filter(
        school=world.north, role=Role.SCHOOL_ADMIN
    )
    world.dee.refresh_from_db()
    world.south_teacher.refresh_from_db()
    assert not world.dee.is_active and not world.south_teacher.is_active
    world.south.refresh_from_db()
    assert world.south.name == "Lakeside Middle" and world.south.is_active


def test_the_task_checks_the_scope_again_when_it_runs(sis_world):
    world = sis_world
    north_only = access.RosterScope(world.district.pk, frozenset({world.north.pk})).as_json()
    south_only = access.RosterScope(world.district.pk, frozenset({world.south.pk})).as_json()

    def queued(scope) -> RosterImport:
        RosterImport.objects.all().delete()
        record = RosterImport.objects.create(
            district=world.district, started_by=world.principal, file_name="north.zip"
        )
        default_storage.save(roster_upload_name(record.pk), io.BytesIO(zip_bytes(school_bundle())))
        run_roster_import.call(record.pk, scope)
        record.refresh_from_db()
        return record

    # A scope the uploader never had (South) is not theirs to import into.
    assert queued(south_only).status == RosterImport.Status.FAILED
    # Demoted between the upload and the run: the import does nothing.
    world.principal.assignments.filter(role=Role.SCHOOL_ADMIN).delete()
    refused = queued(north_only)
    assert refused.status == RosterImport.Status.FAILED
    assert not default_storage.exists(roster_upload_name(refused.pk))
    assert not Student.objects.filter(sourced_id="st-ana").exists()
    world.cal.refresh_from_db()
    assert world.cal.is_active
    south_untouched(world)


def test_the_upload_enqueues_the_uploaders_scope(world, login, django_capture_on_commit_callbacks):
    client = login(world.principal)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_bundle(client, zip_bytes(school_bundle()))
    record = RosterImport.objects.get()

    with patch.object(imports, "run_roster_import") as task:
        for callback in callbacks:
            callback()

    task.enqueue.assert_called_once_with(
        record.pk, {"district_id": world.district.pk, "school_ids": [world.north.pk]}
    )


def test_a_school_admin_cannot_move_a_co_admins_sign_in_email_or_a_shared_familys_phone(
    sis_world, login, django_capture_on_commit_callbacks
):
    world = sis_world
    nia = make_staff(world.district, "Nia", "Admin", (world.north, Role.SCHOOL_ADMIN))
    nia.sourced_id = "ad-nia"
    nia.save(update_fields=["sourced_id"])
    # Olga, a South family, is also Ben's guardian at North; she has not joined yet.
    Guardian.objects.filter(pk=world.olga.pk).update(joined_at=None)
    olga_phone = str(world.olga.phone)
    bundle = school_bundle()
    bundle["users.csv"] += [
        user("ad-nia", "administrator", "Nia", "Admin", "s1", email="paula@elsewhere.example"),
        user("pa-olga", "parent", "Olga", "Haddad", "s1", sms="(612) 555-0177"),
    ]
    find(bundle["users.csv"], "st-ben")["agentSourcedIds"] = "pa-olga"
    link(world.olga, world.cal)

    record = import_as(login(world.principal), bundle, django_capture_on_commit_callbacks)

    assert record.status == RosterImport.Status.SUCCEEDED, record.errors
    nia.refresh_from_db()
    world.olga.refresh_from_db()
    assert nia.email == "nia.admin@example.org" and nia.is_active
    assert str(world.olga.phone) == olga_phone
    assert world.olga.students.filter(sourced_id="st-ben").exists()
    south_untouched(world)


def test_a_school_admin_lists_no_one_outside_their_schools(
    sis_world, login, django_capture_on_commit_callbacks
):
    bundle = school_bundle()
    bundle["users.csv"].append(user("te-dis", "teacher", "Dis", "Trict", "d1"))

    record = import_as(login(sis_world.principal), bundle, django_capture_on_commit_callbacks)

    assert record.status == RosterImport.Status.FAILED
    assert [(e["file"], e["column"]) for e in record.errors] == [("users.csv", "orgSourcedIds")]
    assert not StaffMember.objects.filter(sourced_id="te-dis").exists()
