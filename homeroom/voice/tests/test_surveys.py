"""Surveys: staff build one for the families they may address, check each language's text,
send it through the outbox; families in the audience answer once, and may change their answer
until it closes; anonymous answers cannot be joined back to a family."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Delivery, Message
from homeroom.voice import access as voice_access
from homeroom.voice import services
from homeroom.voice.models import Answer, Question, Response, Survey
from homeroom.voice.services import QuestionDraft

SCALE = ["Not at all", "A little", "Somewhat", "Quite a bit", "A lot"]


def later(days=7):
    return timezone.now() + timedelta(days=days)


def three_questions():
    return [
        QuestionDraft("single", "Which day suits you for conferences?", True, ["Monday", "Friday"]),
        QuestionDraft("scale", "How welcome do you feel at school?", True, SCALE),
        QuestionDraft("short_text", "What would help you most?", False),
    ]


def make_survey(world, *, anonymous=False, sent=True, audience=None, closes_at=None, by=None):
    by = by or world.rivera
    survey = services.create_survey(
        by,
        title="Conferences",
        intro="Tell us what suits you.",
        closes_at=closes_at or later(),
        anonymous=anonymous,
        audience=audience or Audience.section(world.math),
        questions=three_questions(),
    )
    if sent:
        services.send_survey(survey, by)
    return survey


def answers_for(survey, single=0, scale=2, text=""):
    questions = services.questions_of(survey)
    return {
        questions[0].pk: [list(questions[0].options.all())[single].pk],
        questions[1].pk: [list(questions[1].options.all())[scale].pk],
        questions[2].pk: text,
    }


def post_data(survey, single=0, scale=2, text=""):
    data = {}
    for question_id, value in answers_for(survey, single, scale, text).items():
        data[f"q{question_id}"] = [str(v) for v in value] if isinstance(value, list) else value
    return data


def builder_data(world, **overrides):
    data = {
        "title": "Conferences",
        "intro": "",
        "audience": f"section:{world.math.pk}",
        "closes_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "q1-kind": "single",
        "q1-text": "Which day?",
        "q1-required": "on",
        "q1-options": "Monday\nFriday",
        "q2-kind": "scale",
        "q2-text": "How welcome do you feel?",
        "q2-options": "\n".join(SCALE),
    }
    for slot in range(3, 6):
        data[f"q{slot}-kind"] = "short_text"
    data.update(overrides)
    return data


# ---- building -------------------------------------------------------------------------------


def test_a_teacher_builds_a_survey_for_her_class(world, login):
    client = login(world.rivera)
    response = client.post(reverse("voice:new"), builder_data(world))
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("voice:preview", args=[survey.pk])
    assert survey.audience == {
        "kind": "section",
        "section": world.math.pk,
        "school": world.north.pk,
    }
    kinds = [q.kind for q in survey.questions.all()]
    assert kinds == ["single", "scale"]
    assert not survey.is_sent and not Message.objects.exists()


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"q1-text": "", "q2-text": ""}, "Add at least one question."),
        ({"q2-options": "Bad\nGood"}, "a scale needs at least 5 labelled answers"),
        ({"q1-options": "Only one"}, "give at least two options"),
        ({"closes_on": "2020-01-01"}, "Choose a closing date in the future."),
        ({"title": "Bad\x00title"}, "Null characters are not allowed."),
        ({"q1-text": "Which \u202eday?"}, "invisible direction characters"),
        ({"q1-text": "x" * 100_000}, "Ensure this value has at most"),
        ({"intro": "y" * 100_000}, "Ensure this value has at most"),
        ({"audience": f"section:{999999}"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(world, login, overrides, says):
    client = login(world.rivera)
    response = client.post(reverse("voice:new"), builder_data(world, **overrides))
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Survey.objects.exists() and not Question.objects.exists()


def test_a_teacher_cannot_ask_a_class_she_does_not_teach(world, login):
    client = login(world.rivera)
    response = client.post(
        reverse("voice:new"), builder_data(world, audience=f"section:{world.science.pk}")
    )
    assert response.status_code == 400
    assert not Survey.objects.exists()
    with pytest.raises((PermissionDenied, Http404)):
        make_survey(world, sent=False, audience=Audience.section(world.science))
    assert not Survey.objects.exists()


# ---- preview and sending --------------------------------------------------------------------


def test_the_preview_shows_each_language_and_the_corrections_are_what_families_read(awake, login):
    world = awake
    survey = make_survey(world, sent=False)
    client = login(world.rivera)
    page = client.get(reverse("voice:preview", args=[survey.pk])).content.decode()
    assert "Spanish" in page and "Vietnamese" in page
    assert "No translation is available for this language" in page  # Vietnamese: no engine
    question = survey.questions.first()
    fields = {f"es__q{question.pk}": "¿Qué día le viene mejor?", "es__title": "Conferencias"}
    response = client.post(reverse("voice:preview", args=[survey.pk]), fields)
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.is_sent and survey.reached == 3  # Rosa, Marco, Gina; not Ray (no contact)
    assert survey.translations["es"][f"q{question.pk}"] == "¿Qué día le viene mejor?"
    message = Message.objects.get()
    assert reverse("voice:answer", args=[survey.pk]) in message.body
    assert Delivery.objects.get(guardian=world.rosa).channel == "sms"
    assert not Delivery.objects.filter(guardian=world.ray).exists()
    rosa = login(world.rosa)
    page = rosa.get(reverse("voice:answer", args=[survey.pk])).content.decode()
    assert "¿Qué día le viene mejor?" in page and "Conferencias" in page
    original = rosa.get(reverse("voice:answer", args=[survey.pk]) + "?original=1")
    assert "Which day suits you for conferences?" in original.content.decode()
    gina = login(world.gina)
    page = gina.get(reverse("voice:answer", args=[survey.pk])).content.decode()
    assert "chưa được dịch sang" in page and "Which day suits you" in page


def test_two_answers_that_read_the_same_in_a_language_are_not_sent(awake, login):
    survey = make_survey(awake, sent=False)
    scale = list(services.questions_of(survey)[1].options.all())
    fields = {f"es__o{scale[1].pk}": "Un poco", f"es__o{scale[2].pk}": "un poco"}
    response = login(awake.rivera).post(reverse("voice:preview", args=[survey.pk]), fields)
    assert response.status_code == 400
    assert "Two answers read the same in this language" in response.content.decode()
    survey.refresh_from_db()
    assert not survey.is_sent and not survey.translations and not Message.objects.exists()


def test_a_colleague_who_may_not_ask_the_class_cannot_send_or_change_the_draft(awake, login):
    survey = make_survey(awake, sent=False)
    response = login(awake.chen).post(
        reverse("voice:preview", args=[survey.pk]), {"es__title": "Otra cosa"}
    )
    assert response.status_code == 404  # Mr Chen does not even see Math 6
    survey.refresh_from_db()
    assert not survey.is_sent and not survey.translations and not Message.objects.exists()


def test_a_survey_is_sent_once(awake):
    survey = make_survey(awake)
    with pytest.raises(services.SurveyRefused):
        services.send_survey(survey, awake.rivera)
    assert Message.objects.count() == 1


# ---- who sees what --------------------------------------------------------------------------


def test_only_the_audience_reaches_the_survey(awake, login):
    world = awake
    survey = make_survey(world)
    url = reverse("voice:answer", args=[survey.pk])
    for guardian in (world.rosa, world.marco, world.gina):
        assert login(guardian).get(url).status_code == 200
    # Ray may not be contacted nor see Cal's records; Olga is at South; Eli's child has left.
    for guardian in (world.ray, world.olga, world.eli):
        assert login(guardian).get(url).status_code == 404
        assert login(guardian).post(url, post_data(survey)).status_code == 404
    assert not Response.objects.exists()


def test_a_draft_reaches_no_family(world, login):
    survey = make_survey(world, sent=False)
    assert login(world.rosa).get(reverse("voice:answer", args=[survey.pk])).status_code == 404


def test_another_schools_staff_get_a_404(awake, login):
    survey = make_survey(awake)
    for staff in (awake.south_teacher, awake.south_admin, awake.elsewhere_admin):
        client = login(staff)
        for name in ("voice:results", "voice:csv", "voice:preview"):
            assert client.get(reverse(name, args=[survey.pk])).status_code == 404
        assert survey.pk not in [s.pk for s in voice_access.surveys_for_staff(staff.user)]
    # A school's staff see it; a family never sees the results.
    assert login(awake.chen).get(reverse("voice:results", args=[survey.pk])).status_code == 200
    assert login(awake.rosa).get(reverse("voice:results", args=[survey.pk])).status_code == 404


def test_a_school_survey_reaches_the_schools_families_only(awake, login):
    survey = make_survey(awake, audience=Audience.school(awake.north), by=awake.principal)
    assert login(awake.gina).get(reverse("voice:answer", args=[survey.pk])).status_code == 200
    assert login(awake.olga).get(reverse("voice:answer", args=[survey.pk])).status_code == 404


# ---- answering ------------------------------------------------------------------------------


def test_one_response_per_guardian_changed_until_it_closes(awake, login):
    world = awake
    survey = make_survey(world)
    client = login(world.rosa)
    url = reverse("voice:answer", args=[survey.pk])
    assert client.post(url, post_data(survey, single=0, text="Evening times")).status_code == 302
    assert client.post(url, post_data(survey, single=1, text="Mornings")).status_code == 302
    response = Response.objects.get()
    assert response.guardian == world.rosa
    first = services.questions_of(survey)[0]
    assert [o.text for o in response.answers.get(question=first).options.all()] == ["Friday"]
    assert Answer.objects.filter(text="Mornings").count() == 1
    assert not Answer.objects.filter(text="Evening times").exists()
    page = client.get(url).content.decode()
    assert "Ya respondió" in page and "Mornings" in page
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    closed = client.post(url, post_data(survey, single=0, text="Too late"))
    assert closed.status_code == 400
    assert "Esta encuesta está cerrada." in closed.content.decode()
    assert not Answer.objects.filter(text="Too late").exists()
    assert "Esta encuesta está cerrada." in client.get(url).content.decode()


def test_an_answer_must_be_one_of_the_options_and_required_questions_answered(awake, login):
    survey = make_survey(awake)
    client = login(awake.rosa)
    url = reverse("voice:answer", args=[survey.pk])
    data = post_data(survey)
    other = make_survey(awake, sent=False)
    data[next(iter(data))] = [str(services.questions_of(other)[0].options.first().pk)]
    assert client.post(url, data).status_code == 400
    data = post_data(survey)
    del data[next(iter(data))]
    assert client.post(url, data).status_code == 400
    data = post_data(survey, text="bad\u202etext")
    assert client.post(url, data).status_code == 400
    assert not Response.objects.exists()


def test_anonymous_answers_cannot_be_joined_back_to_the_family(awake, login, settings):
    world = awake
    survey = make_survey(world, anonymous=True)
    login(world.rosa).post(reverse("voice:answer", args=[survey.pk]), post_data(survey))
    response = Response.objects.get()
    assert response.guardian_id is None
    stored = {f.attname: getattr(response, f.attname) for f in Response._meta.concrete_fields}
    assert set(stored) == {"id", "survey_id", "guardian_id", "respondent_key"}
    # The key is not the guardian's id, nor a hash of it any one could compute.
    import hashlib

    for guess in (f"{survey.pk}:{world.rosa.pk}", str(world.rosa.pk), f"{world.rosa.pk}"):
        assert response.respondent_key != hashlib.sha256(guess.encode()).hexdigest()
    assert len(response.respondent_key) == 64
    # Under another secret the same guardian gets another key: it is the secret that binds.
    settings.SECRET_KEY = "another secret"
    assert services.respondent_key(survey, world.rosa) != response.respondent_key


def test_anonymous_answers_are_still_one_per_guardian(awake, login):
    survey = make_survey(awake, anonymous=True)
    client = login(awake.rosa)
    url = reverse("voice:answer", args=[survey.pk])
    client.post(url, post_data(survey, single=0))
    client.post(url, post_data(survey, single=1))
    assert Response.objects.count() == 1
    assert Response.objects.get().guardian_id is None
    assert "Ya respondió" in client.get(url).content.decode()


# ---- results --------------------------------------------------------------------------------


def test_results_count_each_option_with_bars_a_rate_and_a_csv(awake, login):
    world = awake
    survey = make_survey(world)
    services.answer_survey(survey, world.rosa, answers_for(survey, single=0, text="=HYPERLINK()"))
    services.answer_survey(survey, world.gina, answers_for(survey, single=1))
    services.answer_survey(survey, world.marco, answers_for(survey, single=1))
    client = login(world.rivera)
    page = client.get(reverse("voice:results", args=[survey.pk])).content.decode()
    assert "3 of 3 families answered (100%)" in page
    assert '<meter min="0" max="100" value="67"' in page
    assert '<meter min="0" max="100" value="33"' in page
    csv = client.get(reverse("voice:csv", args=[survey.pk])).content.decode()
    lines = csv.strip().splitlines()
    assert lines[0].startswith("Which day suits you for conferences?")
    assert len(lines) == 4
    assert "'=HYPERLINK()" in csv  # a spreadsheet does not run it


def test_list_and_results_query_counts(awake, login, django_assert_num_queries):
    world = awake
    survey = make_survey(world)
    make_survey(world)
    services.answer_survey(survey, world.rosa, answers_for(survey))
    client = login(world.rivera)
    client.get(reverse("voice:list"))  # warm the session
    with django_assert_num_queries(8):
        assert client.get(reverse("voice:list")).status_code == 200
    # The figures by language (with its response rates), grade, program and school included.
    with django_assert_num_queries(20):
        assert client.get(reverse("voice:results", args=[survey.pk])).status_code == 200


# ---- the family's home ----------------------------------------------------------------------


def test_the_family_home_shows_what_waits_for_an_answer(awake, login):
    world = awake
    survey = make_survey(world)
    survey.translations = {"es": {"title": "Las conferencias"}}
    survey.save()
    client = login(world.rosa)
    url = reverse("voice:answer", args=[survey.pk])
    link = f'href="{url}"'
    page = client.get(reverse("family_home")).content.decode()
    assert link in page and "Las conferencias" in page
    client.post(url, post_data(survey))
    assert link not in client.get(reverse("family_home")).content.decode()
    # Olga, at South, is not asked.
    assert link not in login(world.olga).get(reverse("family_home")).content.decode()


def _more_families(world, count, language):
    from homeroom.people.models import Enrollment, Guardian, Guardianship, Student

    added = []
    for i in range(count):
        student = Student.objects.create(
            school=world.north, given_name=f"Kid{language}{i}", family_name="Class", grade="6"
        )
        Enrollment.objects.create(section=world.math, student=student)
        parent = Guardian.objects.create(
            district=world.district,
            given_name=f"Parent{i}",
            family_name="Class",
            language=language,
            email=f"p{language}{i}@family.example",
            channel="email",
        )
        Guardianship.objects.create(guardian=parent, student=student)
        added.append(parent)
    return added


def test_figures_by_language_leave_out_groups_under_five(awake, login):
    world = awake
    english = [world.marco, *_more_families(world, 4, "en")]
    survey = make_survey(world)
    for guardian in english[:3]:
        services.answer_survey(survey, guardian, answers_for(survey, single=0))
    for guardian in english[3:]:
        services.answer_survey(survey, guardian, answers_for(survey, single=1))
    services.answer_survey(survey, world.rosa, answers_for(survey, single=1))
    page = login(world.rivera).get(reverse("voice:results", args=[survey.pk])).content.decode()
    assert "English (5 answers)" in page
    assert '<td class="figure">60%</td>' in page and '<td class="figure">40%</td>' in page
    assert "Spanish (" not in page  # one Spanish answer: not shown on its own
    assert "1 language with fewer than 5 answers is left out" in page
    breakdown = services.by_language(survey)
    assert [language for language, _n in breakdown.languages] == ["en"]
    assert breakdown.hidden == 1


def test_an_anonymous_survey_has_no_figures_by_language(awake):
    survey = make_survey(awake, anonymous=True)
    services.answer_survey(survey, awake.rosa, answers_for(survey))
    assert services.by_language(survey) is None
