"""Written answers translated for staff: once, after the answer is stored (never on a page
view), from the language it is written in (detected); the results show the translation with
the original one tap away; a language no engine serves shows the original."""

import pytest
from django.urls import reverse

from homeroom.messaging.tests.builders import committed
from homeroom.voice import services
from homeroom.voice.models import Answer, AnswerTranslation

from .test_surveys import answers_for, make_survey, post_data

SPANISH = "Preferimos las reuniones por la tarde, después del trabajo."


def test_a_written_answer_is_translated_once_and_shown_with_its_original(awake, login, monkeypatch):
    world = awake
    survey = make_survey(world)
    rosa = login(world.rosa)
    url = reverse("voice:answer", args=[survey.pk])

    response = committed(rosa.post, url, post_data(survey, text=SPANISH))

    assert response.status_code == 302
    answer = Answer.objects.get(text=SPANISH)
    assert answer.language == "es" and not answer.translation_pending
    english = AnswerTranslation.objects.get(answer=answer, language="en")
    assert english.text and english.text != SPANISH

    # The page reads what was kept: no engine is asked again.
    def no_engine(*args, **kwargs):
        raise AssertionError("translated on a page view")

    monkeypatch.setattr(services, "translate", no_engine)
    page = login(world.rivera).get(reverse("voice:results", args=[survey.pk])).content.decode()
    assert english.text in page
    assert "<summary>Original (Spanish)</summary>" in page
    assert f'lang="es"><bdi>{SPANISH}</bdi>' in page or (f'lang="es">{SPANISH}' in page)


def test_a_changed_answer_is_translated_again(awake):
    world = awake
    survey = make_survey(world)
    committed(services.answer_survey, survey, world.rosa, answers_for(survey, text=SPANISH))
    committed(
        services.answer_survey, survey, world.rosa, answers_for(survey, text="Por la mañana.")
    )
    answer = Answer.objects.get(text="Por la mañana.")
    assert AnswerTranslation.objects.filter(answer=answer, language="en").exists()
    assert AnswerTranslation.objects.count() == 1  # the first answer's went with it


def test_an_english_answer_needs_no_translation(awake):
    world = awake
    survey = make_survey(world)
    committed(
        services.answer_survey,
        survey,
        world.marco,
        answers_for(survey, text="Evening meetings would help us a lot."),
    )
    answer = Answer.objects.get(text__startswith="Evening")
    assert answer.language == "en" and not answer.translation_pending
    assert not AnswerTranslation.objects.exists()


def test_a_language_no_engine_serves_shows_the_original(awake, login, settings):
    world = awake
    settings.TRANSLATION_ROUTES = {"*": ["libretranslate"]}  # no engine reachable
    survey = make_survey(world)
    committed(services.answer_survey, survey, world.rosa, answers_for(survey, text=SPANISH))
    answer = Answer.objects.get(text=SPANISH)
    assert answer.language == "es" and not answer.translation_pending
    assert not AnswerTranslation.objects.exists()
    page = login(world.rivera).get(reverse("voice:results", args=[survey.pk])).content.decode()
    assert SPANISH in page and "Original (" not in page


def test_an_anonymous_written_answer_is_translated_from_its_own_words(awake):
    world = awake
    survey = make_survey(world, anonymous=True)
    committed(services.answer_survey, survey, world.rosa, answers_for(survey, text=SPANISH))
    answer = Answer.objects.get(text=SPANISH)
    assert answer.response.guardian_id is None
    assert answer.language == "es"
    assert AnswerTranslation.objects.filter(answer=answer, language="en").exists()


@pytest.mark.parametrize("runs", [2])
def test_translating_twice_makes_one_copy(awake, runs):
    world = awake
    survey = make_survey(world)
    response = committed(
        services.answer_survey, survey, world.rosa, answers_for(survey, text=SPANISH)
    )
    for _ in range(runs):
        assert services.translate_answers(response.pk) == 0
    assert AnswerTranslation.objects.count() == 1
