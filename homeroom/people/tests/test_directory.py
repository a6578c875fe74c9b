"""Directory pages list what the viewer may see, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homeroom.people.models import Student
from homeroom.testing.personas import enrol, link, make_guardian


def add_students(world, count, prefix="Kid"):
    for i in range(count):
        student = Student.objects.create(
            school=world.north, given_name=f"{prefix}{i:03d}", family_name="Extra", grade="6"
        )
        enrol(world.math, student)
        link(make_guardian(world.district, f"{prefix}Parent{i:03d}", "Extra", "es"), student)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["student_list", "section_detail"])
def test_query_count_does_not_grow_with_the_roster(world, login, url_name):
    client = login(world.rivera)
    url = reverse(url_name, args=[world.math.pk] if url_name == "section_detail" else [])
    add_students(world, 3)
    small = queries_for(client, url)
    add_students(world, 30, prefix="More")
    assert queries_for(client, url) == small


def test_section_page_pins_its_query_count(world, login, django_assert_num_queries):
    client = login(world.rivera)
    add_students(world, 20)
    client.get(reverse("section_detail", args=[world.math.pk]))  # warm the session
    # ... and the district's translation routes, once, for how each family's messages arrive
    with django_assert_num_queries(12):
        response = client.get(reverse("section_detail", args=[world.math.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kid019 Extra" in body and "KidParent019 Extra" in body


def test_student_list_is_paginated_and_searchable(world, login):
    client = login(world.principal)
    add_students(world, 60)
    first = client.get(reverse("student_list"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("student_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 63 - 50
    found = client.get(reverse("student_list"), {"q": "kid007"})
    assert [s.given_name for s in found.context["page"].object_list] == ["Kid007"]


def test_names_are_shown_as_text_never_markup(world, login):
    world.ana.given_name = "<script>alert(1)</script>"
    world.ana.save()
    body = login(world.rivera).get(reverse("student_detail", args=[world.ana.pk])).content
    assert b"<script>alert(1)</script>" not in body
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_invite_buttons_show_only_to_those_who_may_use_them(world, login):
    school_url = reverse("school_detail", args=[world.north.pk])
    invite_school = reverse("invite_school", args=[world.north.pk])
    assert invite_school not in login(world.rivera).get(school_url).content.decode()
    assert invite_school in login(world.liaison).get(school_url).content.decode()
    # Pat has not joined: his page offers an invitation; Rosa has joined: hers does not.
    client = login(world.chen)
    pat_page = client.get(reverse("guardian_detail", args=[world.pat.pk])).content.decode()
    assert reverse("invite_guardian", args=[world.pat.pk]) in pat_page
    client = login(world.rivera)
    rosa_page = client.get(reverse("guardian_detail", args=[world.rosa.pk])).content.decode()
    assert reverse("invite_guardian", args=[world.rosa.pk]) not in rosa_page


def test_times_are_shown_in_the_readers_school_time_zone(world, login):
    from homeroom.people.models import RosterImport

    world.north.time_zone = "America/Chicago"
    world.north.save()
    RosterImport.objects.create(
        district=world.district,
        started_by=world.principal,
        file_name="sis.zip",
        status="succeeded",
        created_at="2026-11-23T18:30:00Z",
    )
    body = login(world.principal).get(reverse("home")).content.decode()
    assert "12:30" in body  # 18:30 UTC is 12:30 in Chicago in November
    assert "18:30" not in body and "6:30" not in body


def test_the_interpreters_queue_is_in_the_menu_of_those_who_keep_it(world, login):
    queue = reverse("interpreter_queue")
    for persona in ("interpreter", "liaison", "principal"):
        assert queue in login(getattr(world, persona)).get(reverse("home")).content.decode()
    for persona in ("rivera", "rosa"):
        assert queue not in login(getattr(world, persona)).get(reverse("home")).content.decode()


def test_search_ignores_accents_and_case_and_takes_every_word(world, login):
    sofia = Student.objects.create(
        school=world.north, given_name="Sofía", family_name="Núñez", grade="6"
    )
    enrol(world.math, sofia)
    other = Student.objects.create(
        school=world.north, given_name="Sofia", family_name="Lopez", grade="6"
    )
    enrol(world.math, other)
    client = login(world.rivera)

    def found(query):
        page = client.get(reverse("student_list"), {"q": query}).context["page"]
        return sorted(s.pk for s in page.object_list)

    assert found("Sofia") == sorted([sofia.pk, other.pk])
    assert found("SOFÍA nunez") == [sofia.pk]
    assert found("nun") == [sofia.pk]
    assert found("sofia lópez") == [other.pk]
    assert found("Zed") == []  # another school's student stays out of reach


def test_a_name_change_keeps_search_true(world, login):
    world.ana.preferred_name = "Anita"
    world.ana.save(update_fields=["preferred_name"])
    page = login(world.rivera).get(reverse("student_list"), {"q": "anita"}).context["page"]
    assert [s.pk for s in page.object_list] == [world.ana.pk]


def test_two_students_of_one_name_are_told_apart(world, login):
    twin = Student.objects.create(
        school=world.north, given_name="Ana", family_name="Lopez", grade="7", sourced_id="S-7781"
    )
    enrol(world.math, twin)
    body = login(world.rivera).get(reverse("student_list"), {"q": "ana lopez"}).content.decode()
    assert "ID S-7781" in body and f"ID {world.ana.pk}" in body
    assert (
        "ID "
        not in login(world.rivera)
        .get(reverse("student_list"), {"q": "cal"})
        .content.decode()
        .split('class="list"', 1)[1]
    )


def test_from_a_student_to_every_action(world, login):
    body = login(world.rivera).get(reverse("student_detail", args=[world.ana.pk])).content
    body = body.decode()
    assert f"{reverse('compose')}?student={world.ana.pk}" in body
    assert reverse("behavior:student_moments", args=[world.ana.pk]) in body
    assert reverse("routines:timeline", args=[world.ana.pk]) in body
    guardian_page = login(world.rivera).get(reverse("guardian_detail", args=[world.rosa.pk]))
    assert f"{reverse('compose')}?student={world.ana.pk}" in guardian_page.content.decode()
