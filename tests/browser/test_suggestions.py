"""Marco sends a suggestion from his phone; Rosa, a Spanish-reading family, supports it;
Ms Rivera gives it an owner and moves it from received to done, answering at each step;
Rosa sees every step, and the school's answers, in Spanish; "you said, we did" lists it."""

from playwright.sync_api import expect

from homeroom.testing.personas import build_world
from homeroom.translation.detection import detect_language
from homeroom.voice.models import Suggestion, SuggestionEvent

from .conftest import VIEWPORTS, check_page
from .journeys import sign_in_by_code, sign_in_with_password, sign_out, without_quiet_hours

IDEA = "Could the library open before school on Mondays for working parents?"
STEPS = [
    ("discussing", "En discusión", "The parent council talks about it on Tuesday."),
    ("adopted", "Adoptada", "Yes: the library will open early from next month."),
    ("done", "Terminado", "The library now opens at seven thirty on Mondays."),
]


def test_a_suggestion_from_received_to_done_seen_in_spanish(
    page, browser, live_server, viewport, transactional_db, settings
):
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": ["apertium"],
        "es:en": ["apertium"],
        "*": ["libretranslate"],
    }
    world = build_world()
    without_quiet_hours(world)
    # The live server runs in this process: load the language models once, before the clock.
    detect_language("Warming up the language models.", "en")

    # Marco sends it.
    sign_in_by_code(page, str(world.marco.phone), str(world.marco.phone))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Suggestions").click()
    page.get_by_role("link", name="Send a suggestion").click()
    page.get_by_label("Your suggestion").fill(IDEA)
    check_page(page, "suggestion-new")
    page.get_by_role("button", name="Send my suggestion").click()
    expect(page.get_by_text("Thank you: the school has your suggestion.")).to_be_visible()
    suggestion = Suggestion.objects.get()
    sign_out(page)

    # Rosa reads it in Spanish and supports it.
    sign_in_by_code(page, str(world.rosa.phone), str(world.rosa.phone))
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Sugerencias").click()
    expect(page.get_by_role("heading", name="Sugerencias")).to_be_visible()
    expect(page.get_by_text(suggestion.translations["es"])).to_be_visible()
    check_page(page, "suggestions-family-list")
    page.get_by_role("link", name="Su historia").click()
    page.get_by_role("button", name="Mi familia apoya esto").click()
    expect(page.get_by_text("Gracias: su familia la apoya.", exact=False)).to_be_visible()
    expect(page.get_by_text("1 familia la apoya")).to_be_visible()
    check_page(page, "suggestion-family-detail")
    family_url = page.url

    # Ms Rivera moves it on, in her own window; Rosa's page follows every step in Spanish.
    context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=live_server.url)
    staff = context.new_page()
    staff.viewport_name = viewport
    sign_in_with_password(staff, world.rivera.user.email)
    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Suggestions").click()
    expect(staff.get_by_role("heading", name="Suggestions from families")).to_be_visible()
    check_page(staff, "suggestions-staff-list")
    staff.get_by_role("link", name=IDEA[:40], exact=False).click()
    staff.get_by_label("Owner on staff").select_option(label="Lia Liaison")
    staff.get_by_role("button", name="Set the owner").click()
    expect(staff.get_by_text("The owner is set.")).to_be_visible()
    # A decline without its reason is sent back.
    staff.get_by_label("Where it goes").select_option("declined")
    staff.get_by_role("button", name="Save and tell the families").click()
    expect(
        staff.get_by_text("Say why the suggestion is declined", exact=False).first
    ).to_be_visible()
    for status, spanish, answer in STEPS:
        staff.get_by_label("Where it goes").select_option(status)
        staff.get_by_label("The school's answer").fill(answer)
        staff.get_by_role("button", name="Save and tell the families").click()
        expect(staff.get_by_text("Saved: the family and its supporters are told.")).to_be_visible()
        check_page(staff, f"suggestion-staff-{status}")
        page.goto(family_url)
        expect(page.locator(".meta .chip").first).to_have_text(spanish)
        translated = SuggestionEvent.objects.get(status=status).answer_translations["es"]
        expect(page.get_by_text(translated)).to_be_visible()
        check_page(page, f"suggestion-family-{status}")
    assert Suggestion.objects.get().status == "done"
    context.close()

    page.get_by_role("link", name="Sugerencias").first.click()
    page.get_by_role("link", name="Ustedes lo dijeron, lo hicimos: North Elementary").click()
    expect(page.get_by_role("heading", name="Ustedes lo dijeron, lo hicimos")).to_be_visible()
    expect(
        page.get_by_text(SuggestionEvent.objects.get(status="done").answer_translations["es"])
    ).to_be_visible()
    check_page(page, "suggestions-said-and-done")
