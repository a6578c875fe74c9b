"""A district's route per language, what families of each language get, and the characters
each engine is sent per month."""

import pytest
from django.core.exceptions import ValidationError

from homeroom.testing.fakes import CountingProvider
from homeroom.translation.models import LanguageRoute, ProviderUsage
from homeroom.translation.services import (
    ENGLISH,
    INTERPRETER,
    TRANSLATED,
    TranslationUnavailable,
    available,
    first_of_month,
    language_support,
    translate,
)

from .libretranslate_server import FakeLibreTranslate

pytestmark = pytest.mark.django_db


@pytest.fixture
def libre(settings):
    server = FakeLibreTranslate().start()
    settings.LIBRETRANSLATE_URL = server.url
    yield server
    server.stop()


def test_a_batch_through_libretranslate_counts_its_characters_and_memory_hits_count_nothing(
    libre,
):
    texts = ["The garden needs water.", "Bring a hat and a water bottle."]
    translate(texts, "en", "vi")

    usage = ProviderUsage.objects.get()
    assert usage.provider == "libretranslate"
    assert usage.month == first_of_month()
    assert usage.characters == sum(len(t) for t in texts)
    assert usage.requests == 1

    translate(texts, "en", "vi")  # from the memory: nothing sent
    translate(["The bus is late."], "en", "vi")
    usage.refresh_from_db()
    assert usage.characters == sum(len(t) for t in texts) + len("The bus is late.")
    assert usage.requests == 2
    assert len([p for p in libre.paths() if p == "POST /translate"]) == 2


def test_a_district_route_comes_before_the_settings(world, settings):
    settings.TRANSLATION_ROUTES = {"*": ["libretranslate"]}  # no server: nothing serves
    assert not available("en", "vi", school=world.north)
    LanguageRoute.objects.create(
        district=world.district, language="vi", route="homeroom.testing.fakes.CountingProvider"
    )
    # Only shipped names pass validation; a deployment's own provider still routes.
    assert available("en", "vi", school=world.north)
    (result,) = translate(["The garden needs water."], "en", "vi", school=world.north)
    assert result.text == "The garden needs water. (vi)"
    assert available("vi", "en", school=world.north)  # replies take the same route
    # The other district keeps the deployment's routes.
    assert not available("en", "vi", district=world.elsewhere_admin.district_id)
    assert not available("en", "vi")


def test_an_interpreter_or_english_route_sends_nothing_to_an_engine(world, settings):
    settings.TRANSLATION_ROUTES = {"*": ["homeroom.testing.fakes.CountingProvider"]}
    CountingProvider.reset()
    LanguageRoute.objects.create(district=world.district, language="so", route=INTERPRETER)
    LanguageRoute.objects.create(district=world.district, language="ar", route=ENGLISH)
    with pytest.raises(TranslationUnavailable, match="through an interpreter"):
        translate(["The garden needs water."], "en", "so", school=world.north)
    with pytest.raises(TranslationUnavailable, match="in English with a note"):
        translate(["The garden needs water."], "en", "ar", school=world.north)
    assert CountingProvider.calls == []
    assert ProviderUsage.objects.count() == 0


def test_language_support_tells_the_truth_for_each_route(world, settings):
    settings.TRANSLATION_ROUTES = {"*": ["homeroom.testing.fakes.CountingProvider"]}
    district = world.district
    assert language_support("vi", district=district).support == TRANSLATED
    assert language_support("vi", district=district).route_label == "counting + memory"
    LanguageRoute.objects.create(district=district, language="vi", route=INTERPRETER)
    support = language_support("vi-VN", district=district.pk)
    assert support.support == INTERPRETER
    assert support.family_label == "Through an interpreter"
    assert support.route_label == "an interpreter first"
    LanguageRoute.objects.filter(district=district).update(route="libretranslate")
    LanguageRoute.objects.get(district=district).save()  # a save is seen at once
    support = language_support("vi", district=district)
    assert support.support == ENGLISH  # the chosen engine has no server configured
    assert "LIBRETRANSLATE_URL" in support.reason
    assert support.family_label == "In English for now"
    assert language_support("en", district=district).family_label == ""


def test_spanish_through_apertium_is_labelled_apertium_and_memory(apertium, world):
    support = language_support("es", district=world.district)
    assert support.support == TRANSLATED
    assert support.route_label == "Apertium + memory"
    assert support.family_label == "Messages arrive translated"


@pytest.mark.parametrize(
    "route",
    ["babelfish", "apertium+babelfish", "apertium+apertium", "", "apertium\x00", "+"],
)
def test_unknown_or_repeated_providers_are_refused(world, route):
    row = LanguageRoute(district=world.district, language="vi", route=route)
    with pytest.raises(ValidationError):
        row.full_clean()


@pytest.mark.parametrize("language", ["xx", "en", "vi-VN", "vi\x00"])
def test_only_base_languages_families_read_take_a_route(world, language):
    row = LanguageRoute(district=world.district, language=language, route="apertium")
    with pytest.raises(ValidationError):
        row.full_clean()


def test_known_routes_are_accepted(world):
    for route in ("apertium", "apertium+libretranslate", INTERPRETER, ENGLISH):
        LanguageRoute(district=world.district, language="vi", route=route).full_clean()
