"""The engagement-preferences survey: started in one click, its questions fixed and keyed,
read by each family in its language from the catalogues; a family's answers become preference
changes only when it confirms them; the school sees barriers summed per group, small groups
hidden; other modules read the answers by key."""

import itertools
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from homeroom.languages import LANGUAGE_NAMES
from homeroom.messaging.audiences import Audience
from homeroom.people.models import Channel, Guardian, Student
from homeroom.testing.personas import link, make_guardian
from homeroom.voice import services as survey_services
from homeroom.voice.engagement import services, template
from homeroom.voice.models import Survey
from homeroom.voice.tests.test_surveys import make_survey


def start(world, by=None, audience=None):
    by = by or world.principal
    return services.start_engagement_survey(by, audience or Audience.school(world.north))


def started_and_sent(world, by=None, audience=None):
    survey = start(world, by, audience)
    survey_services.send_survey(survey, by or world.principal)
    survey.refresh_from_db()
    return survey


def answers(survey, *keys, text=""):
    """The answer dict for `answer_survey` choosing the options with these keys."""
    out = {}
    for question in services.keyed_questions(survey):
        chosen = [o.pk for o in question.options.all() if o.stable_key.key in keys]
        if question.has_options:
            out[question.pk] = chosen
        else:
            out[question.pk] = text
    return out


def post_data(survey, *keys):
    data = {}
    for question_id, value in answers(survey, *keys).items():
        data[f"q{question_id}"] = [str(v) for v in value] if isinstance(value, list) else value
    return data


PHONES = itertools.count(900)


def new_family(world, name, grade, language="en", school=None):
    school = school or world.north
    phone = f"+1612555{next(PHONES):04d}"
    child = Student.objects.create(school=school, given_name=name, family_name="Kid", grade=grade)
    guardian = make_guardian(world.district, name, "Parent", language, phone)
    link(guardian, child)
    return guardian


# ---- the questions --------------------------------------------------------------------------


def test_the_built_in_survey_has_every_question_with_its_key(world):
    survey = start(world)
    questions = services.keyed_questions(survey)
    assert [q.stable_key.key for q in questions] == list(template.QUESTION_KEYS)
    by_key = {q.stable_key.key: q for q in questions}
    keys = {q.stable_key.key: [o.stable_key.key for o in q.options.all()] for q in questions}
    assert keys["channel"] == [f"channel:{value}" for value in Channel.values]
    assert keys["language"] == [f"language:{code}" for code in LANGUAGE_NAMES]
    assert set(keys["barriers"]) >= {
        "barrier:transport",
        "barrier:childcare",
        "barrier:work_hours",
        "barrier:meals",
        "barrier:interpreter",
        "barrier:disability_access",
        "barrier:internet_device",
    }
    assert by_key["barriers"].kind == "multiple"
    assert by_key["channel"].kind == "single" and by_key["channel"].required
    assert keys["organise"] == ["organise:yes", "organise:maybe", "organise:no"]
    assert {"reach_days", "reach_times", "visit_days", "visit_times", "topics"} <= set(keys)
    assert survey.title == "How and when can we reach you?"
    assert not survey.anonymous and not survey.is_sent
    assert services.is_builtin(survey)
    assert not services.is_builtin(make_survey(world, sent=False))


def test_its_texts_in_each_catalogue_language_are_stored_for_staff_to_check(world):
    survey = start(world)
    assert set(survey.translations) == {"es", "ar", "vi"}
    assert survey.translations["es"]["title"] == "¿Cómo y cuándo podemos comunicarnos con usted?"
    childcare = next(
        o
        for q in services.keyed_questions(survey)
        for o in q.options.all()
        if o.stable_key.key == "barrier:childcare"
    )
    assert survey.translations["es"][f"o{childcare.pk}"] == "Cuidado de mis otros hijos"
    # Every text of every catalogue language is really translated, not the English again.
    english = survey_services.source_texts(survey, services.keyed_questions(survey))
    for language in ("es", "ar", "vi"):
        texts = survey.translations[language]
        assert set(texts) == set(english)
        assert texts["title"] != english["title"]


def test_a_teacher_starts_it_for_their_class_and_never_for_another_school(world):
    survey = services.start_engagement_survey(world.rivera, Audience.section(world.math))
    assert survey.section == world.math and survey.school == world.north
    with pytest.raises((PermissionDenied, Http404)):
        services.start_engagement_survey(world.rivera, Audience.school(world.south))
    with pytest.raises((PermissionDenied, Http404)):
        services.start_engagement_survey(world.rivera, Audience.school(world.north))
    assert Survey.objects.count() == 1


# ---- staff pages ----------------------------------------------------------------------------


def test_one_click_from_the_surveys_page_then_the_usual_check_and_send(awake, login):
    client = login(awake.principal)
    page = client.get(reverse("voice:list")).content.decode()
    assert reverse("voice:engagement:start") in page
    response = client.post(reverse("voice:engagement:start"))
    survey = Survey.objects.get()
    assert response["Location"] == reverse("voice:preview", args=[survey.pk])
    assert survey.audience["kind"] == "school" and survey.school == awake.north
    preview = client.get(reverse("voice:preview", args=[survey.pk]))
    assert preview.status_code == 200
    # The Spanish is the catalogue's, ready to check: no machine needed.
    assert "¿Cómo y cuándo podemos comunicarnos con usted?" in preview.content.decode()
    form = preview.context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    sent = client.post(reverse("voice:preview", args=[survey.pk]), data)
    assert sent.status_code == 302, sent.content.decode()[:2000]
    survey.refresh_from_db()
    assert survey.is_sent and survey.reached >= 2


def test_a_start_page_with_a_bad_date_or_audience_stores_nothing(world, login):
    client = login(world.principal)
    yesterday = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert (
        client.post(reverse("voice:engagement:start"), {"closes_on": yesterday}).status_code == 400
    )
    bad = client.post(
        reverse("voice:engagement:start"), {"audience": f"section:{world.english.pk}"}
    )
    assert bad.status_code == 400
    assert not Survey.objects.exists()
    # A teacher with two classes picks one.
    assert login(world.rivera).post(reverse("voice:engagement:start")).status_code == 400
    assert not Survey.objects.exists()


def test_families_get_404s_on_the_staff_pages(world, login):
    client = login(world.rosa)
    assert client.get(reverse("voice:engagement:start")).status_code == 404
    assert client.post(reverse("voice:engagement:start")).status_code == 404
    assert client.get(reverse("voice:engagement:barriers")).status_code == 404


# ---- families -------------------------------------------------------------------------------


def test_a_spanish_family_reads_it_in_spanish(awake, login):
    survey = started_and_sent(awake)
    page = login(awake.rosa).get(reverse("voice:answer", args=[survey.pk])).content.decode()
    assert "¿Cómo y cuándo podemos comunicarnos con usted?" in page
    assert "Cuidado de mis otros hijos" in page
    assert "Mensaje de texto (SMS)" in page
    assert "Childcare for my other children" not in page
    original = login(awake.rosa).get(reverse("voice:answer", args=[survey.pk]) + "?original=1")
    assert "Childcare for my other children" in original.content.decode()
    vietnamese = login(awake.gina).get(reverse("voice:answer", args=[survey.pk])).content.decode()
    assert "Childcare for my other children" not in vietnamese
    assert survey.translations["vi"]["title"] in vietnamese


def test_a_correction_staff_made_wins_over_the_catalogue(awake, login):
    survey = start(awake)
    survey.translations["es"]["title"] = "Cuéntenos cómo llegar a usted"
    survey.save()
    survey_services.send_survey(survey, awake.principal)
    page = login(awake.rosa).get(reverse("voice:answer", args=[survey.pk])).content.decode()
    assert "Cuéntenos cómo llegar a usted" in page


def test_the_answers_change_preferences_only_once_confirmed(awake, login):
    rosa = awake.rosa
    assert rosa.channel == Channel.SMS
    survey = started_and_sent(awake)
    client = login(rosa)
    keys = ("channel:email", "language:es", "reach_time:morning", "reach_time:evening")
    answered = client.post(reverse("voice:answer", args=[survey.pk]), post_data(survey, *keys))
    confirm_url = reverse("voice:engagement:confirm", args=[survey.pk])
    assert answered["Location"] == confirm_url
    rosa.refresh_from_db()
    assert (rosa.channel, rosa.quiet_start, rosa.quiet_end) == ("sms", time(0, 0), time(0, 0))
    page = client.get(confirm_url).content.decode()
    # In Spanish: email, and no texts before 8:00 or after 19:00; the language is already Spanish.
    assert "Correo electrónico" in page and "8:00" in page and "19:00" in page
    assert "use_language" not in page
    # Only what is ticked is taken.
    done = client.post(confirm_url, {"use_quiet": "on"})
    assert done["Location"] == reverse("voice:answer", args=[survey.pk])
    rosa.refresh_from_db()
    assert rosa.channel == Channel.SMS
    assert (rosa.quiet_start, rosa.quiet_end) == (time(19, 0), time(8, 0))
    assert rosa.language == "es"
    client.post(confirm_url, {"use_channel": "on"})
    rosa.refresh_from_db()
    assert rosa.channel == Channel.EMAIL
    # Nothing left to change: the page says so.
    assert "use_channel" not in client.get(confirm_url).content.decode()


def test_only_the_changes_taken_are_checked(awake, login):
    # Marco's email is gone from the school's records since he chose it: taking only the
    # quiet hours must not fail on the channel he keeps.
    survey = started_and_sent(awake)
    client = login(awake.marco)
    keys = ("channel:sms", "language:en", "reach_time:morning")
    client.post(reverse("voice:answer", args=[survey.pk]), post_data(survey, *keys))
    Guardian.objects.filter(pk=awake.marco.pk).update(email="")
    done = client.post(reverse("voice:engagement:confirm", args=[survey.pk]), {"use_quiet": "on"})
    assert done.status_code == 302
    awake.marco.refresh_from_db()
    assert awake.marco.channel == Channel.EMAIL
    assert (awake.marco.quiet_start, awake.marco.quiet_end) == (time(12, 0), time(8, 0))


def test_nothing_ticked_changes_nothing(awake, login):
    survey = started_and_sent(awake)
    client = login(awake.rosa)
    client.post(
        reverse("voice:answer", args=[survey.pk]), post_data(survey, "channel:app", "language:en")
    )
    client.post(reverse("voice:engagement:confirm", args=[survey.pk]), {})
    awake.rosa.refresh_from_db()
    assert (awake.rosa.channel, awake.rosa.language) == ("sms", "es")


def test_sms_without_a_phone_is_refused_with_the_settings_message(awake, login):
    Guardian.objects.filter(pk=awake.marco.pk).update(phone="")
    survey = started_and_sent(awake)
    client = login(awake.marco)
    client.post(
        reverse("voice:answer", args=[survey.pk]), post_data(survey, "channel:sms", "language:en")
    )
    refused = client.post(
        reverse("voice:engagement:confirm", args=[survey.pk]), {"use_channel": "on"}
    )
    assert refused.status_code == 400
    assert "no mobile number" in refused.content.decode()
    awake.marco.refresh_from_db()
    assert awake.marco.channel == Channel.EMAIL


def test_the_confirmation_page_is_a_404_for_surveys_the_family_may_not_see(awake, login):
    survey = started_and_sent(awake)
    south = started_and_sent(awake, awake.south_admin, Audience.school(awake.south))
    plain = make_survey(awake)
    client = login(awake.rosa)
    for pk in (south.pk, plain.pk, 999999):
        assert client.get(reverse("voice:engagement:confirm", args=[pk])).status_code == 404
        assert client.post(reverse("voice:engagement:confirm", args=[pk]), {}).status_code == 404
    # Ray may not be contacted; staff have no confirmation page.
    assert (
        login(awake.ray).get(reverse("voice:engagement:confirm", args=[survey.pk])).status_code
        == 404
    )
    assert (
        login(awake.principal)
        .get(reverse("voice:engagement:confirm", args=[survey.pk]))
        .status_code
        == 404
    )


def test_a_closed_survey_takes_no_answer(awake, login):
    survey = started_and_sent(awake)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    client = login(awake.rosa)
    refused = client.post(
        reverse("voice:answer", args=[survey.pk]), post_data(survey, "channel:email", "language:es")
    )
    assert refused.status_code == 400
    assert not survey.responses.exists()


# ---- the barriers ---------------------------------------------------------------------------


@pytest.fixture
def answered(awake):
    """Six grade-6 and five grade-7 families at North, one Spanish reader more, answering."""
    world = awake
    survey = started_and_sent(world)
    grade6 = [new_family(world, f"Six{n}", "6", "es" if n < 3 else "en") for n in range(6)]
    grade7 = [new_family(world, f"Seven{n}", "7", "es" if n < 2 else "en") for n in range(5)]
    chosen6 = [
        ("barrier:childcare", "barrier:transport"),
        ("barrier:childcare",),
        ("barrier:childcare", "barrier:work_hours"),
        ("barrier:none",),
        ("barrier:transport",),
        (),
    ]
    chosen7 = [
        ("barrier:interpreter",),
        ("barrier:interpreter", "barrier:childcare"),
        ("barrier:meals",),
        (),
        ("barrier:childcare",),
    ]
    for guardian, keys in zip(grade6 + grade7, chosen6 + chosen7, strict=True):
        survey_services.answer_survey(
            survey, guardian, answers(survey, "channel:sms", "language:en", *keys)
        )
    # Rosa (Spanish, grade 6) answers too.
    survey_services.answer_survey(survey, world.rosa, answers(survey, "barrier:meals"))
    world.survey = survey
    world.families = grade6 + grade7
    return world


def test_barriers_are_summed_by_school_grade_and_language(answered):
    report = services.barrier_report(answered.principal.user)
    assert report.families == 12
    by_school, by_grade, by_language = report.groupings
    (north,) = by_school.groups
    assert north.label == "North Elementary" or north.label == answered.north.name
    assert north.families == 12
    assert north.counts == {
        "barrier:childcare": 5,
        "barrier:transport": 2,
        "barrier:work_hours": 1,
        "barrier:none": 1,
        "barrier:interpreter": 2,
        "barrier:meals": 2,
    }
    grades = {group.label: group for group in by_grade.groups}
    assert set(grades) == {"Grade 6", "Grade 7"}
    assert grades["Grade 6"].families == 7  # six new families and Rosa
    assert grades["Grade 6"].counts["barrier:childcare"] == 3
    assert grades["Grade 6"].counts["barrier:meals"] == 1
    assert grades["Grade 7"].families == 5
    assert grades["Grade 7"].counts == {
        "barrier:interpreter": 2,
        "barrier:childcare": 2,
        "barrier:meals": 1,
    }
    languages = {group.label: group for group in by_language.groups}
    # Spanish: three grade-6, two grade-7 and Rosa = 6; English: 6.
    assert languages["Spanish"].families == 6 and languages["English"].families == 6
    # Childcare among Spanish readers: grade-6 families 0, 1, 2 and grade-7 family 1.
    assert languages["Spanish"].counts["barrier:childcare"] == 4
    assert languages["English"].counts["barrier:childcare"] == 1
    assert by_grade.hidden == 0 and by_language.hidden == 0


def test_groups_under_five_families_are_hidden(answered):
    # Two more grade-8 families answering: their grade is left out, counted as hidden.
    for n in range(2):
        guardian = new_family(answered, f"Eight{n}", "8", "vi")
        survey_services.answer_survey(
            answered.survey, guardian, answers(answered.survey, "barrier:childcare")
        )
    _school, by_grade, by_language = services.barrier_report(answered.principal.user).groupings
    assert "Grade 8" not in {group.label for group in by_grade.groups}
    assert by_grade.hidden == 1
    assert "Vietnamese" not in {group.label for group in by_language.groups}
    assert by_language.hidden == 1


def test_the_barriers_page_hides_small_groups_and_pins_its_queries(
    answered, login, django_assert_num_queries
):
    client = login(answered.principal)
    client.get(reverse("voice:engagement:barriers"))  # warm the session
    with django_assert_num_queries(11):
        page = client.get(reverse("voice:engagement:barriers"))
    text = page.content.decode()
    assert "Childcare for my other children" in text and "Grade 7" in text
    # Same count with more families, answers and schools.
    for n in range(4):
        guardian = new_family(answered, f"More{n}", "9", "ar")
        survey_services.answer_survey(
            answered.survey, guardian, answers(answered.survey, "barrier:transport")
        )
    with django_assert_num_queries(11):
        assert client.get(reverse("voice:engagement:barriers")).status_code == 200


def test_a_district_admin_sees_barriers_by_school_only(answered, login):
    report = services.barrier_report(answered.district_admin.user)
    assert [grouping.title for grouping in report.groupings] == ["By school"]
    assert report.groupings[0].groups[0].families == 12
    page = login(answered.district_admin).get(reverse("voice:engagement:barriers"))
    assert "Grade 6" not in page.content.decode()


def test_another_schools_staff_see_none_of_it(answered):
    for staff in (answered.south_admin, answered.elsewhere_admin):
        report = services.barrier_report(staff.user)
        assert report.families == 0
        assert all(not grouping.groups for grouping in report.groupings)


# ---- the reading API ------------------------------------------------------------------------


def test_other_modules_read_the_answers_by_key(answered):
    everyone = Guardian.objects.all()
    tally = services.barriers_for(everyone)
    assert tally.families == 12
    assert tally["barrier:childcare"] == 5 and tally["barrier:disability_access"] == 0
    some = Guardian.objects.filter(pk__in=[g.pk for g in answered.families[:2]])
    assert services.barriers_for(some).counts == {
        "barrier:childcare": 2,
        "barrier:transport": 1,
    }
    guardian = answered.families[0]
    survey_services.answer_survey(
        answered.survey,
        guardian,
        answers(answered.survey, "visit_day:tue", "visit_time:evening", "topic:reading"),
    )
    times = services.best_times_for(Guardian.objects.filter(pk=guardian.pk))
    assert times.counts == {"visit_day:tue": 1, "visit_time:evening": 1}
    assert services.topics_for(Guardian.objects.filter(pk=guardian.pk)).counts == {
        "topic:reading": 1
    }
    with pytest.raises(ValueError):
        services.best_times_for(everyone, "lunch")


def test_family_level_answers_only_for_staff_who_see_the_family(answered):
    guardian = answered.families[0]
    keys = services.family_answers(answered.principal.user, guardian.pk)
    assert {"barrier:childcare", "barrier:transport", "channel:sms"} <= keys
    with pytest.raises(Http404):
        services.family_answers(answered.south_admin.user, guardian.pk)
    with pytest.raises(Http404):
        services.family_answers(answered.rivera.user, guardian.pk)  # not in her classes


def test_a_later_answer_counts_not_an_earlier_one(answered):
    guardian = answered.families[0]
    later = started_and_sent(answered)
    survey_services.answer_survey(later, guardian, answers(later, "barrier:meals"))
    tally = services.barriers_for(Guardian.objects.filter(pk=guardian.pk))
    assert tally.counts == {"barrier:meals": 1}


def test_quiet_hours_come_from_the_earliest_and_latest_times_chosen():
    assert services.reachable_window({"reach_time:morning", "reach_time:evening"}) == (
        time(8, 0),
        time(19, 0),
    )
    assert services.reachable_window({"barrier:meals"}) is None


def test_the_family_page_costs_the_same_whatever_the_answers(
    answered, login, django_assert_num_queries
):
    url = reverse("voice:answer", args=[answered.survey.pk])
    client = login(answered.rosa)
    client.get(url)  # warm the session
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200
    for guardian in answered.families[:3]:
        survey_services.answer_survey(
            answered.survey, guardian, answers(answered.survey, "topic:math", "visit_day:mon")
        )
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200
