"""Importing rosters as SISes export them: real files, the command, and at scale."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from homeroom.people.models import (
    Channel,
    District,
    Guardian,
    Guardianship,
    RosterImport,
    School,
    Section,
    StaffMember,
    Student,
)
from homeroom.people.roster import import_roster
from homeroom.testing.oneroster_factory import (
    find,
    generate_bundle,
    story_bundle,
    write_bundle,
    zip_bytes,
    zip_folder,
)

from .rosters import line_of, nothing_changed, where

pytestmark = pytest.mark.django_db


# ---- reading real exports ----------------------------------------------------------------


def test_byte_order_mark_crlf_stray_spaces_and_quoted_lists_read_like_a_clean_file(run):
    messy = run(story_bundle(), bom=True, crlf=True, padded=True)
    assert messy.status == RosterImport.Status.SUCCEEDED, messy.errors
    assert Guardianship.objects.filter(student__sourced_id="st-ana").count() == 2
    assert Section.objects.get(sourced_id="cl-sci").period == "2, 3"
    assert set(
        StaffMember.objects.get(sourced_id="te-maria").assignments.values_list(
            "school__sourced_id", flat=True
        )
    ) == {"s1", "s2"}
    assert Student.objects.get(sourced_id="st-ana").metadata == {
        "homeLanguage": "Spanish",
        "lunch": "A",
    }

    clean = run(story_bundle())
    assert nothing_changed(clean), clean.counts


def test_an_unreadable_phone_is_a_warning_and_the_person_is_imported_without_it(run):
    bundle = story_bundle()
    find(bundle["users.csv"], "pa-rosa")["sms"] = "call the office"
    find(bundle["users.csv"], "pa-gina")["metadata.homeLanguage"] = "Klingon"

    record = run(bundle)

    assert record.status == RosterImport.Status.SUCCEEDED
    rosa_line = line_of(bundle, "users.csv", "pa-rosa")
    gina_line = line_of(bundle, "users.csv", "pa-gina")
    assert {(w["file"], w["line"], w["column"]) for w in record.warnings} == {
        ("users.csv", rosa_line, "sms"),
        ("users.csv", gina_line, "metadata.homeLanguage"),
    }
    rosa = Guardian.objects.get(sourced_id="pa-rosa")
    assert (str(rosa.phone or ""), rosa.channel) == ("", Channel.EMAIL)
    assert Guardian.objects.get(sourced_id="pa-gina").language == "en"


def test_phone_numbers_are_read_in_their_school_country(run):
    district = District.objects.create(name="Lakeside", sourced_id="d1")
    School.objects.create(
        district=district,
        sourced_id="s2",
        name="Old name",
        country="MX",
        time_zone="America/Mexico_City",
    )
    bundle = story_bundle()
    find(bundle["users.csv"], "pa-noor")["sms"] = "55 1234 5678"

    record = run(bundle)

    assert record.status == RosterImport.Status.SUCCEEDED
    assert record.district == district
    assert str(Guardian.objects.get(sourced_id="pa-noor").phone) == "+525512345678"
    middle = School.objects.get(sourced_id="s2")
    assert (middle.name, middle.country, middle.time_zone) == (
        "Lakeside Middle",
        "MX",
        "America/Mexico_City",
    )


def test_a_zip_path_an_open_zip_and_a_folder_import_alike(tmp_path):
    folder = write_bundle(tmp_path / "export", story_bundle())
    from_zip = import_roster(zip_folder(folder))
    assert from_zip.status == RosterImport.Status.SUCCEEDED, from_zip.errors
    assert from_zip.file_name == "export.zip"
    assert Student.objects.filter(sourced_id__in=["st-ana", "st-ben"]).count() == 2

    from_upload = import_roster(io.BytesIO(zip_bytes(story_bundle(), bom=True, crlf=True)))
    assert nothing_changed(from_upload)
    assert nothing_changed(import_roster(folder))


def test_a_file_that_is_not_a_zip_is_rejected(tmp_path):
    junk = tmp_path / "roster.zip"
    junk.write_bytes(b"this is not a zip")

    record = import_roster(junk)

    assert where(record) == {("roster.zip", 0, "")}


# ---- the command ---------------------------------------------------------------------------


def test_the_command_imports_and_prints_the_outcome(tmp_path):
    folder = write_bundle(tmp_path / "export", story_bundle())
    out = io.StringIO()

    call_command("import_roster", str(folder), stdout=out)

    printed = out.getvalue()
    assert "100% Done" in printed
    assert "created: districts 1, schools 2, sections 2, students 2" in printed
    assert Student.objects.count() == 2


def test_the_command_fails_on_a_bad_bundle_and_names_each_problem(tmp_path):
    bundle = story_bundle()
    find(bundle["users.csv"], "st-ben")["role"] = "wizard"
    folder = write_bundle(tmp_path / "export", bundle)
    err = io.StringIO()

    with pytest.raises(CommandError, match="rejected with 1 problem"):
        call_command("import_roster", str(folder), stdout=io.StringIO(), stderr=err)

    line = line_of(bundle, "users.csv", "st-ben")
    assert f"users.csv:{line} role: Unknown role" in err.getvalue()
    assert Student.objects.count() == 0


def test_the_command_imports_into_the_district_it_is_given(world, tmp_path):
    folder = write_bundle(tmp_path / "export", story_bundle())

    call_command(
        "import_roster", str(folder), "--district-id", str(world.district.pk), stdout=io.StringIO()
    )

    assert Student.objects.get(sourced_id="st-ana").school.district == world.district
    with pytest.raises(CommandError, match="no district"):
        call_command("import_roster", str(folder), "--district-id", "999999", stdout=io.StringIO())


# ---- scale ---------------------------------------------------------------------------------

QUERY_BOUND = 80


def rows_created(record: RosterImport) -> int:
    return sum(record.counts["created"].values())


def test_the_number_of_queries_does_not_grow_with_the_rows(tmp_path, django_assert_max_num_queries):
    small_bundle = generate_bundle(tmp_path / "small", students=200, seed=3, prefix="small-")
    large_bundle = generate_bundle(tmp_path / "large", students=400, seed=3, prefix="large-")
    small_district = District.objects.create(name="Small")
    large_district = District.objects.create(name="Large")

    with django_assert_max_num_queries(QUERY_BOUND) as small:
        small_import = import_roster(small_bundle, district=small_district)
    with django_assert_max_num_queries(QUERY_BOUND) as small_again:
        import_roster(small_bundle, district=small_district)
    with django_assert_max_num_queries(QUERY_BOUND) as large:
        large_import = import_roster(large_bundle, district=large_district)
    with django_assert_max_num_queries(QUERY_BOUND) as large_again:
        import_roster(large_bundle, district=large_district)

    more_rows = rows_created(large_import) - rows_created(small_import)
    assert more_rows > 1000
    # Twice the rows adds a few batches of inserts, never a query per row...
    extra = len(large.captured_queries) - len(small.captured_queries)
    assert extra * 50 < more_rows, (len(small.captured_queries), len(large.captured_queries))
    # ...and when nothing changed, the count does not move at all.
    assert len(large_again.captured_queries) == len(small_again.captured_queries)


def test_a_generated_bundle_is_deterministic(tmp_path):
    one = generate_bundle(tmp_path / "one", students=50, seed=7)
    two = generate_bundle(tmp_path / "two", students=50, seed=7)
    other = generate_bundle(tmp_path / "other", students=50, seed=8)
    read = lambda folder: {p.name: p.read_bytes() for p in Path(folder).iterdir()}  # noqa: E731
    assert read(one) == read(two) != read(other)
