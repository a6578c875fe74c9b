"""A one-question survey answered by text, through the real Twilio webhook: the announcement
numbers the options in the family's language; "2", "viernes", "MIERCOLES" or "٢" texted back
after it is the family's answer, stored as a web answer is and changed by texting again; "7"
to three options and any answer after the close get a clear reply and store nothing; a family
the survey does not reach, a text that is no answer and a survey not answered by text go on
as any other text does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import InboundEvent, Message, MessageTranslation
from homeroom.messaging.tests.builders import PUBLIC, TOKEN, signed_post, twilio_fields
from homeroom.messaging.tests.test_inbound_sms import text_in
from homeroom.people.models import Guardianship
from homeroom.voice import services
from homeroom.voice.models import Response, Survey
from homeroom.voice.services import QuestionDraft

pytestmark = pytest.mark.urls("homeroom.messaging.tests.sms_urls")

DAYS = ["Monday", "Wednesday", "Friday"]
SPANISH_DAYS = ["Lunes", "Miércoles", "Viernes"]


@pytest.fixture(autouse=True)
def _twilio(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC


def one_question_survey(world, *, anonymous=False, questions=None, spanish=True):
    survey = services.create_survey(
        world.rivera,
        title="Conferences",
        intro="",
        closes_at=timezone.now() + timedelta(days=7),
        anonymous=anonymous,
        audience=Audience.section(world.math),
        questions=questions or [QuestionDraft("single", "Which day suits you?", True, DAYS)],
    )
    if spanish:
        question = survey.questions.get()
        texts = {"title": "Conferencias", f"q{question.pk}": "¿Qué día le viene mejor?"}
        for option, word in zip(question.options.all(), SPANISH_DAYS, strict=True):
            texts[f"o{option.pk}"] = word
        services.save_translations(survey, {"es": texts})
    services.send_survey(survey, world.rivera)
    survey.refresh_from_db()
    return survey


def text(client, guardian, body):
    return signed_post(client, twilio_fields(body, str(guardian.phone)))


def chosen(survey, guardian):
    response = Response.objects.get(survey=survey, guardian=guardian)
    return [option.text for option in response.answers.get().options.all()]


def test_the_announcement_numbers_the_options_in_the_familys_language(awake):
    survey = one_question_survey(awake)
    assert survey.announcement is not None
    message = Message.objects.get(conversation=survey.announcement)
    assert "Which day suits you?\n1 Monday\n2 Wednesday\n3 Friday\nReply 1, 2 or 3." in (
        message.body
    )
    spanish = MessageTranslation.objects.get(message=message, language="es").text
    assert "¿Qué día le viene mejor?\n1 Lunes\n2 Miércoles\n3 Viernes\nResponda 1, 2 o 3." in (
        spanish
    )
    assert "Conferencias" in spanish and services.survey_link(survey) in spanish


def test_a_number_texted_back_is_the_answer_and_a_second_text_changes_it(awake, client):
    world = awake
    survey = one_question_survey(world)

    response = text(client, world.rosa, "2")

    reply = text_in(response)
    assert reply.startswith("Gracias") and "Miércoles" in reply
    assert chosen(survey, world.rosa) == ["Wednesday"]
    assert InboundEvent.objects.get(body="2").outcome == "survey:answered"
    assert not Message.objects.filter(author_guardian=world.rosa).exists()  # not threaded

    text(client, world.rosa, "viernes")
    assert chosen(survey, world.rosa) == ["Friday"]
    text(client, world.rosa, " MIERCOLES! ")  # case and accents aside
    assert chosen(survey, world.rosa) == ["Wednesday"]
    text(client, world.rosa, "monday")  # the English words are understood too
    assert chosen(survey, world.rosa) == ["Monday"]
    assert Response.objects.filter(survey=survey).count() == 1
    # The web page shows the answer given by text.
    assert services.response_of(survey, world.rosa).answers.get().options.get().text == "Monday"


def test_a_number_out_of_range_gets_the_valid_answers_and_stores_nothing(awake, client):
    world = awake
    survey = one_question_survey(world)

    reply = text_in(text(client, world.rosa, "7"))

    assert "7" in reply and "1 Lunes\n2 Miércoles\n3 Viernes" in reply
    assert "Responda con uno de estos números" in reply
    assert not Response.objects.filter(survey=survey).exists()
    assert InboundEvent.objects.get(body="7").outcome == "survey:out_of_range"
    assert not Message.objects.filter(author_guardian=world.rosa).exists()


def test_arabic_indic_digits_are_read_and_the_reply_is_in_arabic(awake, client):
    world = awake
    world.gina.language = "ar"
    world.gina.save(update_fields=["language"])
    survey = one_question_survey(world)

    reply = text_in(text(client, world.gina, "٣"))

    assert chosen(survey, world.gina) == ["Friday"]
    assert reply.startswith("شكرًا")
    text(client, world.gina, "۱")  # the Persian forms as well
    assert chosen(survey, world.gina) == ["Monday"]


def test_after_the_close_an_answer_gets_a_clear_reply_and_nothing_is_stored(awake, client):
    world = awake
    survey = one_question_survey(world)
    text(client, world.rosa, "1")
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    reply = text_in(text(client, world.rosa, "3"))

    assert "Conferencias" in reply and "no se guardó" in reply
    assert chosen(survey, world.rosa) == ["Monday"]
    assert InboundEvent.objects.get(body="3").outcome == "survey:closed"


def test_a_family_the_survey_no_longer_reaches_is_not_answered_by_it(awake, client):
    world = awake
    survey = one_question_survey(world)
    # Since the announcement, the school may no longer write to Rosa about Ana.
    Guardianship.objects.filter(guardian=world.rosa).update(may_contact=False)

    text(client, world.rosa, "2")

    assert not Response.objects.filter(survey=survey).exists()
    assert not InboundEvent.objects.filter(outcome__startswith="survey:").exists()


def test_a_text_that_is_no_answer_is_threaded_as_a_reply(awake, client):
    world = awake
    survey = one_question_survey(world)

    assert text_in(text(client, world.rosa, "¿A qué hora?")) == ""

    assert not Response.objects.filter(survey=survey).exists()
    assert Message.objects.filter(author_guardian=world.rosa, body="¿A qué hora?").exists()


@pytest.mark.parametrize(
    "anonymous, questions",
    [
        (True, None),
        (
            False,
            [
                QuestionDraft("single", "Which day suits you?", True, DAYS),
                QuestionDraft("short_text", "Anything else?", False),
            ],
        ),
        (False, [QuestionDraft("multiple", "Which days suit you?", True, DAYS)]),
    ],
)
def test_a_survey_not_answered_by_text_says_so_and_claims_no_digits(
    awake, client, anonymous, questions
):
    world = awake
    survey = one_question_survey(world, anonymous=anonymous, questions=questions, spanish=False)
    message = Message.objects.get(conversation=survey.announcement)
    assert "Reply" not in message.body and services.survey_link(survey) in message.body

    text(client, world.rosa, "2")

    assert not Response.objects.filter(survey=survey).exists()
    assert not InboundEvent.objects.filter(outcome__startswith="survey:").exists()


def test_a_number_after_a_later_text_is_not_an_answer(awake, client):
    """Only when the survey's announcement is the last text to the number."""
    from homeroom.messaging import services as messaging

    world = awake
    survey = one_question_survey(world)
    messaging.start_conversation(student=world.ana, by_staff=world.rivera, text="How many?")

    text(client, world.rosa, "2")

    assert not Response.objects.filter(survey=survey).exists()
    assert Message.objects.filter(author_guardian=world.rosa, body="2").exists()
