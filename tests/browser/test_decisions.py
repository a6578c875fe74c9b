"""Ms Rivera puts "which time for conferences" to the families of Math 6 and checks its
Spanish; Rosa votes on her phone, in Spanish, from her home; the vote closes, the school
decides otherwise than the vote and says why; Rosa sees the result, the decision and the
reason in Spanish, the original one tap away."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from homeroom.messaging.models import Delivery, Message
from homeroom.testing.personas import build_world
from homeroom.transports import outbound
from homeroom.voice.decisions import services
from homeroom.voice.models import Ballot, Decision

from .conftest import check_page
from .journeys import sign_in_by_code, sign_in_with_password, sign_out, without_quiet_hours

TIMES = ["Tuesday 4 pm", "Thursday 6 pm", "Saturday 10 am"]
SPANISH = ["Martes 4 pm", "Jueves 6 pm", "Sábado 10 am"]


def test_a_decision_closes_and_a_spanish_family_sees_the_result_and_the_reason(
    page, transactional_db, settings
):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"en:es": ["apertium"], "*": ["libretranslate"]}
    world = build_world()
    without_quiet_hours(world)

    sign_in_with_password(page, world.rivera.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Decisions").click()
    expect(page.get_by_role("heading", name="Decisions")).to_be_visible()
    page.get_by_role("link", name="New decision").click()
    page.get_by_label("The question").fill("Which time for conferences?")
    page.get_by_label("Options, one per line").fill("\n".join(TIMES))
    page.get_by_label("Who votes").select_option(label="Families of Math 6, North Elementary")
    page.get_by_label("Voting closes on").fill(
        (timezone.localdate() + timedelta(days=7)).isoformat()
    )
    check_page(page, "decision-new")
    page.get_by_role("button", name="Preview in each language").click()

    expect(
        page.get_by_role("heading", name="Check and send — Which time for conferences?")
    ).to_be_visible()
    decision = Decision.objects.get()
    options = services.options_of(decision)
    page.locator("#id_es__question").fill("¿Qué horario para las conferencias?")
    for option, text in zip(options, SPANISH, strict=True):
        page.locator(f"#id_es__o{option.pk}").fill(text)
    check_page(page, "decision-preview")
    page.get_by_role("button", name="Put it to families").click()
    expect(page.get_by_text("0 of 3 families voted (0%).")).to_be_visible()
    sign_out(page)

    # Rosa, on her phone: the decision waits on her home, in Spanish.
    sign_in_by_code(page, str(world.rosa.phone), str(world.rosa.phone))
    expect(page.get_by_role("heading", name="Hola, Rosa")).to_be_visible()
    expect(page.get_by_role("link", name="¿Qué horario para las conferencias?")).to_be_visible()
    page.get_by_role("link", name="Votar").click()
    expect(page.get_by_role("heading", name="¿Qué horario para las conferencias?")).to_be_visible()
    check_page(page, "decision-vote")
    page.get_by_label("Sábado 10 am").check()
    page.get_by_role("button", name="Votar").click()
    expect(page.get_by_text("Su familia votó:")).to_be_visible()
    check_page(page, "decision-voted")
    assert Ballot.objects.get().cast_by == world.rosa
    sign_out(page)

    # Two more families vote Tuesday; the deadline passes.
    decision.refresh_from_db()
    services.cast_vote(decision, world.marco, [options[0].pk])
    services.cast_vote(decision, world.gina, [options[0].pk])
    Decision.objects.filter(pk=decision.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    sign_in_with_password(page, world.rivera.user.email)
    page.goto(f"/decisions/{decision.pk}/results/")
    expect(page.get_by_text("The vote chose: Tuesday 4 pm.")).to_be_visible()
    page.locator("#id_outcome").select_option(label="Thursday 6 pm")
    page.get_by_role("button", name="Record and tell families").click()
    expect(page.get_by_text("is not what the vote chose: say why")).to_be_visible()
    assert not Decision.objects.get().is_decided
    page.locator("#id_reason").fill("The hall is not free on Tuesday afternoons.")
    check_page(page, "decision-decide")
    page.get_by_role("button", name="Record and tell families").click()
    expect(page.get_by_role("heading", name="What the school decided")).to_be_visible()
    check_page(page, "decision-decided")
    sign_out(page)

    # Rosa is told on her channel, and reads the result in Spanish.
    result = Message.objects.latest("pk")
    assert f"/decisions/{decision.pk}/" in result.body
    told = Delivery.objects.get(message=result, guardian=world.rosa)
    assert told.channel == "sms" and told.status == Delivery.Status.SENT
    outbound.outbox[:] = [m for m in outbound.outbox if m.kind != "login_code"]
    sign_in_by_code(page, str(world.rosa.phone), str(world.rosa.phone))
    expect(page.get_by_role("heading", name="Hola, Rosa")).to_be_visible()
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Decisiones").click()
    expect(page.get_by_text("Ya está el resultado")).to_be_visible()
    page.get_by_role("link", name="¿Qué horario para las conferencias?").click()
    expect(page.get_by_role("heading", name="Lo que decidió la escuela")).to_be_visible()
    expect(page.get_by_text("Jueves 6 pm").first).to_be_visible()
    expect(page.get_by_text("Esto no es lo que eligió la votación.", exact=False)).to_be_visible()
    expect(page.get_by_text("3 familias votaron.")).to_be_visible()
    expect(page.get_by_text("The hall is not free on Tuesday afternoons.")).to_have_count(0)
    check_page(page, "decision-result")
    page.get_by_role("link", name="Traducción automática — ver el original").click()
    expect(page.get_by_text("The hall is not free on Tuesday afternoons.")).to_be_visible()
    check_page(page, "decision-result-original")
