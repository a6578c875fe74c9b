"""Ms Rivera builds a three-question survey for Math 6, checks its Spanish and sends it; Rosa
answers it on her phone, in Spanish, from her home; the results show the bars and the
figures by program (five families of English learners answered; the one family in no
program is left out)."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from homeroom.people.models import Enrollment, Guardian, Guardianship, Program, Student
from homeroom.testing.personas import build_world
from homeroom.voice import services
from homeroom.voice.models import Response, Survey

from .conftest import check_page
from .journeys import code_from_last_text, sign_in_with_password, sign_out, without_quiet_hours

SCALE = ["Not at all", "A little", "Somewhat", "Quite a bit", "A lot"]


def english_learners(world, count):
    """Families of Math 6 whose children are in the English learners program."""
    learners = Program.objects.create(district=world.district, code="EL", name="English learners")
    added = []
    for n in range(count):
        student = Student.objects.create(
            school=world.north, given_name=f"Kid{n}", family_name="Learner", grade="6"
        )
        student.programs.add(learners)
        Enrollment.objects.create(section=world.math, student=student)
        guardian = Guardian.objects.create(
            district=world.district,
            given_name=f"Parent{n}",
            family_name="Learner",
            email=f"learner{n}@family.example",
            channel="email",
        )
        Guardianship.objects.create(guardian=guardian, student=student)
        added.append(guardian)
    return added


def test_a_survey_built_sent_answered_in_spanish_and_its_results(page, transactional_db, settings):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"en:es": ["apertium"], "*": ["libretranslate"]}
    world = build_world()
    learners = english_learners(world, 5)
    without_quiet_hours(world)

    sign_in_with_password(page, world.rivera.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    expect(page.get_by_role("heading", name="Surveys")).to_be_visible()
    page.get_by_role("link", name="New survey").click()
    page.get_by_label("Title").fill("Conference times")
    page.get_by_label("Who is asked").select_option(label="Families of Math 6, North Elementary")
    page.get_by_label("Closes on").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    page.locator("#id_q1-kind").select_option("single")
    page.locator("#id_q1-text").fill("Which day suits you?")
    page.locator("#id_q1-options").fill("Monday\nFriday")
    page.locator("#id_q2-kind").select_option("scale")
    page.locator("#id_q2-text").fill("How welcome do you feel at school?")
    page.locator("#id_q2-options").fill("\n".join(SCALE))
    page.locator("#id_q3-kind").select_option("long_text")
    page.locator("#id_q3-text").fill("What would help your family most?")
    page.locator("#id_q3-required").uncheck()
    check_page(page, "survey-new")
    page.get_by_role("button", name="Preview in each language").click()

    expect(page.get_by_role("heading", name="Check and send — Conference times")).to_be_visible()
    expect(page.get_by_role("heading", name="Spanish")).to_be_visible()
    survey = Survey.objects.get()
    page.locator("#id_es__title").fill("Horarios de las conferencias")
    scale = list(survey.questions.get(position=2).options.all())
    spanish = ["Nada", "Un poco", "Algo", "Bastante", "Mucho"]
    for option, text in zip(scale, spanish, strict=True):
        page.locator(f"#id_es__o{option.pk}").fill(text)
    # Two answers reading the same are sent back to be told apart.
    page.locator(f"#id_es__o{scale[2].pk}").fill("Un poco")
    page.get_by_role("button", name="Send the survey").click()
    expect(page.get_by_text("Two answers read the same in this language")).to_be_visible()
    assert not Survey.objects.get().is_sent
    page.locator(f"#id_es__o{scale[2].pk}").fill("Algo")
    check_page(page, "survey-preview")
    page.get_by_role("button", name="Send the survey").click()
    expect(page.get_by_text("0 of 8 families answered (0%).")).to_be_visible()
    sign_out(page)

    # Rosa, on her phone, in Spanish: the survey waits on her home.
    page.goto("/accounts/login/")
    page.locator("#family-phone").fill(str(world.rosa.phone))
    page.locator("#family-phone").press("Enter")
    page.locator("input[name=code]").fill(code_from_last_text(str(world.rosa.phone)))
    page.locator("input[name=code]").press("Enter")
    expect(page.get_by_role("heading", name="Hola, Rosa")).to_be_visible()
    expect(
        page.get_by_role("link", name="Horarios de las conferencias", exact=True)
    ).to_be_visible()
    page.get_by_role("link", name="Responder la encuesta").click()
    expect(page.get_by_role("heading", name="Horarios de las conferencias")).to_be_visible()
    check_page(page, "survey-answer")
    questions = list(survey.questions.prefetch_related("options"))
    page.locator(f"input[name=q{questions[0].pk}]").nth(1).check()
    expect(page.get_by_label("Bastante")).to_be_visible()
    page.locator(f"input[name=q{questions[1].pk}]").nth(3).check()
    page.locator(f"textarea[name=q{questions[2].pk}]").fill("Reuniones por la tarde")
    page.get_by_role("button", name="Enviar mis respuestas").click()
    expect(page.get_by_text("Ya respondió.", exact=False)).to_be_visible()
    check_page(page, "survey-answered")
    assert Response.objects.get().guardian == world.rosa
    sign_out(page)

    survey.refresh_from_db()  # sent since it was read
    first, second = (list(question.options.all()) for question in questions[:2])
    for n, guardian in enumerate(learners):
        services.answer_survey(
            survey, guardian, {questions[0].pk: [first[n % 2].pk], questions[1].pk: [second[4].pk]}
        )

    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/surveys/{survey.pk}/results/")
    expect(page.get_by_text("6 of 8 families answered (75%).")).to_be_visible()
    expect(page.get_by_text("Reuniones por la tarde")).to_be_visible()
    who = page.get_by_role("region", name="Who answered")
    by_program = who.get_by_role("table", name="By program")
    expect(by_program.get_by_role("row", name="English learners 5 100%")).to_be_visible()
    expect(who.get_by_text("1 group with fewer than 5 answers is left out.")).to_be_visible()
    first_question = page.get_by_role("region", name="1. Which day suits you?")
    first_question.locator("summary", has_text="By program").click()
    expect(first_question.get_by_text("English learners (5 answers)")).to_be_visible()
    expect(first_question.get_by_role("row", name="Monday 60%")).to_be_visible()
    check_page(page, "survey-results")
