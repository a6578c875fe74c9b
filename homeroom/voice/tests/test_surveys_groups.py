"""Results by grade, program and school: each option's share and the response rate per group,
groups under five answers left out (and counted as left out), none for an anonymous survey;
the results page's queries do not grow with the answers."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from homeroom.messaging.audiences import Audience
from homeroom.people.models import Enrollment, Guardian, Guardianship, Program, Student
from homeroom.voice import services
from homeroom.voice.services import QuestionDraft

DAYS = ["Monday", "Friday"]


def families(world, count, *, grade, program=None, tag=""):
    added = []
    for i in range(count):
        student = Student.objects.create(
            school=world.north, given_name=f"Kid{tag}{i}", family_name="Group", grade=grade
        )
        Enrollment.objects.create(section=world.math, student=student)
        if program is not None:
            student.programs.add(program)
        parent = Guardian.objects.create(
            district=world.district,
            given_name=f"Parent{tag}{i}",
            family_name="Group",
            language="en",
            email=f"p{tag}{i}@family.example",
            channel="email",
        )
        Guardianship.objects.create(guardian=parent, student=student)
        added.append(parent)
    return added


def school_survey(world, *, anonymous=False):
    survey = services.create_survey(
        world.principal,
        title="Conferences",
        intro="",
        closes_at=timezone.now() + timedelta(days=7),
        anonymous=anonymous,
        audience=Audience.school(world.north),
        questions=[
            QuestionDraft("single", "Which day?", True, DAYS),
            QuestionDraft("short_text", "Anything else?", False),
        ],
    )
    services.send_survey(survey, world.principal)
    survey.refresh_from_db()
    return survey


def answer(survey, guardian, choice):
    question = services.questions_of(survey)[0]
    services.answer_survey(survey, guardian, {question.pk: [question.options.all()[choice].pk]})


def scenario(world):
    learners = Program.objects.create(district=world.district, code="EL", name="English learners")
    sixth = families(world, 6, grade="6", program=learners, tag="s")
    seventh = families(world, 3, grade="7", tag="v")
    return sixth, seventh


def test_figures_by_grade_and_program_leave_out_groups_under_five(awake, login):
    world = awake
    sixth, seventh = scenario(world)
    survey = school_survey(world)
    # Reached in grade 6: Rosa, Marco, Gina, Pat and six more; in grade 7: three.
    for guardian in sixth[:3]:
        answer(survey, guardian, 0)
    for guardian in sixth[3:5]:
        answer(survey, guardian, 1)
    for guardian in seventh[:2]:
        answer(survey, guardian, 0)

    grade = services.by_group(survey, "grade")
    assert [(g.key, g.responses, g.reached, g.rate) for g in grade.groups] == [("6", 5, 10, 50)]
    assert grade.hidden == 1  # grade 7: two answers
    question = services.questions_of(survey)[0]
    monday, friday = question.options.all()
    assert grade.shares[(monday.pk, "6")] == 60 and grade.shares[(friday.pk, "6")] == 40
    assert (monday.pk, "7") not in grade.shares

    program = services.by_group(survey, "program")
    assert [(g.key, g.responses) for g in program.groups] == [("English learners", 5)]
    assert program.hidden == 1  # no program: two answers
    # One school: nothing to break down.
    assert services.by_group(survey, "school") is None

    page = login(world.principal).get(reverse("voice:results", args=[survey.pk]))
    html = page.content.decode()
    assert "By grade" in html and "By program" in html and "By school" not in html
    assert "Grade 6 (5 answers)" in re.sub(r"</?bdi[^>]*>", "", html)
    assert "Grade 7" not in html
    assert "1 group with fewer than 5 answers is left out." in html
    assert '<td class="figure">50%</td>' in html  # grade 6's response rate
    assert '<td class="figure">60%</td>' in html and '<td class="figure">40%</td>' in html


def test_a_group_reaching_five_answers_is_shown(awake):
    world = awake
    sixth, seventh = scenario(world)
    more = families(world, 2, grade="7", tag="w")
    survey = school_survey(world)
    for guardian in [*sixth[:5], *seventh, *more]:
        answer(survey, guardian, 1)
    grade = services.by_group(survey, "grade")
    assert [(g.key, g.responses) for g in grade.groups] == [("6", 5), ("7", 5)]
    assert grade.hidden == 0
    assert [g.rate for g in grade.groups] == [50, 100]


def test_an_anonymous_survey_has_no_figures_by_group(awake, login):
    world = awake
    sixth, _seventh = scenario(world)
    survey = school_survey(world, anonymous=True)
    for guardian in sixth:
        answer(survey, guardian, 0)
    for dimension in services.GROUP_FIELDS:
        assert services.by_group(survey, dimension) is None
    html = login(world.principal).get(reverse("voice:results", args=[survey.pk])).content
    assert b"By grade" not in html and b"Who answered" not in html


def test_the_results_page_queries_do_not_grow_with_the_answers(
    awake, login, django_assert_num_queries
):
    world = awake
    sixth, seventh = scenario(world)
    survey = school_survey(world)
    client = login(world.principal)
    for guardian in sixth[:5]:
        answer(survey, guardian, 0)
    client.get(reverse("voice:results", args=[survey.pk]))  # warm the session
    with django_assert_num_queries(23):
        assert client.get(reverse("voice:results", args=[survey.pk])).status_code == 200
    for guardian in [*sixth[5:], *seventh]:
        answer(survey, guardian, 1)
    with django_assert_num_queries(23):
        assert client.get(reverse("voice:results", args=[survey.pk])).status_code == 200
