"""The principal starts the start-of-year survey in one click and sends it; Rosa answers it on
her phone, in Spanish, and confirms that the school texts her from now on; the principal sees
what makes it hard for the school's families to take part."""

from datetime import time

from playwright.sync_api import expect

from homeroom.people.models import Guardian, Student
from homeroom.testing.personas import build_world, give_totp, link, make_guardian
from homeroom.voice import services as survey_services
from homeroom.voice.engagement import services
from homeroom.voice.models import Survey

from .conftest import VIEWPORTS, check_page
from .journeys import (
    code_from_last_text,
    current_totp,
    sign_in_with_password,
    without_quiet_hours,
)


def keyed_answers(survey, *keys):
    out = {}
    for question in services.keyed_questions(survey):
        if question.has_options:
            out[question.pk] = [o.pk for o in question.options.all() if o.stable_key.key in keys]
    return out


def test_the_start_of_year_survey_from_one_click_to_the_barriers(
    page, browser, live_server, transactional_db, settings
):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"en:es": ["apertium"], "*": ["libretranslate"]}
    world = build_world()
    without_quiet_hours(world)
    # Rosa reads email for now, and keeps the school's usual quiet hours.
    Guardian.objects.filter(pk=world.rosa.pk).update(
        channel="email", quiet_start=time(21, 0), quiet_end=time(7, 0)
    )

    give_totp(world.principal.user)
    sign_in_with_password(page, world.principal.user.email)
    page.locator("input[name=code]").fill(current_totp("JBSWY3DPEHPK3PXP"))
    page.locator("input[name=code]").press("Enter")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    expect(page.get_by_role("heading", name="Start-of-year survey")).to_be_visible()
    check_page(page, "engagement-surveys")
    page.get_by_role("button", name="Prepare the survey").click()

    # The usual check-and-send page, the Spanish already there from the catalogue.
    expect(page.get_by_role("heading", name="Check and send — How and when can we reach you?"))
    survey = Survey.objects.get()
    expect(page.locator("#id_es__title")).to_have_value(
        "¿Cómo y cuándo podemos comunicarnos con usted?"
    )
    check_page(page, "engagement-preview")
    page.get_by_role("button", name="Send the survey").click()
    expect(page.get_by_text("families answered")).to_be_visible()
    survey.refresh_from_db()
    assert survey.is_sent

    # Four more grade-6 families at North have answered already.
    for n in range(4):
        child = Student.objects.create(
            school=world.north, given_name=f"Kid{n}", family_name="Test", grade="6"
        )
        guardian = make_guardian(world.district, f"Parent{n}", "Test", "es", f"+1612555070{n}")
        link(guardian, child)
        barriers = ("barrier:childcare",) if n < 3 else ("barrier:transport",)
        survey_services.answer_survey(
            survey, guardian, keyed_answers(survey, "channel:sms", "language:es", *barriers)
        )

    # Rosa, on her phone, in her own browser.
    phone = browser.new_context(viewport=VIEWPORTS["phone"], base_url=live_server.url)
    family = phone.new_page()
    family.viewport_name = "phone"
    family.goto("/accounts/login/")
    family.locator("#family-phone").fill(str(world.rosa.phone))
    family.locator("#family-phone").press("Enter")
    family.locator("input[name=code]").fill(code_from_last_text(str(world.rosa.phone)))
    family.locator("input[name=code]").press("Enter")
    expect(family.get_by_role("heading", name="Hola, Rosa")).to_be_visible()
    family.goto(f"/surveys/{survey.pk}/")
    expect(
        family.get_by_role("heading", name="¿Cómo y cuándo podemos comunicarnos con usted?")
    ).to_be_visible()
    check_page(family, "engagement-answer")
    family.get_by_label("Mensaje de texto (SMS)").check()
    family.get_by_label("Español", exact=True).check()
    family.get_by_label("Por la mañana, de 8:00 a 12:00").check()
    family.get_by_label("Cuidado de mis otros hijos").check()
    family.get_by_label("Mi horario de trabajo").check()
    family.get_by_role("button", name="Enviar mis respuestas").click()

    expect(
        family.get_by_role("heading", name="¿Actualizar cómo le contacta la escuela?")
    ).to_be_visible()
    check_page(family, "engagement-confirm")
    family.get_by_label("Enviarme los mensajes por: Mensaje de texto (SMS)").check()
    family.get_by_label("Ningún mensaje antes de las 08:00 ni después de las 12:00").uncheck()
    family.get_by_role("button", name="Confirmar").click()
    expect(family.get_by_text("Su configuración se ha actualizado.")).to_be_visible()
    phone.close()
    rosa = Guardian.objects.get(pk=world.rosa.pk)
    assert rosa.channel == "sms"
    assert (rosa.quiet_start, rosa.quiet_end) == (time(21, 0), time(7, 0))  # not taken

    # The principal sees the barriers: five Spanish-reading grade-6 families.
    page.goto("/surveys/")
    page.get_by_role("link", name="What makes it hard for families to take part").click()
    expect(page.get_by_text("5 families answered the start-of-year survey.")).to_be_visible()
    row = page.get_by_role("row", name="Childcare for my other children").first
    expect(row).to_contain_text("4 (80%)")
    expect(page.get_by_role("columnheader", name="Grade 6 (5 families)")).to_be_visible()
    check_page(page, "engagement-barriers")
