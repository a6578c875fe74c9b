"""The roster import pages: an admin uploads the SIS export, watches it run, reads the outcome."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from homeroom.people.models import RosterImport, Student
from homeroom.people.roster import STAGE_SCHOOLS
from homeroom.people.tasks import roster_upload_name, run_roster_import
from homeroom.people.tests.oneroster_factory import find, story_bundle, zip_bytes
from homeroom.people.views import imports

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
    client = login(world.principal)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_bundle(client, zip_bytes(story_bundle(), bom=True, crlf=True))

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
