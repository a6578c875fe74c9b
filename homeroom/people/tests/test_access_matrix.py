"""Who sees what: every persona × every list and detail page, asserted exactly.

Each detail URL answers 200 for an object in the persona's scope and 404 for every other one
(never 403, which would confirm the object exists)."""

import pytest
from django.urls import reverse

from homeroom.people import access
from homeroom.people.models import RosterImport

STUDENTS = ["ana", "cal", "ben", "eve", "dee", "zed"]
SECTIONS = ["math", "art", "science", "english", "other_section"]
GUARDIANS = ["rosa", "marco", "gina", "ray", "pat", "eli", "olga", "zed_parent"]
SCHOOLS = ["north", "south"]

NORTH_WIDE = {
    "students": {"ana", "cal", "ben"},
    "sections": {"math", "art", "science"},
    "guardians": {"rosa", "marco", "gina", "pat"},  # Ray may not be contacted
    "schools": {"north"},
}
SCOPES = {
    "rivera": {
        "students": {"ana", "cal"},  # Eve is no longer active
        "sections": {"math", "art"},
        "guardians": {"rosa", "marco", "gina"},
        "schools": {"north"},
    },
    "chen": {
        "students": {"ben"},
        "sections": {"science"},
        "guardians": {"pat"},
        "schools": {"north"},
    },
    "liaison": NORTH_WIDE,
    "counselor": NORTH_WIDE,
    "interpreter": NORTH_WIDE,
    "principal": {**NORTH_WIDE, "guardians": {"rosa", "marco", "gina", "ray", "pat"}},
    "south_teacher": {
        "students": {"dee"},
        "sections": {"english"},
        "guardians": {"olga"},
        "schools": {"south"},
    },
    "south_admin": {
        "students": {"dee"},
        "sections": {"english"},
        "guardians": {"olga"},
        "schools": {"south"},
    },
    "district_admin": {
        "students": {"ana", "cal", "ben", "dee"},
        "sections": {"math", "art", "science", "english"},
        "guardians": {"rosa", "marco", "gina", "ray", "pat", "olga"},
        "schools": {"north", "south"},
    },
    "elsewhere_admin": {
        "students": {"zed"},
        "sections": {"other_section"},
        "guardians": {"zed_parent"},
        "schools": set(),
    },
    # Families: their own children only; split households do not see each other.
    "rosa": {
        "students": {"ana"},
        "sections": {"math"},
        "guardians": {"rosa"},
        "schools": {"north"},
    },
    "marco": {
        "students": {"ana"},
        "sections": {"math"},
        "guardians": {"marco"},
        "schools": {"north"},
    },
    "gina": {
        "students": {"cal"},
        "sections": {"math", "art"},
        "guardians": {"gina"},
        "schools": {"north"},
    },
    "ray": {"students": set(), "sections": set(), "guardians": set(), "schools": set()},
    "eli": {"students": set(), "sections": set(), "guardians": set(), "schools": set()},
    "olga": {
        "students": {"dee"},
        "sections": {"english"},
        "guardians": {"olga"},
        "schools": {"south"},
    },
}
# Far School is in the other district: the far admin's scope names it by object below.
FAR_SCHOOL_FOR = {"elsewhere_admin"}

PAGES = {
    "students": ("student_detail", STUDENTS),
    "sections": ("section_detail", SECTIONS),
    "guardians": ("guardian_detail", GUARDIANS),
    "schools": ("school_detail", SCHOOLS),
}


def names_of(world, queryset, candidates):
    by_pk = {getattr(world, name).pk: name for name in candidates}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True) if pk in by_pk}


@pytest.mark.parametrize("persona", sorted(SCOPES))
def test_scoped_querysets(world, persona):
    user = getattr(world, persona).user
    expected = SCOPES[persona]
    assert names_of(world, access.students_for(user), STUDENTS) == expected["students"]
    assert names_of(world, access.sections_for(user), SECTIONS) == expected["sections"]
    assert names_of(world, access.guardians_for(user), GUARDIANS) == expected["guardians"]
    assert names_of(world, access.schools_for(user), SCHOOLS) == expected["schools"]
    # Nothing from the other district leaks into this district's people, and back.
    if persona in FAR_SCHOOL_FOR:
        assert set(access.schools_for(user).values_list("name", flat=True)) == {"Far School"}


@pytest.mark.parametrize("persona", sorted(SCOPES))
def test_detail_pages_answer_404_outside_scope(world, login, persona):
    client = login(getattr(world, persona))
    for kind, (url_name, candidates) in PAGES.items():
        for name in candidates:
            response = client.get(reverse(url_name, args=[getattr(world, name).pk]))
            expected = 200 if name in SCOPES[persona][kind] else 404
            assert response.status_code == expected, (persona, url_name, name)


@pytest.mark.parametrize("persona", ["rivera", "principal", "district_admin", "chen"])
def test_student_list_shows_exactly_the_scope(world, login, persona):
    client = login(getattr(world, persona))
    response = client.get(reverse("student_list"))
    assert response.status_code == 200
    listed = {s.pk for s in response.context["page"].object_list}
    assert listed == {getattr(world, n).pk for n in SCOPES[persona]["students"]}


def test_section_page_lists_only_contactable_guardians_for_a_teacher(world, login):
    client = login(world.rivera)
    body = client.get(reverse("section_detail", args=[world.math.pk])).content.decode()
    assert "Rosa Lopez" in body and "Marco Lopez" in body and "Gina Nguyen" in body
    assert "Ray Nguyen" not in body  # barred by court order
    assert "Ana Lopez" in body  # students are listed by name…
    assert "Eve Gone" not in body and "Eli Gone" not in body  # …but not an inactive one


def test_restricted_guardian_sees_nothing_of_the_child(world, login):
    client = login(world.ray)
    body = client.get(reverse("family_home")).content.decode()
    assert "Cal" not in body
    assert client.get(reverse("student_detail", args=[world.cal.pk])).status_code == 404


def test_guardian_cannot_reach_staff_lists(world, login):
    client = login(world.rosa)
    response = client.get(reverse("student_list"))
    listed = {s.pk for s in response.context["page"].object_list}
    assert listed == {world.ana.pk}


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("student_detail", args=[world.ana.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("bad", ["0", "999999"])
def test_unknown_ids_are_404(world, login, bad):
    client = login(world.district_admin)
    assert client.get(f"/students/{bad}/").status_code == 404


# ---- roster imports ---------------------------------------------------------------------------

# Who may follow which import: a district admin, the district's; a school admin, those started
# by an admin of their school; nobody, another district's. Everyone else: no import page at all.
IMPORTS = {
    "north_import": "principal",
    "south_import": "south_admin",
    "district_import": "district_admin",
}
IMPORT_SCOPES = {
    "principal": {"north_import"},
    "south_admin": {"south_import"},
    "district_admin": {"north_import", "south_import", "district_import"},
    "elsewhere_admin": {"far_import"},
}


@pytest.fixture
def imports(world):
    made = {
        name: RosterImport.objects.create(
            district=world.district, started_by=getattr(world, starter), file_name=f"{name}.zip"
        )
        for name, starter in IMPORTS.items()
    }
    made["far_import"] = RosterImport.objects.create(
        district=world.elsewhere_admin.district,
        started_by=world.elsewhere_admin,
        file_name="far_import.zip",
    )
    return made


@pytest.mark.parametrize("persona", sorted(SCOPES))
def test_roster_import_pages_answer_404_outside_scope(world, login, imports, persona):
    client = login(getattr(world, persona))
    visible = IMPORT_SCOPES.get(persona)
    listing = client.get(reverse("import_list"))
    upload = client.get(reverse("import_upload"))

    if visible is None:
        assert (listing.status_code, upload.status_code) == (404, 404), persona
    else:
        assert (listing.status_code, upload.status_code) == (200, 200), persona
        listed = {record.file_name for record in listing.context["page"].object_list}
        assert listed == {f"{name}.zip" for name in visible}, persona
    for name, record in imports.items():
        response = client.get(reverse("import_detail", args=[record.pk]))
        expected = 200 if visible and name in visible else 404
        assert response.status_code == expected, (persona, name)


@pytest.mark.parametrize("persona", sorted(SCOPES))
def test_roster_import_scope_per_persona(world, persona):
    scope = access.roster_import_scope(getattr(world, persona).user)
    expected = {
        "principal": (world.district.pk, frozenset({world.north.pk})),
        "south_admin": (world.district.pk, frozenset({world.south.pk})),
        "district_admin": (world.district.pk, None),
        "elsewhere_admin": (world.elsewhere_admin.district_id, None),
    }.get(persona)
    assert (None if scope is None else (scope.district_id, scope.school_ids)) == expected
    assert access.can_import_roster(getattr(world, persona).user) == (expected is not None)
