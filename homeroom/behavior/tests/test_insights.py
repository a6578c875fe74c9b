"""The leaders' view: moments week by week broken down by kind, category, grade, family
language and program; who recognises students; query counts that do not grow with the data."""

import json
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.behavior import feeds, recording
from homeroom.behavior.models import Moment
from homeroom.insights import recognition
from homeroom.people.models import Program, School, StaffMember

from .builders import grow, queries_of

# Wednesday 18 November 2026, noon: the 30 days before it start on Monday 19 October.
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=timezone.get_current_timezone())
WEEKS = [date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9)]
WEEKS.append(date(2026, 11, 16))


def record_at(when, staff, students, category):
    moments = recording.record_moments(staff, students, category)
    Moment.objects.filter(pk__in=[m.pk for m in moments]).update(created_at=when)
    return moments


def record_known(world, cats, now):
    """Two days before `now`: Kindness for Ana and Cal (Ms Rivera). Eight days before: Off
    task for Cal (Ms Rivera), Great work for Ben (Mr Chen). Ana is an English learner. A
    withdrawn moment and one before the period are left out."""
    this_week, last_week = now - timedelta(days=2), now - timedelta(days=8)
    record_at(this_week, world.rivera, [world.ana, world.cal], cats["Kindness"])
    record_at(last_week, world.rivera, [world.cal], cats["Off task"])
    record_at(last_week, world.chen, [world.ben], cats["Great work"])
    (gone,) = record_at(this_week, world.rivera, [world.ana], cats["Unprepared"])
    Moment.objects.filter(pk=gone.pk).update(withdrawn_at=now)
    record_at(now - timedelta(days=40), world.rivera, [world.ana], cats["Unprepared"])
    learners = Program.objects.create(district=world.district, code="EL", name="English learners")
    world.ana.programs.add(learners)
    return world


@pytest.fixture
def known(world, cats):
    """The known moments around a fixed Wednesday, for week-by-week recognition."""
    return record_known(world, cats, NOW)


@pytest.fixture
def recent(world, cats):
    """The known moments around today, for the page (whose periods end now)."""
    return record_known(world, cats, timezone.now())


def breakdown(by):
    moments = feeds.kept_moments().filter(created_at__gte=NOW - timedelta(days=30))
    result = recognition.weekly_breakdown(moments, by, NOW - timedelta(days=30), NOW)
    assert result.weeks == WEEKS  # every week of the period, quiet ones too
    return [(s.label, s.counts) for s in result.series]


def test_weekly_breakdown_by_kind_good_news_first(known):
    assert breakdown("kind") == [("Good news", [0, 0, 0, 1, 2]), ("Needs work", [0, 0, 0, 1, 0])]


def test_weekly_breakdown_by_category_largest_first(known):
    assert breakdown("category") == [
        ("Kindness", [0, 0, 0, 0, 2]),
        ("Great work", [0, 0, 0, 1, 0]),
        ("Off task", [0, 0, 0, 1, 0]),
    ]


def test_weekly_breakdown_by_grade(known):
    assert breakdown("grade") == [("Grade 6", [0, 0, 0, 2, 2])]


def test_weekly_breakdown_by_the_primary_guardians_language(known):
    assert breakdown("language") == [
        ("Vietnamese", [0, 0, 0, 1, 1]),
        ("Somali", [0, 0, 0, 1, 0]),
        ("Spanish", [0, 0, 0, 0, 1]),
    ]


def test_weekly_breakdown_by_program(known):
    assert breakdown("program") == [
        ("No program", [0, 0, 0, 2, 1]),
        ("English learners", [0, 0, 0, 0, 1]),
    ]


def test_small_groups_are_added_up_as_other(world, cats):
    names = [
        "Helping others",
        "Perseverance",
        "Participation",
        "Kindness",
        "Great work",
        "Leadership",
        "Unprepared",
        "Off task",
    ]
    for i, name in enumerate(names):
        for _ in range(len(names) - i):  # 8 Helping others, 7 Perseverance, … 1 Off task
            record_at(NOW - timedelta(days=1), world.rivera, [world.ana], cats[name])
    series = breakdown("category")
    assert len(series) == recognition.MAX_SERIES
    assert [label for label, _counts in series[:-1]] == names[:6]
    assert series[-1] == ("Other", [0, 0, 0, 0, 2 + 1])


def test_staff_participation_counts_who_recorded_good_news(known, cats):
    record_at(NOW - timedelta(days=1), known.counselor, [known.ana], cats["Off task"])
    result = recognition.staff_participation(
        StaffMember.objects.filter(assignments__school=known.north),
        School.objects.filter(pk=known.north.pk),
        NOW - timedelta(days=30),
    )
    assert (result.total, result.recognising, result.none) == (6, 2, 4)
    rows = [(m.full_name, m.positive_count, m.needs_work_count) for m in result.recognisers]
    assert rows == [("Maria Rivera", 2, 1), ("Wei Chen", 1, 0)]


def insights(client, headers=None, **params):
    response = client.get(reverse("behavior:insights"), params, **(headers or {}))
    assert response.status_code == 200
    html = response.content.decode()
    data = json.loads(html.split('id="insights-data" type="application/json">')[1].split("<")[0])
    return html, data


def test_the_page_draws_the_chosen_breakdown_with_a_table(recent, login):
    client = login(recent.principal)
    html, data = insights(client, by="language", school=recent.north.pk)
    labels = [s["label"] for s in data["series"]]
    assert labels == ["Vietnamese", "Somali", "Spanish"]
    assert len(data["weeks"]) >= 5 and sum(data["series"][0]["counts"]) == 2
    table = html.split('id="time-heading"')[1].split("</section>")[0]
    assert '<option value="language" selected>Family language</option>' in table
    assert '<th scope="col">Vietnamese</th>' in table and '<th scope="col">Total</th>' in table
    assert "Chart of moments per week by Family language" in table
    _html, data = insights(client, by="nonsense")
    assert [s["label"] for s in data["series"]] == ["Good news", "Needs work"]


def test_the_page_lists_who_recognises_and_counts_who_did_not(recent, login, cats):
    recording.record_moments(recent.counselor, [recent.ana], cats["Off task"])
    html, _data = insights(login(recent.principal), school=recent.north.pk)
    staff = html.split('id="staff-heading"')[1]
    assert "2 of 6 staff members recorded good news in this period." in staff
    assert "4 staff members recorded none." in staff
    assert staff.index("Maria Rivera") < staff.index("Wei Chen")
    assert "Carl Counselor" not in staff  # needs-work only: not recognition


def test_the_page_in_spanish(recent, login):
    html, _data = insights(login(recent.principal), {"HTTP_ACCEPT_LANGUAGE": "es"}, by="grade")
    assert "Desglosar por" in html and "Grado 6" in html


@pytest.mark.parametrize("by", sorted(recognition.BREAKDOWNS))
def test_insights_query_count_does_not_grow_with_the_data(
    world, login, cats, by, django_assert_num_queries
):
    recording.record_moments(world.rivera, [world.ana, world.cal], cats["Kindness"])
    client = login(world.principal)
    url = reverse("behavior:insights") + f"?by={by}"
    small = queries_of(client, url)
    grow(world, cats)
    programs = Program.objects.bulk_create(
        [Program(district=world.district, code=f"P{i}", name=f"Program {i}") for i in range(12)]
    )
    for i, student in enumerate(world.north.students.filter(family_name="Extra")):
        student.programs.add(programs[i % len(programs)])
    recording.record_moments(world.counselor, [world.ben], cats["Perseverance"])
    client.get(url)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
