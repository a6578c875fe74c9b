"""The composer's preview says which route each language takes, as the district set it."""

from homeroom.messaging.models import Conversation, Delivery
from homeroom.translation.models import ENGLISH, INTERPRETER, LanguageRoute
from homeroom.translation.tests.libretranslate_server import FakeLibreTranslate

from .screens import (
    HX,
    _translation,  # noqa: F401 (autouse: the engine these pages run with)
    html,
    text_of,
    url,
)

DRAFT = "The garden club meets after school."


def _preview(client, student, **extra):
    return client.post(
        url("compose") + f"?student={student.pk}",
        {"text": DRAFT, "preview": "1", **extra},
        **HX,
    )


def test_the_preview_names_each_languages_route(world, login):
    response = _preview(login(world.rivera), world.ana)
    assert "Route: counting + memory" in text_of(response)  # the deployment's route


def test_a_district_route_to_libretranslate_shows_and_serves_the_preview(world, login, settings):
    server = FakeLibreTranslate().start()
    try:
        settings.LIBRETRANSLATE_URL = server.url
        LanguageRoute.objects.create(district=world.district, language="es", route="libretranslate")
        response = _preview(login(world.rivera), world.ana)
    finally:
        server.stop()
    page = text_of(response)
    assert "Route: LibreTranslate + memory" in page
    copies = {c.group.language: c for c in response.context["copies"]}
    assert copies["es"].text == f"<es> {DRAFT}"


def test_an_interpreter_route_is_shown_and_offered_first(world, login):
    LanguageRoute.objects.create(district=world.district, language="es", route=INTERPRETER)
    client = login(world.rivera)
    page = client.get(url("compose"), {"student": world.ana.pk})
    body = html(page)
    assert "the district sends it through an interpreter first" in text_of(page)
    assert 'value="interpreter" id="untranslated-interpreter" required checked' in body

    response = _preview(client, world.ana, untranslated="interpreter")
    page = text_of(response)
    assert "Route: an interpreter first" in page
    # Said once, beside the choice, not again in the preview.
    assert "through an interpreter" not in page.replace("Route: an interpreter first", "")
    assert "Not translated: these families get what you chose above." in page
    assert not Conversation.objects.exists()

    # Sent as suggested: Rosa's delivery waits for the interpreter.
    client.post(
        url("compose") + f"?student={world.ana.pk}",
        {"text": DRAFT, "send": "1", "untranslated": "interpreter"},
    )
    rosa = Delivery.objects.get(guardian=world.rosa)
    assert rosa.status == "interpret"


def test_an_english_route_is_shown_with_the_note(world, login):
    LanguageRoute.objects.create(district=world.district, language="es", route=ENGLISH)
    client = login(world.rivera)
    compose = text_of(client.get(url("compose"), {"student": world.ana.pk}))
    assert "1 family reads Spanish: no translation is available" in compose
    response = _preview(client, world.ana, untranslated="english")
    page = text_of(response)
    assert "Route: English with a note" in page
    assert "Not translated: these families get what you chose above." in page


def test_another_districts_route_changes_nothing_here(world, login):
    LanguageRoute.objects.create(
        district=world.elsewhere_admin.district, language="es", route=INTERPRETER
    )
    response = _preview(login(world.rivera), world.ana)
    assert "Route: counting + memory" in text_of(response)


def test_an_announcements_audience_names_each_languages_route(world, login):
    LanguageRoute.objects.create(district=world.district, language="vi", route=INTERPRETER)
    response = login(world.rivera).get(
        url("announce"), {"audience": f"section:{world.math.pk}"}, **HX
    )
    routes = {g.language: g.route_label for g in response.context["groups"]}
    assert routes == {"en": "", "es": "counting + memory", "vi": "an interpreter first"}
    page = text_of(response)
    assert "Vietnamese 1 · an interpreter first" in page
    assert "1 family reads Vietnamese: the district sends it through an interpreter first." in page
    assert 'value="interpreter" id="untranslated-interpreter" required checked' in html(response)
