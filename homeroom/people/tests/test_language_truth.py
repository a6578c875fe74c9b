"""Each place a family's language is chosen or shown says how messages in it arrive:
translated, through an interpreter, or in English for now — and every language stays."""

import re

import pytest
from django.urls import reverse

from homeroom.languages import LANGUAGE_NAMES
from homeroom.people.services import invite_guardians
from homeroom.translation.models import INTERPRETER, LanguageRoute

COUNTING = "homeroom.testing.fakes.CountingProvider"
PREFERENCES = reverse("family_preferences")


@pytest.fixture(autouse=True)
def _spanish_only(settings):
    # A deployment with an engine for Spanish alone, as most start.
    settings.LIBRETRANSLATE_URL = ""
    settings.TRANSLATION_ROUTES = {
        "en:es": [COUNTING],
        "es:en": [COUNTING],
        "*": ["libretranslate"],
    }


def options(html: str) -> dict[str, str]:
    select = re.search(r'<select name="language".*?</select>', html, re.S).group(0)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def test_the_language_select_keeps_every_language_and_says_how_each_arrives(world, login):
    shown = options(login(world.marco).get(PREFERENCES).content.decode())
    assert set(shown) == set(LANGUAGE_NAMES)  # all twenty stay
    assert shown["es"].endswith("· Messages arrive translated")
    assert shown["vi"].endswith("· In English for now")
    assert "·" not in shown["en"]
    assert "interpreter" in login(world.marco).get(PREFERENCES).content.decode()


def test_the_labels_follow_the_districts_route(world, login):
    LanguageRoute.objects.create(district=world.district, language="vi", route=INTERPRETER)
    LanguageRoute.objects.create(district=world.district, language="so", route=COUNTING)
    shown = options(login(world.marco).get(PREFERENCES).content.decode())
    assert shown["vi"].endswith("· Through an interpreter")
    assert shown["so"].endswith("· Messages arrive translated")
    # Another district's families keep the deployment's truth.
    far = options(login(world.zed_parent).get(PREFERENCES).content.decode())
    assert far["vi"].endswith("· In English for now")


def test_a_spanish_reader_reads_the_labels_in_spanish(world, login):
    shown = options(login(world.rosa).get(PREFERENCES).content.decode())
    assert shown["es"].endswith("· Los mensajes llegan traducidos")
    assert shown["vi"].endswith("· En inglés por ahora")


def test_the_join_page_says_it_too(world, client):
    [invitation] = invite_guardians([world.pat], school=world.north, invited_by=world.chen)
    LanguageRoute.objects.create(district=world.district, language="so", route=INTERPRETER)
    body = client.get(reverse("join_accept", args=[invitation.token])).content.decode()
    assert options(body)["so"].endswith("· Through an interpreter")


def test_staff_see_how_a_familys_messages_arrive(world, login):
    client = login(world.rivera)
    guardian_page = reverse("guardian_detail", args=[world.gina.pk])
    assert "In English for now" in client.get(guardian_page).content.decode()
    roster = reverse("staff_home_roster", args=[world.art.pk])  # a class opened on the home
    assert "In English for now" in client.get(roster, HTTP_HX_REQUEST="true").content.decode()
    LanguageRoute.objects.create(district=world.district, language="vi", route=INTERPRETER)
    assert "Through an interpreter" in client.get(guardian_page).content.decode()
    assert "Through an interpreter" in client.get(roster, HTTP_HX_REQUEST="true").content.decode()
    rosa_page = reverse("guardian_detail", args=[world.rosa.pk])
    assert "Messages arrive translated" in client.get(rosa_page).content.decode()


def test_a_suggested_language_says_how_its_messages_would_arrive(world, login):
    world.rosa.suggested_language, world.rosa.suggested_language_message_id = "vi", 1
    world.rosa.save()
    LanguageRoute.objects.create(district=world.district, language="vi", route=INTERPRETER)
    page = login(world.rivera).get(reverse("guardian_detail", args=[world.rosa.pk]))
    text = " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    assert "update their language? (Through an interpreter)" in text
