"""A shared goal on a phone: Rosa proposes one for Ana in Spanish; Ms Rivera reads it in
English, agrees and adds what she will do at school; Rosa texts a progress note with the
keyword, and Ms Rivera reads it in English on the goal, the Spanish original one tap away."""

import uuid

import pytest
from playwright.sync_api import expect
from twilio.request_validator import RequestValidator

from homeroom.goals.models import Goal, Note
from homeroom.testing.personas import build_world

from .conftest import check_page
from .journeys import sign_in_by_code, sign_in_with_password, sign_out, without_quiet_hours

TOKEN = "test-auth-token-0123456789abcdef"
WEBHOOK = "/webhooks/twilio/sms"
NOTE = "META Ana leyó veinte minutos con su hermano esta noche."


@pytest.fixture
def twilio(settings, live_server):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = live_server.url


def text_from_family(page, public_url: str, phone: str, body: str):
    sid = "SM" + uuid.uuid4().hex
    fields = {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": "+16125550100",
        "Body": body,
        "NumMedia": "0",
        "ApiVersion": "2010-04-01",
    }
    signature = RequestValidator(TOKEN).compute_signature(public_url + WEBHOOK, fields)
    answer = page.request.post(WEBHOOK, form=fields, headers={"X-Twilio-Signature": signature})
    assert answer.status == 200, answer.text()
    return answer.text()


def test_a_family_and_the_teacher_agree_a_goal_and_a_note_comes_by_text(
    page, transactional_db, live_server, twilio
):
    world = build_world()
    without_quiet_hours(world)

    sign_in_by_code(page, "(612) 555-0111", str(world.rosa.phone))
    page.goto(f"/moments/children/{world.ana.pk}/")
    expect(page.get_by_role("heading", name="Nuestras metas")).to_be_visible()
    check_page(page, "family-child-goals-empty")
    page.get_by_role("link", name="Proponer una meta").click()
    page.get_by_label("¿Cuál es la meta?").fill("Ana lee veinte minutos cada noche.")
    page.get_by_label("¿Cómo sabremos que se cumplió?").fill("Ana termina dos libros.")
    page.get_by_role("button", name="Proponer la meta").click()  # no strategy yet
    expect(page.get_by_text("Agregue al menos una cosa")).to_be_visible()
    assert not Goal.objects.exists()
    check_page(page, "family-goal-refused")
    page.locator("#id_s0_text").fill("Leemos juntas antes de dormir")
    page.locator("#id_s0_where").select_option("home")
    page.locator("#id_s0_who").fill("Rosa")
    page.get_by_role("button", name="Proponer la meta").click()
    expect(page.get_by_text("Meta propuesta")).to_be_visible()
    check_page(page, "family-goal-proposed")
    goal = Goal.objects.get()
    assert goal.language == "es" and goal.status == Goal.Status.PROPOSED
    sign_out(page)

    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/students/{world.ana.pk}/")
    page.locator(f"#goal-{goal.pk} a").click()
    expect(page.get_by_role("heading", name="Do you agree?")).to_be_visible()
    expect(page.locator("details.original [lang=es]").first).to_be_hidden()
    page.get_by_role("button", name="Agree", exact=True).click()
    expect(page.get_by_text("Agreed. The goal is active.")).to_be_visible()
    page.get_by_text("Add something we will do at school").click()
    page.get_by_label("What we will do").fill("A reading corner every morning")
    page.get_by_label("Who does it").fill("Ms Rivera")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("li.strategy.school")).to_contain_text("A reading corner")
    check_page(page, "staff-goal-active")

    reply = text_from_family(page, live_server.url, str(world.rosa.phone), NOTE)
    assert "Gracias" in reply
    note = Note.objects.get()
    assert note.channel == "sms" and note.language == "es"

    page.reload()
    shown = page.locator(f"#note-{note.pk}")
    copy = note.translations.get(language="en").text
    expect(shown.locator("[lang=en]")).to_contain_text(copy)
    expect(shown.locator("details.original [lang=es]")).to_be_hidden()
    shown.get_by_text("see original").click()
    expect(shown.locator("details.original [lang=es]")).to_contain_text("veinte minutos")
    check_page(page, "staff-goal-note-by-text")
