"""The district admin's Translation page: a route per language, saved only when every
choice is one offered; providers as they are now; characters sent per month."""

import re

import pytest
from django.urls import reverse

from homeroom.testing.personas import FAMILY_PERSONAS, STAFF_PERSONAS
from homeroom.translation.models import INTERPRETER, LanguageRoute, ProviderUsage
from homeroom.translation.services import count_usage

pytestmark = pytest.mark.django_db

URL = "/district/translation/"


def test_the_page_has_its_address():
    assert reverse("translation_routes") == URL


ADMINS = ("district_admin", "elsewhere_admin")  # each keeps their own district's page
OTHERS = [p for p in STAFF_PERSONAS + FAMILY_PERSONAS if p not in ADMINS]


@pytest.mark.parametrize("persona", OTHERS)
def test_anyone_but_a_district_admin_gets_a_404(world, login, persona):
    person = getattr(world, persona)
    client = login(person)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"vi": INTERPRETER}).status_code == 404
    assert not LanguageRoute.objects.exists()
    assert URL not in client.get(reverse("home")).content.decode()  # not in the navigation


def test_the_district_admin_sets_a_route_and_it_is_their_districts(world, login):
    client = login(world.district_admin)
    page = client.get(URL)
    assert page.status_code == 200
    assert URL in page.content.decode()  # in the navigation
    response = client.post(URL, {"vi": INTERPRETER, "es": "apertium+libretranslate"})
    assert response.status_code == 302
    routes = dict(
        LanguageRoute.objects.filter(district=world.district).values_list("language", "route")
    )
    assert routes == {"vi": INTERPRETER, "es": "apertium+libretranslate"}
    body = client.get(URL).content.decode()
    assert "an interpreter first" in body

    # Back to the deployment's settings.
    assert client.post(URL, {"es": "apertium+libretranslate"}).status_code == 302
    assert set(LanguageRoute.objects.values_list("language", flat=True)) == {"es"}


def test_the_other_districts_admin_keeps_their_own_routes(world, login):
    LanguageRoute.objects.create(district=world.district, language="vi", route=INTERPRETER)
    client = login(world.elsewhere_admin)
    body = client.get(URL).content.decode()
    assert "an interpreter first" not in body
    client.post(URL, {"so": "apertium"})
    assert LanguageRoute.objects.get(district=world.district).route == INTERPRETER
    assert LanguageRoute.objects.get(language="so").district == world.elsewhere_admin.district


@pytest.mark.parametrize(
    "bad",
    [
        {"vi": "babelfish"},
        {"vi": "apertium\x00"},
        {"vi": "apertium+apertium"},
        {"vi": INTERPRETER, "so": "x" * 5000},
        {"vi": INTERPRETER, "so": "\u202eapertium"},
    ],
)
def test_a_route_not_offered_is_refused_and_nothing_is_saved(world, login, bad):
    LanguageRoute.objects.create(district=world.district, language="ar", route=INTERPRETER)
    response = login(world.district_admin).post(URL, bad)
    assert response.status_code == 400
    assert "nothing was changed" in response.content.decode()
    assert list(LanguageRoute.objects.values_list("language", "route")) == [("ar", INTERPRETER)]


def test_characters_sent_show_per_provider_and_month(world, login):
    count_usage("libretranslate", 1234)
    count_usage("libretranslate", 66)
    count_usage("apertium", 70)
    usage = {u.provider: (u.characters, u.requests) for u in ProviderUsage.objects.all()}
    assert usage == {"libretranslate": (1300, 2), "apertium": (70, 1)}
    body = login(world.district_admin).get(URL).content.decode()
    assert "LibreTranslate" in body and "1300" in body


def test_providers_say_whether_they_are_set_up(world, login, settings):
    settings.LIBRETRANSLATE_URL = ""
    body = login(world.district_admin).get(URL).content.decode()
    assert "LIBRETRANSLATE_URL" in body  # why LibreTranslate serves nothing here


@pytest.fixture
def google(settings):
    from homeroom.translation.providers.http import languages_cache

    from .cloud_servers import FakeGoogle

    languages_cache.clear()
    server = FakeGoogle(project="homeroom-district").start()
    settings.GOOGLE_TRANSLATE_PROJECT = "homeroom-district"
    settings.GOOGLE_TRANSLATE_TOKEN = "ya29.token"
    settings.GOOGLE_TRANSLATE_TOKEN_FILE = ""
    settings.GOOGLE_TRANSLATE_LOCATION = "global"
    settings.GOOGLE_TRANSLATE_GLOSSARIES = {}
    settings.GOOGLE_TRANSLATE_URL = server.url
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {"*": ["libretranslate"]}
    yield server
    server.stop()
    languages_cache.clear()


def test_vietnamese_routed_to_google_is_translated_counted_and_told(world, login, google):
    from homeroom.translation.services import language_support, translate

    assert language_support("vi", district=world.district).family_label == "In English for now"
    client = login(world.district_admin)
    assert client.post(URL, {"vi": "google"}).status_code == 302
    support = language_support("vi", district=world.district)
    assert (support.support, support.route_label) == ("translated", "Google + memory")

    (result,) = translate(["The garden needs water."], "en", "vi", school=world.north)
    assert result.provider == "google"
    google_usage = ProviderUsage.objects.get(provider="google")
    assert google_usage.characters == len("The garden needs water.")

    body = client.get(URL).content.decode()
    assert "Google + memory" in body
    gina = login(world.gina).get(reverse("family_preferences")).content.decode()
    assert re.search(r"<option value=\"vi\"[^>]*>[^<]*· Tin nhắn đến đã được dịch<", gina)
